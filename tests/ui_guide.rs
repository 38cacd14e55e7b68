//! The guided path: the first-run guide on the Layers screen (board, distro, apps, save,
//! build, write) and the "next:" line every screen shows.

mod ui_common;

use skiff::ui::ScreenId;
use ui_common::{open, snap};

/// The text of the bottom line of the last frame.
fn bottom(h: &mut ui_common::harness::Harness) -> String {
    h.render().lines().last().unwrap_or_default().to_string()
}

#[test]
fn an_empty_stack_opens_the_guide_on_boards() {
    let (_d, mut h) = open("", 100, 30);
    let text = h.render();
    assert!(text.contains("step 1 of 6: pick your board"), "{text}");
    assert!(text.contains("Boards"), "{text}");
    assert!(!text.contains("core/fedora"), "{text}");
    assert!(text.contains("odroid/xu"), "{text}");
    assert!(bottom(&mut h).contains("next: add a board"), "{text}");
    snap("guide_board_100x30", &mut h);
    h.resize(80, 24);
    snap("guide_board_80x24", &mut h);
}

#[test]
fn the_guide_goes_board_distro_apps_then_save_build_write() {
    let (_d, mut h) = open("", 100, 30);
    h.key("/");
    h.type_text("pi/4");
    h.key("enter");
    h.key("esc");
    h.key("enter");
    assert_eq!(h.app.shared.stack.typed, ["pi/4"]);
    let text = h.render();
    assert!(text.contains("step 2 of 6: pick a distribution"), "{text}");
    assert!(text.contains("core/fedora"), "{text}");
    assert!(!text.contains("odroid/xu"), "{text}");
    snap("guide_distro_100x30", &mut h);
    h.resize(80, 24);
    snap("guide_distro_80x24", &mut h);
    h.resize(100, 30);
    let row = h.find("core/fedora").unwrap().1;
    h.mouse(
        ratatui::crossterm::event::MouseEventKind::Down(
            ratatui::crossterm::event::MouseButton::Left,
        ),
        5,
        row,
    );
    h.key("enter");
    assert_eq!(h.app.shared.stack.typed, ["pi/4", "core/fedora"]);
    // An unbound key puts the hints back in place of the "added" message.
    h.key("f12");
    let text = h.render();
    assert!(text.contains("step 3 of 6: add apps (optional)"), "{text}");
    assert!(text.contains("apps/docker"), "{text}");
    assert!(bottom(&mut h).contains("next: apps (optional), then s save"));
    snap("guide_apps_100x30", &mut h);
    h.key("2");
    assert!(bottom(&mut h).contains("next: s save, then 5 build"));
    snap("guide_next_stack_100x30", &mut h);
    h.resize(80, 24);
    assert!(bottom(&mut h).contains("next: s save, then 5 build"));
    snap("guide_next_stack_80x24", &mut h);
    h.key("s");
    h.key("y");
    h.key("1");
    h.key("f12");
    let text = h.render();
    assert!(text.contains("step 5 of 6: build"), "{text}");
    assert!(bottom(&mut h).contains("next: 5 Build, then b build"));
    h.key("5");
    assert!(bottom(&mut h).contains("next: b build"));
    snap("guide_next_build_80x24", &mut h);
    h.resize(100, 30);
    snap("guide_next_build_100x30", &mut h);
    // A finished build leaves images; the next tick sees them: step 6, write a card.
    let images = skiff::model::Tree::open(_d.path())
        .unwrap()
        .workspace_dir("default")
        .join("images");
    std::fs::create_dir_all(&images).unwrap();
    std::fs::write(images.join("Image"), b"kernel").unwrap();
    h.send(skiff::ui::Msg::Tick);
    assert!(bottom(&mut h).contains("next: 6 Flash, write a card"));
    h.key("1");
    let text = h.render();
    assert!(text.contains("step 6 of 6: write a card"), "{text}");
    h.key("6");
    assert!(
        bottom(&mut h).contains("next: f format a card, or w write an image"),
        "{}",
        bottom(&mut h)
    );
}

#[test]
fn the_guide_never_blocks_the_other_keys() {
    let (_d, mut h) = open("", 100, 30);
    assert!(h.app.shared.guide);
    h.key("2");
    assert_eq!(h.app.active(), ScreenId::Stack);
    assert!(h.render().contains("Stack as typed (0)"));
    assert!(bottom(&mut h).contains("next: 1 Layers, add a board"));
    h.key("1");
    // `.` and the filter work inside the guide.
    h.key(".");
    assert!(h.render().contains("pi/common"));
    h.key("/");
    h.type_text("docker");
    h.key("enter");
    h.key("a");
    assert_eq!(h.app.shared.stack.typed, ["apps/docker"]);
    assert!(h.app.shared.guide, "the guide stays until esc or ?");
}

#[test]
fn esc_and_help_leave_the_guide_and_every_layer_is_listed() {
    let (_d, mut h) = open("", 100, 30);
    // A filter searches every layer, also while the guide narrows the list.
    h.key("/");
    h.type_text("fedora");
    assert!(h.render().contains("core/fedora"));
    h.key("esc");
    assert!(
        h.app.shared.guide,
        "esc in the filter clears the filter only"
    );
    assert!(!h.render().contains("core/fedora"));
    h.key("esc");
    assert!(!h.app.shared.guide);
    let text = h.render();
    assert!(!text.contains("Welcome to skiff"), "{text}");
    assert!(text.contains("core/fedora"), "{text}");
    assert!(text.contains("left the guide"), "{text}");
    // The next step still shows.
    h.key("down");
    assert!(bottom(&mut h).contains("next: add a board"));

    let (_d, mut h) = open("", 100, 30);
    h.key("?");
    h.key("esc");
    assert!(!h.app.shared.guide);
    assert!(!h.render().contains("Welcome to skiff"));
}

#[test]
fn a_stack_given_at_start_has_no_guide_but_says_what_comes_next() {
    let (_d, mut h) = open("pi/4", 100, 30);
    let text = h.render();
    assert!(!text.contains("Welcome to skiff"), "{text}");
    assert!(text.contains("core/fedora"), "{text}");
    assert!(bottom(&mut h).contains("next: add a distro"), "{text}");
    for (screen, next) in [
        ("2", "next: 1 Layers, add a distro"),
        ("3", "next: 1 Layers, add a distro"),
        ("6", "next: 1 Layers, add a distro"),
    ] {
        h.key(screen);
        assert!(
            bottom(&mut h).contains(next),
            "{screen}: {}",
            bottom(&mut h)
        );
    }
    let (_d, mut h) = open("pi/4,nosuch/layer", 100, 30);
    h.key("3");
    assert!(
        bottom(&mut h).contains("next: 2 Stack, fix the 1 ✗ layer(s)"),
        "{}",
        bottom(&mut h)
    );
    assert_eq!(h.app.active(), ScreenId::Preview);
}

//! Layer browser: grouping, unlisted toggle, fuzzy filter with highlights, detail pane,
//! adding to the stack, broken layers, mouse.

mod ui_common;

use ratatui::crossterm::event::{MouseButton, MouseEventKind};
use skiff::ui::theme::{Role, Theme};
use skiff::ui::{Cmd, ScreenId};
use ui_common::{open, snap, style_at, style_in_row};

#[test]
fn opens_grouped_with_unlisted_hidden() {
    let (_d, mut h) = open("", 100, 30);
    assert_eq!(h.app.active(), ScreenId::Layers);
    // An empty stack opens the first-run guide (tests/ui_guide.rs); esc leaves it.
    assert!(h.render().contains("Welcome to skiff"));
    h.key("esc");
    let text = h.render();
    assert!(text.contains("10 unlisted hidden"));
    assert!(!text.contains("pi/common"), "unlisted layers are hidden");
    // Leaving the guide keeps the board under the cursor, in the selection style.
    let sel = Theme::defaults().style(Role::Selection);
    assert_eq!(style_in_row(&h, "intel/desktop   x86", 40).bg, sel.bg);
    h.key("g");
    snap("layers_initial_100x30", &mut h);
    assert_eq!(style_in_row(&h, "apps/containerd Container", 40).bg, sel.bg);
    assert_ne!(style_in_row(&h, "apps/docker     Docker", 40).bg, sel.bg);
}

#[test]
fn layers_at_80x24() {
    let (_d, mut h) = open("", 80, 24);
    h.key("esc");
    assert!(h.render().contains("left the guide: every layer is listed"));
    h.key("g");
    snap("layers_initial_80x24", &mut h);
}

#[test]
fn toggling_unlisted_shows_them() {
    let (_d, mut h) = open("", 100, 30);
    assert!(h.key(".").is_empty());
    let text = h.render();
    assert!(text.contains("pi/common"));
    assert!(text.contains("unlisted shown"));
    snap("layers_unlisted_shown", &mut h);
    h.key(".");
    assert!(!h.render().contains("pi/common"));
}

#[test]
fn fuzzy_filter_highlights_matched_letters() {
    let (_d, mut h) = open("", 100, 30);
    h.key("/");
    h.type_text("pi4");
    snap("layers_filter_pi4", &mut h);
    let m = Theme::defaults().style(Role::Match);
    let sel = Theme::defaults().style(Role::Selection);
    // pi/4 is the best match and is selected: every cell in the selection's colours (issue
    // 12: no default foreground on the light background); its p, i and 4 are underlined.
    let (x, y) = h.find("pi/4            Rasp").expect("pi/4 listed");
    let buf = h.buffer();
    for dx in 0..20 {
        assert_eq!(buf[(x + dx, y)].fg, sel.fg.unwrap(), "column {dx}");
        assert_eq!(buf[(x + dx, y)].bg, sel.bg.unwrap(), "column {dx}");
    }
    let u = ratatui::style::Modifier::UNDERLINED;
    assert!(m.add_modifier.contains(u));
    assert!(buf[(x, y)].modifier.contains(u));
    assert!(buf[(x + 1, y)].modifier.contains(u));
    assert!(!buf[(x + 2, y)].modifier.contains(u));
    assert!(buf[(x + 3, y)].modifier.contains(u));
    // On rows not selected, matched letters take the match colour.
    let (x, y) = h.find("pine64/book ").expect("pine64/book listed");
    assert_eq!(h.buffer()[(x, y)].fg, m.fg.unwrap());
    assert_ne!(h.buffer()[(x + 2, y)].fg, m.fg.unwrap());
    // Descriptions are searched too.
    h.key("esc");
    h.key("/");
    h.type_text("userland");
    let text = h.render();
    assert!(text.contains("core/fedora"));
    assert!(text.contains("core/nixos"));
    assert!(!text.contains("pi/4"));
    snap("layers_filter_description", &mut h);
    // Nothing matches: a hint instead of an empty pane.
    h.type_text("zzz");
    assert!(h.render().contains("No layer matches"));
}

#[test]
fn add_puts_the_layer_on_the_stack_and_merges() {
    let (_d, mut h) = open("", 100, 30);
    h.key("/");
    h.type_text("pi4");
    h.key("enter");
    let cmds = h.key("a");
    match cmds.as_slice() {
        [
            Cmd::Merge {
                stack, workspace, ..
            },
        ] => {
            assert_eq!(workspace, "default");
            assert_eq!(stack.requested, ["pi/4"]);
            assert_eq!(
                stack.layers,
                ["skiff/moduleimg", "pi/common", "pi/4x64", "pi/4"]
            );
        }
        other => panic!("expected one merge, got {other:?}"),
    }
    assert_eq!(h.app.shared.stack.typed, ["pi/4"]);
    snap("layers_added_pi4", &mut h);
    // Adding it again changes nothing.
    assert!(h.key("a").is_empty());
    assert!(h.render().contains("already in the stack"));
}

#[test]
fn detail_pane_shows_metadata_contents_and_readme() {
    let (_d, mut h) = open("", 100, 40);
    h.key(".");
    h.key("/");
    h.type_text("pi/common");
    h.key("enter");
    let text = h.render();
    for want in [
        "Raspberry Pi shared bits.",
        "configs/pi/common",
        "skiff/moduleimg",
        "format",
        "Format an SD card for the Pi",
        "buildroot",
        "10-late, 2-early, Upper",
        "root_overlay",
    ] {
        assert!(text.contains(want), "missing {want}:\n{text}");
    }
    snap("layers_detail_pi_common", &mut h);
    h.key("/");
    h.type_text("nodesc");
    let text = h.render();
    assert!(text.contains("README.md"));
    assert!(text.contains("No metadata at all."));
}

#[test]
fn broken_layers_are_listed_with_their_error_and_cannot_be_added() {
    let d = ui_common::tree();
    let broken = d.path().join("configs/apps/broken/metadata");
    std::fs::create_dir_all(broken.join("description")).unwrap();
    let mut h = ui_common::harness::Harness::open(d.path(), "default", "", 100, 30).unwrap();
    h.key("esc");
    h.key("g");
    let text = h.render();
    assert!(text.contains("✗ apps/broken"), "{text}");
    assert!(text.contains("broken: configs/apps/broken/metadata/description"));
    h.key("/");
    h.type_text("broken");
    h.key("enter");
    snap("layers_broken", &mut h);
    let err = Theme::defaults().style(Role::Error);
    assert_eq!(style_at(&h, "✗ broken:").fg, err.fg);
    assert!(h.key("a").is_empty());
    assert!(h.app.shared.stack.typed.is_empty());
    assert!(h.render().contains("is broken and cannot be added"));
}

#[test]
fn mouse_scrolls_and_clicks() {
    let (_d, mut h) = open("", 100, 30);
    h.key("esc");
    h.render();
    let (x, y) = h.find("core/fedora     Fedora").unwrap();
    h.mouse(MouseEventKind::Down(MouseButton::Left), x, y);
    h.render();
    let sel = Theme::defaults().style(Role::Selection);
    assert_eq!(style_in_row(&h, "core/fedora     Fedora", 40).bg, sel.bg);
    h.mouse(MouseEventKind::ScrollDown, 10, 10);
    h.render();
    assert_eq!(style_in_row(&h, "intel/desktop   x86", 40).bg, sel.bg);
    // A click on a tab switches screens.
    // At 100 columns every tab keeps a short name.
    let (x, y) = h.find(" 3 Prev").unwrap();
    assert_eq!(y, 0);
    h.mouse(MouseEventKind::Down(MouseButton::Left), x + 1, y);
    assert_eq!(h.app.active(), ScreenId::Preview);
    assert!(
        h.render()
            .lines()
            .next()
            .unwrap()
            .contains(" 3 Prev 4 Work")
    );
    // A click after the stack's warning mark still lands on the right tab.
    let (x, y) = h.find(" 5 ").unwrap();
    h.mouse(MouseEventKind::Down(MouseButton::Left), x + 1, y);
    assert_eq!(h.app.active(), ScreenId::Build);
}

#[test]
fn the_filter_says_when_only_unlisted_layers_match() {
    let (_d, mut h) = open("", 100, 30);
    h.key("/");
    h.type_text("rootlogin");
    let text = h.render();
    assert!(
        text.contains("No listed layer matches. 1 match among"),
        "{text}"
    );
    assert!(
        text.contains("unlisted layers: press . to show them."),
        "{text}"
    );
    snap("layers_filter_unlisted_match", &mut h);
    h.resize(80, 24);
    snap("layers_filter_unlisted_match_80x24", &mut h);
    h.key("enter");
    h.key(".");
    let text = h.render();
    assert!(text.contains("util/rootlogin"), "{text}");
    assert!(!text.contains("among unlisted"), "{text}");
}

//! The frame around the screens: quitting, Ctrl-C, help per pane, resize, small terminals,
//! keymap overrides.

mod ui_common;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use skiff::ui::settings::Settings;
use skiff::ui::{Cmd, Msg, ScreenId};
use ui_common::{open, snap};

#[test]
fn quit_and_ctrl_c() {
    let (_d, mut h) = open("pi/4", 100, 30);
    assert_eq!(h.key("q"), [Cmd::Quit { code: 0 }]);
    assert_eq!(h.key("ctrl-c"), [Cmd::Quit { code: 130 }]);
    // Ctrl-C also quits while typing a filter or inside a modal.
    h.key("/");
    assert_eq!(h.key("ctrl-c"), [Cmd::Quit { code: 130 }]);
    h.key("esc");
    h.key("s");
    assert_eq!(h.key("ctrl-c"), [Cmd::Quit { code: 130 }]);
    // While typing, q is text, not quit.
    h.key("esc");
    h.key("/");
    assert!(h.key("q").is_empty());
}

#[test]
fn key_releases_are_ignored() {
    let (_d, mut h) = open("", 100, 30);
    let mut k = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE);
    k.kind = KeyEventKind::Release;
    assert!(h.send(Msg::Key(k)).is_empty());
}

#[test]
fn screens_switch_by_number_tab_and_backtab() {
    let (_d, mut h) = open("", 100, 30);
    h.key("tab");
    assert_eq!(h.app.active(), ScreenId::Stack);
    h.key("backtab");
    h.key("backtab");
    assert_eq!(h.app.active(), ScreenId::Push);
    h.key("backtab");
    assert_eq!(h.app.active(), ScreenId::Flash);
    h.key("3");
    assert_eq!(h.app.active(), ScreenId::Preview);
}

#[test]
fn help_lists_the_keys_of_the_focused_pane() {
    let (_d, mut h) = open("pi/4", 100, 30);
    h.key("?");
    let text = h.render();
    assert!(text.contains("Keys: Layers"));
    assert!(text.contains("toggle-unlisted") || text.contains("show or hide unlisted layers"));
    snap("help_layers", &mut h);
    h.key("esc");
    assert!(h.app.overlay.is_none());
    h.key("2");
    h.key("?");
    let text = h.render();
    assert!(text.contains("Keys: Stack"));
    assert!(text.contains("move the layer up"));
    assert!(!text.contains("show or hide unlisted layers"));
    h.resize(80, 24);
    snap("help_stack_80x24", &mut h);
    // It does not fit: scrolling reaches the last line and stops there.
    assert!(!h.render().contains("quit at once"));
    for _ in 0..40 {
        h.key("down");
    }
    let text = h.render();
    assert!(text.contains("quit at once (exit code 130)"), "{text}");
    snap("help_stack_80x24_scrolled", &mut h);
    h.key("up");
    assert!(!h.render().contains("Mouse: wheel"));
}

#[test]
fn small_terminals_get_a_message_and_resize_recovers() {
    let (_d, mut h) = open("pi/4", 100, 30);
    h.resize(79, 24);
    let text = h.render();
    assert!(text.contains("Terminal too small"));
    assert!(text.contains("this one is 79x24"));
    snap("too_small_79x24", &mut h);
    h.resize(80, 23);
    assert!(h.render().contains("this one is 80x23"));
    // Keys still work, and the app comes back at 80x24.
    assert_eq!(h.key("q"), [Cmd::Quit { code: 0 }]);
    h.resize(80, 24);
    assert!(h.render().contains("Layers"));
}

#[test]
fn user_keymap_overrides_apply() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("keymap.conf"),
        "[global]\nq = none\nQ = quit\n[stack]\nx = move-up\nbogus line\n",
    )
    .unwrap();
    let settings = Settings::load(Some(dir.path()), false);
    assert_eq!(settings.problems.len(), 1);
    assert!(settings.problems[0].to_string().contains("keymap.conf:6:"));
    let (_d, mut h) = open("pi/4,core/fedora", 100, 30);
    h.app.shared.keymap = settings.keymap;
    assert!(h.key("q").is_empty());
    assert_eq!(h.key("Q"), [Cmd::Quit { code: 0 }]);
    h.key("2");
    h.key("down");
    h.key("x");
    assert_eq!(h.app.shared.stack.typed, ["core/fedora", "pi/4"]);
}

#[test]
fn q_waits_for_a_running_configure() {
    let (_d, mut h) = open("pi/4", 100, 30);
    h.key("s");
    // Confirm without running the effect, as if the worker were still busy.
    let cmds = h.app.update(Msg::Key(KeyEvent::new(
        KeyCode::Char('y'),
        KeyModifiers::NONE,
    )));
    assert!(matches!(cmds.as_slice(), [Cmd::Configure { .. }]));
    assert!(h.key("q").is_empty());
    assert!(h.render().contains("a configure is running"));
    assert_eq!(h.key("ctrl-c"), [Cmd::Quit { code: 130 }]);
    h.settle(cmds);
    assert_eq!(h.key("q"), [Cmd::Quit { code: 0 }]);
}

#[test]
fn hints_keep_the_main_action_then_help_and_quit_at_every_width() {
    let (_d, mut h) = open("pi/4", 100, 30);
    let mains = [
        ("1", "/ filter"),
        ("2", "K move-up"),
        ("3", "/ search"),
        ("4", "enter switch-workspace"),
        ("5", "b build"),
        ("6", "f format"),
    ];
    for (key, main) in mains {
        h.key(key);
        for width in 80..=220 {
            let hints = h.app.hints(width);
            assert_eq!(
                hints.first().map(String::as_str),
                Some(main),
                "{key} at {width}"
            );
            assert_eq!(
                hints[hints.len() - 2..],
                ["? help", "q quit"],
                "{key} at {width}"
            );
            let len: usize = hints.iter().map(|s| s.chars().count() + 3).sum();
            assert!(len + 24 <= width, "{key} at {width}: {hints:?}");
        }
    }
    // At 80 columns the Layers screen still lists its filter.
    h.key("1");
    h.resize(80, 24);
    assert!(h.render().contains("/ filter"));
}

#[test]
fn status_strip_and_workspace_label_fit_at_every_size() {
    let (_d, mut h) = open("pi/4,core/fedora", 160, 50);
    let top = |h: &mut ui_common::harness::Harness| h.render().lines().next().unwrap().to_string();
    let row = top(&mut h);
    assert!(row.contains(" 1 Layers  2 Stack "), "{row}");
    assert!(
        row.contains(
            "board ✓ · distro ✓ · saved ✗ · built ✗ · card —  workspace default · unsaved"
        ),
        "{row}"
    );
    h.key("s");
    h.key("y");
    let row = top(&mut h);
    assert!(row.contains("saved ✓ · built ✗"), "{row}");
    assert!(!row.contains("unsaved"), "{row}");
    // The long save message wraps instead of losing its end.
    let text = h.render();
    assert!(text.contains(" skipped: no Buildroot tree)"), "{text}");
    snap("tabs_strip_saved_160x50", &mut h);
    // A warning on the stack tab and 80 columns: the workspace and `unsaved` still show.
    let (_d2, mut h) = open("pi/4,odroid/xu", 80, 24);
    let row = top(&mut h);
    assert!(row.contains("⚠"), "{row}");
    assert!(row.trim_end().ends_with("default · unsaved"), "{row}");
    assert!(row.contains("board✓ distro✗"), "{row}");
    snap("tabs_strip_warning_80x24", &mut h);
    h.resize(100, 30);
    let row = top(&mut h);
    assert!(row.trim_end().ends_with("default · unsaved"), "{row}");
    snap("tabs_strip_warning_100x30", &mut h);
}

#[test]
fn message_history_keeps_the_last_fifty() {
    let (_d, mut h) = open("", 100, 30);
    for i in 1..=60 {
        h.app.shared.set_status(
            skiff::ui::shared::StatusLevel::Info,
            format!("message number {i}"),
        );
    }
    assert_eq!(h.app.shared.history.len(), 50);
    h.key("m");
    let text = h.render();
    // Opens on the newest; the oldest kept is number 11.
    assert!(text.contains("message number 60"), "{text}");
    assert!(text.contains("Messages (last 50)"), "{text}");
    snap("messages_history", &mut h);
    for _ in 0..60 {
        h.key("up");
    }
    let text = h.render();
    assert!(text.contains("message number 11"), "{text}");
    assert!(!text.contains("message number 10\n") && !text.contains("number 10 "));
    h.key("esc");
    assert!(!h.render().contains("Messages (last 50)"));
    h.resize(80, 24);
    h.key("m");
    snap("messages_history_80x24", &mut h);
}

#[test]
fn tabs_keep_short_names_while_they_fit_then_numbers() {
    use ratatui::crossterm::event::{MouseButton, MouseEventKind};
    let (_d, mut h) = open("pi/4,core/fedora", 100, 30);
    h.key("s");
    h.key("y");
    h.key("f12");
    let top = |h: &mut ui_common::harness::Harness| h.render().lines().next().unwrap().to_string();
    let row = top(&mut h);
    assert!(
        row.starts_with(" 1 Lay 2 Stack 3 Prev 4 Work 5 Build 6 Flash "),
        "{row}"
    );
    assert!(row.trim_end().ends_with("card—  default"), "{row}");
    snap("tabs_short_names_100x30", &mut h);
    // A click on a short name picks its screen.
    let (x, y) = h.find("4 Work").unwrap();
    h.mouse(MouseEventKind::Down(MouseButton::Left), x + 2, y);
    assert_eq!(h.app.active(), ScreenId::Workspaces);
    h.key("1");
    // 80 columns: the names no longer fit beside the strip; the active tab keeps its own.
    h.resize(80, 24);
    let row = top(&mut h);
    assert!(row.starts_with(" 1 Layers  2 3 4 5 6 7 "), "{row}");
    snap("tabs_numbers_80x24", &mut h);
    // Every width from 80 to 200: full names, else short names, else numbers, never cut.
    for width in 80..=200 {
        h.resize(width, 30);
        let row = top(&mut h);
        let full = row.contains(" 1 Layers  2 Stack  3 Preview ");
        let short = row.contains(" 1 Lay 2 Stack 3 Prev 4 Work 5 Build 6 Flash");
        let numbers = row.contains(" 2 3 4 5 6 7 ");
        assert!(full || short || numbers, "{width}: {row}");
        assert!(row.trim_end().ends_with("default"), "{width}: {row}");
        if width >= 100 {
            assert!(!numbers, "{width}: names fit, yet numbers only: {row}");
        }
    }
}

#[test]
fn a_long_save_message_wraps_at_both_sizes() {
    for (w, hgt) in [(100, 30), (80, 24)] {
        let (_d, mut h) = open("pi/4,core/fedora,apps/docker", w, hgt);
        h.key("s");
        h.key("y");
        let text = h.render();
        // Issue 12, finding 5: the end of the message (why the defconfig step was skipped)
        // shows, and no layer name is split across lines.
        assert!(
            text.contains("(Buildroot defconfig step skipped: no Buildroot tree)")
                || text.contains("skipped: no Buildroot tree)"),
            "{text}"
        );
        for name in ["skiff/moduleimg", "apps/containerd", "core/fedora"] {
            assert!(text.contains(name), "{name} cut:\n{text}");
        }
        snap(&format!("save_message_wrapped_{w}x{hgt}"), &mut h);
    }
}

//! Workspaces: the list with each stack, switching (loads its stack), creating.

mod ui_common;

use skiff::ui::Cmd;
use skiff::ui::theme::{Role, Theme};
use ui_common::{open, snap, style_in_row};

/// A tree with two configured workspaces, `default` and `board2`.
fn two_workspaces() -> (tempfile::TempDir, ui_common::harness::Harness) {
    let (d, mut h) = open("odroid/xu,core/nixos", 100, 30);
    h.key("s");
    h.key("y");
    let mut h =
        ui_common::harness::Harness::open(d.path(), "board2", "pi/4,util/rootlogin", 100, 30)
            .unwrap();
    h.key("s");
    h.key("y");
    (d, h)
}

#[test]
fn lists_workspaces_with_their_stacks() {
    let (_d, mut h) = two_workspaces();
    h.key("4");
    let text = h.render();
    assert!(text.contains("▶ board2"));
    assert!(text.contains("  default"));
    assert!(text.contains("configured just now"));
    assert!(
        text.contains("skiff/moduleimg,odroid/common,odroid/xu,apps/runc"),
        "{text}"
    );
    snap("workspaces_list_100x30", &mut h);
    h.resize(80, 24);
    snap("workspaces_list_80x24", &mut h);
}

#[test]
fn switching_loads_the_stack_and_merges_for_that_workspace() {
    let (_d, mut h) = two_workspaces();
    h.key("4");
    h.key("down");
    let sel = Theme::defaults().style(Role::Selection);
    h.render();
    assert_eq!(style_in_row(&h, "  default", 3).bg, sel.bg);
    let cmds = h.key("enter");
    let [
        Cmd::Merge {
            workspace, stack, ..
        },
    ] = cmds.as_slice()
    else {
        panic!("expected a merge, got {cmds:?}");
    };
    assert_eq!(workspace, "default");
    assert_eq!(stack.layers.last().map(String::as_str), Some("core/nixos"));
    assert_eq!(h.app.shared.workspace, "default");
    // Issue 12: the stack comes back as typed, not as the resolved chain.
    assert_eq!(h.app.shared.stack.typed, ["odroid/xu", "core/nixos"]);
    let text = h.render();
    assert!(text.contains("switched to workspace default; its stack is loaded"));
    assert!(text.contains("workspace default"));
    // The Stack screen lists the two layers as typed, the board as the only board.
    h.key("2");
    let text = h.render();
    assert!(text.contains("Stack as typed (2)"), "{text}");
    snap("workspace_switch_typed_stack_100x30", &mut h);
    h.resize(80, 24);
    snap("workspace_switch_typed_stack_80x24", &mut h);
    // The switch can be undone like any stack change.
    h.key("ctrl-z");
    assert_eq!(h.app.shared.stack.typed, ["pi/4", "util/rootlogin"]);
}

#[test]
fn create_asks_for_a_name_and_makes_the_directory() {
    let (d, mut h) = open("pi/4", 100, 30);
    h.key("4");
    assert!(h.key("n").is_empty());
    h.type_text("My Board!");
    snap("workspaces_new_prompt", &mut h);
    let cmds = h.key("enter");
    assert_eq!(cmds, [Cmd::CreateWorkspace("myboard".into())]);
    assert!(d.path().join("workspaces/myboard").is_dir());
    assert_eq!(h.app.shared.workspace, "myboard");
    let text = h.render();
    assert!(text.contains("created workspace myboard"));
    assert!(text.contains("▶ myboard"));
    assert!(text.contains("not configured"));
    // The same name again is refused with the reason.
    h.key("n");
    h.type_text("myboard");
    h.key("enter");
    assert!(h.render().contains("already exists"));
    // Esc cancels without effects; an empty name is refused.
    h.key("n");
    assert!(h.key("esc").is_empty());
    assert!(h.app.overlay.is_none());
    h.key("n");
    assert!(h.key("enter").is_empty());
    assert!(h.render().contains("a workspace needs a name"));
}

#[test]
fn a_new_workspace_before_any_configure_is_listed() {
    let (_d, mut h) = open("", 100, 30);
    h.key("4");
    let text = h.render();
    assert!(text.contains("▶ default"));
    assert!(text.contains("new, not configured"));
    assert!(text.contains("No stack yet"));
}

#[test]
fn a_configure_from_the_cli_refreshes_tabs_preview_and_workspaces() {
    let (d, mut h) = open("pi/4,core/fedora", 100, 30);
    h.send(skiff::ui::Msg::Tick);
    h.key("3");
    h.key("d");
    let text = h.render();
    assert!(text.contains("default · unsaved"), "{text}");
    assert!(text.contains("was never configured"), "{text}");
    // `skiff configure` in another terminal, on the same tree and workspace.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_skiff"))
        .args(["configure", "pi/4,core/fedora", "--root"])
        .arg(d.path())
        .env_remove("SKIFF_WORKSPACE")
        .env_remove("SKIFF_CONFIG")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    // The next tick notices; no key is pressed.
    let cmds = h.send(skiff::ui::Msg::Tick);
    assert_eq!(cmds, [Cmd::Stamp]);
    assert!(h.performed.contains(&Cmd::LoadWorkspaces));
    let text = h.render();
    assert!(!text.contains("unsaved"), "{text}");
    assert!(text.contains("saved✓"), "{text}");
    assert!(text.contains("No differences"), "{text}");
    snap("refresh_after_cli_configure", &mut h);
    h.resize(80, 24);
    snap("refresh_after_cli_configure_80x24", &mut h);
    h.resize(100, 30);
    h.key("4");
    assert!(h.render().contains("configured just now"));
    // Nothing changed: a tick asks for nothing more.
    let before = h.performed.len();
    h.send(skiff::ui::Msg::Tick);
    assert_eq!(
        h.performed.len(),
        before + 1,
        "{:?}",
        &h.performed[before..]
    );
}

#[test]
fn a_typed_stack_that_no_longer_resolves_to_the_chain_falls_back_to_the_chain() {
    let (d, mut h) = two_workspaces();
    let final_dir = d.path().join("workspaces/.config_default");
    assert_eq!(
        std::fs::read_to_string(final_dir.join("skiff_stack")).unwrap(),
        "odroid/xu,core/nixos\n"
    );
    // Something other than skiff rewrote the chain: the typed file no longer matches it.
    std::fs::write(final_dir.join("skiff_stack"), "pi/4\n").unwrap();
    h.key("4");
    h.key("r");
    h.key("down");
    h.key("enter");
    assert_eq!(
        h.app.shared.stack.typed.first().map(String::as_str),
        Some("skiff/moduleimg")
    );
}

#[test]
fn configured_ages_follow_the_clock_on_every_tick() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};
    let (d, mut h) = open("pi/4,core/fedora", 100, 30);
    h.key("s");
    h.key("y");
    let tree = skiff::model::Tree::open(d.path()).unwrap();
    let at = std::fs::metadata(tree.final_dir("default").join("skiff_config"))
        .unwrap()
        .modified()
        .unwrap()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let clock = Arc::new(AtomicU64::new(at + 5));
    let c = clock.clone();
    h.effects.clock = Arc::new(move || c.load(Ordering::Relaxed));
    h.send(skiff::ui::Msg::Tick);
    h.key("4");
    assert!(h.render().contains("configured just now"));
    // Time passes; nothing changes on disk and no key is pressed: the tick alone updates.
    for (later, shown) in [
        (150, "configured 2 min ago"),
        (2 * 3600 + 30, "configured 2 h ago"),
        (3 * 86400, "configured 3 days ago"),
    ] {
        clock.store(at + later, Ordering::Relaxed);
        let before = h.performed.len();
        h.send(skiff::ui::Msg::Tick);
        assert_eq!(h.performed[before..], [Cmd::Stamp], "only the stamp runs");
        let text = h.render();
        assert!(text.contains(shown), "{shown}:\n{text}");
    }
}

//! Stack composer: typed vs resolved, reorder, remove, undo, inline warnings, save with
//! confirmation.

mod ui_common;

use skiff::ui::theme::{Role, Theme};
use skiff::ui::{Cmd, ScreenId};
use ui_common::{open, snap, style_at, style_in_row};

#[test]
fn typed_and_resolved_with_inserted_dependencies() {
    let (_d, mut h) = open("pi/4,core/fedora", 100, 30);
    h.key("2");
    assert_eq!(h.app.active(), ScreenId::Stack);
    let text = h.render();
    assert!(text.contains("pi/common            + needed by pi/4"));
    assert!(text.contains("skiff/core           + needed by core/fedora"));
    assert!(text.contains("No warnings."));
    snap("stack_resolved_100x30", &mut h);
    h.resize(80, 24);
    snap("stack_resolved_80x24", &mut h);
}

#[test]
fn reorder_remove_undo_redo() {
    let (_d, mut h) = open("pi/4,core/fedora,util/rootlogin", 100, 30);
    h.key("2");
    // Move core/fedora (second) up: the new order is merged.
    h.key("down");
    let cmds = h.key("K");
    let [Cmd::Merge { stack, .. }] = cmds.as_slice() else {
        panic!("expected a merge, got {cmds:?}");
    };
    assert_eq!(stack.requested, ["core/fedora", "pi/4", "util/rootlogin"]);
    assert_eq!(h.app.shared.stack.typed[0], "core/fedora");
    // The moved layer stays selected.
    let sel = Theme::defaults().style(Role::Selection);
    h.render();
    assert_eq!(style_in_row(&h, " 1   core/fedora", 5).bg, sel.bg);
    // Moving past the top does nothing.
    assert!(h.key("K").is_empty());
    h.key("J");
    h.key("J");
    assert_eq!(
        h.app.shared.stack.typed,
        ["pi/4", "util/rootlogin", "core/fedora"]
    );
    snap("stack_reordered", &mut h);
    // Remove the selected (last) layer.
    let cmds = h.key("d");
    assert!(matches!(cmds.as_slice(), [Cmd::Merge { .. }]));
    assert_eq!(h.app.shared.stack.typed, ["pi/4", "util/rootlogin"]);
    assert!(
        h.render()
            .contains("removed core/fedora from the stack (u undoes)")
    );
    // Undo, undo again, then redo.
    h.key("u");
    assert_eq!(
        h.app.shared.stack.typed,
        ["pi/4", "util/rootlogin", "core/fedora"]
    );
    h.key("ctrl-z");
    assert_eq!(
        h.app.shared.stack.typed,
        ["pi/4", "core/fedora", "util/rootlogin"]
    );
    h.key("ctrl-r");
    assert_eq!(
        h.app.shared.stack.typed,
        ["pi/4", "util/rootlogin", "core/fedora"]
    );
    // Undo works from any screen.
    h.key("1");
    h.key("ctrl-z");
    assert_eq!(
        h.app.shared.stack.typed,
        ["pi/4", "core/fedora", "util/rootlogin"]
    );
}

#[test]
fn unknown_layer_is_an_error_inline_and_blocks_saving() {
    let (_d, mut h) = open("pi/5,core/fedora", 100, 30);
    h.key("2");
    let text = h.render();
    assert!(
        text.contains("✗ unknown layer `pi/5`; did you mean pi/4?"),
        "{text}"
    );
    snap("stack_unknown_layer", &mut h);
    let err = Theme::defaults().style(Role::Error);
    assert_eq!(style_at(&h, "✗ unknown layer").fg, err.fg);
    // The rest of the stack still resolves.
    assert!(text.contains("core/fedora"));
    // Saving is refused without a confirmation.
    assert!(h.key("s").is_empty());
    assert!(h.app.overlay.is_none());
    assert!(h.render().contains("cannot save: unknown layer `pi/5`"));
    // Removing it clears the error.
    h.key("d");
    assert!(h.render().contains("No warnings."));
}

#[test]
fn dependency_after_dependent_and_two_boards_are_warned() {
    let (_d, mut h) = open("pi/4,odroid/xu,pi/common", 100, 30);
    h.key("2");
    let text = h.render();
    assert!(
        text.contains("pi/4 depends on pi/common but pi/common comes later"),
        "{text}"
    );
    assert!(text.contains("pi/4 and odroid/xu are both board layers"));
    snap("stack_warnings", &mut h);
    let warn = Theme::defaults().style(Role::Warning);
    assert_eq!(style_at(&h, "⚠ pi/4 and odroid/xu").fg, warn.fg);
    // The tab shows the count.
    assert!(text.contains("2 Stack ⚠3"));
    // A board and its own dependency are one board: no warning.
    let (_d2, mut h2) = open("pi/4,pi/4x64,virt/wsl", 100, 30);
    h2.key("2");
    let t2 = h2.render();
    assert!(
        t2.contains("pi/4 and virt/wsl are both board layers"),
        "{t2}"
    );
    assert!(!t2.contains("pi/4 and pi/4x64"));
}

#[test]
fn save_asks_first_then_configures() {
    let (d, mut h) = open("pi/4,core/fedora", 100, 30);
    h.key("2");
    // s opens a confirmation and runs nothing.
    assert!(h.key("s").is_empty());
    assert!(h.app.overlay.is_some());
    snap("stack_save_confirm_new", &mut h);
    // The chain wraps between layers, never inside a name.
    assert!(h.render().contains("│apps/docker,skiff/core,core/fedora"));
    // n cancels: nothing written.
    assert!(h.key("n").is_empty());
    assert!(h.app.overlay.is_none());
    assert!(!d.path().join("workspaces/.config_default").exists());
    // y runs configure with the resolved stack.
    h.key("s");
    let cmds = h.key("y");
    let [Cmd::Configure { workspace, stack }] = cmds.as_slice() else {
        panic!("expected configure, got {cmds:?}");
    };
    assert_eq!(workspace, "default");
    assert_eq!(stack.requested, ["pi/4", "core/fedora"]);
    let written =
        std::fs::read_to_string(d.path().join("workspaces/.config_default/skiff_config")).unwrap();
    assert_eq!(
        written.trim(),
        "skiff/moduleimg,pi/common,pi/4x64,pi/4,apps/runc,apps/containerd,apps/docker,skiff/core,core/fedora"
    );
    let text = h.render();
    assert!(text.contains("configured workspace default"));
    assert!(!text.contains("unsaved"));
    // A second save replaces an existing configuration: the confirmation is a danger.
    h.key("d");
    h.key("s");
    snap("stack_save_confirm_replace", &mut h);
    let danger = Theme::defaults().style(Role::Danger);
    let yes = style_at(&h, "[y] configure");
    assert_eq!(yes.bg, danger.bg);
    assert_eq!(yes.fg, danger.fg);
    assert!(
        h.render()
            .contains("This replaces workspaces/.config_default")
    );
    h.key("esc");
    assert!(h.app.overlay.is_none());
    assert_eq!(
        std::fs::read_to_string(d.path().join("workspaces/.config_default/skiff_config")).unwrap(),
        written,
        "cancel writes nothing"
    );
}

#[test]
fn empty_stack_cannot_be_saved() {
    let (_d, mut h) = open("", 100, 30);
    h.key("2");
    snap("stack_empty", &mut h);
    assert!(h.key("s").is_empty());
    assert!(h.render().contains("the stack is empty"));
}

#[test]
fn undo_and_redo_say_what_they_changed() {
    let (_d, mut h) = open("pi/4,core/fedora", 100, 30);
    h.key("2");
    h.key("down");
    h.key("d");
    h.key("u");
    assert!(
        h.render()
            .contains("undid a stack change: core/fedora back in the stack")
    );
    h.key("ctrl-r");
    assert!(
        h.render()
            .contains("redid a stack change: core/fedora out of the stack")
    );
}

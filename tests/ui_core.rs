//! The skiff-core editor of the Stack screen: shows the config the stack installs, picks the
//! distro image, adds and removes users and mounts, and saves the workspace override that the
//! next build installs (and `skiff core show` then reports as the winner).

mod ui_common;

use skiff::model::core_config;
use skiff::ui::Cmd;
use skiff::ui::core_jobs::CoreCmd;
use std::path::Path;
use ui_common::harness::Harness;
use ui_common::snap;

/// A tree whose configs are the bundled ones (they ship the skiff-core YAMLs) and whose
/// overrides and workspaces are fresh.
fn open(stack: &str, w: u16, h: u16) -> (tempfile::TempDir, Harness) {
    let dir = tempfile::tempdir().unwrap();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    for d in ["configs", "configs-base"] {
        std::os::unix::fs::symlink(repo.join(d), dir.path().join(d)).unwrap();
    }
    let h = Harness::open(dir.path(), "default", stack, w, h).unwrap();
    (dir, h)
}

#[test]
fn opens_on_the_config_the_stack_installs() {
    let (_d, mut h) = open("pi/4,core/gentoo", 100, 30);
    h.key("2");
    let cmds = h.key("c");
    assert!(
        matches!(cmds.as_slice(), [Cmd::Core(CoreCmd::Load { workspace, .. })] if workspace == "default"),
        "{cmds:?}"
    );
    let text = h.render();
    assert!(
        text.contains("from core/gentoo (package skiff-core-gentoo)"),
        "{text}"
    );
    assert!(text.contains("skiffos/skiff-core-gentoo:latest"));
    assert!(text.contains("user core"));
    assert!(text.contains("/mnt/persist/skiff/core/repos/home:/home"));
    snap("core_editor_100x30", &mut h);
    h.resize(80, 24);
    snap("core_editor_80x24", &mut h);
    h.key("c");
    assert!(h.render().contains("Stack as typed"), "c closes the editor");
}

#[test]
fn a_stack_without_core_says_what_to_add() {
    let (_d, mut h) = open("pi/4", 100, 30);
    h.keys("2 c");
    assert!(
        h.render()
            .contains("add skiff/core or a core/<distro> layer")
    );
}

#[test]
fn edits_are_checked_and_saved_as_the_workspace_override() {
    let (d, mut h) = open("pi/4,skiff/core", 100, 30);
    h.keys("2 c");
    // Pick the next distro image the tree ships.
    h.key("enter");
    let text = h.render();
    assert!(text.contains("(modified)"), "{text}");
    assert!(
        !text.contains("skiff-core-debian"),
        "the old image is gone: {text}"
    );
    let edited = h.app.shared.core.edit.clone().unwrap();
    let image = edited.containers[0].value.image.clone().unwrap().value;
    assert_eq!(edited.images.len(), 1);
    assert_eq!(edited.images[0].name, image);

    // Add a user, try a bad mount, add a good one.
    h.key("a");
    h.type_text("alice");
    h.key("enter");
    assert!(h.render().contains("added user alice"));
    h.key("G");
    h.key("enter");
    h.type_text("/data");
    h.key("enter");
    assert!(h.render().contains("`/data`: mounts are"), "{}", h.render());
    h.key("a");
    h.type_text("/mnt/persist/data:/data:rw");
    h.key("enter");
    // Remove the user core (the second row).
    h.keys("g down d");
    assert!(h.render().contains("removed user core"));
    snap("core_editor_edited_100x30", &mut h);

    let cmds = h.key("w");
    assert!(
        matches!(cmds.as_slice(), [Cmd::Core(CoreCmd::Save { .. })]),
        "{cmds:?}"
    );
    let path = d
        .path()
        .join("overrides/workspaces/default/root_overlay/opt/skiff/coreenv/defconfig.yaml");
    let saved = core_config::load(&path).expect("the saved file checks clean");
    assert_eq!(saved.users.len(), 1);
    assert_eq!(saved.users[0].name, "alice");
    assert!(
        saved.containers[0]
            .value
            .mounts
            .iter()
            .any(|m| m.value == "/mnt/persist/data:/data:rw")
    );
    assert_eq!(
        saved.containers[0].value.image.clone().unwrap().value,
        image
    );
    let mode =
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&path).unwrap().permissions());
    assert_ne!(
        mode & 0o044,
        0,
        "the umask decides, not a private temp file: {mode:o}"
    );
    let text = h.render();
    assert!(
        text.contains("saved; the next build of default installs it"),
        "{text}"
    );
    assert!(
        text.contains("from overrides/workspaces/default (root overlay)"),
        "reloaded: the override now wins: {text}"
    );
    assert!(!text.contains("(modified)"));
}

#[test]
fn a_broken_edit_is_not_saved() {
    let (d, mut h) = open("pi/4,skiff/core", 100, 30);
    h.keys("2 c");
    // Rename the container, so the user points at one that does not exist.
    h.app.shared.core.edit.as_mut().unwrap().containers[0].name = "other".into();
    h.app.shared.core.dirty = true;
    let cmds = h.key("w");
    assert!(cmds.is_empty(), "{cmds:?}");
    let text = h.render();
    assert!(
        text.contains("not saved: users.core.container: container `core`"),
        "{text}"
    );
    // r drops the edit and loads the file again.
    let cmds = h.key("r");
    assert!(
        matches!(cmds.as_slice(), [Cmd::Core(CoreCmd::Load { .. })]),
        "{cmds:?}"
    );
    assert_eq!(
        h.app.shared.core.edit.as_ref().unwrap().containers[0].name,
        "core"
    );
    assert!(!h.app.shared.core.dirty);
    assert!(!d.path().join("overrides/workspaces").exists());
}

//! Helpers for the TUI tests: a writable copy of the fixture tree and snapshot shortcuts.
#![allow(dead_code)]

pub mod flash;
pub mod harness;

use harness::Harness;
use ratatui::style::Style;
use std::path::Path;

#[path = "../common/mod.rs"]
mod common;
#[path = "../fake_system/mod.rs"]
pub mod fake_system;
pub use common::copy_dir as copy;

/// A temporary copy of tests/fixtures/upstream (configure writes workspaces/ into it).
pub fn tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    copy(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/upstream"),
        dir.path(),
    );
    dir
}

/// The app on a fresh copy of the fixture tree, workspace `default`; the flash screen sees
/// a fake machine without disks, never the real ones.
pub fn open(stack: &str, width: u16, height: u16) -> (tempfile::TempDir, Harness) {
    let dir = tree();
    let mut h = Harness::open(dir.path(), "default", stack, width, height).expect("open fixture");
    let view = fake_system::FakeSystem::new(&dir.path().join("machine"))
        .write()
        .expect("fake machine");
    h.effects.flash = std::sync::Arc::new(skiff::ui::flash::jobs::FlashJobs::new(view));
    (dir, h)
}

/// Snapshot the current frame under `name`.
pub fn snap(name: &str, h: &mut Harness) {
    let text = h.render();
    insta::with_settings!({snapshot_path => "../snapshots", prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!(name, text);
    });
}

/// Style of the cell where `text` starts in the last frame.
pub fn style_at(h: &Harness, text: &str) -> Style {
    let (x, y) = h.find(text).unwrap_or_else(|| {
        panic!(
            "`{text}` is not on screen:\n{}",
            harness::text_of(h.buffer())
        )
    });
    h.buffer()[(x, y)].style()
}

/// Style of the cell at column `x` of the row where `text` is found.
pub fn style_in_row(h: &Harness, text: &str, x: u16) -> Style {
    let (_, y) = h
        .find(text)
        .unwrap_or_else(|| panic!("`{text}` is not on screen"));
    h.buffer()[(x, y)].style()
}

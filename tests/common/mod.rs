//! Shared test helpers: copies of fixture trees in temporary directories.
#![allow(dead_code)]

use skiff::model::{Catalog, DiscoverOptions, Tree};
use std::path::{Path, PathBuf};

/// Copy `tests/fixtures/<name>` into a fresh temporary directory and return both.
pub fn fixture(name: &str) -> (tempfile::TempDir, PathBuf) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let tmp = tempfile::tempdir().expect("tempdir");
    let dst = tmp.path().join("tree");
    copy_dir(&src, &dst);
    (tmp, dst)
}

pub fn copy_dir(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).expect("mkdir");
    for e in std::fs::read_dir(src).expect("read fixture") {
        let e = e.expect("entry");
        let to = dst.join(e.file_name());
        let ft = e.file_type().expect("type");
        if ft.is_dir() {
            copy_dir(&e.path(), &to);
        } else if ft.is_symlink() {
            std::os::unix::fs::symlink(std::fs::read_link(e.path()).expect("link"), &to)
                .expect("symlink");
        } else {
            std::fs::copy(e.path(), &to).expect("copy");
        }
    }
}

/// The skiff binary on the tree at `root`, with no stack, workspace or paths from the
/// environment.
pub fn skiff(root: &Path) -> assert_cmd::Command {
    let mut c = assert_cmd::Command::cargo_bin("skiff").expect("binary");
    c.arg("--root").arg(root);
    for v in [
        "SKIFF_CONFIG",
        "SKIFF_WORKSPACE",
        "SKIFF_EXTRA_CONFIGS_PATH",
        "SKIFF_ROOT",
        "BR2_CCACHE_DIR",
    ] {
        c.env_remove(v);
    }
    c
}

pub fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, text).expect("write");
}

/// Discover the layers of a tree with no extra paths and no env overrides.
pub fn catalog(root: &Path) -> (Tree, Catalog) {
    let tree = Tree::open(root).expect("tree");
    let cat = Catalog::discover(&DiscoverOptions {
        configs_dir: tree.configs_dir(),
        ..Default::default()
    })
    .expect("discover");
    (tree, cat)
}

/// Replace the temporary root in generated text so snapshots are stable.
pub fn scrub(text: &str, root: &Path) -> String {
    text.replace(&root.display().to_string(), "<root>")
}

/// The skiff binary run in `cwd` without any of the caller's `SKIFF_*` variables.
pub fn skiff_in(cwd: &Path) -> assert_cmd::Command {
    let mut c = assert_cmd::Command::cargo_bin("skiff").expect("binary");
    for (k, _) in std::env::vars() {
        if k.starts_with("SKIFF_") {
            c.env_remove(k);
        }
    }
    c.current_dir(cwd);
    c
}

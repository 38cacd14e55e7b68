//! `skiff check` on the command line: compiler-style lines, JSON, exit codes.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/kconfig")
}

fn skiff(root: &Path, args: &[&str]) -> Command {
    let mut c = Command::cargo_bin("skiff").unwrap();
    c.env_remove("SKIFF_CONFIG")
        .env_remove("SKIFF_WORKSPACE")
        .env_remove("SKIFF_EXTRA_CONFIGS_PATH")
        .env_remove("BR2_CCACHE_DIR")
        .env("SKIFF_BUILDROOT", fixtures().join("buildroot"))
        .arg("--root")
        .arg(root)
        .args(args);
    c
}

#[test]
fn lists_dropped_values_as_file_line_messages() {
    let out = skiff(
        &fixtures().join("tree"),
        &["check", "test/board,test/app,test/core"],
    )
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stdout.lines().count(), 17, "{stdout}");
    assert!(stdout.contains(
        "configs/test/app/buildroot/app:5: error: [test/app] BR2_PACKAGE_SYSTEMD_NETWORKD=y: unmet dependency: BR2_PACKAGE_SYSTEMD; final value: absent"
    ), "{stdout}");
    assert!(stdout.contains(
        "configs/test/app/buildroot/app:3: error: [test/app] # BR2_PACKAGE_NCURSES is not set: selected by BR2_PACKAGE_HTOP, BR2_PACKAGE_NANO; final value: y"
    ), "{stdout}");
    assert!(
        stderr.contains("CONFIG_USB in a buildroot fragment does not start with BR2_"),
        "{stderr}"
    );
    assert!(
        stderr.contains("17 did not survive: 16 errors, 1 info"),
        "{stderr}"
    );
    // The base's x86_64 replaced by the board's aarch64 is info, with where the winner is.
    assert!(stdout.contains(
        "configs-base/pre/buildroot/base:1: info: [configs-base/pre] BR2_x86_64=y: choice overridden by BR2_aarch64; final value: is not set (replaced by BR2_aarch64=y from test/board (configs/test/board/buildroot/arch:1))"
    ), "{stdout}");
}

#[test]
fn json_report() {
    let out = skiff(&fixtures().join("tree"), &["check", "--json", "test/board"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let dropped = v["dropped"].as_array().unwrap();
    let x86 = dropped
        .iter()
        .find(|d| d["symbol"] == "BR2_x86_64")
        .unwrap();
    assert_eq!(x86["reason"], "choice-overridden");
    assert_eq!(x86["chosen"], "BR2_aarch64");
    assert_eq!(x86["layer"], "configs-base/pre");
    assert_eq!(x86["line"], 1);
    assert_eq!(x86["severity"], "info");
    assert_eq!(x86["expected"]["why"], "replaced");
    assert_eq!(x86["expected"]["by"], "BR2_aarch64");
    assert_eq!(x86["expected"]["layer"], "test/board");
    let range = dropped
        .iter()
        .find(|d| d["symbol"] == "BR2_KERNEL_LOAD_ADDR")
        .unwrap();
    assert_eq!(
        (range["min"].as_str(), range["max"].as_str()),
        (Some("0x1000"), Some("0xffff"))
    );
    assert_eq!(range["actual"], "0x8000");
    assert_eq!(range["severity"], "error");
    assert!(range.get("expected").is_none());
}

/// A tree on the fixture Kconfig whose base sets tzdata's zone list (under a package no
/// layer enables) and x86_64, which the board replaces with aarch64.
fn layered_tree(board: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (rel, text) in [
        (
            "configs-base/pre/buildroot/base",
            "BR2_x86_64=y\nBR2_CCACHE=y\nBR2_PACKAGE_TZDATA_ZONELIST=\"UTC\"\n",
        ),
        ("configs/test/board/metadata/description", "A board\n"),
        ("configs/test/board/buildroot/arch", board),
    ] {
        let p = dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

/// `skiff check test/board` on a tree: exit code and stdout.
fn check_board(root: &Path) -> (Option<i32>, String) {
    let out = skiff(root, &["check", "test/board"]).output().unwrap();
    (out.status.code(), String::from_utf8(out.stdout).unwrap())
}

#[test]
fn expected_drops_are_info_and_exit_zero_unless_strict() {
    let dir = layered_tree("BR2_aarch64=y\nBR2_PACKAGE_HTOP=y\n");
    let out = skiff(dir.path(), &["check", "test/board"])
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    assert_eq!(stdout.lines().count(), 2, "{stdout}");
    assert!(stdout.lines().all(|l| l.contains(": info: ")), "{stdout}");
    assert!(stdout.contains(
        "configs-base/pre/buildroot/base:3: info: [configs-base/pre] BR2_PACKAGE_TZDATA_ZONELIST=\"UTC\": unmet dependency: BR2_PACKAGE_TZDATA; final value: absent (configs-base default; no layer of the stack enables BR2_PACKAGE_TZDATA)"
    ), "{stdout}");
    assert!(stderr.contains("0 errors, 2 info"), "{stderr}");
    let strict = skiff(dir.path(), &["check", "--strict", "test/board"])
        .output()
        .unwrap();
    assert_eq!(strict.status.code(), Some(1));
    let json = skiff(dir.path(), &["check", "--json", "test/board"])
        .output()
        .unwrap();
    assert_eq!(json.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(
        (v["errors"].as_u64(), v["info"].as_u64()),
        (Some(0), Some(2))
    );
    let zones = v["dropped"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["symbol"] == "BR2_PACKAGE_TZDATA_ZONELIST")
        .unwrap();
    assert_eq!(zones["severity"], "info");
    assert_eq!(zones["expected"]["why"], "base-default");
    assert_eq!(
        zones["expected"]["disabled"],
        serde_json::json!(["BR2_PACKAGE_TZDATA"])
    );
}

#[test]
fn a_member_replaced_within_one_layer_or_a_wanted_parent_is_not_excused() {
    // The board enables tzdata: the base's zone list survives, only x86_64 is info.
    let dir = layered_tree("BR2_aarch64=y\nBR2_PACKAGE_TZDATA=y\n");
    let (code, stdout) = check_board(dir.path());
    assert_eq!(code, Some(0), "{stdout}");
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    // Two members of one choice in the same layer: the first is a mistake, not a
    // later layer's replacement.
    let dir = layered_tree("BR2_aarch64=y\nBR2_x86_64=y\n");
    let (code, stdout) = check_board(dir.path());
    assert_eq!(code, Some(1), "{stdout}");
    assert!(
        stdout.contains(
            "configs/test/board/buildroot/arch:1: error: [test/board] BR2_aarch64=y: choice overridden by BR2_x86_64"
        ),
        "{stdout}"
    );
}

#[test]
fn an_override_setting_an_unknown_symbol_fails_and_names_its_file() {
    let dir = layered_tree("BR2_aarch64=y\n");
    let o = dir.path().join("overrides/buildroot/zz-mine");
    std::fs::create_dir_all(o.parent().unwrap()).unwrap();
    std::fs::write(&o, "BR2_PACKAGE_NOT_A_PACKAGE=y\n").unwrap();
    let (code, stdout) = check_board(dir.path());
    assert_eq!(code, Some(1), "{stdout}");
    assert!(
        stdout.contains(
            "overrides/buildroot/zz-mine:1: error: [overrides] BR2_PACKAGE_NOT_A_PACKAGE=y: unknown symbol"
        ),
        "{stdout}"
    );
}

#[test]
fn a_clean_stack_passes_and_a_missing_tree_says_how_to_get_it() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for (rel, text) in [
        ("configs-base/pre/buildroot/base", "BR2_CCACHE=y\n"),
        (
            "configs/test/clean/metadata/description",
            "Valid values only\n",
        ),
        (
            "configs/test/clean/buildroot/x",
            "BR2_PACKAGE_HTOP=y\nBR2_JLEVEL=4\n",
        ),
    ] {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    let out = skiff(root, &["check", "test/clean"]).output().unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(out.stdout.is_empty());
    assert!(stderr.contains("all of them survive"), "{stderr}");
    let out = skiff(root, &["check", "test/clean"])
        .arg("--buildroot")
        .arg(root.join("buildroot"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("git submodule update --init buildroot"));
}

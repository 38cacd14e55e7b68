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
        "configs/test/app/buildroot/app:5: [test/app] BR2_PACKAGE_SYSTEMD_NETWORKD=y: unmet dependency: BR2_PACKAGE_SYSTEMD; final value: absent"
    ), "{stdout}");
    assert!(stdout.contains(
        "configs/test/app/buildroot/app:3: [test/app] # BR2_PACKAGE_NCURSES is not set: selected by BR2_PACKAGE_HTOP, BR2_PACKAGE_NANO; final value: y"
    ), "{stdout}");
    assert!(
        stderr.contains("CONFIG_USB in a buildroot fragment does not start with BR2_"),
        "{stderr}"
    );
    assert!(stderr.contains("17 did not survive"), "{stderr}");
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
    let range = dropped
        .iter()
        .find(|d| d["symbol"] == "BR2_KERNEL_LOAD_ADDR")
        .unwrap();
    assert_eq!(
        (range["min"].as_str(), range["max"].as_str()),
        (Some("0x1000"), Some("0xffff"))
    );
    assert_eq!(range["actual"], "0x8000");
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

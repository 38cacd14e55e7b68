//! `skiff core show|check`: which layer's skiff-core YAML a stack installs and why, checks of
//! every shipped YAML, a workspace override winning, and precise errors for a broken file.

mod common;

use common::skiff;
use serde_json::Value;
use std::path::Path;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn show_json(root: &Path, stack: &str) -> Value {
    let out = skiff(root)
        .args(["core", "show", stack, "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("json")
}

fn winner(v: &Value) -> (String, String) {
    let list = v["installed_from"].as_array().expect("list");
    let last = list.last().expect("a candidate");
    (
        last["layer"].as_str().unwrap().to_string(),
        last["via"].as_str().unwrap().to_string(),
    )
}

#[test]
fn every_stack_with_a_core_layer_checks_clean() {
    for stack in [
        "pi/4,skiff/core",
        "pi/4,core/gentoo",
        "pi/4,core/manjaro",
        "pi/4,core/nixos",
    ] {
        let out = skiff(repo())
            .args(["core", "check", stack])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{stack}: {}", text(&out.stderr));
        assert!(text(&out.stdout).contains(": ok"), "{}", text(&out.stdout));
    }
}

#[test]
fn the_last_core_layer_of_the_merge_order_wins() {
    let v = show_json(repo(), "pi/4,skiff/core");
    assert_eq!(winner(&v), ("skiff/core".into(), "package".into()));
    let v = show_json(repo(), "pi/4,core/nixos,core/gentoo");
    assert_eq!(winner(&v), ("core/gentoo".into(), "package".into()));
    assert_eq!(v["installed_from"].as_array().unwrap().len(), 3);
    assert_eq!(
        v["config"]["containers"]["core"]["image"],
        "skiffos/skiff-core-gentoo:latest"
    );
    let v = show_json(repo(), "pi/4,core/gentoo,core/nixos");
    assert_eq!(winner(&v).0, "core/nixos");
    assert!(
        v["installed_from"][2]["reason"]
            .as_str()
            .unwrap()
            .contains("BR2_PACKAGE_SKIFF_CORE_NIXOS=y")
    );
}

#[test]
fn a_workspace_override_wins_over_every_layer() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    std::os::unix::fs::symlink(repo().join("configs"), root.join("configs")).unwrap();
    std::os::unix::fs::symlink(repo().join("configs-base"), root.join("configs-base")).unwrap();
    let over = root.join("overrides/workspaces/default/root_overlay/opt/skiff/coreenv");
    std::fs::create_dir_all(&over).unwrap();
    let shipped = std::fs::read_to_string(
        repo().join("configs/core/gentoo/buildroot_ext/package/skiff-core-gentoo/defconfig.yaml"),
    )
    .unwrap();
    std::fs::write(
        over.join("defconfig.yaml"),
        shipped.replace(
            "containerShell: [\"/bin/bash\"]",
            "containerShell: [\"/bin/zsh\"]",
        ),
    )
    .unwrap();
    let v = show_json(root, "pi/4,core/gentoo");
    assert_eq!(
        winner(&v),
        ("overrides/workspaces/default".into(), "overlay".into())
    );
    assert_eq!(
        v["config"]["users"]["core"]["containerShell"][0],
        "/bin/zsh"
    );
    let human = skiff(root)
        .args(["core", "show", "pi/4,core/gentoo"])
        .output()
        .unwrap();
    let out = text(&human.stdout);
    assert!(
        out.contains("root overlay of overrides/workspaces/default"),
        "{out}"
    );
    assert!(out.contains("replaces core/gentoo"), "{out}");
}

#[test]
fn a_broken_file_fails_with_file_line_and_column() {
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("config.yaml");
    let shipped = std::fs::read_to_string(
        repo().join("configs/skiff/core/buildroot_ext/package/skiff-core-defconfig/defconfig.yaml"),
    )
    .unwrap();
    std::fs::write(&f, shipped.replace("      - /dev:/dev\n", "      - /dev\n")).unwrap();
    let out = skiff(repo())
        .args(["core", "check"])
        .arg(&f)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!(
            "{}:22:9: containers.core.mounts[0]: `/dev`",
            f.display()
        )),
        "{err}"
    );
    let out = skiff(repo())
        .args(["core", "check", "--json"])
        .arg(&f)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["ok"], false);
    assert_eq!(v["issues"][0]["line"], 22);
    assert_eq!(v["issues"][0]["column"], 9);
}

#[test]
fn a_stack_without_core_is_a_user_error() {
    let out = skiff(repo())
        .args(["core", "show", "pi/4"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("add skiff/core"));
}

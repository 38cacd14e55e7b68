//! Opt-in: `skiff check` against a real Buildroot tree. Runs only when SKIFF_TEST_BUILDROOT
//! names one (CI has none: Buildroot is not packaged and its code is not in this repo).

mod common;

use assert_cmd::Command;

/// `skiff --root ROOT check ARGS... --buildroot BR`, without the caller's stack settings.
fn check(root: &std::path::Path, br: &std::ffi::OsStr, args: &[&str]) -> std::process::Output {
    Command::cargo_bin("skiff")
        .unwrap()
        .env_remove("SKIFF_CONFIG")
        .env_remove("BR2_CCACHE_DIR")
        .arg("--root")
        .arg(root)
        .arg("check")
        .args(args)
        .arg("--buildroot")
        .arg(br)
        .output()
        .unwrap()
}

#[test]
fn real_tree_reports_an_unknown_symbol_and_keeps_a_package() {
    let Some(br) = std::env::var_os("SKIFF_TEST_BUILDROOT") else {
        eprintln!("SKIFF_TEST_BUILDROOT is not set; skipping the real-Buildroot check");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    for (rel, text) in [
        (
            "configs-base/pre/buildroot/base",
            "BR2_x86_64=y\nBR2_CCACHE=y\n",
        ),
        (
            "configs/test/real/metadata/description",
            "Real tree check\n",
        ),
        (
            "configs/test/real/buildroot/x",
            "BR2_PACKAGE_HTOP=y\nBR2_PACKAGE_DOES_NOT_EXIST=y\n",
        ),
    ] {
        let p = dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    let out = check(dir.path(), &br, &["--json", "test/real"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let dropped = v["dropped"].as_array().unwrap();
    assert!(
        dropped
            .iter()
            .any(|d| d["symbol"] == "BR2_PACKAGE_DOES_NOT_EXIST" && d["reason"] == "unknown-symbol")
    );
    assert!(
        !dropped.iter().any(|d| d["symbol"] == "BR2_PACKAGE_HTOP"),
        "{dropped:?}"
    );
}

/// Every seed stack of the bundled tree: each board with skiff/core, each distro on pi/4.
const SEED_STACKS: &[&str] = &[
    "pi/0,skiff/core",
    "pi/1,skiff/core",
    "pi/3,skiff/core",
    "pi/4,skiff/core",
    "odroid/c2,skiff/core",
    "odroid/c4,skiff/core",
    "odroid/xu,skiff/core",
    "odroid/u,skiff/core",
    "bananapi/m1,skiff/core",
    "bananapi/m1plus,skiff/core",
    "bananapi/m2plus,skiff/core",
    "bananapi/m3,skiff/core",
    "orangepi/lite,skiff/core",
    "orangepi/zero,skiff/core",
    "pcduino/3,skiff/core",
    "pcengines/apu2,skiff/core",
    "pine64/h64,skiff/core",
    "pine64/phone,skiff/core",
    "pine64/book,skiff/core",
    "pine64/rockpro64,skiff/core",
    "jetson/nano,skiff/core",
    "jetson/tx2,skiff/core",
    "intel/x64,skiff/core",
    "intel/desktop,skiff/core",
    "apple/macbook,skiff/core",
    "virt/qemu,skiff/core",
    "virt/docker,skiff/core",
    "virt/wsl,skiff/core",
    "pi/4,core/gentoo",
    "pi/4,core/manjaro",
    "pi/4,core/nixos",
];

#[test]
fn every_seed_stack_of_the_bundled_tree_checks_clean() {
    let Some(br) = std::env::var_os("SKIFF_TEST_BUILDROOT") else {
        eprintln!("SKIFF_TEST_BUILDROOT is not set; skipping the bundled-tree check");
        return;
    };
    // A copy, so a workspace's own conf never stands in for kconfig-conf.
    let dir = tempfile::tempdir().unwrap();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for d in ["configs", "configs-base"] {
        common::copy_dir(&root.join(d), &dir.path().join(d));
    }
    let mut failures = Vec::new();
    for stack in SEED_STACKS {
        let out = check(dir.path(), &br, &[stack]);
        if out.status.code() != Some(0) {
            failures.push(format!(
                "{stack}: exit {:?}\n{}{}",
                out.status.code(),
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // An override that sets an unknown symbol fails and names its file.
    let o = dir.path().join("overrides/buildroot/zz-typo");
    std::fs::create_dir_all(o.parent().unwrap()).unwrap();
    std::fs::write(&o, "BR2_PACKAGE_HTPO=y\n").unwrap();
    let out = check(dir.path(), &br, &["pi/4,skiff/core"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("overrides/buildroot/zz-typo:1: error: [overrides] BR2_PACKAGE_HTPO=y: unknown symbol (did you mean BR2_PACKAGE_HTOP?)"),
        "{stdout}"
    );
}

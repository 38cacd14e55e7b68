//! Opt-in: `skiff check` against a real Buildroot tree. Runs only when SKIFF_TEST_BUILDROOT
//! names one (CI has none: Buildroot is not packaged and its code is not in this repo).

use assert_cmd::Command;

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
    let out = Command::cargo_bin("skiff")
        .unwrap()
        .env_remove("SKIFF_CONFIG")
        .env_remove("BR2_CCACHE_DIR")
        .arg("--root")
        .arg(dir.path())
        .args(["check", "--json", "test/real", "--buildroot"])
        .arg(&br)
        .output()
        .unwrap();
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

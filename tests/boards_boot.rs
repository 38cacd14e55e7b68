//! Regression tests for the boot findings of the bundled tree: FPU options a Cortex-A9
//! needs, Exynos blob sets that match their card layout, Raspberry Pi device tree names,
//! the skiff-core package build target, device trees picked by board revision, and layer
//! orders that resolve without warnings.

mod common;

use skiff::model::{ConfigKind, resolve};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The effective merged Buildroot value of `sym` for a stack of the bundled tree.
fn merged_value(items: &[&str], sym: &str) -> Option<String> {
    let (tree, cat) = common::catalog(&root());
    let stack = resolve(&cat, items).expect("resolves");
    let merged =
        skiff::build::workspace::merge_current(&tree, &cat, &stack, "default", &Default::default())
            .unwrap();
    merged
        .config(ConfigKind::Buildroot)
        .symbol(sym)
        .map(|h| h.effective.value.display())
}

#[test]
fn odroid_u_keeps_its_hard_float_abi_and_neon() {
    // Buildroot drops BR2_ARM_EABIHF and BR2_ARM_FPU_NEON on a Cortex-A9 unless VFP and
    // NEON are enabled: without these the board builds soft-float.
    for sym in [
        "BR2_ARM_ENABLE_VFP",
        "BR2_ARM_ENABLE_NEON",
        "BR2_ARM_EABIHF",
        "BR2_ARM_FPU_NEON",
    ] {
        assert_eq!(
            merged_value(&["odroid/u", "skiff/core"], sym).as_deref(),
            Some("y"),
            "{sym}"
        );
    }
    // U-Boot's `odroid` config supports the U3 and X2 only.
    let dts = merged_value(&["odroid/u"], "BR2_LINUX_KERNEL_INTREE_DTS_NAME").unwrap();
    assert!(!dts.contains("exynos4412-odroidx\""), "{dts}");
    assert!(
        !dts.split(['"', ' '])
            .any(|n| n == "samsung/exynos4412-odroidx"),
        "{dts}"
    );
}

/// `offset`/`max_len` in sectors of a raw entry of a layout.yaml.
fn raw_entry(layout: &str, file: &str) -> (u64, u64) {
    let y: yaml_serde::Value = yaml_serde::from_str(layout).unwrap();
    let e = y["raw"]
        .as_sequence()
        .unwrap()
        .iter()
        .find(|e| e["file"].as_str() == Some(file))
        .unwrap_or_else(|| panic!("no raw entry {file}"));
    let sectors = |v: &yaml_serde::Value| -> u64 {
        v.as_str()
            .and_then(|s| s.strip_suffix('s'))
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("{v:?} is not in sectors"))
    };
    (sectors(&e["offset"]), sectors(&e["max_len"]))
}

#[test]
fn odroid_xu_blobs_match_the_one_mib_card_layout() {
    let layout = read("configs/odroid/xu/layout.yaml");
    // The 1 MiB layout: U-Boot at 63 up to 1 MiB, TrustZone at 2111.
    assert_eq!(raw_entry(&layout, "u-boot-dtb.bin"), (63, 2048));
    assert_eq!(raw_entry(&layout, "hardkernel/tzsw.bin").0, 2111);
    let bl2 = merged_value(&["odroid/xu"], "BR2_PACKAGE_HARDKERNEL_BOOT_BLOBS_BL2").unwrap();
    assert!(
        bl2.contains("hardkernel_1mb_uboot/") && bl2.contains("1mb_uboot\""),
        "the BL2 must be the 1 MiB one: {bl2}"
    );
    assert!(!bl2.contains("720k"), "{bl2}");
    for sym in [
        "BR2_PACKAGE_HARDKERNEL_BOOT_BLOBS_BL1",
        "BR2_PACKAGE_HARDKERNEL_BOOT_BLOBS_TZSW",
    ] {
        let v = merged_value(&["odroid/xu"], sym).unwrap();
        assert!(v.starts_with("\"hardkernel_1mb_uboot/"), "{sym}={v}");
    }
}

#[test]
fn hardkernel_blobs_are_pinned_to_commits() {
    for board in ["odroid/u", "odroid/xu"] {
        let r = merged_value(&[board], "BR2_PACKAGE_HARDKERNEL_BOOT_BLOBS_REF").unwrap();
        let r = r.trim_matches('"');
        assert!(
            r.len() == 40 && r.bytes().all(|b| b.is_ascii_hexdigit()),
            "{board}: {r} is not a commit (a branch moves under the build)"
        );
    }
}

#[test]
fn every_pi_config_txt_selects_the_mainline_device_trees() {
    let mut found = 0;
    for board in ["0", "1", "3", "4x64"] {
        let text = read(&format!("configs/pi/{board}/resources/rpi/config.txt"));
        let active: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.starts_with('#'))
            .collect();
        assert!(
            active.contains(&"upstream_kernel=1")
                || active.iter().any(|l| l.starts_with("device_tree=")),
            "pi/{board}: config.txt has neither upstream_kernel=1 nor device_tree=, so the firmware looks for the Raspberry Pi kernel's DTB names"
        );
        found += 1;
    }
    assert_eq!(found, 4);
    // The kernel installs mainline names only (broadcom/bcm27xx-rpi-* and bcm2835-rpi-*).
    for board in ["pi/0", "pi/1", "pi/3", "pi/4"] {
        let dts = merged_value(&[board], "BR2_LINUX_KERNEL_INTREE_DTS_NAME").unwrap();
        for name in dts.trim_matches('"').split_whitespace() {
            assert!(
                name.starts_with("broadcom/bcm2") && name.contains("-rpi-"),
                "{board}: {name}"
            );
        }
    }
    // The CM4 is covered by pi/4's tree list.
    let dts = merged_value(&["pi/4"], "BR2_LINUX_KERNEL_INTREE_DTS_NAME").unwrap();
    assert!(dts.contains("bcm2711-rpi-cm4-io"), "{dts}");
}

#[test]
fn skiff_core_builds_its_command_package_at_a_pinned_tag() {
    let dir = "configs/skiff/core/buildroot_ext/package/skiff-core";
    let mk = read(&format!("{dir}/skiff-core.mk"));
    let var = |name: &str| {
        mk.lines()
            .find_map(|l| l.strip_prefix(name)?.trim().strip_prefix('='))
            .map(|v| v.trim().to_string())
    };
    // Buildroot's golang-package builds "." unless told otherwise; the main package of
    // skiff-core is cmd/skiff-core.
    assert_eq!(
        var("SKIFF_CORE_BUILD_TARGETS").as_deref(),
        Some("cmd/skiff-core")
    );
    // v1.14.0 is the newest tag of github.com/skiffos/skiff-core (checked, see
    // docs/boards.md); 1.15.0 does not exist.
    assert_eq!(var("SKIFF_CORE_VERSION").as_deref(), Some("1.14.0"));
    let hash = read(&format!("{dir}/skiff-core.hash"));
    let lines: Vec<&str> = hash
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .collect();
    assert!(
        lines.iter().any(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            f.len() == 3 && f[0] == "sha256" && f[1].len() == 64 && f[2] == "LICENSE"
        }),
        "{hash}"
    );
}

#[test]
fn pine_h64_loads_the_device_tree_of_the_detected_model() {
    let conf = read("configs/pine64/h64/resources/boot-scripts/extlinux.conf");
    // label name -> its lines
    let mut labels: Vec<(String, Vec<String>)> = Vec::new();
    for l in conf.lines().map(str::trim) {
        if let Some(name) = l.strip_prefix("label ") {
            labels.push((name.trim().to_string(), Vec::new()));
        } else if let Some((_, body)) = labels.last_mut() {
            body.push(l.to_string());
        }
    }
    let default = conf
        .lines()
        .find_map(|l| l.trim().strip_prefix("default "))
        .unwrap()
        .trim();
    let body = |name: &str| &labels.iter().find(|(n, _)| n == name).unwrap().1;
    // The default takes U-Boot's ${fdtfile} (which `setenv fdtfile` can change), never a
    // fixed model A tree.
    let d = body(default);
    assert!(d.iter().any(|l| l == "fdtdir /boot/"), "{d:?}");
    assert!(!d.iter().any(|l| l.starts_with("fdt ")), "{d:?}");
    // A Model B has a label of its own with its tree.
    assert!(
        labels.iter().any(|(_, b)| b
            .iter()
            .any(|l| l == "fdt /boot/sun50i-h6-pine-h64-model-b.dtb")),
        "{conf}"
    );
    let dts = merged_value(&["pine64/h64"], "BR2_LINUX_KERNEL_INTREE_DTS_NAME").unwrap();
    assert!(dts.contains("sun50i-h6-pine-h64-model-b"), "{dts}");
    dtbs_also_under_vendor_dir(&root().join("configs/pine64/h64/layout.yaml"));
}

#[test]
fn pinephone_loads_the_device_tree_of_its_revision() {
    let script = read("configs/pine64/phone/resources/boot-scripts/boot.txt");
    let load = script
        .lines()
        .find(|l| l.starts_with("load ") && l.contains("fdt_addr_r"))
        .expect("a load of the device tree");
    assert!(load.contains("${fdtfile}"), "{load}");
    assert!(!load.contains("pinephone-1."), "{load}");
    dtbs_also_under_vendor_dir(&root().join("configs/pine64/phone/layout.yaml"));
}

/// U-Boot's `fdtfile` may carry the `allwinner/` directory: the card has both.
fn dtbs_also_under_vendor_dir(layout: &Path) {
    let y: yaml_serde::Value =
        yaml_serde::from_str(&std::fs::read_to_string(layout).unwrap()).unwrap();
    let to: Vec<&str> = y["install"]["copy"]
        .as_sequence()
        .unwrap()
        .iter()
        .filter(|c| c["from"].as_str() == Some("*.dtb"))
        .filter_map(|c| c["to"].as_str())
        .collect();
    assert!(
        to.contains(&"persist:/boot/") && to.contains(&"persist:/boot/allwinner/"),
        "{}: {to:?}",
        layout.display()
    );
}

#[test]
fn board_stacks_with_skiff_core_resolve_without_order_warnings() {
    let (_tree, cat) = common::catalog(&root());
    for board in [
        "pine64/rockpro64",
        "pine64/phone",
        "pine64/h64",
        "pine64/book",
        "pi/4",
        "odroid/u",
        "odroid/xu",
    ] {
        let stack = resolve(&cat, &[board, "skiff/core"]).unwrap();
        assert!(stack.warnings.is_empty(), "{board}: {:?}", stack.warnings);
    }
}

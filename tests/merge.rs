//! Merge and configure: upstream's file names, contents and order, with provenance.

mod common;

use skiff::build::workspace::{DefconfigStep, configure_at, merge_current};
use skiff::model::configure::{ConfigureEnv, ConfigureRequest};
use skiff::model::version::Version;
use skiff::model::{ConfigKind, Value, resolve_text};
use std::path::Path;

fn try_configure(
    root: &Path,
    stack: &str,
    ws: &str,
    buildroot: Option<&Path>,
) -> Result<skiff::build::workspace::ConfigureReport, skiff::model::ModelError> {
    let (tree, cat) = common::catalog(root);
    let stack = resolve_text(&cat, stack).expect("resolve");
    let env = ConfigureEnv {
        buildroot: buildroot.map(Path::to_path_buf),
        ..ConfigureEnv::default()
    };
    let req = ConfigureRequest {
        tree: &tree,
        catalog: &cat,
        stack: &stack,
        workspace: ws,
        env: &env,
    };
    let version = Version {
        version: "2026.08-test".into(),
        commit: "abc1234".into(),
    };
    configure_at(&req, &version)
}

fn run_configure(
    root: &Path,
    stack: &str,
    ws: &str,
    buildroot: Option<&Path>,
) -> skiff::build::workspace::ConfigureReport {
    try_configure(root, stack, ws, buildroot).expect("configure")
}

fn final_file(root: &Path, ws: &str, rel: &str) -> String {
    let p = root
        .join("workspaces")
        .join(format!(".config_{ws}"))
        .join(rel);
    common::scrub(
        &std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display())),
        root,
    )
}

#[test]
fn final_directory_matches_golden_files() {
    let (_t, root) = common::fixture("upstream");
    let report = run_configure(&root, "pi/4,skiff/core", "default", None);
    assert!(matches!(report.defconfig, DefconfigStep::Skipped(_)));
    let mut names: Vec<String> = std::fs::read_dir(&report.final_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "DO_NOT_EDIT",
            "WARNING",
            "bind_env.sh",
            "buildroot",
            "busybox",
            "cflags",
            "defconfig",
            "final",
            "kernel",
            "post_build.sh",
            "pre_build.sh",
            "skiff_config",
            "skiff_stack",
            "skiff_version",
            "uboot",
            "users"
        ]
    );
    for rel in [
        "buildroot/config",
        "kernel/config",
        "uboot/config",
        "busybox/config",
        "users",
        "cflags",
        "skiff_config",
        "skiff_stack",
        "skiff_version",
        "pre_build.sh",
        "post_build.sh",
    ] {
        insta::assert_snapshot!(
            format!("upstream_pi4_core__{}", rel.replace('/', "_")),
            final_file(&root, "default", rel)
        );
    }
}

#[test]
fn provenance_tracks_every_assignment() {
    let (_t, root) = common::fixture("upstream");
    let (tree, cat) = common::catalog(&root);
    let stack = resolve_text(&cat, "pi/4,skiff/core").unwrap();
    let m = merge_current(&tree, &cat, &stack, "default", &Default::default()).unwrap();
    let k = m.config(ConfigKind::Kernel);
    let h = k.symbol("CONFIG_USB_SERIAL").expect("symbol");
    assert_eq!(h.effective.value, Value::NotSet);
    assert_eq!(h.effective.layer, "pi/4");
    assert_eq!(h.effective.line, 2);
    let chain: Vec<(String, String)> = h
        .replaced
        .iter()
        .map(|a| (a.layer.clone(), a.value.display()))
        .collect();
    assert_eq!(
        chain,
        [
            ("configs-base/pre".to_string(), "m".to_string()),
            ("configs-base/pre".to_string(), "y".to_string()),
            ("pi/common".to_string(), "y".to_string()),
        ]
    );
    let br = m.config(ConfigKind::Buildroot);
    let htop = br.symbol("BR2_PACKAGE_HTOP").unwrap();
    assert_eq!(htop.effective.layer, "overrides");
    assert_eq!(htop.replaced[0].layer, "pi/common");
    assert!(htop.overridden());
    let fw = br.symbol("BR2_PACKAGE_RPI_FIRMWARE").unwrap();
    // Byte order: 10-late is merged before 2-early, so 2-early wins.
    assert_eq!(fw.effective.value, Value::Set("n".into()));
    assert!(fw.effective.path.ends_with("2-early"));
    assert!(
        br.symbol("BR2_SHOULD_NOT_APPEAR").is_none(),
        "dotfiles are never merged"
    );
    let dts = br.symbol("BR2_LINUX_KERNEL_INTREE_DTS_NAME").unwrap();
    assert_eq!(
        dts.effective.value.display(),
        format!("\"{}/configs/pi/4x64/dts\"", root.display())
    );
    let opt = br.symbol("BR2_TARGET_OPTIMIZATION").unwrap();
    assert_eq!(opt.effective.layer, "(cflags)");
    assert_eq!(m.cflags, "-mcpu=cortex-a72 -O2 ");
}

#[test]
fn overrides_and_workspace_overrides_come_before_post() {
    let (_t, root) = common::fixture("upstream");
    common::write(
        &root,
        "overrides/workspaces/lab/buildroot/zz",
        "BR2_PACKAGE_HTOP=y\n",
    );
    common::write(
        &root,
        "overrides/workspaces/lab/kernel/k",
        "CONFIG_EXT4_FS=m\n",
    );
    run_configure(&root, "pi/4", "lab", None);
    let br = final_file(&root, "lab", "buildroot/config");
    let ov = br.find("overrides/buildroot/local").unwrap();
    let wso = br.find("overrides/workspaces/lab//buildroot/zz").unwrap();
    let post = br.find("configs-base/post/buildroot/config").unwrap();
    assert!(ov < wso && wso < post, "{br}");
    let k = final_file(&root, "lab", "kernel/config");
    assert!(
        k.contains("CONFIG_EXT4_FS=m") && !k.contains("CONFIG_EXT4_FS=y"),
        "{k}"
    );
}

#[test]
fn reconfigure_replaces_the_directory_and_recovers_the_stack() {
    let (_t, root) = common::fixture("upstream");
    run_configure(&root, "pi/4,skiff/core", "default", None);
    std::fs::write(root.join("workspaces/.config_default/stale"), "x").unwrap();
    run_configure(&root, "odroid/xu4", "default", None);
    let fin = root.join("workspaces/.config_default");
    assert!(!fin.join("stale").exists(), "old contents must go");
    assert_eq!(
        final_file(&root, "default", "skiff_config"),
        "skiff/moduleimg,odroid/common,odroid/xu,odroid/xu4\n"
    );
    let (tree, _) = common::catalog(&root);
    let r = skiff::model::workspace::recover(&tree, "default");
    assert_eq!(
        r.stack.as_deref(),
        Some("skiff/moduleimg,odroid/common,odroid/xu,odroid/xu4")
    );
    let leftovers: Vec<_> = std::fs::read_dir(root.join("workspaces"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".new-") || n.ends_with(".old"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn buildroot_defconfig_runs_when_a_tree_is_present() {
    let (_t, root) = common::fixture("upstream");
    let br = root.join("fake-buildroot");
    common::write(
        &br,
        "Makefile",
        "defconfig:\n\t@test -n \"$(O)\"\n\t@mkdir -p $(O)\n\t@sed 's/^#.*//' $(BR2_DEFCONFIG) | grep . > $(O)/.config\n\t@echo \"EXTERNALS=$(BR2_EXTERNAL)\" >> $(O)/.config\n",
    );
    let report = run_configure(&root, "pi/4,skiff/core", "default", Some(&br));
    assert_eq!(report.defconfig, DefconfigStep::Ran);
    let fin = final_file(&root, "default", "final/buildroot");
    assert!(fin.contains("BR2_aarch64=y"), "{fin}");
    assert!(
        fin.contains("EXTERNALS=<root>/configs-base/pre/buildroot_ext:<root>/configs/skiff/core/buildroot_ext"),
        "{fin}"
    );
    let link = root.join("workspaces/default/.config");
    assert_eq!(
        std::fs::read_link(&link).unwrap(),
        report.final_dir.join("final/buildroot")
    );
}

#[test]
fn failing_defconfig_leaves_the_previous_configuration() {
    let (_t, root) = common::fixture("upstream");
    run_configure(&root, "odroid/xu4", "default", None);
    let br = root.join("bad-buildroot");
    common::write(
        &br,
        "Makefile",
        "defconfig:\n\t@echo 'Config.in:12: syntax error' >&2; exit 2\n",
    );
    let e = try_configure(&root, "pi/4", "default", Some(&br)).unwrap_err();
    assert!(e.to_string().contains("syntax error"), "{e}");
    assert_eq!(
        final_file(&root, "default", "skiff_config"),
        "skiff/moduleimg,odroid/common,odroid/xu,odroid/xu4\n"
    );
}

#[test]
fn changed_cflags_remove_gcc_stamps() {
    let (_t, root) = common::fixture("upstream");
    run_configure(&root, "odroid/xu4", "default", None);
    let gcc = root.join("workspaces/default/build/host-gcc-final-15.1.0");
    std::fs::create_dir_all(&gcc).unwrap();
    for s in [
        ".stamp_built",
        ".stamp_configured",
        ".stamp_installed",
        ".stamp_downloaded",
    ] {
        std::fs::write(gcc.join(s), "").unwrap();
    }
    let r = run_configure(&root, "odroid/xu4", "default", None);
    assert!(!r.cflags_changed);
    let r = run_configure(&root, "pi/4", "default", None);
    assert!(r.cflags_changed);
    assert_eq!(r.stamps_removed, 3);
    assert!(gcc.join(".stamp_downloaded").exists());
}

#[test]
fn bad_buildroot_ext_is_an_error_naming_the_directory() {
    let (_t, root) = common::fixture("upstream");
    common::write(
        &root,
        "configs/pi/4/buildroot_ext/external.desc",
        "name: PI_4\n",
    );
    let (tree, cat) = common::catalog(&root);
    let stack = resolve_text(&cat, "pi/4").unwrap();
    let e = merge_current(&tree, &cat, &stack, "default", &Default::default()).unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("configs/pi/4/buildroot_ext") && msg.contains("external.mk, Config.in"),
        "{msg}"
    );
}

#[test]
fn empty_stack_is_refused_by_configure() {
    let (_t, root) = common::fixture("upstream");
    let e = try_configure(&root, " , ", "default", None).unwrap_err();
    assert!(e.to_string().contains("no layers selected"), "{e}");
}

#[test]
fn later_choice_member_supersedes_earlier_one() {
    let (_t, root) = common::fixture("upstream");
    let (tree, cat) = common::catalog(&root);
    let stack = resolve_text(&cat, "pi/4").unwrap();
    let m = merge_current(&tree, &cat, &stack, "default", &Default::default()).unwrap();
    let br = m.config(ConfigKind::Buildroot);
    let x86 = br.symbol("BR2_x86_64").unwrap();
    assert_eq!(x86.superseded_by.as_deref(), Some("BR2_aarch64"));
    assert!(x86.overridden());
    assert!(br.symbol("BR2_aarch64").unwrap().superseded_by.is_none());
}

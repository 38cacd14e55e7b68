//! The bundled configs tree: every layer of the target table exists with metadata, every Buildroot assignment is a real 2026.02.3 symbol of the right type, and each board merged with skiff/core has its dependencies met and a valid layout.

mod common;

mod brconfig;

use brconfig::{Table, Tri, Type, Values, assignments, external_symbols, value_fits};
use skiff::model::layout::Layout;
use skiff::model::{Catalog, ConfigKind, DiscoverOptions, Tree, resolve};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// Every board of the SkiffOS target table.
const BOARDS: &[&str] = &[
    "pi/0",
    "pi/1",
    "pi/3",
    "pi/4",
    "odroid/c2",
    "odroid/c4",
    "odroid/xu",
    "odroid/u",
    "bananapi/m1",
    "bananapi/m1plus",
    "bananapi/m2plus",
    "bananapi/m3",
    "orangepi/lite",
    "orangepi/zero",
    "pcduino/3",
    "pcengines/apu2",
    "pine64/h64",
    "pine64/phone",
    "pine64/book",
    "pine64/rockpro64",
    "jetson/nano",
    "jetson/tx2",
    "intel/x64",
    "intel/desktop",
    "apple/macbook",
    "virt/qemu",
    "virt/docker",
    "virt/wsl",
];

const DISTROS: &[&str] = &["skiff/core", "core/gentoo", "core/manjaro", "core/nixos"];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn table() -> Table {
    Table::load(&root().join("buildroot-symbols"))
}

fn catalog() -> (Tree, Catalog) {
    let tree = Tree::open(&root()).expect("the repository root is a tree");
    let cat = Catalog::discover(&DiscoverOptions {
        configs_dir: tree.configs_dir(),
        extra_paths: Vec::new(),
        env_paths: Vec::new(),
    })
    .expect("discover the bundled tree");
    (tree, cat)
}

/// `<layer>/buildroot/*` files under configs/ and configs-base/.
fn buildroot_fragments() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for base in ["configs", "configs-base"] {
        let mut stack = vec![root().join(base)];
        while let Some(dir) = stack.pop() {
            for e in std::fs::read_dir(&dir).expect("read dir").flatten() {
                let p = e.path();
                if !p.is_dir() || p.file_name().is_some_and(|n| n == "buildroot_ext") {
                    continue;
                }
                if p.file_name().is_some_and(|n| n == "buildroot") {
                    for f in std::fs::read_dir(&p).expect("read fragments").flatten() {
                        out.push(f.path());
                    }
                } else {
                    stack.push(p);
                }
            }
        }
    }
    out.sort();
    out
}

/// Problems of one assignment in isolation: unknown, hidden, legacy, or a badly typed value.
fn assignment_problem(
    table: &Table,
    ext: &HashSet<String>,
    name: &str,
    value: Option<&str>,
) -> Option<String> {
    if ext.contains(name) {
        return None;
    }
    let Some(sym) = table.symbols.get(name) else {
        return Some(format!("{name} is not a Buildroot 2026.02.3 symbol"));
    };
    if sym.legacy {
        return Some(format!(
            "{name} is a legacy option; Buildroot refuses to build with it"
        ));
    }
    if !sym.has_prompt {
        return Some(format!(
            "{name} has no prompt; Kconfig ignores assignments to it"
        ));
    }
    match value {
        None if sym.ty != Type::Bool => {
            Some(format!("`# {name} is not set` on a {:?} symbol", sym.ty))
        }
        Some(v) if !value_fits(sym.ty, v) => {
            Some(format!("{name}={v} is not a valid {:?} value", sym.ty))
        }
        _ => None,
    }
}

#[test]
fn every_buildroot_assignment_is_a_real_symbol_of_the_right_type() {
    let table = table();
    let ext = external_symbols(&root());
    let files = buildroot_fragments();
    assert!(files.len() > 50, "only {} fragments found", files.len());
    let mut problems = Vec::new();
    let mut count = 0;
    for f in &files {
        let text = std::fs::read_to_string(f).expect("read fragment");
        let rel = f.strip_prefix(root()).unwrap().display().to_string();
        match assignments(&text) {
            Err(e) => problems.push(format!("{rel}: {e}")),
            Ok(list) => {
                for a in list {
                    count += 1;
                    if let Some(p) = assignment_problem(&table, &ext, &a.name, a.value.as_deref()) {
                        problems.push(format!("{rel}:{}: {p}", a.line));
                    }
                }
            }
        }
    }
    assert!(count > 300, "only {count} assignments found");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn checker_rejects_bad_assignments() {
    let table = table();
    let ext = HashSet::from(["BR2_PACKAGE_SKIFF_INIT".to_string()]);
    let bad = [
        ("BR2_SKIFFOS_BACKUP_SITE", Some("\"x\"")),
        ("BR2_PACKAGE_HTOP", Some("yes")),
        ("BR2_TARGET_GENERIC_HOSTNAME", Some("skiff")),
        ("BR2_TARGET_GENERIC_HOSTNAME", None),
        ("BR2_USE_MMU", Some("y")),
        ("BR2_PACKAGE_DOCKER_PROXY", Some("y")),
        ("BR2_TARGET_UBOOT_FORMAT_NAND_PAGE_SIZE", Some("0x800")),
    ];
    for (name, value) in bad {
        assert!(
            assignment_problem(&table, &ext, name, value).is_some(),
            "{name} {value:?} passed"
        );
    }
    for (name, value) in [
        ("BR2_PACKAGE_SKIFF_INIT", Some("y")),
        ("BR2_TARGET_UBOOT_FORMAT_NAND_PAGE_SIZE", Some("2048")),
        ("BR2_PACKAGE_HTOP", None),
        ("BR2_TARGET_GENERIC_ISSUE", Some("\"say \\\"hi\\\"\"")),
    ] {
        assert_eq!(
            assignment_problem(&table, &ext, name, value),
            None,
            "{name}"
        );
    }
}

#[test]
fn evaluator_follows_kconfig_on_small_cases() {
    let table = table();
    let list = assignments("BR2_x86_64=y\nBR2_aarch64=y\nBR2_INIT_SYSTEMD=y\n").unwrap();
    let m = Values::compute(&table, &list);
    // Later choice member wins; the earlier one is off.
    assert_eq!(m.value("BR2_aarch64"), Some("y"));
    assert_eq!(m.value("BR2_x86_64"), Some("n"));
    // Selects turn symbols on; an unset prompt bool is n.
    assert_eq!(m.value("BR2_PACKAGE_SYSTEMD"), Some("y"));
    assert_eq!(m.value("BR2_PACKAGE_HTOP"), Some("n"));
    // A choice nobody sets takes its default.
    assert_eq!(m.value("BR2_OPTIMIZE_2"), Some("y"));
    let vals = Values::compute(
        &table,
        &assignments("BR2_arm=y\nBR2_PACKAGE_RPI_FIRMWARE=y\n").unwrap(),
    );
    assert_eq!(vals.eval("BR2_arm || BR2_aarch64"), Tri::True);
    assert_eq!(
        vals.eval("BR2_aarch64 && (BR2_arm || BR2_PACKAGE_RPI_FIRMWARE)"),
        Tri::False
    );
    assert_eq!(
        vals.eval("!BR2_aarch64 && BR2_PACKAGE_RPI_FIRMWARE"),
        Tri::True
    );
    assert_eq!(vals.eval("BR2_USE_MMU"), Tri::Unknown);
    assert_eq!(vals.eval("!BR2_USE_MMU || BR2_aarch64"), Tri::Unknown);
    assert_eq!(vals.eval("BR2_USE_MMU && BR2_aarch64"), Tri::False);
    assert_eq!(vals.eval("BR2_ARCH = \"arm\""), Tri::Unknown);
    let vals = Values::compute(
        &table,
        &assignments("BR2_TARGET_GENERIC_ISSUE=\"hi\"\n").unwrap(),
    );
    assert_eq!(vals.eval("BR2_TARGET_GENERIC_ISSUE = \"hi\""), Tri::True);
    assert_eq!(vals.eval("BR2_TARGET_GENERIC_ISSUE != \"hi\""), Tri::False);
}

/// The unmet dependencies of a stack's merged Buildroot config.
fn unmet(table: &Table, ext: &HashSet<String>, merged: &skiff::model::MergedConfig) -> Vec<String> {
    let list = assignments(&merged.text).expect("merged config parses");
    let values = Values::compute(table, &list);
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for a in list.iter().rev() {
        if !seen.insert(a.name.clone()) {
            continue;
        }
        if let Some(p) = assignment_problem(table, ext, &a.name, a.value.as_deref()) {
            out.push(p);
            continue;
        }
        let Some(sym) = table.symbols.get(&a.name) else {
            continue;
        };
        // The wiring written by configs-base/post goes into every stack; Kconfig ignores the
        // entries whose package (U-Boot on a Pi, say) the stack does not build.
        if merged
            .symbol(&a.name)
            .is_some_and(|h| h.effective.layer == "configs-base/post")
        {
            continue;
        }
        let live = match sym.ty {
            Type::Bool => values.value(&a.name) == Some("y"),
            _ => a.value.is_some(),
        };
        if !live {
            continue;
        }
        let from = merged
            .symbol(&a.name)
            .map(|h| format!(" (set by {})", h.effective.layer))
            .unwrap_or_default();
        if values.eval(&sym.depends_on) == Tri::False {
            out.push(format!(
                "{}{from}: `depends on {}` is not met",
                a.name, sym.depends_on
            ));
        }
        if let Some(ch) = sym.choice.as_ref().and_then(|c| table.choices.get(c))
            && values.eval(&ch.depends_on) == Tri::False
        {
            out.push(format!(
                "{}{from}: its choice needs `{}`",
                a.name, ch.depends_on
            ));
        }
    }
    out
}

fn check_stack(
    items: &[&str],
    tree: &Tree,
    cat: &Catalog,
    table: &Table,
    ext: &HashSet<String>,
) -> Vec<String> {
    let name = items.join(",");
    let stack = match resolve(cat, items) {
        Ok(s) => s,
        Err(e) => return vec![format!("{name}: does not resolve: {e}")],
    };
    let merged = match skiff::build::workspace::merge_current(
        tree,
        cat,
        &stack,
        "default",
        &Default::default(),
    ) {
        Ok(m) => m,
        Err(e) => return vec![format!("{name}: does not merge: {e}")],
    };
    let mut out: Vec<String> = unmet(table, ext, merged.config(ConfigKind::Buildroot))
        .into_iter()
        .map(|p| format!("{name}: {p}"))
        .collect();
    let dirs: Vec<PathBuf> = stack
        .layers
        .iter()
        .filter_map(|l| cat.lookup(l).map(|l| l.dir.clone()))
        .collect();
    match Layout::for_chain(&dirs) {
        Ok(Some(layout)) => {
            let r = layout.check(None);
            if !r.is_ok() {
                out.push(format!("{name}: layout check failed:\n{r}"));
            }
        }
        Ok(None) => out.push(format!("{name}: no layer of the chain has a layout.yaml")),
        Err(e) => out.push(format!("{name}: {e}")),
    }
    out
}

#[test]
fn every_board_with_skiff_core_meets_its_dependencies_and_has_a_layout() {
    let (tree, cat) = catalog();
    let table = table();
    let ext = external_symbols(&root());
    let mut problems = Vec::new();
    for board in BOARDS {
        problems.extend(check_stack(
            &[board, "skiff/core"],
            &tree,
            &cat,
            &table,
            &ext,
        ));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_distro_merges_on_an_arm_and_an_x86_board() {
    let (tree, cat) = catalog();
    let table = table();
    let ext = external_symbols(&root());
    let mut problems = Vec::new();
    for distro in DISTROS {
        for board in ["pi/4", "intel/desktop"] {
            problems.extend(check_stack(&[board, distro], &tree, &cat, &table, &ext));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn dependency_check_catches_an_unmet_dependency() {
    let (tree, cat) = catalog();
    let table = table();
    let ext = external_symbols(&root());
    // Copy the tree and give pi/1 (32-bit ARM, no U-Boot) an arm64 kernel image format, a
    // U-Boot option, and no cpio image while configs-base still picks its compression.
    let tmp = tempfile::tempdir().unwrap();
    let copy = tmp.path().join("tree");
    common::copy_dir(&root().join("configs"), &copy.join("configs"));
    common::copy_dir(&root().join("configs-base"), &copy.join("configs-base"));
    std::fs::write(
        copy.join("configs/pi/1/buildroot/zz-bad"),
        "BR2_LINUX_KERNEL_IMAGE=y\nBR2_TARGET_UBOOT_FORMAT_CUSTOM_NAME=\"x.bin\"\n# BR2_TARGET_ROOTFS_CPIO is not set\n",
    )
    .unwrap();
    let tree2 = Tree::open(&copy).unwrap();
    let cat2 = Catalog::discover(&DiscoverOptions {
        configs_dir: tree2.configs_dir(),
        extra_paths: Vec::new(),
        env_paths: Vec::new(),
    })
    .unwrap();
    let problems = check_stack(&["pi/1"], &tree2, &cat2, &table, &ext);
    assert!(
        problems.iter().any(
            |p| p.contains("BR2_LINUX_KERNEL_IMAGE (set by pi/1)") && p.contains("BR2_aarch64")
        ),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.contains("BR2_TARGET_UBOOT_FORMAT_CUSTOM_NAME")
                && p.contains("BR2_TARGET_UBOOT")),
        "{problems:?}"
    );
    // A choice member whose whole choice is switched off (the cpio compression).
    assert!(
        problems
            .iter()
            .any(|p| p.contains("BR2_TARGET_ROOTFS_CPIO_LZ4") && p.contains("its choice needs")),
        "{problems:?}"
    );
    // The original tree has no such problem.
    assert!(check_stack(&["pi/1"], &tree, &cat, &table, &ext).is_empty());
}

#[test]
fn every_target_and_distro_is_a_listed_layer_with_a_description() {
    let (_tree, cat) = catalog();
    let listed: HashSet<&str> = cat.listed().map(|l| l.name.as_str()).collect();
    for name in BOARDS.iter().chain(DISTROS).chain(&["apple/intel"]) {
        let layer = cat
            .lookup(name)
            .unwrap_or_else(|| panic!("{name} is missing"));
        assert!(listed.contains(name), "{name} is unlisted");
        let desc = layer.meta.description.as_deref().unwrap_or("");
        assert!(desc.len() > 10, "{name} has no description");
    }
    // Every dependency of every layer exists.
    for layer in &cat.layers {
        for dep in &layer.meta.dependencies {
            assert!(
                cat.lookup(dep).is_some(),
                "{} depends on unknown {dep}",
                layer.name
            );
        }
    }
}

/// Parsed skiff-core config: the keys section 10 of the reference uses.
fn core_yaml(path: &Path) -> yaml_serde::Value {
    let text = std::fs::read_to_string(path).unwrap();
    yaml_serde::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn skiff_core_configs_are_consistent() {
    let mut files = Vec::new();
    let mut stack = vec![root().join("configs")];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.file_name().is_some_and(|n| n == "defconfig.yaml") {
                files.push(p);
            }
        }
    }
    assert_eq!(files.len(), DISTROS.len(), "{files:?}");
    for f in files {
        let y = core_yaml(&f);
        let containers = y["containers"].as_mapping().expect("containers");
        let images = y["images"].as_mapping().expect("images");
        let users = y["users"].as_mapping().expect("users");
        assert!(
            !containers.is_empty() && !users.is_empty(),
            "{}",
            f.display()
        );
        for (name, c) in containers {
            let image = c["image"].as_str().expect("image");
            assert!(
                images.contains_key(image),
                "{}: container {name:?} image {image} not in images",
                f.display()
            );
            for m in c["mounts"].as_sequence().expect("mounts") {
                let m = m.as_str().unwrap();
                assert!(
                    m.split(':').count() >= 2 && m.starts_with('/'),
                    "{}: mount {m}",
                    f.display()
                );
            }
        }
        for (login, u) in users {
            let c = u["container"].as_str().expect("container");
            assert!(
                containers.contains_key(c),
                "{}: user {login:?} maps to unknown {c}",
                f.display()
            );
        }
        for (r, img) in images {
            let has_pull = img["pull"]["policy"].as_str().is_some();
            let source = img["build"]["source"].as_str();
            assert!(
                has_pull || source.is_some(),
                "{}: image {r:?} can be neither pulled nor built",
                f.display()
            );
            if let Some(s) = source {
                assert!(
                    s.starts_with("/opt/skiff/coreenv/"),
                    "{}: build source {s}",
                    f.display()
                );
            }
        }
    }
}

/// The Amlogic boards' post hooks find odroid/common's FIP script through the environment
/// the configure-time wrapper sources, and pass their own device name.
#[test]
fn amlogic_post_hooks_run_the_shared_fip_script() {
    let t = tempfile::tempdir().unwrap();
    let copy = t.path().join("tree");
    common::copy_dir(&root().join("configs"), &copy.join("configs"));
    common::copy_dir(&root().join("configs-base"), &copy.join("configs-base"));
    let (tree, cat) = common::catalog(&copy);
    let host = t.path().join("host/amlogic-boot-fip");
    std::fs::create_dir_all(&host).unwrap();
    std::fs::write(
        host.join("build-fip.sh"),
        "#!/bin/bash\necho \"$1\" > \"$3/u-boot.bin.sd.bin\"\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(
        host.join("build-fip.sh"),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    let images = t.path().join("images");
    std::fs::create_dir_all(&images).unwrap();
    for board in ["c2", "c4"] {
        let stack = resolve(&cat, &[&format!("odroid/{board}")]).unwrap();
        let env = skiff::model::configure::ConfigureEnv::default();
        let req = skiff::model::configure::ConfigureRequest {
            tree: &tree,
            catalog: &cat,
            stack: &stack,
            workspace: board,
            env: &env,
        };
        let version = skiff::model::version::Version {
            version: "v".into(),
            commit: "c".into(),
        };
        let report = skiff::build::workspace::configure_at(&req, &version).unwrap();
        std::fs::create_dir_all(tree.workspace_dir(board)).unwrap();
        let out = std::process::Command::new("bash")
            .arg(report.final_dir.join("post_build.sh"))
            .env("BINARIES_DIR", &images)
            .env("HOST_DIR", t.path().join("host"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let fip = std::fs::read_to_string(images.join("u-boot.bin.sd.bin")).unwrap();
        assert_eq!(fip.trim(), format!("odroid-{board}"));
    }
}

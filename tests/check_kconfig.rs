//! `skiff check`'s engine: the fixture stack evaluated by kconfig-conf against the fixture
//! Kconfig tree; every dropped value with its reason and where it was asked for.

use skiff::build::kconfig::{CheckInput, CheckReport, Reason, check, find_engine};
use skiff::build::workspace::merge_current;
use skiff::model::{Catalog, ConfigKind, DiscoverOptions, Tree, WarningKind, resolve_text};
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/kconfig")
}

fn run(stack: &str) -> CheckReport {
    let tree = Tree::open(&fixtures().join("tree")).unwrap();
    let catalog = Catalog::discover(&DiscoverOptions {
        configs_dir: tree.configs_dir(),
        extra_paths: vec![],
        env_paths: vec![],
    })
    .unwrap();
    let stack = resolve_text(&catalog, stack).unwrap();
    let merged = merge_current(&tree, &catalog, &stack, "default", &Default::default()).unwrap();
    let br = merged.config(ConfigKind::Buildroot);
    let engine = find_engine(None).expect("kconfig-conf (kconfig-frontends-nox) is installed");
    let externals: Vec<PathBuf> = merged.externals.iter().map(PathBuf::from).collect();
    check(CheckInput {
        engine: &engine,
        srctree: &fixtures().join("buildroot"),
        fragment: &br.text,
        requests: &br.symbols,
        externals: &externals,
        warnings: merged.warnings.clone(),
    })
    .unwrap()
}

fn reason_of<'a>(r: &'a CheckReport, sym: &str) -> &'a Reason {
    &r.dropped
        .iter()
        .find(|d| d.symbol == sym)
        .unwrap_or_else(|| panic!("{sym} not reported: {:#?}", r.dropped))
        .reason
}

#[test]
fn every_dropped_value_has_its_reason_and_origin() {
    let r = run("test/board,test/app,test/core");
    assert!(r.engine.starts_with("kconfig-conf"), "{}", r.engine);
    let got: Vec<(String, String, String, String, usize)> = r
        .dropped
        .iter()
        .map(|d| {
            (
                d.symbol.clone(),
                d.reason.describe(),
                d.layer.clone(),
                d.path.file_name().unwrap().to_string_lossy().into_owned(),
                d.line,
            )
        })
        .collect();
    let want: Vec<(&str, &str, &str, &str, usize)> = vec![
        (
            "BR2_x86_64",
            "choice overridden by BR2_aarch64",
            "configs-base/pre",
            "base",
            1,
        ),
        (
            "BR2_ENABLE_LOCALE_WHITELIST",
            "wrong type: `# ... is not set` does not apply to a string symbol; the line is ignored",
            "configs-base/pre",
            "base",
            4,
        ),
        (
            "BR2_KERNEL_LOAD_ADDR",
            "out of range 0x1000..0xffff",
            "test/board",
            "arch",
            2,
        ),
        (
            "BR2_TOOLCHAIN_BUILDROOT_LOCALE",
            "unmet dependency: BR2_TOOLCHAIN_BUILDROOT_UCLIBC",
            "test/board",
            "arch",
            3,
        ),
        (
            "BR2_TARGET_ROOTFS_EXT2_SIZE_MB",
            "out of range 8..4096",
            "test/board",
            "arch",
            4,
        ),
        ("CONFIG_USB", "unknown symbol", "test/board", "arch", 5),
        (
            "BR2_PACKAGE_NCURSES",
            "selected by BR2_PACKAGE_HTOP, BR2_PACKAGE_NANO",
            "test/app",
            "app",
            3,
        ),
        (
            "BR2_PACKAGE_DOES_NOT_EXIST",
            "unknown symbol",
            "test/app",
            "app",
            4,
        ),
        (
            "BR2_PACKAGE_SYSTEMD_NETWORKD",
            "unmet dependency: BR2_PACKAGE_SYSTEMD",
            "test/app",
            "app",
            5,
        ),
        (
            "BR2_JLEVEL",
            "wrong type: abc is not a valid int value",
            "test/app",
            "app",
            6,
        ),
        (
            "BR2_PACKAGE_JQ",
            "wrong type: m is not a valid bool value",
            "test/app",
            "app",
            7,
        ),
        (
            "BR2_TARGET_GENERIC_ISSUE",
            "wrong type: string values need double quotes: Welcome unquoted is ignored",
            "test/app",
            "app",
            8,
        ),
        (
            "BR2_ARCH_IS_64",
            "not settable: the symbol has no prompt",
            "test/app",
            "app",
            9,
        ),
        (
            "BR2_PACKAGE_TZDATA_ZONELIST",
            "unmet dependency: BR2_PACKAGE_TZDATA",
            "test/app",
            "app",
            10,
        ),
        (
            "BR2_TARGET_GENERIC_GETTY_PORT",
            "unmet dependency: BR2_TARGET_GENERIC_GETTY",
            "test/app",
            "app",
            12,
        ),
        (
            "BR2_PACKAGE_HTPO",
            "unknown symbol (did you mean BR2_PACKAGE_HTOP?)",
            "test/app",
            "app",
            13,
        ),
        (
            "BR2_PACKAGE_SKIFF_TEST_EXTRAS",
            "unmet dependency: BR2_PACKAGE_SYSTEMD",
            "test/core",
            "core",
            2,
        ),
    ];
    let mut got_sorted = got.clone();
    got_sorted.sort();
    let mut want_sorted: Vec<(String, String, String, String, usize)> = want
        .iter()
        .map(|(a, b, c, d, e)| {
            (
                a.to_string(),
                b.to_string(),
                c.to_string(),
                d.to_string(),
                *e,
            )
        })
        .collect();
    want_sorted.sort();
    assert_eq!(got_sorted, want_sorted);
    // Values that did survive, including one from the BR2_EXTERNAL tree.
    for (sym, line) in [
        ("BR2_aarch64", "BR2_aarch64=y"),
        (
            "BR2_PACKAGE_SKIFF_TEST_TOOL",
            "BR2_PACKAGE_SKIFF_TEST_TOOL=y",
        ),
        (
            "BR2_TARGET_GENERIC_HOSTNAME",
            "BR2_TARGET_GENERIC_HOSTNAME=\"skiff-test\"",
        ),
        ("BR2_CCACHE_DIR", "BR2_CCACHE_DIR=\""),
        (
            "BR2_TOOLCHAIN_BUILDROOT_MUSL",
            "BR2_TOOLCHAIN_BUILDROOT_MUSL=y",
        ),
    ] {
        assert!(
            r.config.lines().any(|l| l.starts_with(line)),
            "{sym} missing"
        );
        assert!(!r.marks().contains_key(sym), "{sym} wrongly reported");
    }
    // The kernel symbol in a Buildroot fragment is also flagged by the fragment lint.
    assert!(
        r.warnings
            .iter()
            .any(|w| w.kind == WarningKind::WrongFamily && w.message.contains("CONFIG_USB"))
    );
}

#[test]
fn unmet_dependency_lists_only_the_failing_terms() {
    let r = run("test/board,test/app,test/core");
    match reason_of(&r, "BR2_PACKAGE_SKIFF_TEST_EXTRAS") {
        Reason::UnmetDependency { unmet, depends_on } => {
            assert_eq!(unmet, &["BR2_PACKAGE_SYSTEMD"]);
            assert_eq!(
                depends_on,
                "BR2_PACKAGE_SKIFF_TEST_TOOL && (BR2_aarch64 || BR2_arm) && BR2_PACKAGE_SYSTEMD"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn choice_member_dropped_with_its_dependency_when_the_architecture_changes() {
    // Without the board layer the processor stays x86_64 and nothing is overridden.
    let r = run("test/app");
    assert!(!r.marks().contains_key("BR2_x86_64"));
    assert!(!r.marks().contains_key("BR2_TOOLCHAIN_BUILDROOT_LOCALE"));
    assert!(matches!(
        reason_of(&r, "BR2_PACKAGE_NCURSES"),
        Reason::SelectedBy { .. }
    ));
}

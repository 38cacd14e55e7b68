//! Merged-config preview: values with the layer that set them, override chains, kinds,
//! search, and the diff against the last configure.

mod ui_common;

use skiff::ui::theme::{Role, Theme};
use skiff::ui::{Cmd, Msg, ScreenId, WorkerEvent};
use ui_common::{open, snap, style_at, style_in_row};

#[test]
fn values_with_provenance_at_both_sizes() {
    let (_d, mut h) = open("pi/4,core/fedora", 100, 30);
    h.key("3");
    assert_eq!(h.app.active(), ScreenId::Preview);
    let text = h.render();
    assert!(text.contains("BR2_aarch64=y"));
    assert!(text.contains("pi/4x64"));
    // Paths under the tree root are shortened so snapshots and screens stay readable.
    assert!(text.contains("<tree>/configs/pi/4x64/dts"));
    snap("preview_buildroot_100x30", &mut h);
    h.resize(80, 24);
    snap("preview_buildroot_80x24", &mut h);
}

#[test]
fn overridden_symbols_show_the_chain_of_earlier_values() {
    let (_d, mut h) = open("pi/4", 100, 30);
    h.key("3");
    h.key("right");
    let text = h.render();
    assert!(text.contains(" kernel "));
    // CONFIG_USB_SERIAL: m then y in configs-base/pre, y in pi/common, then "is not set" in pi/4.
    h.key("/");
    h.type_text("usb_serial");
    h.key("enter");
    let text = h.render();
    assert!(text.contains("* CONFIG_USB_SERIAL=is not set"), "{text}");
    assert!(text.contains("set by pi/4  configs/pi/4/kernel/board:2"));
    assert!(text.contains("replaces y"));
    assert!(text.contains("configs/pi/common/kernel/usb:2"));
    assert!(text.contains("configs-base/pre/kernel/usb:1"));
    snap("preview_kernel_override_chain", &mut h);
    // The selected row is drawn in the selection's colours; the search term is underlined.
    let sel = Theme::defaults().style(Role::Selection);
    assert_eq!(style_at(&h, "* CONFIG_USB_SERIAL").fg, sel.fg);
    assert_eq!(style_at(&h, "* CONFIG_USB_SERIAL").bg, sel.bg);
    let u = ratatui::style::Modifier::UNDERLINED;
    assert!(style_at(&h, "USB_SERIAL=").add_modifier.contains(u));
    assert!(!style_at(&h, "* CONFIG_USB_SERIAL").add_modifier.contains(u));
}

#[test]
fn tabs_cycle_through_the_four_kinds() {
    let (_d, mut h) = open("pi/4", 100, 30);
    h.key("3");
    let names = ["kernel", "u-boot", "busybox", "Buildroot"];
    let want = [
        "CONFIG_BCM2835_WDT",
        "CONFIG_SILENT_CONSOLE",
        "CONFIG_TC",
        "BR2_aarch64",
    ];
    for (name, sym) in names.iter().zip(want) {
        h.key("]");
        let text = h.render();
        assert!(text.contains(sym), "{name}: {text}");
        let active = Theme::defaults().style(Role::TabActive);
        assert_eq!(style_at(&h, &format!(" {name} ")).bg, active.bg);
    }
    h.key("[");
    h.key("[");
    snap("preview_uboot", &mut h);
}

#[test]
fn overridden_only_filter() {
    let (_d, mut h) = open("pi/4", 100, 30);
    h.key("3");
    h.key("o");
    let text = h.render();
    assert!(text.contains("BR2_PACKAGE_RPI_FIRMWARE=n"));
    assert!(text.contains("BR2_PACKAGE_HTOP=n"));
    assert!(!text.contains("BR2_aarch64=y"));
    // The x86-64 default of configs-base/pre loses to the board's arch in the same choice.
    assert!(text.contains("* BR2_x86_64=y"));
    assert!(text.contains("superseded by BR2_aarch64"), "{text}");
    snap("preview_overridden_only", &mut h);
}

#[test]
fn diff_against_the_last_configure() {
    let (d, mut h) = open("pi/4,core/fedora", 100, 30);
    let frag = d.path().join("configs/odroid/xu/buildroot");
    std::fs::create_dir_all(&frag).unwrap();
    std::fs::write(
        frag.join("board"),
        "BR2_arm=y\nBR2_PACKAGE_ODROID_TOOLS=y\n",
    )
    .unwrap();
    h.key("3");
    h.key("d");
    let text = h.render();
    assert!(text.contains("Workspace default was never configured: all new."));
    snap("preview_diff_never_configured", &mut h);
    // Configure, then change the stack: the diff shows what a rebuild would change.
    h.key("s");
    assert!(matches!(h.key("y").as_slice(), [Cmd::Configure { .. }]));
    assert!(h.render().contains("No differences"));
    h.key("2");
    h.key("d"); // remove pi/4
    h.key("1");
    h.key("/");
    h.type_text("odroid/xu");
    h.key("enter");
    h.key("a");
    h.key("3");
    let text = h.render();
    assert!(
        text.contains("Diff against workspaces/.config_default"),
        "{text}"
    );
    assert!(text.contains("+ BR2_PACKAGE_ODROID"), "{text}");
    assert!(text.contains("- BR2_aarch64=y"));
    assert!(text.contains("~ BR2_LINUX_KERNEL_PATCH:"));
    snap("preview_diff_changes", &mut h);
    let t = Theme::defaults();
    assert_eq!(style_at(&h, "- BR2_aarch64").fg, t.style(Role::Removed).fg);
    assert_eq!(
        style_at(&h, "+ BR2_PACKAGE_ODROID").fg,
        t.style(Role::Added).fg
    );
    assert_eq!(
        style_in_row(&h, "~ BR2_LINUX_KERNEL_PATCH", 1).fg,
        t.style(Role::Changed).fg
    );
}

#[test]
fn stale_merge_results_are_dropped() {
    let (_d, mut h) = open("pi/4", 100, 30);
    h.key("3");
    let before = h.render();
    let old = h.app.shared.preview.generation - 1;
    h.send(Msg::Worker(WorkerEvent::Merged {
        generation: old,
        result: Err("an old merge that lost the race".into()),
    }));
    assert_eq!(h.render(), before);
}

#[test]
fn a_broken_fragment_shows_the_merge_error() {
    let d = ui_common::tree();
    std::fs::write(
        d.path().join("configs/pi/4/kernel/binary"),
        b"CONFIG_X=y\n\0\0",
    )
    .unwrap();
    let mut h = ui_common::harness::Harness::open(d.path(), "default", "pi/4", 100, 30).unwrap();
    h.key("3");
    let text = h.render();
    assert!(text.contains("The merge failed:"), "{text}");
    assert!(text.contains("configs/pi/4/kernel/binary"));
    snap("preview_merge_error", &mut h);
}

#[test]
fn empty_stack_has_nothing_to_preview() {
    let (_d, mut h) = open("", 80, 24);
    h.key("3");
    assert!(
        h.render()
            .contains("Nothing to preview: the stack is empty.")
    );
}

/// The kconfig fixture tree with its Kconfig tree as the tree's buildroot/.
fn kconfig_tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let fx = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/kconfig");
    ui_common::copy(&fx.join("tree"), dir.path());
    ui_common::copy(&fx.join("buildroot"), &dir.path().join("buildroot"));
    dir
}

#[test]
fn values_kconfig_drops_are_marked_when_a_buildroot_tree_is_present() {
    let dir = kconfig_tree();
    let mut h = ui_common::harness::Harness::open(
        dir.path(),
        "default",
        "test/board,test/app,test/core",
        100,
        30,
    )
    .unwrap();
    h.key("3");
    let text = h.render();
    assert!(text.contains("dropped by Kconfig"), "{text}");
    h.key("/");
    h.type_text("skiff_test_extras");
    h.key("enter");
    let text = h.render();
    assert!(text.contains("✗ BR2_PACKAGE_SKIFF_TEST_EXTRAS"), "{text}");
    assert!(
        text.contains("dropped by Kconfig: unmet dependency: BR2_PACKAGE_SYSTEMD"),
        "{text}"
    );
    let sel = Theme::defaults().style(Role::Selection);
    assert_eq!(style_at(&h, "✗ BR2_PACKAGE_SKIFF_TEST_EXTRAS").fg, sel.fg);

    snap("preview_kconfig_dropped", &mut h);
}

#[test]
fn search_says_which_match_of_how_many() {
    let (_d, mut h) = open("pi/4,core/fedora", 100, 30);
    h.key("3");
    h.key("/");
    h.type_text("br2_");
    h.key("enter");
    let text = h.render();
    let n = text
        .lines()
        .find_map(|l| {
            let at = l.find("1 of ")?;
            l[at + 5..].split_whitespace().next()?.parse::<usize>().ok()
        })
        .unwrap_or_else(|| panic!("no `1 of N`: {text}"));
    assert!(n > 2, "{text}");
    h.key("down");
    assert!(h.render().contains(&format!("2 of {n} ·")));
    snap("preview_search_count", &mut h);
    h.resize(80, 24);
    snap("preview_search_count_80x24", &mut h);
    h.key("/");
    h.type_text("zzzz");
    assert!(h.render().contains("no match"));
}

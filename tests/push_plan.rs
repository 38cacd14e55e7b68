//! What `skiff push` sends for the tree's real board layouts: the install mapping onto the
//! device's boot and root directories, boot configuration and persist data left alone.

use skiff::model::layout::Layout;
use skiff::push::plan::{DeviceDirs, select};
use std::path::Path;

fn layout(layer: &str) -> Layout {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("configs")
        .join(layer)
        .join("layout.yaml");
    Layout::load(&path).expect("layout")
}

fn images(files: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for f in files {
        let p = dir.path().join(f);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(&p, f.as_bytes()).expect("write");
    }
    dir
}

fn dests(layer: &str, files: &[&str]) -> (Vec<String>, Vec<String>) {
    let img = images(files);
    let sel = select(&layout(layer), img.path(), &DeviceDirs::default()).expect("select");
    (sel.files.into_iter().map(|f| f.dest).collect(), sel.notes)
}

#[test]
fn raspberry_pi_keeps_its_boot_configuration() {
    let (d, notes) = dests(
        "pi/common",
        &[
            "Image",
            "bcm2711-rpi-4-b.dtb",
            "rpi-firmware/start4.elf",
            "rpi-firmware/config.txt",
            "rpi-firmware/cmdline.txt",
            "rpi-firmware/overlays/vc4.dtbo",
            "rootfs.cpio.lz4",
            "rootfs_part/modules.squashfs",
            "persist_part/skiff/hostname",
            "skiff-release",
        ],
    );
    assert_eq!(
        d,
        [
            "/mnt/boot/Image",
            "/mnt/boot/bcm2711-rpi-4-b.dtb",
            "/mnt/boot/overlays/vc4.dtbo",
            "/mnt/boot/rootfs.cpio.lz4",
            "/mnt/boot/skiff-release",
            "/mnt/boot/start4.elf",
            "/mnt/rootfs/modules.squashfs",
        ]
    );
    assert!(notes.iter().any(|n| n.contains("config.txt")), "{notes:?}");
    assert!(
        notes.iter().any(|n| n.contains("persist:/skiff")),
        "{notes:?}"
    );
}

#[test]
fn single_partition_boards_map_persist_boot_and_rootfs() {
    let (d, _) = dests(
        "pine64/h64",
        &[
            "Image",
            "sun50i-h6-pine-h64.dtb",
            "skiff-release",
            "rootfs.squashfs",
            "skiff-init/skiff-init-squashfs",
            "rootfs_part/modules.squashfs",
        ],
    );
    assert_eq!(
        d,
        [
            "/mnt/boot/Image",
            // Since the H64 and PinePhone boot scripts load ${fdtfile}, the tree is in both places.
            "/mnt/boot/allwinner/sun50i-h6-pine-h64.dtb",
            "/mnt/boot/rootfs.squashfs",
            "/mnt/boot/skiff-init/skiff-init-squashfs",
            "/mnt/boot/skiff-release",
            "/mnt/boot/sun50i-h6-pine-h64.dtb",
            "/mnt/rootfs/modules.squashfs",
        ]
    );
}

#[test]
fn boards_without_install_rules_are_refused() {
    let img = images(&["rootfs.tar"]);
    let e = select(&layout("virt/docker"), img.path(), &DeviceDirs::default()).unwrap_err();
    assert_eq!(e.reason.code(), "no_build");
    assert!(e.message.contains("nothing to push"), "{}", e.message);
}

#[test]
fn a_missing_kernel_is_a_missing_build() {
    let img = images(&["rootfs_part/modules.squashfs"]);
    let e = select(&layout("odroid/c4"), img.path(), &DeviceDirs::default()).unwrap_err();
    assert_eq!(e.reason.code(), "no_build");
    assert!(e.message.contains("build the image first"), "{}", e.message);
}

//! Discovery and safety rules against a fake sysfs, /dev and mount table.

mod fake_system;

use fake_system::{FakeDisk, FakeSystem};
use skiff::flash::rules::judge;
use skiff::flash::system::{FixedProperties, NoProperties};
use skiff::flash::target::{Target, resolve};
use skiff::flash::verdict::Refusal;
use skiff::flash::{BlockDevice, Bus, FlashError, SystemView, discover};

const GIB: u64 = 1 << 30;
const MIB: u64 = 1 << 20;

/// A laptop: system SSD (EFI, root, swap), an NVMe disk under LVM holding /home and /var,
/// and several card readers in various states.
fn laptop(root: &std::path::Path) -> SystemView {
    let mut sys = FakeSystem::new(root);
    let mut ssd = FakeDisk::new("sda", 8, 0, 256 * GIB);
    ssd.model = Some("Samsung SSD 870".into());
    ssd.partitions = vec![512 * MIB, 200 * GIB, 8 * GIB];
    let mut nvme = FakeDisk::new("nvme0n1", 259, 0, 512 * GIB);
    nvme.attachment = "nvme";
    nvme.partitions = vec![511 * GIB];
    nvme.holders = vec![(1, "dm-0".into())];
    let mounted = {
        let mut d = FakeDisk::usb_card("sdb", 16, 32 * GIB, "1-1");
        d.partitions = vec![256 * MIB, 31 * GIB];
        d
    };
    let held = {
        let mut d = FakeDisk::usb_card("sdc", 32, 16 * GIB, "1-2");
        d.partitions = vec![16 * GIB - 2 * MIB];
        d.holders = vec![(1, "dm-1".into())];
        d
    };
    let locked = {
        let mut d = FakeDisk::usb_card("sdd", 48, 8 * GIB, "1-3.1");
        d.read_only = true;
        d
    };
    let clean = {
        let mut d = FakeDisk::usb_card("sde", 64, 64 * GIB, "1-3.2");
        d.partitions = vec![GIB, 63 * GIB - 2 * MIB];
        d
    };
    let swapfile_card = {
        let mut d = FakeDisk::usb_card("sdf", 80, 32 * GIB, "1-4");
        d.partitions = vec![32 * GIB - 2 * MIB];
        d
    };
    let empty_reader = FakeDisk::usb_card("sdg", 96, 0, "1-5");
    let sd = {
        let mut d = FakeDisk::new("mmcblk0", 179, 0, 16 * GIB);
        d.attachment = "mmc-sd";
        d.model = Some("SD16G".into());
        d.serial = Some("0x1234abcd".into());
        d
    };
    sys.disk(ssd)
        .disk(nvme)
        .disk(mounted)
        .disk(held)
        .disk(locked)
        .disk(clean)
        .disk(swapfile_card)
        .disk(empty_reader)
        .disk(sd)
        .disk(FakeDisk::mapper("dm-0", 0, 511 * GIB, &["nvme0n1p1"]))
        .disk(FakeDisk::mapper("dm-1", 1, 16 * GIB, &["sdc1"]))
        .pseudo_mount("/proc", "proc")
        .pseudo_mount("/sys", "sysfs")
        .mount(8, 2, "/", "/dev/sda2")
        .mount(8, 1, "/boot/efi", "/dev/sda1")
        .mount(254, 0, "/var", "/dev/mapper/vg-var")
        .mount(254, 0, "/home", "/dev/mapper/vg-home")
        .mount(8, 18, "/media/user/my card", "/dev/sdb2")
        .mount(8, 81, "/mnt/data", "/dev/sdf1")
        .swap("/dev/sda3")
        .swap("/mnt/data/swapfile");
    sys.write().expect("write fake system")
}

fn by_name<'a>(devices: &'a [BlockDevice], name: &str) -> &'a BlockDevice {
    devices
        .iter()
        .find(|d| d.name == name)
        .unwrap_or_else(|| panic!("{name} not discovered"))
}

#[test]
fn lists_whole_disks_only() {
    let dir = tempfile::tempdir().unwrap();
    let view = laptop(dir.path());
    let devices = discover(&view, &NoProperties).unwrap();
    let names: Vec<&str> = devices.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "mmcblk0", "nvme0n1", "sda", "sdb", "sdc", "sdd", "sde", "sdf", "sdg"
        ]
    );
}

#[test]
fn system_disk_is_refused_for_root_boot_and_swap() {
    let dir = tempfile::tempdir().unwrap();
    let devices = discover(&laptop(dir.path()), &NoProperties).unwrap();
    let sda = by_name(&devices, "sda");
    assert!(!sda.verdict.writable);
    let reasons = &sda.verdict.reasons;
    assert!(
        reasons.contains(&Refusal::HoldsSystem {
            mount_point: "/".into()
        }),
        "{reasons:?}"
    );
    assert!(reasons.contains(&Refusal::HoldsSystem {
        mount_point: "/boot/efi".into()
    }));
    assert!(reasons.contains(&Refusal::HoldsSwap {
        swap: "/dev/sda3".into()
    }));
    assert!(reasons.contains(&Refusal::NotRemovable));
    assert!(sda.partitions[2].swap);
    assert!(!sda.verdict.overridable());
}

#[test]
fn disk_under_lvm_holds_what_the_volume_holds() {
    let dir = tempfile::tempdir().unwrap();
    let devices = discover(&laptop(dir.path()), &NoProperties).unwrap();
    let nvme = by_name(&devices, "nvme0n1");
    assert_eq!(nvme.bus, Bus::Nvme);
    assert!(nvme.verdict.reasons.contains(&Refusal::HoldsSystem {
        mount_point: "/var".into()
    }));
    assert!(nvme.verdict.reasons.contains(&Refusal::HasHolders {
        partition: "nvme0n1p1".into(),
        holders: vec!["dm-0".into()]
    }));
    assert_eq!(nvme.partitions[0].mount_points, ["/var", "/home"]);
}

#[test]
fn mounted_card_is_refused_with_the_mount_point() {
    let dir = tempfile::tempdir().unwrap();
    let devices = discover(&laptop(dir.path()), &NoProperties).unwrap();
    let sdb = by_name(&devices, "sdb");
    assert!(sdb.removable);
    assert_eq!(
        sdb.verdict.reasons,
        [Refusal::Mounted {
            partition: "sdb2".into(),
            mount_point: "/media/user/my card".into()
        }]
    );
    assert!(
        sdb.verdict
            .describe()
            .contains("sdb2 is mounted on /media/user/my card")
    );
}

#[test]
fn card_with_holders_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let devices = discover(&laptop(dir.path()), &NoProperties).unwrap();
    assert_eq!(
        by_name(&devices, "sdc").verdict.reasons,
        [Refusal::HasHolders {
            partition: "sdc1".into(),
            holders: vec!["dm-1".into()]
        }]
    );
}

#[test]
fn read_only_card_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let devices = discover(&laptop(dir.path()), &NoProperties).unwrap();
    assert_eq!(
        by_name(&devices, "sdd").verdict.reasons,
        [Refusal::ReadOnly]
    );
}

#[test]
fn swap_file_on_a_card_refuses_the_card() {
    let dir = tempfile::tempdir().unwrap();
    let devices = discover(&laptop(dir.path()), &NoProperties).unwrap();
    let reasons = &by_name(&devices, "sdf").verdict.reasons;
    assert!(reasons.contains(&Refusal::HoldsSwap {
        swap: "/mnt/data/swapfile".into()
    }));
    assert!(reasons.contains(&Refusal::Mounted {
        partition: "sdf1".into(),
        mount_point: "/mnt/data".into()
    }));
}

#[test]
fn empty_reader_has_no_medium() {
    let dir = tempfile::tempdir().unwrap();
    let devices = discover(&laptop(dir.path()), &NoProperties).unwrap();
    assert_eq!(
        by_name(&devices, "sdg").verdict.reasons,
        [Refusal::NoMedium]
    );
}

#[test]
fn clean_cards_are_writable_and_described() {
    let dir = tempfile::tempdir().unwrap();
    let devices = discover(&laptop(dir.path()), &NoProperties).unwrap();
    let sde = by_name(&devices, "sde");
    assert!(sde.verdict.writable, "{:?}", sde.verdict);
    assert_eq!(sde.bus, Bus::Usb);
    assert_eq!(sde.size, 64 * GIB);
    assert_eq!(sde.model.as_deref(), Some("STORAGE DEVICE"));
    assert_eq!(sde.serial.as_deref(), Some("00000000064"));
    assert_eq!(sde.port_path.as_deref(), Some("0000:00:14.0-usb-1-3.2"));
    assert_eq!(sde.partitions.len(), 2);
    assert_eq!(sde.partitions[1].start, MIB + GIB);
    let sd = by_name(&devices, "mmcblk0");
    assert!(
        sd.verdict.writable,
        "an SD card in a native slot counts as removable"
    );
    assert_eq!(sd.bus, Bus::Mmc);
    assert_eq!(sd.model.as_deref(), Some("SD16G"));
    assert_eq!(sd.serial.as_deref(), Some("0x1234abcd"));
    assert_eq!(sd.port_path.as_deref(), Some("mmc0"));
}

#[test]
fn too_small_for_the_plan() {
    let dir = tempfile::tempdir().unwrap();
    let devices = discover(&laptop(dir.path()), &NoProperties).unwrap();
    let sd = by_name(&devices, "mmcblk0");
    let verdict = judge(sd, Some(32 * GIB));
    assert_eq!(
        verdict.reasons,
        [Refusal::TooSmall {
            size: 16 * GIB,
            needed: 32 * GIB
        }]
    );
    assert!(
        verdict
            .describe()
            .contains("too small: 16.0 GiB but 32.0 GiB needed")
    );
}

#[test]
fn udev_properties_override_sysfs_guesses() {
    let dir = tempfile::tempdir().unwrap();
    let view = laptop(dir.path());
    let mut props = FixedProperties::default();
    props.0.insert(
        "sde".into(),
        [
            ("ID_MODEL", "Card_Reader"),
            ("ID_SERIAL_SHORT", "XYZ123"),
            ("ID_PATH", "pci-0000:00:14.0-usb-0:3.2:1.0-scsi-0:0:0:0"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect(),
    );
    let devices = discover(&view, &props).unwrap();
    let sde = by_name(&devices, "sde");
    assert_eq!(sde.model.as_deref(), Some("Card Reader"));
    assert_eq!(sde.serial.as_deref(), Some("XYZ123"));
    assert_eq!(
        sde.port_path.as_deref(),
        Some("pci-0000:00:14.0-usb-0:3.2:1.0-scsi-0:0:0:0")
    );
}

#[test]
fn targets_resolve_to_disks_partitions_are_rejected_files_are_files() {
    let dir = tempfile::tempdir().unwrap();
    let view = laptop(dir.path());
    match resolve(&view, &NoProperties, &view.dev.join("sde")).unwrap() {
        Target::Device(d) => assert_eq!(d.name, "sde"),
        other => panic!("expected a device, got {other:?}"),
    }
    let err = resolve(&view, &NoProperties, &view.dev.join("sdb2")).unwrap_err();
    assert!(
        matches!(err, FlashError::NotWholeDisk { ref disk, .. } if disk == "sdb"),
        "{err}"
    );
    let err = resolve(&view, &NoProperties, &view.dev.join("sdz")).unwrap_err();
    assert!(matches!(err, FlashError::UnknownDevice { .. }), "{err}");

    let new_file = dir.path().join("card.img");
    match resolve(&view, &NoProperties, &new_file).unwrap() {
        Target::File(f) => assert_eq!(f.existing_size, None),
        other => panic!("expected a file, got {other:?}"),
    }
    std::fs::write(&new_file, [0u8; 4096]).unwrap();
    match resolve(&view, &NoProperties, &new_file).unwrap() {
        Target::File(f) => assert_eq!(f.existing_size, Some(4096)),
        other => panic!("expected a file, got {other:?}"),
    }
    let err = resolve(&view, &NoProperties, dir.path()).unwrap_err();
    assert!(matches!(
        err,
        FlashError::BadTargetKind {
            kind: "directory",
            ..
        }
    ));
    let err = resolve(&view, &NoProperties, &dir.path().join("missing/dir/x.img")).unwrap_err();
    assert!(err.to_string().contains("missing/dir"), "{err}");
}

#[test]
fn a_mistyped_device_never_becomes_a_file_in_dev() {
    let err = resolve(
        &SystemView::host(),
        &NoProperties,
        std::path::Path::new("/dev/skiff-no-such-disk"),
    )
    .unwrap_err();
    assert!(matches!(err, FlashError::UnknownDevice { .. }), "{err}");
    assert!(!std::path::Path::new("/dev/skiff-no-such-disk").exists());
    let err = resolve(
        &SystemView::host(),
        &NoProperties,
        std::path::Path::new("/dev/null"),
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            FlashError::BadTargetKind {
                kind: "character device",
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn missing_mount_table_is_an_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let view = laptop(dir.path());
    std::fs::remove_file(&view.mountinfo).unwrap();
    let err = discover(&view, &NoProperties).unwrap_err();
    assert!(err.to_string().contains("mountinfo"), "{err}");
}

#[test]
fn host_discovery_does_not_fail() {
    // The real machine: whatever it has, discovery must succeed and never call the root disk writable.
    let devices = discover(&SystemView::host(), &skiff::flash::system::UdevProperties).unwrap();
    for d in devices {
        if !d.system_mounts.is_empty() {
            assert!(!d.verdict.writable, "{} holds the system", d.name);
        }
    }
}

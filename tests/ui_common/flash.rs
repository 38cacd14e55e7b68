//! The flash screen's fixture: the fixture tree with a small card layout, a fake machine
//! (a fake sysfs, /dev and mount table: never a real disk) and key helpers.

use super::fake_system::{FakeDisk, FakeSystem};
use super::harness::Harness;
use ratatui::crossterm::event::KeyEvent;
use skiff::flash::SystemView;
use skiff::ui::flash::jobs::{FlashCmd, FlashJobs, FlashReport, FlashRequest};
use skiff::ui::{Cmd, Msg, ScreenId, WorkerEvent};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

pub const MIB: u64 = 1 << 20;

/// A small card layout for pi/common: FAT boot, ext4 rootfs, ext4 persist, 64 MiB image.
pub const LAYOUT: &str = r#"about: Test card - FAT boot, ext4 rootfs, ext4 persist
table: mbr
image_size: 64MiB
partitions:
  - name: boot
    type: fat16
    fs: vfat
    label: BOOT
    start: 1MiB
    size: 16MiB
    flags: [bootable]
  - name: rootfs
    type: linux
    fs: ext4
    label: rootfs
    size: 24MiB
  - name: persist
    type: linux
    fs: ext4
    label: persist
    size: rest
    min: 8MiB
install:
  persist: persist
  copy:
    - { from: [zImage], to: "boot:/" }
"#;

/// A machine: the system disk, a clean USB card, a mounted card, an internal spare disk,
/// a read-only SD card.
pub fn machine(root: &Path) -> SystemView {
    let mut sys = FakeSystem::new(root);
    let mut system = FakeDisk::new("nvme0n1", 259, 0, 64 * 1024 * MIB);
    system.attachment = "nvme";
    system.partitions = vec![32 * MIB];
    system.model = Some("SYSTEM SSD".into());
    let mut mounted = FakeDisk::usb_card("sdc", 32, 128 * MIB, "1-2");
    mounted.partitions = vec![64 * MIB];
    let mut spare = FakeDisk::new("sdd", 8, 48, 128 * MIB);
    spare.model = Some("SPARE DISK".into());
    let mut locked = FakeDisk::new("mmcblk0", 179, 0, 64 * MIB);
    locked.attachment = "mmc-sd";
    locked.removable = true;
    locked.read_only = true;
    locked.model = Some("SD64M".into());
    sys.disk(system)
        .disk(FakeDisk::usb_card("sdb", 16, 64 * MIB, "1-1"))
        .disk(mounted)
        .disk(spare)
        .disk(locked)
        .mount(259, 1, "/", "/dev/nvme0n1p1")
        .mount(8, 33, "/media/card", "/dev/sdc1");
    sys.write().unwrap()
}

pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub view: SystemView,
    pub h: Harness,
}

/// The app on a copy of the fixture tree with the test layout in pi/common, the fake
/// machine inside the tree, on the flash screen.
pub fn open(stack: &str, width: u16, height: u16) -> Fixture {
    open_with(stack, width, height, LAYOUT)
}

/// As [`open`], with `layout` as pi/common's layout.yaml.
pub fn open_with(stack: &str, width: u16, height: u16, layout: &str) -> Fixture {
    let dir = super::tree();
    std::fs::write(dir.path().join("configs/pi/common/layout.yaml"), layout).unwrap();
    std::fs::write(
        dir.path().join("configs/virt/wsl/layout.yaml"),
        "kind: image\nabout: WSL root file system tarball\nproduces:\n  - { file: rootfs.tar, about: the root file system }\nflash_with: wsl --import skiff DIR rootfs.tar\n",
    )
    .unwrap();
    let view = machine(&dir.path().join("machine"));
    let mut h = Harness::open(dir.path(), "default", stack, width, height).unwrap();
    let mut jobs = FlashJobs::new(view.clone());
    // Shown in confirmations; tests that write devices bring their own helper and escalation,
    // the others could never start one.
    jobs.escalation = Some(vec!["/usr/bin/sudo".into(), "-n".into()]);
    jobs.helper_program = Some(dir.path().join("no-helper-here"));
    h.effects.flash = Arc::new(jobs);
    h.key("6");
    assert_eq!(h.app.active(), ScreenId::Flash);
    Fixture { dir, view, h }
}

pub fn rows(h: &Harness) -> Vec<String> {
    h.app
        .shared
        .flash
        .device_list()
        .iter()
        .map(|d| d.name.clone())
        .collect()
}

/// Move the cursor to the target row named `name`.
pub fn select(h: &mut Harness, name: &str) {
    h.key("g");
    let i = rows(h).iter().position(|n| n == name).unwrap();
    for _ in 0..i {
        h.key("down");
    }
}

pub fn starts(cmds: &[Cmd]) -> Vec<&FlashRequest> {
    cmds.iter()
        .filter_map(|c| match c {
            Cmd::Flash(FlashCmd::Start(r)) => Some(r.as_ref()),
            _ => None,
        })
        .collect()
}

/// Press a key without running the effects it asks for.
pub fn press(h: &mut Harness, name: &str) -> Vec<Cmd> {
    let k = skiff::ui::keys::KeySpec::parse(name).unwrap();
    h.app.update(Msg::Key(KeyEvent::new(k.code, k.mods)))
}

pub fn status(h: &Harness) -> String {
    h.app
        .shared
        .status
        .as_ref()
        .map(|s| s.text.clone())
        .unwrap_or_default()
}

/// A card image of `len` bytes with one partition in its MBR, so content recognition takes it
/// for one.
pub fn card_image(path: &Path, len: u64) {
    let mut bytes = vec![7u8; len as usize];
    bytes[446..512].fill(0);
    bytes[446 + 4] = 0x83; // one partition: type, start, length
    bytes[446 + 8] = 8;
    bytes[446 + 12] = 8;
    bytes[510..512].copy_from_slice(&[0x55, 0xaa]);
    std::fs::write(path, bytes).unwrap();
}

/// Feed the job's messages to the app until the write with `id` has ended.
pub fn run_to_end(h: &mut Harness, rx: &crossbeam_channel::Receiver<Msg>, id: u64) {
    loop {
        let msg = rx
            .recv_timeout(Duration::from_secs(120))
            .expect("events of the write");
        let last = matches!(&msg, Msg::Worker(WorkerEvent::Flash(r))
            if matches!(r.as_ref(), FlashReport::Finished { id: i, .. } if *i == id));
        h.send(msg);
        if last {
            return;
        }
    }
}

//! The flashing commands end to end: the real binary, a fake sysfs for devices (written by the
//! helper subprocess through a stand-in escalation command), image files, signals.

mod fake_system;

mod flash_support;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use fake_system::{FakeDisk, FakeSystem};
use flash_support::*;
use skiff::flash::{FlashEvent, SystemView};

fn events(stdout: &str) -> Vec<FlashEvent> {
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect()
}

/// A fake machine: a system disk, a clean USB card, a mounted card, an internal spare disk.
/// Returns the fake root and a stand-in escalation command that only runs its arguments.
fn machine(dir: &Path) -> (PathBuf, SystemView, PathBuf) {
    let root = dir.join("root");
    let mut sys = FakeSystem::new(&root);
    let mut system = FakeDisk::new("sda", 8, 0, 64 * MIB);
    system.partitions = vec![32 * MIB];
    let mut mounted = FakeDisk::usb_card("sdc", 32, 64 * MIB, "1-2");
    mounted.partitions = vec![16 * MIB];
    sys.disk(system)
        .disk(FakeDisk::usb_card("sdb", 16, 64 * MIB, "1-1"))
        .disk(mounted)
        .disk(FakeDisk::new("sdd", 8, 48, 64 * MIB))
        .mount(8, 1, "/", "/dev/sda1")
        .mount(8, 33, "/media/card", "/dev/sdc1");
    let view = sys.write().unwrap();
    let escalate = escalation_for(dir, &root);
    (root, view, escalate)
}

#[test]
fn devices_lists_verdicts_as_text_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let (root, _, _) = machine(dir.path());
    let (code, text, _) = output(skiff().arg("devices").env("SKIFF_SYSROOT", &root));
    assert_eq!(code, 0);
    insta::assert_snapshot!("devices_text", text);
    let (code, json, _) = output(
        skiff()
            .args(["devices", "--json"])
            .env("SKIFF_SYSROOT", &root),
    );
    assert_eq!(code, 0);
    let list: serde_json::Value = serde_json::from_str(&json).unwrap();
    let sdc = list
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == "sdc")
        .unwrap();
    assert_eq!(sdc["verdict"]["writable"], false);
    assert_eq!(sdc["verdict"]["reasons"][0]["reason"], "mounted");
    assert_eq!(sdc["verdict"]["reasons"][0]["mount_point"], "/media/card");
}

#[test]
fn flash_to_a_file_streams_json_events() {
    let dir = tempfile::tempdir().unwrap();
    let img = dir.path().join("os.img");
    std::fs::write(&img, card_image(3 * MIB as usize, 9)).unwrap();
    let out = dir.path().join("copy.img");
    let (code, stdout, stderr) = output(
        skiff()
            .arg("flash")
            .arg(&img)
            .arg("--to")
            .arg(&out)
            .arg("--json"),
    );
    assert_eq!(code, 0, "{stderr}");
    let evs = events(&stdout);
    assert!(matches!(evs.first(), Some(FlashEvent::Started { .. })));
    assert!(matches!(evs.last(), Some(FlashEvent::Done { verified, .. }) if *verified == 3 * MIB));
    assert_eq!(std::fs::read(&out).unwrap(), std::fs::read(&img).unwrap());
}

#[test]
fn flash_to_a_device_goes_through_the_helper() {
    let dir = tempfile::tempdir().unwrap();
    let (root, view, escalate) = machine(dir.path());
    let img = dir.path().join("os.img");
    let data = card_image(5 * MIB as usize, 3);
    std::fs::write(&img, &data).unwrap();
    let gz = dir.path().join("os.img.gz");
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut enc, &data).unwrap();
    std::fs::write(&gz, enc.finish().unwrap()).unwrap();
    let (code, _, stderr) = output(
        skiff()
            .arg("flash")
            .arg(&gz)
            .arg("--to")
            .arg(view.dev.join("sdb"))
            .arg("--yes")
            .env("SKIFF_SYSROOT", &root)
            .env("SKIFF_ESCALATION", &escalate),
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("asking run-as-root"), "{stderr}");
    assert!(stderr.contains("done:"), "{stderr}");
    assert_eq!(read_range(&view.dev.join("sdb"), 0, data.len()), data);
}

#[test]
fn refused_devices_are_not_written() {
    let dir = tempfile::tempdir().unwrap();
    let (root, view, escalate) = machine(dir.path());
    let img = dir.path().join("os.img");
    std::fs::write(&img, card_image(2 * MIB as usize, 4)).unwrap();
    let flash = |target: &str, extra: &[&str]| {
        output(
            skiff()
                .arg("flash")
                .arg(&img)
                .arg("--to")
                .arg(view.dev.join(target))
                .args(extra)
                .env("SKIFF_SYSROOT", &root)
                .env("SKIFF_ESCALATION", &escalate),
        )
    };
    let untouched = |name: &str| {
        read_range(&view.dev.join(name), 0, MIB as usize)
            .iter()
            .all(|b| *b == 0)
    };

    let (code, _, stderr) = flash("sda", &["--yes", "--force-unsafe", "--confirm", "sda"]);
    assert_eq!(code, 3, "{stderr}");
    assert!(stderr.contains("holds the system mount /"), "{stderr}");
    let (code, _, stderr) = flash("sdc", &["--yes"]);
    assert_eq!(code, 3);
    assert!(
        stderr.contains("sdc1 is mounted on /media/card"),
        "{stderr}"
    );
    let (code, _, stderr) = flash("sdc1", &["--yes"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("name the whole disk"), "{stderr}");
    let (code, _, stderr) = flash("sdd", &["--yes"]);
    assert_eq!(code, 3);
    assert!(stderr.contains("not a removable disk"), "{stderr}");
    let (code, _, stderr) = flash("sdd", &["--yes", "--force-unsafe", "--confirm", "sdb"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("nothing was written"), "{stderr}");
    let (code, _, stderr) = flash("sdd", &["--yes", "--force-unsafe"]);
    assert_eq!(code, 1, "a refused disk needs the typed name: {stderr}");
    let (code, _, stderr) = flash("sdb", &[]);
    assert_eq!(code, 1, "without --yes and without a terminal: {stderr}");
    assert!(stderr.contains("pass --yes"), "{stderr}");
    for name in ["sda", "sdc", "sdd", "sdb"] {
        assert!(untouched(name), "{name} was written");
    }
    let (code, _, stderr) = flash("sdd", &["--force-unsafe", "--confirm", "sdd"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("writing despite"), "{stderr}");
    assert!(!untouched("sdd"));
}

/// Starts a flash, waits for the write phase, sends SIGINT to skiff, and returns its result.
fn interrupt(cmd: &mut Command) -> (i32, String) {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        if line.contains("\"phase\":\"write\"") {
            let pid = rustix::process::Pid::from_raw(child.id() as i32).unwrap();
            rustix::process::kill_process(pid, rustix::process::Signal::INT).unwrap();
            break;
        }
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn big_image(dir: &Path) -> PathBuf {
    let img = dir.join("big.img");
    let block = card_image(MIB as usize, 11);
    let mut f = std::fs::File::create(&img).unwrap();
    for _ in 0..48 {
        std::io::Write::write_all(&mut f, &block).unwrap();
    }
    img
}

#[test]
fn ctrl_c_stops_a_file_write_and_a_device_write() {
    let dir = tempfile::tempdir().unwrap();
    let (root, view, escalate) = machine(dir.path());
    let img = big_image(dir.path());
    let out = dir.path().join("out.img");
    std::fs::write(&out, b"the previous image").unwrap();
    let (code, stderr) = interrupt(
        skiff()
            .arg("flash")
            .arg(&img)
            .arg("--to")
            .arg(&out)
            .arg("--json"),
    );
    assert_eq!(code, 130);
    assert!(
        stderr.contains("was not replaced (a file there before is unchanged)"),
        "{stderr}"
    );
    assert_eq!(std::fs::read(&out).unwrap(), b"the previous image");
    assert!(
        !std::fs::read_dir(dir.path()).unwrap().any(|e| e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .contains("partial")),
        "partial file removed"
    );
    let (code, _) = interrupt(
        skiff()
            .arg("flash")
            .arg(&img)
            .arg("--to")
            .arg(view.dev.join("sdb"))
            .args(["--json", "--yes"])
            .env("SKIFF_SYSROOT", &root)
            .env("SKIFF_ESCALATION", &escalate),
    );
    assert_eq!(code, 130);
    assert!(
        read_range(&view.dev.join("sdb"), 0, 4096)
            .iter()
            .all(|b| *b == 0),
        "no table written"
    );
}

fn board_images(dir: &Path) -> PathBuf {
    let layouts: Vec<_> = tree_layouts().into_iter().map(|(_, l)| l).collect();
    fake_images(dir, &layouts)
}

/// `skiff image build` of an 800 MiB pcDuino 3 card image from fake build output in `dir`.
fn build_pcduino(dir: &Path, out: &Path, extra: &[&str]) -> (i32, String, String) {
    let images = board_images(dir);
    output(
        skiff()
            .args(["image", "build", "--size", "800MiB", "--arch", "arm"])
            .args(extra)
            .arg("--images")
            .arg(&images)
            .arg("--out")
            .arg(out)
            .arg("pcduino/3"),
    )
}

#[test]
fn image_build_compressed_with_bmap_then_flash_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bpi.img.zst");
    let (code, _, stderr) = build_pcduino(dir.path(), &out, &[]);
    assert_eq!(code, 0, "{stderr}");
    let bmap = dir.path().join("bpi.img.bmap");
    assert!(out.is_file() && bmap.is_file(), "{stderr}");
    assert!(
        !dir.path().join("bpi.img").exists(),
        "only the compressed image is kept"
    );
    let map = skiff::flash::bmap::Bmap::load(&bmap).unwrap();
    assert_eq!(map.image_size, 800 * MIB);
    assert!(map.mapped_bytes() < 200 * MIB);

    let card = dir.path().join("card.img");
    let (code, stdout, stderr) = output(
        skiff()
            .arg("flash")
            .arg(&out)
            .arg("--to")
            .arg(&card)
            .arg("--json"),
    );
    assert_eq!(code, 0, "{stderr}");
    let written = events(&stdout)
        .into_iter()
        .find_map(|e| match e {
            FlashEvent::Done { written, .. } => Some(written),
            _ => None,
        })
        .unwrap();
    assert!(
        written <= map.mapped_bytes() + 4 * MIB,
        "only mapped ranges: {written}"
    );
    let (label, parts) = sfdisk(&card);
    assert_eq!((label.as_str(), parts.len()), ("dos", 3));
    for part in &parts[1..] {
        let (code, _, err) = run(
            "e2fsck",
            &[
                "-fn",
                &format!("{}?offset={}", card.display(), part.0 * 512),
            ],
        );
        assert_eq!(code, 0, "{err}");
    }
}

#[test]
fn format_install_and_dry_run_on_an_image_file() {
    let dir = tempfile::tempdir().unwrap();
    let images = board_images(dir.path());
    let card = dir.path().join("card.img");
    let board = |verb: &str, extra: &[&str]| pcduino(verb, &card, &images, extra);
    let (code, _, stderr) = board("install", &[]);
    assert_eq!(code, 1, "install needs a formatted card: {stderr}");
    let (code, stdout, stderr) = board("format", &["--size", "800MiB", "--dry-run", "--json"]);
    assert_eq!(code, 0, "{stderr}");
    let preview: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(preview["partitions"][2]["name"], "persist");
    assert_eq!(preview["partitions"][2]["action"], "formatted empty");
    assert!(!card.exists(), "a dry run writes nothing");
    let (code, _, stderr) = board("format", &["--size", "800MiB"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(std::fs::metadata(&card).unwrap().len(), 800 * MIB);
    let (code, stdout, stderr) = board("install", &["--dry-run", "--json"]);
    assert_eq!(code, 0, "{stderr}");
    let preview: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(preview["partitions"][1]["action"], "built with files");
    assert_eq!(preview["partitions"][2]["action"], "kept, files added");
    let (code, _, stderr) = board("install", &[]);
    assert_eq!(code, 0, "{stderr}");
    let (_, parts) = sfdisk(&card);
    let rootfs = format!("{}?offset={}", card.display(), parts[1].0 * 512);
    let (code, out, _) = run("debugfs", &["-R", "cat /etc/os-release", &rootfs]);
    assert_eq!((code, out.as_str()), (0, "NAME=skiff-test\n"));
    let persist = format!("{}?offset={}", card.display(), parts[2].0 * 512);
    let (code, out, _) = run("debugfs", &["-R", "cat /skiff/hostname", &persist]);
    assert_eq!((code, out.as_str()), (0, "testhost\n"));
    let (code, out, _) = run(
        "mdir",
        &[
            "-b",
            "-i",
            &format!("{}@@{}", card.display(), parts[0].0 * 512),
            "::/",
        ],
    );
    assert_eq!(code, 0);
    assert!(out.contains("boot.scr") && out.contains("zImage"), "{out}");
}

#[test]
fn missing_build_output_is_a_user_error() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, stderr) = output(
        skiff()
            .args([
                "image", "build", "--size", "800MiB", "--arch", "arm", "--images",
            ])
            .arg(dir.path().join("nothing"))
            .arg("--out")
            .arg(dir.path().join("x.img"))
            .arg("pcduino/3"),
    );
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("nothing matches") || stderr.contains("u-boot-sunxi-with-spl.bin"),
        "{stderr}"
    );
}

#[test]
fn format_and_install_a_device_through_the_helper() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root");
    let mut sys = FakeSystem::new(&root);
    sys.disk(FakeDisk::usb_card("sdb", 16, 1 << 30, "1-1"));
    let view = sys.write().unwrap();
    let escalate = escalation_for(dir.path(), &root);
    let images = board_images(dir.path());
    let card = view.dev.join("sdb");
    let board = |verb: &str| {
        output(
            skiff()
                .arg(verb)
                .arg(&card)
                .arg("pcduino/3")
                .args(["--yes", "--arch", "arm", "--images"])
                .arg(&images)
                .env("SKIFF_SYSROOT", &root)
                .env("SKIFF_ESCALATION", &escalate),
        )
    };
    let (code, _, stderr) = board("format");
    assert_eq!(code, 0, "{stderr}");
    let (code, _, stderr) = board("install");
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("kept partition persist"), "{stderr}");
    let (label, parts) = sfdisk(&card);
    assert_eq!((label.as_str(), parts.len()), ("dos", 3));
    assert_eq!(
        parts[2].0 * 512 + parts[2].1 * 512,
        1 << 30,
        "persist runs to the end of the card"
    );
    for part in &parts[1..] {
        let (code, _, err) = run(
            "e2fsck",
            &[
                "-fn",
                &format!("{}?offset={}", card.display(), part.0 * 512),
            ],
        );
        assert_eq!(code, 0, "{err}");
    }
    let persist = format!("{}?offset={}", card.display(), parts[2].0 * 512);
    let (code, out, _) = run("debugfs", &["-R", "cat /skiff/hostname", &persist]);
    assert_eq!((code, out.as_str()), (0, "testhost\n"));
}

/// The privileged helper checks the host whatever the environment says: a leftover
/// SKIFF_SYSROOT cannot make it judge a fake machine while it writes a real node.
#[test]
fn the_helper_never_reads_a_fake_system_from_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let (root, view, _) = machine(dir.path());
    let img = dir.path().join("os.img");
    std::fs::write(&img, card_image(MIB as usize, 5)).unwrap();
    let sdb = view.dev.join("sdb");
    let plan = serde_json::json!({
        "version": 1,
        "target": {"path": sdb, "device": true},
        "source": {"kind": "image", "path": img},
    });
    let mut child = skiff()
        .arg("__flash-helper")
        .env("SKIFF_SYSROOT", &root)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(
        child.stdin.as_mut().unwrap(),
        format!("{plan}\n").as_bytes(),
    )
    .unwrap();
    let out = child.wait_with_output().unwrap();
    let evs = events(&String::from_utf8_lossy(&out.stdout));
    assert!(
        matches!(evs.last(), Some(FlashEvent::Failed { message, .. }) if message.contains("not a block device")),
        "{evs:?}"
    );
    assert_ne!(out.status.code(), Some(0));
    assert!(read_range(&sdb, 0, 4096).iter().all(|b| *b == 0));
}

/// With --json a failure is a typed event on stdout, even before the write starts.
#[test]
fn json_failures_are_typed_events() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = output(
        skiff()
            .arg("flash")
            .arg(dir.path().join("missing.img"))
            .arg("--to")
            .arg(dir.path().join("out.img"))
            .arg("--json"),
    );
    assert_eq!(code, 1, "{stderr}");
    let evs = events(&stdout);
    assert!(
        matches!(evs.last(), Some(FlashEvent::Failed { reason, phase, exit_code: 1, .. })
            if reason.code() == "source_unreadable" && *phase == skiff::flash::Phase::Prepare),
        "{stdout}"
    );
    // A card command without a stack ends its stream the same way.
    let out = dir.path().join("card.img");
    let (code, stdout, stderr) = output(
        skiff()
            .arg("format")
            .arg(&out)
            .arg("--json")
            .env("SKIFF_ROOT", dir.path()),
    );
    assert_eq!(code, 1, "{stderr}");
    let last: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    assert_eq!(last["event"], "failed");
    assert_eq!(last["reason"], "stack");
    assert_eq!(last["target"], out.display().to_string());
    assert!(!out.exists());
}

/// The fake machine with `/dev/disk/by-id/NAME` links to its disks, and a card image to
/// flash (1 MiB, from `seed`).
struct Linked {
    root: PathBuf,
    view: SystemView,
    escalate: PathBuf,
    by_id: PathBuf,
    img: PathBuf,
    data: Vec<u8>,
}

impl Linked {
    fn new(dir: &Path, links: &[(&str, &str)], seed: u64) -> Linked {
        let (root, view, escalate) = machine(dir);
        let by_id = view.dev.join("disk/by-id");
        std::fs::create_dir_all(&by_id).unwrap();
        for (name, disk) in links {
            std::os::unix::fs::symlink(format!("../../{disk}"), by_id.join(name)).unwrap();
        }
        let img = dir.join("os.img");
        let data = card_image(MIB as usize, seed);
        std::fs::write(&img, &data).unwrap();
        Linked {
            root,
            view,
            escalate,
            by_id,
            img,
            data,
        }
    }

    /// `skiff flash IMG --to TARGET --yes --json EXTRA...` on the fake machine.
    fn flash(&self, target: &Path, extra: &[&str]) -> (i32, String, String) {
        output(
            skiff()
                .arg("flash")
                .arg(&self.img)
                .arg("--to")
                .arg(target)
                .args(["--yes", "--json"])
                .args(extra)
                .env("SKIFF_SYSROOT", &self.root)
                .env("SKIFF_ESCALATION", &self.escalate),
        )
    }
}

/// `--confirm` takes the name, the /dev path or a by-id link of the refused disk; the refusal
/// names the flags only when they can lift it.
#[test]
fn confirm_takes_a_name_a_dev_path_or_a_by_id_link() {
    let dir = tempfile::tempdir().unwrap();
    let m = Linked::new(dir.path(), &[("ata-SPARE_DISK", "sdd")], 12);
    let (view, data) = (&m.view, m.data.as_slice());
    let flash = |disk: &str, extra: &[&str]| m.flash(&view.dev.join(disk), extra);
    let (code, stdout, stderr) = flash("sdd", &[]);
    assert_eq!(code, 3);
    assert!(
        stderr.contains("to write anyway, pass --force-unsafe --confirm sdd"),
        "{stderr}"
    );
    let last = events(&stdout).pop().unwrap();
    assert!(matches!(last, FlashEvent::Failed { reason, .. } if reason.code() == "refused"));
    let (code, _, stderr) = flash("sda", &[]);
    assert_eq!(code, 3);
    assert!(stderr.contains("no flag overrides this"), "{stderr}");
    assert!(!stderr.contains("--force-unsafe"), "{stderr}");
    let (code, _, stderr) = flash("sdc", &[]);
    assert_eq!(code, 3);
    assert!(
        stderr.contains("(unmount it first); no flag overrides this"),
        "{stderr}"
    );
    for typed in ["sdd", "/dev/sdd", "/dev/disk/by-id/ata-SPARE_DISK"] {
        std::fs::write(view.dev.join("sdd"), vec![0u8; 64 * MIB as usize]).unwrap();
        let (code, stdout, stderr) = flash("sdd", &["--force-unsafe", "--confirm", typed]);
        assert_eq!(code, 0, "{typed}: {stderr}");
        assert!(stdout.lines().last().unwrap().contains("\"done\""));
        assert_eq!(read_range(&view.dev.join("sdd"), 0, data.len()), data);
    }
    let (code, stdout, _) = flash("sdd", &["--force-unsafe", "--confirm", "/dev/sdb"]);
    assert_eq!(code, 1);
    let last = events(&stdout).pop().unwrap();
    assert!(matches!(last, FlashEvent::Failed { reason, .. } if reason.code() == "not_confirmed"));
}

/// A target that is a link is the disk or file it points to, with every rule of that; the
/// link itself stays a link.
#[test]
fn a_link_target_is_resolved_and_never_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let m = Linked::new(
        dir.path(),
        &[("usb-CARD_1", "sdb"), ("usb-CARD_2", "sdc")],
        13,
    );
    let (view, by_id, data) = (&m.view, &m.by_id, m.data.as_slice());
    let flash = |target: &Path| m.flash(target, &[]);
    let is_link = |p: &Path| {
        std::fs::symlink_metadata(p)
            .unwrap()
            .file_type()
            .is_symlink()
    };
    let (code, stdout, stderr) = flash(&by_id.join("usb-CARD_2"));
    assert_eq!(
        code, 3,
        "the mounted card behind the link is refused: {stderr}"
    );
    assert!(stderr.contains("sdc1 is mounted"), "{stderr}");
    assert!(stdout.lines().last().unwrap().contains("\"failed\""));
    let (code, _, stderr) = flash(&by_id.join("usb-CARD_1"));
    assert_eq!(code, 0, "{stderr}");
    assert!(is_link(&by_id.join("usb-CARD_1")));
    assert_eq!(read_range(&view.dev.join("sdb"), 0, data.len()), data);
    // An image file behind a link: the file is replaced, the link kept.
    let real = dir.path().join("real.img");
    std::fs::write(&real, b"old").unwrap();
    let link = dir.path().join("link.img");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let (code, stdout, stderr) = flash(&link);
    assert_eq!(code, 0, "{stderr}");
    assert!(is_link(&link));
    assert_eq!(std::fs::read(&real).unwrap(), data);
    let done: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    assert_eq!(done["target"], link.display().to_string());
}

/// The block map of a built image maps the ext4 journal (zeros the file keeps as holes), so a
/// used card gets it: flashed onto a card full of random bytes, every ext4 partition checks
/// clean and its journal equals the image's.
#[test]
fn a_built_image_and_its_bmap_overwrite_the_journal_of_a_used_card() {
    let dir = tempfile::tempdir().unwrap();
    let img = dir.path().join("card.img");
    let (code, _, stderr) = build_pcduino(dir.path(), &img, &["--bmap"]);
    assert_eq!(code, 0, "{stderr}");
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(dir.path().join("card.img.bmap"))
            .unwrap()
            .permissions(),
    );
    assert_eq!(
        mode & 0o044,
        0o044,
        "the block map is readable by others: {mode:o}"
    );
    let root = dir.path().join("root");
    let mut sys = FakeSystem::new(&root);
    sys.disk(FakeDisk::usb_card("sdb", 16, 800 * MIB, "1-1"));
    let view = sys.write().unwrap();
    let escalate = escalation_for(dir.path(), &root);
    let sdb = view.dev.join("sdb");
    let block = noise(MIB as usize, 77);
    let mut f = std::fs::OpenOptions::new().write(true).open(&sdb).unwrap();
    for _ in 0..800 {
        std::io::Write::write_all(&mut f, &block).unwrap();
    }
    drop(f);
    let (code, _, stderr) = output(
        skiff()
            .arg("flash")
            .arg(&img)
            .arg("--to")
            .arg(&sdb)
            .arg("--yes")
            .env("SKIFF_SYSROOT", &root)
            .env("SKIFF_ESCALATION", &escalate),
    );
    assert_eq!(code, 0, "{stderr}");
    let (_, parts) = sfdisk(&img);
    let mut checked = 0;
    for part in &parts {
        let at = |p: &Path| format!("{}?offset={}", p.display(), part.0 * 512);
        let (code, blocks, _) = run("debugfs", &["-R", "blocks <8>", &at(&img)]);
        let blocks: Vec<u64> = blocks
            .split_whitespace()
            .filter_map(|b| b.parse().ok())
            .collect();
        if code != 0 || blocks.is_empty() {
            continue; // not ext4
        }
        let (code, _, err) = run("e2fsck", &["-fn", &at(&sdb)]);
        assert_eq!(code, 0, "partition at sector {}: {err}", part.0);
        for b in &blocks {
            let offset = part.0 * 512 + b * 4096;
            assert_eq!(
                read_range(&sdb, offset, 4096),
                read_range(&img, offset, 4096),
                "journal block {b} of the partition at sector {}",
                part.0
            );
        }
        checked += 1;
    }
    assert!(checked >= 1, "no ext4 partition with a journal");
}

//! `skiff batch` end to end: the real binary, image-file targets, and fake devices of a fake
//! machine (`SKIFF_SYSROOT`) written by the test-only helper; cards inserted while the batch
//! watches by giving an empty reader's fake disk a size (sysfs polling sees it appear).

mod fake_system;
mod flash_support;

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};

use fake_system::{FakeDisk, FakeSystem};
use flash_support::*;
use serde_json::Value;
use skiff::flash::batch::report::parse_report;

/// 6 MiB: a DOS partition table, data, 2 MiB of zeros, data.
fn image() -> Vec<u8> {
    let mut img = card_image(6 * MIB as usize, 5);
    img[MIB as usize..3 * MIB as usize].fill(0);
    img
}

fn xz_file(dir: &Path, data: &[u8]) -> PathBuf {
    let path = dir.join("os.img.xz");
    let mut e = liblzma::write::XzEncoder::new(Vec::new(), 1);
    e.write_all(data).unwrap();
    std::fs::write(&path, e.finish().unwrap()).unwrap();
    path
}

fn of<'a>(events: &'a [Value], kind: &str) -> Vec<&'a Value> {
    events.iter().filter(|e| e["event"] == kind).collect()
}

#[test]
fn to_targets_are_written_at_once_reported_and_resumed() {
    let dir = tempfile::tempdir().unwrap();
    let img = image();
    let src = xz_file(dir.path(), &img);
    let root = dir.path().join("root");
    let mut sys = FakeSystem::new(&root);
    sys.disk(FakeDisk::usb_card("sdb", 16, 16 * MIB, "1-1.1"))
        .disk(FakeDisk::usb_card("sdg", 96, 16 * MIB, "1-1.2"));
    let view = sys.write().unwrap();
    // sdg's device node is gone: its card fails when the helper opens it, alone.
    std::fs::remove_file(view.dev.join("sdg")).unwrap();
    let escalate = escalation_for(dir.path(), &root);
    let (a, report, log) = (
        dir.path().join("a.img"),
        dir.path().join("r.csv"),
        dir.path().join("l.jsonl"),
    );
    let (code, stdout, stderr) = output(
        skiff()
            .arg("batch")
            .arg(&src)
            .arg("--to")
            .arg(&a)
            .arg("--to")
            .arg(view.dev.join("sdb"))
            .arg("--to")
            .arg(view.dev.join("sdg"))
            .args(["--json", "--yes", "--report"])
            .arg(&report)
            .arg("--log")
            .arg(&log)
            .env("SKIFF_SYSROOT", &root)
            .env("SKIFF_ESCALATION", &escalate),
    );
    assert_eq!(code, 1, "one card failed: {stderr}");
    let events = json_lines(&stdout);
    assert!(
        events
            .iter()
            .all(|e| e["event"] == "decoded" || e["event"] == "summary" || e["target"].is_string())
    );
    let cards = of(&events, "card");
    assert_eq!(cards.len(), 3, "{stdout}");
    let card = |suffix: &str| {
        *cards
            .iter()
            .find(|c| c["target"].as_str().unwrap().ends_with(suffix))
            .unwrap()
    };
    assert_eq!(card("a.img")["result"], "done");
    assert_eq!(card("sdb")["result"], "done");
    assert_eq!(card("sdg")["result"], "failed");
    assert_ne!(card("sdg")["reason"], "");
    // Every card's events end with its final flash event, then its card line.
    for c in &cards {
        let target = &c["target"];
        let mine: Vec<&Value> = events.iter().filter(|e| &e["target"] == target).collect();
        let finals = mine
            .iter()
            .filter(|e| e["event"] == "done" || e["event"] == "failed")
            .count();
        assert_eq!(finals, 1, "{target}: {stdout}");
        assert_eq!(mine.last().unwrap()["event"], "card");
    }
    let summary = events.last().unwrap();
    assert_eq!(
        (
            &summary["event"],
            &summary["done"],
            &summary["failed"],
            &summary["exit_code"]
        ),
        (&"summary".into(), &2.into(), &1.into(), &1.into())
    );
    assert_eq!(std::fs::read(&a).unwrap(), img);
    assert_eq!(
        std::fs::read(view.dev.join("sdb")).unwrap()[..img.len()],
        img
    );

    let report_lines = parse_report(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(report_lines.len(), 3);
    let mut numbers: Vec<u32> = report_lines.iter().map(|l| l.number).collect();
    numbers.sort();
    assert_eq!(numbers, [1, 2, 3]);
    assert_eq!(std::fs::read_to_string(&log).unwrap().lines().count(), 3);
    let sdb = report_lines
        .iter()
        .find(|l| l.target.ends_with("sdb"))
        .unwrap();
    assert_eq!(
        (sdb.reader_model.as_str(), sdb.card_size),
        ("STORAGE DEVICE", 16 * MIB)
    );

    // --resume continues the numbering and appends to the same report.
    let b = dir.path().join("b.img");
    let (code, _, stderr) = output(
        skiff()
            .arg("batch")
            .arg(&src)
            .arg("--to")
            .arg(&b)
            .arg("--resume")
            .arg(&report),
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("card 4 [") && stderr.contains("done"),
        "{stderr}"
    );
    let report_lines = parse_report(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(report_lines.len(), 4);
    assert_eq!(report_lines[3].number, 4);
    assert_eq!(std::fs::read(&b).unwrap(), img);
}

#[test]
fn usage_and_confirmation_errors() {
    let dir = tempfile::tempdir().unwrap();
    let src = xz_file(dir.path(), &image());
    let a = dir.path().join("a.img");
    let run = |args: &[&str]| output(skiff().arg("batch").arg(&src).args(args));
    // Neither --to nor --watch; --watch without a reader; the same target twice.
    assert_eq!(run(&[]).0, 2);
    assert_eq!(run(&["--watch"]).0, 2);
    let a_str = a.to_str().unwrap();
    let (code, _, stderr) = run(&["--to", a_str, "--to", a_str]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("same target"), "{stderr}");
    // A device needs --yes when nobody can be asked.
    let root = dir.path().join("root");
    let view = FakeSystem::new(&root)
        .disk(FakeDisk::usb_card("sdb", 16, 16 * MIB, "1-1.1"))
        .write()
        .unwrap();
    let (code, stdout, stderr) = output(
        skiff()
            .arg("batch")
            .arg(&src)
            .arg("--to")
            .arg(view.dev.join("sdb"))
            .arg("--json")
            .env("SKIFF_SYSROOT", &root),
    );
    assert_eq!(code, 1, "{stderr}");
    let events = json_lines(&stdout);
    assert_eq!(events[0]["reason"], "not_confirmed", "{stdout}");
    assert_eq!(events.last().unwrap()["event"], "summary");
    assert!(
        std::fs::read(view.dev.join("sdb"))
            .unwrap()
            .iter()
            .all(|b| *b == 0)
    );
    // A report that is not one stops --resume before anything is written.
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "not,a,report\n").unwrap();
    let (code, _, stderr) = run(&["--to", a_str, "--resume", bad.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("bad.csv") && stderr.contains("line 1"),
        "{stderr}"
    );
    assert!(!a.exists());
}

/// Reads stdout lines until one satisfies `until`; returns them.
fn read_until(
    reader: &mut impl BufRead,
    seen: &mut Vec<Value>,
    until: impl Fn(&Value) -> bool,
) -> bool {
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line).unwrap() == 0 {
            return false;
        }
        let value: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{line}: {e}"));
        let hit = until(&value);
        seen.push(value);
        if hit {
            return true;
        }
    }
}

fn spawn_json(cmd: &mut std::process::Command) -> Child {
    cmd.stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

#[test]
fn watch_writes_inserted_cards_and_never_opens_refused_ones() {
    let dir = tempfile::tempdir().unwrap();
    let img = image();
    let src = xz_file(dir.path(), &img);
    let root = dir.path().join("root");
    let size = 16 * MIB;
    let mut mounted = FakeDisk::usb_card("sdf", 80, size, "1-1.4");
    mounted.partitions = vec![4 * MIB];
    let view = FakeSystem::new(&root)
        .disk(FakeDisk::usb_card("sdb", 16, 0, "1-1.1"))
        .disk(FakeDisk::usb_card("sdc", 32, size, "1-1.2"))
        .disk(FakeDisk::usb_card("sde", 64, size, "2-4"))
        .disk(mounted)
        .mount(8, 81, "/media/card", "/dev/sdf1")
        .write()
        .unwrap();
    let escalate = escalation_for(dir.path(), &root);
    let report = dir.path().join("r.csv");
    let mut child = spawn_json(
        skiff()
            .arg("batch")
            .arg(&src)
            .args([
                "--watch", "--reader", "1-1.*", "--count", "2", "--yes", "--json",
            ])
            .arg("--report")
            .arg(&report)
            .env("SKIFF_SYSROOT", &root)
            .env("SKIFF_ESCALATION", &escalate),
    );
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut seen = Vec::new();
    // The card already in 1-1.2 is written; then a card goes into the empty reader 1-1.1.
    assert!(read_until(&mut stdout, &mut seen, |e| e["event"] == "card"));
    let sdb = view.sys.join("block/sdb");
    std::fs::write(sdb.join("size"), format!("{}\n", size / 512)).unwrap();
    std::fs::File::options()
        .write(true)
        .open(view.dev.join("sdb"))
        .unwrap()
        .set_len(size)
        .unwrap();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest).unwrap();
    seen.extend(json_lines(&rest));
    let status = child.wait().unwrap();
    let all = serde_json::to_string_pretty(&seen).unwrap();
    assert_eq!(status.code(), Some(0), "{all}");
    let cards = of(&seen, "card");
    assert_eq!(cards.len(), 2, "{all}");
    assert!(cards.iter().all(|c| c["result"] == "done"), "{all}");
    let slots: Vec<&str> = cards.iter().map(|c| c["slot"].as_str().unwrap()).collect();
    assert!(
        slots.iter().any(|s| s.ends_with("1-1.2")) && slots.iter().any(|s| s.ends_with("1-1.1")),
        "{slots:?}"
    );
    let refused = of(&seen, "refused");
    let refused_names: Vec<&str> = refused
        .iter()
        .map(|r| r["target"].as_str().unwrap())
        .collect();
    assert!(
        refused_names.contains(&"sde") && refused_names.contains(&"sdf"),
        "{all}"
    );
    for name in ["sdb", "sdc"] {
        assert_eq!(
            std::fs::read(view.dev.join(name)).unwrap()[..img.len()],
            img,
            "{name}"
        );
    }
    for name in ["sde", "sdf"] {
        let bytes = std::fs::read(view.dev.join(name)).unwrap();
        assert!(bytes.iter().all(|b| *b == 0), "{name} was written");
    }
    let lines = parse_report(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(lines.len(), 2);
    assert!(
        lines
            .iter()
            .all(|l| l.result == "done" && l.reader_serial.starts_with("0000000"))
    );
    assert_eq!(seen.last().unwrap()["event"], "summary");
}

#[test]
fn ctrl_c_fails_running_cards_cleanly_and_exits_130() {
    let dir = tempfile::tempdir().unwrap();
    // 48 MiB of noise behind a partition table: long enough to be interrupted mid-write.
    let img = card_image(48 * MIB as usize, 9);
    let src = dir.path().join("big.img");
    std::fs::write(&src, &img).unwrap();
    let targets: Vec<PathBuf> = (0..3)
        .map(|i| dir.path().join(format!("t{i}.img")))
        .collect();
    let report = dir.path().join("r.csv");
    let mut cmd = skiff();
    cmd.arg("batch")
        .arg(&src)
        .arg("--json")
        .arg("--report")
        .arg(&report);
    for t in &targets {
        cmd.arg("--to").arg(t);
    }
    let mut child = spawn_json(&mut cmd);
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut seen = Vec::new();
    assert!(read_until(&mut stdout, &mut seen, |e| e["event"]
        == "progress"
        && e["phase"] == "write"));
    let pid = rustix::process::Pid::from_raw(child.id() as i32).unwrap();
    rustix::process::kill_process(pid, rustix::process::Signal::INT).unwrap();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest).unwrap();
    seen.extend(json_lines(&rest));
    let status = child.wait().unwrap();
    let all = serde_json::to_string_pretty(&seen).unwrap();
    assert_eq!(status.code(), Some(130), "{all}");
    let cards = of(&seen, "card");
    assert_eq!(cards.len(), 3, "every card is reported: {all}");
    let summary = seen.last().unwrap();
    assert_eq!(
        (&summary["event"], &summary["interrupted"]),
        (&"summary".into(), &true.into())
    );
    assert!(
        cards.iter().any(|c| c["reason"] == "cancelled"),
        "a card was still running: {all}"
    );
    for card in &cards {
        match card["result"].as_str().unwrap() {
            "failed" => assert_eq!(card["reason"], "cancelled", "{all}"),
            other => assert_eq!(other, "done"),
        }
    }
    for t in &targets {
        let done = cards
            .iter()
            .any(|c| c["result"] == "done" && c["target"] == t.to_str().unwrap());
        // A cancelled card leaves no file behind, a finished one the whole image.
        assert_eq!(t.exists(), done, "{}", t.display());
    }
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(!names.iter().any(|n| n.contains("partial")), "{names:?}");
    assert_eq!(
        parse_report(&std::fs::read_to_string(&report).unwrap())
            .unwrap()
            .len(),
        3
    );
}

#[test]
fn a_stack_is_built_once_and_written_to_every_target() {
    let dir = tempfile::tempdir().unwrap();
    let layouts: Vec<_> = tree_layouts().into_iter().map(|(_, l)| l).collect();
    let images = fake_images(dir.path(), &layouts);
    let (a, b, report) = (
        dir.path().join("a.img"),
        dir.path().join("b.img"),
        dir.path().join("r.csv"),
    );
    let (code, _, stderr) = output(
        skiff()
            .args([
                "batch",
                "--stack",
                "pcduino/3",
                "--arch",
                "arm",
                "--size",
                "800MiB",
            ])
            .arg("--images")
            .arg(&images)
            .arg("--to")
            .arg(&a)
            .arg("--to")
            .arg(&b)
            .arg("--report")
            .arg(&report),
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(std::fs::metadata(&a).unwrap().len(), 800 * MIB);
    // Built once: both cards are the same bytes, disk signature included.
    assert!(std::fs::read(&a).unwrap() == std::fs::read(&b).unwrap());
    let (_, partitions) = sfdisk(&a);
    assert!(!partitions.is_empty());
    let lines = parse_report(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(lines.len(), 2);
    assert!(
        lines
            .iter()
            .all(|l| l.image.ends_with("pcduino/3 (built)") && l.result == "done"),
        "{lines:?}"
    );
    // --stack and an image together is a usage error.
    let (code, _, _) = output(
        skiff()
            .args(["batch", "os.img", "--stack", "pcduino/3", "--to"])
            .arg(&a),
    );
    assert_eq!(code, 2);
}

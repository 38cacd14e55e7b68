//! `skiff batch` with personalisation: every card gets its own hostname from the template
//! (its number, serial, slot) and the same SSH key, read back from each card's persist
//! partition with debugfs; `--resume` continues the numbering; a bad template or input fails
//! the run before any target is opened.

mod fake_system;
mod flash_support;

use std::path::{Path, PathBuf};

use fake_system::{FakeDisk, FakeSystem};
use flash_support::*;
use serde_json::Value;
use skiff::flash::batch::report::parse_report;

const KEY: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl tech@lab";

fn key_file(dir: &Path) -> PathBuf {
    let key = dir.join("tech.pub");
    std::fs::write(&key, format!("{KEY}\n")).unwrap();
    key
}

#[test]
fn each_card_gets_its_hostname_and_the_keys_and_resume_continues() {
    let dir = tempfile::tempdir().unwrap();
    let img = persist_image(dir.path());
    let key = key_file(dir.path());
    let report = dir.path().join("cards.csv");
    let cards: Vec<PathBuf> = (1..=3)
        .map(|i| dir.path().join(format!("card{i}.img")))
        .collect();
    let mut cmd = skiff();
    cmd.arg("batch").arg(&img);
    for c in &cards {
        cmd.arg("--to").arg(c);
    }
    cmd.args(["--hostname", "robot-{n:02}", "--ssh-key"])
        .arg(&key)
        .args(["--json", "--report"])
        .arg(&report);
    let (code, stdout, stderr) = output(&mut cmd);
    assert_eq!(code, 0, "{stderr}\n{stdout}");
    let events = json_lines(&stdout);
    let finished: Vec<&Value> = events.iter().filter(|e| e["event"] == "card").collect();
    assert_eq!(finished.len(), 3, "{stdout}");
    for (i, card) in cards.iter().enumerate() {
        let name = format!("robot-{:02}", i + 1);
        assert_eq!(
            persist_cat(card, "/skiff/hostname").as_deref(),
            Some(format!("{name}\n").as_str()),
            "{}",
            card.display()
        );
        assert_eq!(
            persist_cat(card, "/skiff/keys/tech.pub").as_deref(),
            Some(format!("{KEY}\n").as_str())
        );
        let line = finished
            .iter()
            .find(|e| e["target"] == card.display().to_string())
            .unwrap_or_else(|| panic!("no card line for {}: {stdout}", card.display()));
        assert_eq!(line["identity"], name.as_str(), "{line}");
        assert_eq!(line["result"], "done", "{line}");
        // The file system stays clean and the rest of the image is as it was.
        let spec = format!("{}?offset={}", card.display(), 3 * MIB);
        let (fsck, _, err) = run("e2fsck", &["-fn", &spec]);
        assert_eq!(fsck, 0, "{err}");
        let boot = read_range(card, MIB, 2 * MIB as usize);
        assert_eq!(boot, read_range(&img, MIB, 2 * MIB as usize));
    }
    // A personalisation step was announced for each card (the TUI's "personalising").
    let notices = events
        .iter()
        .filter(|e| {
            e["event"] == "notice"
                && e["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("file(s) into partition persist"))
        })
        .count();
    assert_eq!(notices, 3, "{stdout}");
    let mut lines_read = parse_report(&std::fs::read_to_string(&report).unwrap()).unwrap();
    lines_read.sort_by_key(|l| l.number);
    let ids: Vec<(u32, &str)> = lines_read
        .iter()
        .map(|l| (l.number, l.identity.as_str()))
        .collect();
    assert_eq!(ids, [(1, "robot-01"), (2, "robot-02"), (3, "robot-03")]);

    // --resume: the next card is robot-04, appended to the same report.
    let next = dir.path().join("card4.img");
    let (code, _, stderr) = output(
        skiff()
            .arg("batch")
            .arg(&img)
            .arg("--to")
            .arg(&next)
            .args(["--hostname", "robot-{n:02}", "--resume"])
            .arg(&report),
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        persist_cat(&next, "/skiff/hostname").as_deref(),
        Some("robot-04\n")
    );
    let lines_read = parse_report(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(lines_read.len(), 4);
    assert_eq!(lines_read[3].number, 4);
    assert_eq!(lines_read[3].identity, "robot-04");
}

#[test]
fn bad_inputs_fail_before_any_target_is_opened() {
    let dir = tempfile::tempdir().unwrap();
    let img = persist_image(dir.path());
    let key = key_file(dir.path());
    let private = dir.path().join("id_ed25519");
    std::fs::write(
        &private,
        "-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----\n",
    )
    .unwrap();
    let a = dir.path().join("a.img");
    let b = dir.path().join("b.img");
    let report = dir.path().join("r.csv");
    let cases: [(&[&str], &str); 5] = [
        (&["--hostname", "robot_{n}"], "`_` cannot be in a hostname"),
        (&["--hostname", "robot-{m}"], "unknown placeholder"),
        // An image file has no serial: known before any card is opened.
        (&["--hostname", "robot-{serial}"], "{serial} is not known"),
        (
            &["--ssh-key", private.to_str().unwrap()],
            "give the public key",
        ),
        (
            &["--hostname", "r-{n}", "--number", "5"],
            "numbers its cards",
        ),
    ];
    for (flags, want) in cases {
        let (code, stdout, stderr) = output(
            skiff()
                .arg("batch")
                .arg(&img)
                .arg("--to")
                .arg(&a)
                .arg("--to")
                .arg(&b)
                .args(flags)
                .arg("--report")
                .arg(&report)
                .arg("--json"),
        );
        let events = json_lines(&stdout);
        assert!(code == 1 || code == 2, "{flags:?}: {code} {stderr}");
        let failed = events
            .iter()
            .find(|e| e["event"] == "failed")
            .unwrap_or_else(|| panic!("{flags:?}: {stdout}"));
        assert!(
            failed["message"].as_str().unwrap().contains(want),
            "{flags:?}: {failed}"
        );
        assert!(
            !events.iter().any(|e| e["event"] == "decoded"),
            "{flags:?}: nothing decoded: {stdout}"
        );
        assert!(!a.exists() && !b.exists(), "{flags:?}: no target opened");
        assert!(!report.exists(), "{flags:?}: no report line");
    }
    // The key is fine but the image has no persist partition: refused before any card.
    let plain = dir.path().join("plain.img");
    std::fs::write(&plain, card_image(4 * MIB as usize, 9)).unwrap();
    let (code, _, stderr) = output(
        skiff()
            .arg("batch")
            .arg(&plain)
            .arg("--to")
            .arg(&a)
            .arg("--ssh-key")
            .arg(&key),
    );
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("no ext4 partition labelled persist"),
        "{stderr}"
    );
    assert!(!a.exists());
}

#[test]
fn a_device_gets_its_slot_and_serial_through_the_helper() {
    let dir = tempfile::tempdir().unwrap();
    let img = persist_image(dir.path());
    let root = dir.path().join("root");
    let mut sys = FakeSystem::new(&root);
    sys.disk(FakeDisk::usb_card("sdb", 16, 16 * MIB, "1-1.3"));
    let view = sys.write().unwrap();
    let escalate = escalation_for(dir.path(), &root);
    let (code, stdout, stderr) = output(
        skiff()
            .arg("batch")
            .arg(&img)
            .arg("--to")
            .arg(view.dev.join("sdb"))
            .args(["--hostname", "lab-{slot}-{serial}", "--json", "--yes"])
            .env("SKIFF_SYSROOT", &root)
            .env("SKIFF_ESCALATION", &escalate),
    );
    assert_eq!(code, 0, "{stderr}\n{stdout}");
    let card = json_lines(&stdout)
        .into_iter()
        .find(|e| e["event"] == "card")
        .unwrap();
    let name = card["identity"].as_str().unwrap().to_string();
    assert!(
        name.starts_with("lab-") && name.contains("1-1-3") && name.ends_with("-00000000016"),
        "{name}"
    );
    assert_eq!(
        persist_cat(&view.dev.join("sdb"), "/skiff/hostname"),
        Some(format!("{name}\n"))
    );
}

/// The engine: a card whose identity cannot be rendered (its reader has no serial) fails with
/// `personalise` and is never opened; a card whose persist write fails (debugfs on a partition
/// that is not ext4) fails with `personalise`; the third card is written and named.
#[test]
fn a_card_whose_personalisation_fails_fails_alone() {
    use skiff::flash::batch::persona::BatchPersona;
    use skiff::flash::batch::{BatchEvent, CardJob, CardResult, SharedImage, Station};
    use skiff::flash::plan::PostStep;
    use skiff::flash::reason::FailReason;
    use skiff::flash::{CancelToken, FileMode, TargetSpec};
    use skiff::model::personalise::{Identity, Persona, Template};
    use std::sync::Arc;

    let dir = tempfile::tempdir().unwrap();
    let img = persist_image(dir.path());
    let env = Arc::new(fake_system::fake_env(dir.path(), 1 << 20, 3));
    let mut quiet = |_| {};
    let shared = SharedImage::decode(&img, dir.path(), &env, &mut quiet, &CancelToken::new())
        .expect("decode");
    let persona = Persona {
        hostname: Some(Template::parse("robot-{serial}").unwrap()),
        ..Persona::default()
    };
    let named = BatchPersona::new(persona, &shared.path).expect("persist found");
    assert_eq!(named.place.offset, 3 * MIB);
    let job = |number: u32, serial: &str| CardJob {
        number,
        slot: format!("1-1.{number}"),
        target: TargetSpec {
            path: dir.path().join(format!("card{number}.img")),
            device: false,
            expect: None,
            file_mode: FileMode::Replace,
            force_unsafe: None,
        },
        reader_model: "Reader".into(),
        reader_serial: serial.into(),
        card_size: 0,
        identity: String::new(),
        post: Vec::new(),
    };
    let (tx, rx) = crossbeam_channel::unbounded();
    let mut station = Station::new(Arc::new(shared), env, tx, CancelToken::new());
    let mut jobs = vec![job(1, "R1"), job(2, ""), job(3, "R3")];
    for j in &mut jobs {
        // As for a card in a reader (the targets are image files standing in for cards).
        let id = Identity {
            n: u64::from(j.number),
            serial: Some(j.reader_serial.clone()).filter(|s| !s.is_empty()),
            slot: Some(j.slot.clone()),
        };
        match named.apply(j, &id) {
            Ok(()) if j.number == 3 => {
                // Point its step at the boot partition, which is not ext4.
                if let Some(PostStep::WriteFiles { offset, .. }) = j.post.first_mut() {
                    *offset = MIB;
                }
                station.start(j.clone());
            }
            Ok(()) => station.start(j.clone()),
            Err(e) => station.fail(j.clone(), &e),
        }
    }
    drop(station);
    let mut outcomes: Vec<_> = rx
        .iter()
        .filter_map(|e| match e {
            BatchEvent::Finished(o) => Some(*o),
            _ => None,
        })
        .collect();
    outcomes.sort_by_key(|o| o.job.number);
    assert_eq!(outcomes.len(), 3);
    assert_eq!(outcomes[0].result, CardResult::Done, "{:?}", outcomes[0]);
    assert_eq!(outcomes[0].job.identity, "robot-R1");
    let card1 = dir.path().join("card1.img");
    assert_eq!(
        persist_cat(&card1, "/skiff/hostname").as_deref(),
        Some("robot-R1\n")
    );
    for o in &outcomes[1..] {
        let CardResult::Failed {
            reason, message, ..
        } = &o.result
        else {
            panic!("card {} should fail: {o:?}", o.job.number);
        };
        assert_eq!(*reason, FailReason::Personalise, "{message}");
    }
    let CardResult::Failed { message, .. } = &outcomes[1].result else {
        unreachable!()
    };
    assert!(message.contains("{serial} is not known"), "{message}");
    assert!(
        !dir.path().join("card2.img").exists(),
        "card 2 never opened"
    );
    assert!(
        !dir.path().join("card3.img").exists(),
        "a new image file that failed is removed"
    );
}

//! The batch screen: reached from the flash screen, choosing a source and targets, the
//! confirmations, snapshots of every slot state from a fed event stream (100x30 and 80x24),
//! and real batches through the effects: three image files with one failing, and readers
//! watched on a fake machine with injected hotplug events (a refused card never opened).

mod flash_support;
mod ui_common;

use flash_support::{card_image, persist_cat, persist_image};
use skiff::flash::batch::hotplug::{HotplugEvent, Injected};
use skiff::flash::batch::{BatchEvent, CardJob, CardOutcome, CardResult};
use skiff::flash::card::post::files_notice;
use skiff::flash::event::{FlashEvent, Phase};
use skiff::flash::reason::FailReason;
use skiff::flash::{FileMode, TargetSpec};
use skiff::model::personalise::{Persona, Template};
use skiff::ui::batch::jobs::BatchJobs;
use skiff::ui::batch::state::SlotState;
use skiff::ui::batch::types::{BatchCmd, BatchReport, BatchRequest};
use skiff::ui::{Cmd, Msg, ScreenId, WorkerEvent};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use ui_common::flash::{Fixture, MIB, open, press, status};
use ui_common::harness::Harness;
use ui_common::snap;

/// The app on the flash screen's fixture, switched to the batch screen, with batch effects
/// on the fixture's fake machine.
fn batch_screen(width: u16, height: u16) -> Fixture {
    let mut f = open("pi/4", width, height);
    f.h.effects.batch = Arc::new(BatchJobs::new(f.view.clone()));
    f.h.key("b");
    assert_eq!(f.h.app.active(), ScreenId::Batch);
    f
}

/// Writes a small card image into the tree and chooses it as the source.
fn choose_source(f: &mut Fixture, len: usize) -> Vec<u8> {
    let img = card_image(len, 7);
    let path = f.dir.path().join("os.img");
    std::fs::write(&path, &img).unwrap();
    f.h.key("i");
    f.h.key("ctrl-u");
    f.h.type_text(&path.display().to_string());
    f.h.key("enter");
    img
}

fn add_target(h: &mut Harness, path: &Path) {
    h.key("t");
    h.type_text(&path.display().to_string());
    h.key("enter");
}

fn started(cmds: &[Cmd]) -> Option<BatchRequest> {
    cmds.iter().find_map(|c| match c {
        Cmd::Batch(BatchCmd::Start(r)) => Some(r.as_ref().clone()),
        _ => None,
    })
}

fn feed(h: &mut Harness, r: BatchReport) -> Vec<Cmd> {
    h.send(Msg::Worker(WorkerEvent::Batch(Box::new(r))))
}

const PORT: &str = "pci-0000:00:14.0-usb-0:1.";

fn reader_job(number: u32, port: u32, dev: &str) -> CardJob {
    CardJob {
        number,
        slot: format!("{PORT}{port}:1.0"),
        target: TargetSpec {
            path: PathBuf::from(format!("/dev/{dev}")),
            device: true,
            expect: None,
            file_mode: FileMode::Replace,
            force_unsafe: None,
        },
        reader_model: "STORAGE DEVICE".into(),
        reader_serial: format!("00000{number:03}"),
        card_size: 32 * 1024 * MIB,
        identity: String::new(),
        post: Vec::new(),
    }
}

/// A fed batch: starts the run on a readers allow-list (typed back) without running it.
fn fed_readers(f: &mut Fixture) -> u64 {
    choose_source(f, 4096);
    f.h.key("a");
    f.h.type_text("1-1.*");
    f.h.key("enter");
    f.h.key("enter");
    let text = f.h.render();
    assert!(
        text.contains("Write every card in these readers?"),
        "{text}"
    );
    f.h.type_text("1-1.*");
    let cmds = press(&mut f.h, "enter");
    started(&cmds)
        .expect("the typed allow-list starts the batch")
        .id
}

fn card(h: &mut Harness, id: u64, at: f64, job: &CardJob) {
    feed(
        h,
        BatchReport::Card {
            id,
            at,
            job: job.clone(),
        },
    );
}

fn event(h: &mut Harness, id: u64, at: f64, e: BatchEvent) -> Vec<Cmd> {
    feed(
        h,
        BatchReport::Event {
            id,
            at,
            event: Box::new(e),
        },
    )
}

fn progress(h: &mut Harness, id: u64, at: f64, job: &CardJob, phase: Phase, pct: u64) {
    let total = 200 * MIB;
    event(
        h,
        id,
        at,
        BatchEvent::Card {
            number: job.number,
            slot: job.slot.clone(),
            target: job.target.path.display().to_string(),
            event: FlashEvent::Progress {
                phase,
                bytes: total / 100 * pct,
                total: Some(total),
                rate: 21.5 * MIB as f64,
                eta_secs: Some(((100 - pct) as f64) * 0.12),
            },
        },
    );
}

fn finish(h: &mut Harness, id: u64, at: f64, job: &CardJob, result: CardResult) -> Vec<Cmd> {
    event(
        h,
        id,
        at,
        BatchEvent::Finished(Box::new(CardOutcome {
            job: job.clone(),
            written: 256 * MIB,
            verified: 256 * MIB,
            write_rate: 20.0 * MIB as f64,
            verify_rate: 80.0 * MIB as f64,
            secs: 15.0,
            result,
        })),
    )
}

fn write_io() -> CardResult {
    CardResult::Failed {
        reason: FailReason::WriteIo,
        phase: Phase::Write,
        message: "/dev/sdd: writing at 96.0 MiB failed: Input/output error (os error 5); the card may be worn out: try another card".into(),
    }
}

fn refused(h: &mut Harness, id: u64, at: f64, dev: &str, port: u32, reason: &str) {
    event(
        h,
        id,
        at,
        BatchEvent::Refused {
            name: dev.into(),
            slot: format!("{PORT}{port}:1.0"),
            reason: reason.into(),
        },
    );
}

/// Every state of a slot, at both sizes: waiting, writing, verifying, personalising, done, failed with its
/// reason, refused with its reason, and eight slots mixed.
#[test]
fn slot_states_snapshots() {
    for (w, h) in [(100, 30), (80, 24)] {
        let size = format!("{w}x{h}");
        let mut f = batch_screen(w, h);
        let id = fed_readers(&mut f);
        let h = &mut f.h;
        snap(&format!("batch_waiting_{size}"), h);
        let job = reader_job(1, 2, "sdc");
        card(h, id, 3.0, &job);
        progress(h, id, 9.0, &job, Phase::Write, 40);
        snap(&format!("batch_writing_{size}"), h);
        progress(h, id, 21.0, &job, Phase::Verify, 75);
        snap(&format!("batch_verifying_{size}"), h);
        event(
            h,
            id,
            22.0,
            BatchEvent::Card {
                number: job.number,
                slot: job.slot.clone(),
                target: job.target.path.display().to_string(),
                event: FlashEvent::Notice {
                    message: files_notice(2, "persist (partition 2)"),
                },
            },
        );
        snap(&format!("batch_personalising_{size}"), h);
        assert!(h.render().contains("personalising"));
        let bell = finish(h, id, 24.0, &job, CardResult::Done);
        assert_eq!(bell, vec![Cmd::Bell], "a finished card rings the bell");
        snap(&format!("batch_done_{size}"), h);
        let bad = reader_job(2, 3, "sdd");
        card(h, id, 25.0, &bad);
        progress(h, id, 30.0, &bad, Phase::Write, 37);
        let bell = finish(h, id, 31.0, &bad, write_io());
        assert_eq!(bell, vec![Cmd::Bell], "a failed card rings the bell");
        snap(&format!("batch_failed_{size}"), h);
        refused(
            h,
            id,
            33.0,
            "sdf",
            4,
            "sdf has mounted partitions (/dev/sdf1 on /media/card); unmount them first",
        );
        snap(&format!("batch_refused_{size}"), h);
        let text = h.render();
        assert!(text.contains("done 1"), "{text}");
        assert!(text.contains("failed 1"), "{text}");
        assert!(text.contains("refused 1"), "{text}");
        assert!(text.contains("elapsed 0:33"), "{text}");
    }
}

#[test]
fn eight_slots_mixed_fit_80x24() {
    for (w, ht) in [(100, 30), (80, 24)] {
        let mut f = batch_screen(w, ht);
        let id = fed_readers(&mut f);
        let h = &mut f.h;
        let jobs: Vec<CardJob> = (1..=8)
            .map(|n| reader_job(n, n, &format!("sd{}", (b'a' + n as u8) as char)))
            .collect();
        // Cards arrive out of port order; rows stay in port order.
        for j in jobs.iter().rev().skip(1) {
            card(h, id, 2.0, j);
        }
        progress(h, id, 40.0, &jobs[0], Phase::Write, 12);
        progress(h, id, 40.0, &jobs[1], Phase::Write, 63);
        progress(h, id, 40.0, &jobs[2], Phase::Verify, 88);
        finish(h, id, 41.0, &jobs[3], CardResult::Done);
        finish(h, id, 42.0, &jobs[4], CardResult::Done);
        finish(h, id, 43.0, &jobs[5], write_io());
        finish(h, id, 44.0, &jobs[6], CardResult::Done);
        // The card in port 7 is pulled after it ended: the slot waits for the next card.
        event(h, id, 45.0, BatchEvent::Removed { name: "sdh".into() });
        refused(
            h,
            id,
            46.0,
            "sdi",
            8,
            "not in a chosen reader (model \"STORAGE DEVICE\", serial \"0000000128\", port \"2-1\"); add a --reader pattern to use it",
        );
        snap(&format!("batch_mixed_8_{w}x{ht}"), h);
        let rows = &h.app.shared.batch.run.as_ref().unwrap().rows;
        let slots: Vec<String> = rows.iter().map(|r| r.slot.clone()).collect();
        let want: Vec<String> = (1..=8).map(|n| format!("{PORT}{n}:1.0")).collect();
        assert_eq!(slots, want, "one row per slot, in port order");
        assert_eq!(rows[6].state, SlotState::Waiting);
        assert_eq!(rows[6].last.as_deref(), Some("#7 done"));
        let text = h.render();
        let theme = &h.app.shared.theme;
        use skiff::ui::theme::Role;
        for (text, role) in [
            ("✗ failed", Role::Error),
            ("✓ done", Role::Ok),
            ("refused ", Role::Warning),
        ] {
            let (want, got) = (theme.style(role), ui_common::style_at(h, text));
            assert_eq!((got.fg, got.bg), (want.fg, want.bg), "{text}");
        }
        for n in 1..=8 {
            assert!(
                text.contains(&format!("1.{n}:1.0")),
                "slot {n} shown:\n{text}"
            );
        }
    }
}

#[test]
fn starting_needs_a_source_targets_and_the_confirmation() {
    let mut f = batch_screen(100, 30);
    let h = &mut f.h;
    h.key("?");
    let text = h.render();
    assert!(text.contains("Keys: Batch"), "{text}");
    assert!(text.contains("batch: start (asks first"), "{text}");
    h.key("esc");
    assert!(press(h, "enter").is_empty());
    assert!(status(h).contains("choose a source first"), "{}", status(h));
    let bad = f.dir.path().join("notes.txt");
    std::fs::write(&bad, "hello, not a card image\n".repeat(40)).unwrap();
    h.key("i");
    h.type_text(&bad.display().to_string());
    h.key("enter");
    let text = h.render();
    assert!(
        text.contains("notes.txt:"),
        "recognition refuses it:\n{text}"
    );
    choose_source(&mut f, 8192);
    let h = &mut f.h;
    assert!(
        h.render().contains("os.img · raw · 8.0 KiB"),
        "{}",
        h.render()
    );
    assert!(press(h, "enter").is_empty());
    assert!(status(h).contains("choose targets first"), "{}", status(h));
    let a = f.dir.path().join("a.img");
    add_target(h, &a);
    // Image files: the danger dialog; no is nothing.
    h.key("enter");
    let text = h.render();
    assert!(text.contains("Start the batch?"), "{text}");
    assert!(text.contains("<tree>/a.img"), "{text}");
    let cmds = press(h, "n");
    assert!(started(&cmds).is_none());
    assert!(!a.exists());
    // Readers: the allow-list typed back exactly, else nothing.
    h.key("a");
    h.type_text("1-1.*, Generic*");
    h.key("enter");
    assert!(h.app.shared.batch.files.is_empty(), "readers replace files");
    h.key("enter");
    h.type_text("1-1.*");
    let cmds = press(h, "enter");
    assert!(started(&cmds).is_none());
    assert!(status(h).contains("is not"), "{}", status(h));
    h.key("enter");
    h.type_text("1-1.*,Generic*");
    let cmds = press(h, "enter");
    let req = started(&cmds).expect("started");
    assert_eq!(
        req.targets,
        skiff::ui::batch::types::BatchTargets::Readers(vec!["1-1.*".into(), "Generic*".into()])
    );
    // While it runs, q asks first and c asks before stopping.
    h.key("q");
    assert!(h.render().contains("Quit during the batch?"));
    h.key("n");
    h.key("c");
    let text = h.render();
    assert!(text.contains("Stop the batch?"), "{text}");
    let cmds = press(h, "y");
    assert!(cmds.contains(&Cmd::Batch(BatchCmd::Stop { id: req.id })));
    // esc goes back to the flash screen; the tab bar shows Flash while on the batch screen.
    h.key("esc");
    assert_eq!(h.app.active(), ScreenId::Flash);
}

/// Feeds the batch's reports to the app until it has ended; returns the commands they asked
/// for (bells).
fn run_to_end(h: &mut Harness, rx: &crossbeam_channel::Receiver<Msg>, id: u64) -> Vec<Cmd> {
    let mut cmds = Vec::new();
    loop {
        let msg = rx
            .recv_timeout(Duration::from_secs(120))
            .expect("reports of the batch");
        let last = matches!(&msg, Msg::Worker(WorkerEvent::Batch(r))
            if matches!(r.as_ref(), BatchReport::Ended { id: i, .. } if *i == id));
        cmds.extend(h.send(msg));
        if last {
            return cmds;
        }
    }
}

/// Three image files at once from one .xz, the third in a directory that is a file: two
/// are written and verified, the third fails with its reason, each rings the bell.
#[test]
fn three_image_files_one_failing_through_the_effects() {
    let mut f = batch_screen(100, 30);
    let img = card_image(3 * MIB as usize + 4096, 5);
    let src = f.dir.path().join("os.img.xz");
    let mut enc = liblzma::write::XzEncoder::new(Vec::new(), 1);
    std::io::Write::write_all(&mut enc, &img).unwrap();
    std::fs::write(&src, enc.finish().unwrap()).unwrap();
    let h = &mut f.h;
    let (tx, rx) = crossbeam_channel::unbounded();
    h.effects.batch.set_sink(tx);
    h.key("i");
    h.type_text(&src.display().to_string());
    h.key("enter");
    let blocker = f.dir.path().join("not-a-dir");
    std::fs::write(&blocker, b"a file").unwrap();
    let targets = [
        f.dir.path().join("one.img"),
        f.dir.path().join("two.img"),
        blocker.join("three.img"),
    ];
    for t in &targets {
        add_target(h, t);
    }
    h.key("enter");
    let cmds = h.key("y");
    let id = started(&cmds).expect("started").id;
    let cmds = run_to_end(h, &rx, id);
    assert_eq!(cmds.iter().filter(|c| **c == Cmd::Bell).count(), 3);
    let run = h.app.shared.batch.run.as_ref().unwrap();
    assert_eq!((run.done, run.failed), (2, 1), "{:#?}", run.rows);
    for t in &targets[..2] {
        assert_eq!(std::fs::read(t).unwrap(), img, "{}", t.display());
        let row = run.rows.iter().find(|r| Path::new(&r.slot) == t).unwrap();
        assert_eq!(row.state, SlotState::Done);
    }
    let row = run
        .rows
        .iter()
        .find(|r| r.slot.ends_with("three.img"))
        .unwrap();
    match &row.state {
        SlotState::Failed {
            reason, message, ..
        } => {
            assert!(!reason.is_empty());
            assert!(message.contains("not-a-dir"), "{message}");
        }
        other => panic!("three.img: {other:?}"),
    }
    let text = h.render();
    assert!(text.contains("■ ended"), "{text}");
    assert!(text.contains("✗ three.img #3:"), "{text}");
    assert!(
        status(h).contains("batch ended: 2 done, 1 failed"),
        "{}",
        status(h)
    );
}

/// The flash screen's personalisation rides on a batch: two image files from an image with
/// a persist partition, each named after its number (read back with debugfs), the identity
/// shown on the screen and in the confirmation.
#[test]
fn image_files_are_personalised_from_the_flash_form() {
    let mut f = batch_screen(100, 30);
    let src = persist_image(f.dir.path());
    let h = &mut f.h;
    h.app.shared.flash.persona.applied = Some(Persona {
        hostname: Some(Template::parse("robot-{n:02}").unwrap()),
        ..Persona::default()
    });
    let (tx, rx) = crossbeam_channel::unbounded();
    h.effects.batch.set_sink(tx);
    h.key("i");
    h.type_text(&src.display().to_string());
    h.key("enter");
    let targets = [f.dir.path().join("one.img"), f.dir.path().join("two.img")];
    for t in &targets {
        add_target(h, t);
    }
    let text = h.render();
    assert!(text.contains("Identity hostname robot-{n:02}"), "{text}");
    h.key("enter");
    let shown = h.render();
    assert!(
        shown.contains("Each card personalised: hostname robot-{n:02}"),
        "{shown}"
    );
    let cmds = h.key("y");
    let req = started(&cmds).expect("started");
    assert!(req.persona.is_some());
    run_to_end(h, &rx, req.id);
    let run = h.app.shared.batch.run.as_ref().unwrap();
    assert_eq!((run.done, run.failed), (2, 0), "{:#?}", run.rows);
    for (i, t) in targets.iter().enumerate() {
        assert_eq!(
            persist_cat(t, "/skiff/hostname"),
            Some(format!("robot-{:02}\n", i + 1)),
            "{}",
            t.display()
        );
    }
}

/// Readers watched on the fake machine: a card in an allowed reader is written through the
/// engine's own checks; a mounted card in another allowed reader is refused and its device
/// node is never opened.
#[test]
fn watched_readers_on_a_fake_machine() {
    let mut f = batch_screen(100, 30);
    let (hp_tx, hp_rx) = crossbeam_channel::unbounded();
    *f.h.effects.batch.watcher.lock().unwrap() = Some(Box::new(Injected(hp_rx)));
    let img = choose_source(&mut f, 2 * MIB as usize);
    let mounted = f.view.dev.join("sdc");
    let before = std::fs::read(&mounted).unwrap_or_default();
    let h = &mut f.h;
    let (tx, rx) = crossbeam_channel::unbounded();
    h.effects.batch.set_sink(tx);
    h.key("a");
    h.type_text("1-*");
    h.key("enter");
    h.key("enter");
    h.type_text("1-*");
    let cmds = h.key("enter");
    let id = started(&cmds).expect("started").id;
    hp_tx.send(HotplugEvent::Added("sdc".into())).unwrap();
    hp_tx.send(HotplugEvent::Added("sdb".into())).unwrap();
    // The watcher ends once the card was written: the batch then ends too.
    let mut cmds = Vec::new();
    loop {
        let msg = rx.recv_timeout(Duration::from_secs(120)).expect("reports");
        let finished = matches!(&msg, Msg::Worker(WorkerEvent::Batch(r))
            if matches!(r.as_ref(), BatchReport::Event { event, .. }
                if matches!(event.as_ref(), BatchEvent::Finished(_))));
        cmds.extend(h.send(msg));
        if finished {
            break;
        }
    }
    drop(hp_tx);
    cmds.extend(run_to_end(h, &rx, id));
    assert_eq!(cmds.iter().filter(|c| **c == Cmd::Bell).count(), 1);
    let run = h.app.shared.batch.run.as_ref().unwrap();
    let written = std::fs::read(f.view.dev.join("sdb")).unwrap();
    assert_eq!(&written[..img.len()], &img[..]);
    assert_eq!(std::fs::read(&mounted).unwrap_or_default(), before);
    let states: Vec<(String, SlotState)> = run
        .rows
        .iter()
        .map(|r| (r.slot.clone(), r.state.clone()))
        .collect();
    assert_eq!(states.len(), 2, "{states:#?}");
    assert_eq!(states[0].1, SlotState::Done, "{states:#?}");
    assert!(
        matches!(&states[1].1, SlotState::Refused { reason } if reason.contains("mounted")),
        "{states:#?}"
    );
    assert!(
        states[0].0.ends_with("1-1") || states[0].0.contains("1-1"),
        "{states:#?}"
    );
    let text = h.render();
    assert!(text.contains("STORAGE DEVICE"), "{text}");
}

/// The workspace's build as the source: the stack's layout made into one image (as image
/// build), decoded once, written to two image files that end up identical, with the kernel
/// in their boot partition.
#[test]
fn the_workspace_build_onto_two_image_files() {
    let mut f = batch_screen(100, 30);
    let images = f.dir.path().join("workspaces/default/images");
    std::fs::create_dir_all(&images).unwrap();
    std::fs::write(images.join("zImage"), b"kernel bytes").unwrap();
    let h = &mut f.h;
    let (tx, rx) = crossbeam_channel::unbounded();
    h.effects.batch.set_sink(tx);
    h.key("w");
    assert!(h.render().contains("the build of workspace default"));
    let targets = [f.dir.path().join("a.img"), f.dir.path().join("b.img")];
    for t in &targets {
        add_target(h, t);
    }
    h.key("enter");
    assert!(
        h.render()
            .contains("Write the build of workspace default to 2 image files")
    );
    let cmds = h.key("y");
    let id = started(&cmds).expect("started").id;
    run_to_end(h, &rx, id);
    let run = h.app.shared.batch.run.as_ref().unwrap();
    assert_eq!((run.done, run.failed), (2, 0), "{:#?}", run.rows);
    let a = std::fs::read(&targets[0]).unwrap();
    assert_eq!(a.len() as u64, 64 * MIB);
    assert!(a == std::fs::read(&targets[1]).unwrap());
    let spec = format!("{}@@{}", targets[0].display(), MIB);
    let (code, out, err) = flash_support::run("mtype", &["-i", &spec, "::/zImage"]);
    assert_eq!((code, out.as_str()), (0, "kernel bytes"), "{err}");
    // Nothing of the build or the decode is left in the workspace.
    let left: Vec<_> = std::fs::read_dir(f.dir.path().join("workspaces/default"))
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".skiff-batch"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

/// Image file targets: one waiting row per file as soon as the batch starts, in the order of
/// their names; the first card's progress.
#[test]
fn image_file_slots_wait_then_write() {
    for (w, ht) in [(100, 30), (80, 24)] {
        let mut f = batch_screen(w, ht);
        choose_source(&mut f, 4096);
        let files: Vec<PathBuf> = ["card-1.img", "card-2.img", "card-10.img"]
            .iter()
            .map(|n| f.dir.path().join(n))
            .collect();
        let h = &mut f.h;
        for p in &files {
            add_target(h, p);
        }
        h.key("enter");
        let id = started(&press(h, "y")).expect("started").id;
        let slots: Vec<String> = h
            .app
            .shared
            .batch
            .run
            .as_ref()
            .unwrap()
            .rows
            .iter()
            .map(|r| r.slot.clone())
            .collect();
        let want: Vec<String> = [0, 1, 2]
            .iter()
            .map(|i| files[*i].display().to_string())
            .collect();
        assert_eq!(slots, want);
        snap(&format!("batch_files_waiting_{w}x{ht}"), h);
        let job = skiff::ui::batch::jobs::file_job(1, &files[0]);
        card(h, id, 0.5, &job);
        progress(h, id, 2.0, &job, Phase::Write, 50);
        snap(&format!("batch_files_writing_{w}x{ht}"), h);
    }
}

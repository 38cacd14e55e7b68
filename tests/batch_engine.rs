//! The batch engine on image-file targets and fake device nodes: one decode for all cards,
//! independent pipelines, a card failing mid-write and a card pulled mid-write next to cards
//! that finish, injected hotplug events and refused devices that are never opened.

mod fake_system;
mod flash_support;

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use skiff::flash::batch::{BatchEvent, CardJob, CardOutcome, CardResult, SharedImage, Station};
use skiff::flash::event::{EventSink, FlashEvent};
use skiff::flash::execute::{Opener, open_checked};
use skiff::flash::reason::FailReason;
use skiff::flash::system::NoProperties;
use skiff::flash::target_io::BlockTarget;
use skiff::flash::{CancelToken, Environment, FileMode, FlashError, FlashPlan, TargetSpec};

use flash_support::card_image;

const MIB: usize = 1 << 20;

/// 8 MiB: a DOS partition table (so content recognition takes it for a card image), data,
/// 3 MiB of zeros, data, an odd tail.
fn sample_image() -> Vec<u8> {
    let mut img = card_image(8 * MIB + 4096, 11);
    img[2 * MIB..5 * MIB].fill(0);
    img
}

fn env(root: &Path) -> Environment {
    fake_system::fake_env(root, 256 * 1024, 3)
}

fn xz(data: &[u8]) -> Vec<u8> {
    let mut e = liblzma::write::XzEncoder::new(Vec::new(), 1);
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn job(number: u32, path: &Path) -> CardJob {
    CardJob {
        number,
        slot: format!("1-{number}"),
        target: TargetSpec {
            path: path.to_path_buf(),
            device: false,
            expect: None,
            file_mode: FileMode::Replace,
            force_unsafe: None,
        },
        reader_model: "Reader".into(),
        reader_serial: format!("R{number}"),
        card_size: 0,
        identity: String::new(),
        post: Vec::new(),
    }
}

/// `card1.img` ... `cardN.img` in `dir`.
fn card_paths(dir: &Path, n: u32) -> Vec<PathBuf> {
    (1..=n).map(|n| dir.join(format!("card{n}.img"))).collect()
}

/// One job per target, numbered from 1.
fn jobs_for(cards: &[PathBuf]) -> Vec<CardJob> {
    cards
        .iter()
        .enumerate()
        .map(|(i, p)| job(i as u32 + 1, p))
        .collect()
}

/// How an injected card misbehaves.
#[derive(Clone, Copy)]
enum Fault {
    /// Writes fail with EIO once this many bytes were written (a failing card).
    FailAfter(u64),
    /// Every I/O fails with ENODEV once this many bytes were written (the card is pulled).
    PulledAfter(u64),
    /// Each write sleeps this long (a slow card).
    Slow(Duration),
    /// A write panics once this many bytes were written (a bug in a card's pipeline).
    PanicAfter(u64),
}

struct Faulty {
    inner: Box<dyn BlockTarget>,
    fault: Fault,
    written: AtomicU64,
}

impl Faulty {
    fn gone(&self) -> bool {
        matches!(self.fault, Fault::PulledAfter(n) if self.written.load(Ordering::SeqCst) >= n)
    }
}

impl BlockTarget for Faulty {
    fn name(&self) -> &str {
        self.inner.name()
    }
    fn capacity(&self) -> Option<u64> {
        self.inner.capacity()
    }
    fn holes_read_as_zero(&self) -> bool {
        self.inner.holes_read_as_zero()
    }
    fn write_at(&self, data: &[u8], offset: u64) -> io::Result<()> {
        let done = self.written.fetch_add(data.len() as u64, Ordering::SeqCst);
        match self.fault {
            Fault::FailAfter(n) if done >= n => return Err(io::Error::from_raw_os_error(5)),
            Fault::PulledAfter(n) if done >= n => return Err(io::Error::from_raw_os_error(19)),
            Fault::Slow(d) => std::thread::sleep(d),
            Fault::PanicAfter(n) if done >= n => panic!("injected panic"),
            _ => {}
        }
        self.inner.write_at(data, offset)
    }
    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        if self.gone() {
            return Err(io::Error::from_raw_os_error(19));
        }
        self.inner.read_at(buf, offset)
    }
    fn sync(&self) -> io::Result<()> {
        if self.gone() {
            return Err(io::Error::from_raw_os_error(19));
        }
        self.inner.sync()
    }
    fn drop_cache(&self, offset: u64, len: u64) {
        self.inner.drop_cache(offset, len)
    }
    fn direct(&self) -> bool {
        self.inner.direct()
    }
    fn set_image_len(&self, len: u64) -> io::Result<()> {
        self.inner.set_image_len(len)
    }
    fn commit(&mut self, image_len: u64) -> io::Result<()> {
        self.inner.commit(image_len)
    }
    fn discard(&mut self) {
        self.inner.discard()
    }
}

/// Opens with every rule of `flash`, then wraps the targets named in `faults`.
fn faulty_opener(faults: Vec<(PathBuf, Fault)>) -> Arc<Opener> {
    recording_opener(faults, Arc::new(Mutex::new(Vec::new())))
}

/// [`faulty_opener`] that also records every path it was asked to open.
fn recording_opener(
    faults: Vec<(PathBuf, Fault)>,
    opened: Arc<Mutex<Vec<PathBuf>>>,
) -> Arc<Opener> {
    Arc::new(
        move |plan: &FlashPlan,
              env: &Environment,
              needed: Option<u64>,
              sink: &mut dyn EventSink|
              -> Result<Box<dyn BlockTarget>, FlashError> {
            opened.lock().unwrap().push(plan.target.path.clone());
            let inner = open_checked(plan, env, needed, sink)?;
            match faults.iter().find(|(p, _)| *p == plan.target.path) {
                Some((_, fault)) => Ok(Box::new(Faulty {
                    inner,
                    fault: *fault,
                    written: AtomicU64::new(0),
                })),
                None => Ok(inner),
            }
        },
    )
}

struct Run {
    outcomes: Vec<CardOutcome>,
    events: Vec<BatchEvent>,
}

fn run_batch(dir: &Path, image: &[u8], jobs: Vec<CardJob>, open: Arc<Opener>) -> Run {
    let src = dir.join("os.img.xz");
    std::fs::write(&src, xz(image)).unwrap();
    let env = Arc::new(env(dir));
    let mut quiet = |_: FlashEvent| {};
    let shared =
        SharedImage::decode(&src, dir, &env, &mut quiet, &CancelToken::new()).expect("decode");
    assert_eq!(shared.image_len, image.len() as u64);
    let (tx, rx) = crossbeam_channel::unbounded();
    let mut station = Station::with_opener(Arc::new(shared), env, open, tx, CancelToken::new());
    let count = jobs.len();
    for job in jobs {
        station.start(job);
    }
    let mut outcomes = Vec::new();
    let mut events = Vec::new();
    while outcomes.len() < count {
        let event = rx.recv_timeout(Duration::from_secs(60)).expect("events");
        if let BatchEvent::Finished(outcome) = &event {
            outcomes.push(outcome.as_ref().clone());
        }
        events.push(event);
    }
    station.join();
    Run { outcomes, events }
}

fn outcome(run: &Run, number: u32) -> &CardOutcome {
    run.outcomes
        .iter()
        .find(|o| o.job.number == number)
        .unwrap()
}

#[test]
fn failing_and_pulled_cards_do_not_stop_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let img = sample_image();
    let cards = card_paths(dir.path(), 4);
    let open = faulty_opener(vec![
        (cards[1].clone(), Fault::FailAfter(2 * MIB as u64)),
        (cards[2].clone(), Fault::PulledAfter(3 * MIB as u64)),
    ]);
    let jobs = jobs_for(&cards);
    let run = run_batch(dir.path(), &img, jobs, open);

    for n in [1, 4] {
        let o = outcome(&run, n);
        assert_eq!(o.result, CardResult::Done, "card {n}: {o:?}");
        assert_eq!(std::fs::read(&cards[n as usize - 1]).unwrap(), img);
        assert!(o.verified > 0 && o.write_rate > 0.0 && o.verify_rate > 0.0);
    }
    match &outcome(&run, 2).result {
        CardResult::Failed {
            reason, message, ..
        } => {
            assert_eq!(*reason, FailReason::WriteIo);
            assert!(message.contains("card2.img"), "{message}");
        }
        other => panic!("card 2: {other:?}"),
    }
    match &outcome(&run, 3).result {
        CardResult::Failed { reason, .. } => {
            assert!(
                matches!(reason, FailReason::WriteIo | FailReason::ReadIo),
                "{reason:?}"
            )
        }
        other => panic!("card 3: {other:?}"),
    }
    // Failed cards leave no half-written file behind.
    assert!(!cards[1].exists() && !cards[2].exists());
    // Exactly one final event per card, each naming its card.
    for n in 1..=4u32 {
        let finals = run
            .events
            .iter()
            .filter(|e| {
                matches!(e, BatchEvent::Card { number, event: FlashEvent::Done { .. } | FlashEvent::Failed { .. }, .. } if *number == n)
            })
            .count();
        assert_eq!(finals, 1, "card {n}");
    }
    assert!(run.events.iter().all(|e| match e {
        BatchEvent::Card { number, target, .. } => target.ends_with(&format!("card{number}.img")),
        _ => true,
    }));
}

#[test]
fn a_panicking_card_fails_alone() {
    let dir = tempfile::tempdir().unwrap();
    let img = sample_image();
    let cards = card_paths(dir.path(), 3);
    let open = faulty_opener(vec![(cards[1].clone(), Fault::PanicAfter(MIB as u64))]);
    let jobs = jobs_for(&cards);
    let run = run_batch(dir.path(), &img, jobs, open);
    for n in [1, 3] {
        assert_eq!(outcome(&run, n).result, CardResult::Done, "card {n}");
        assert_eq!(std::fs::read(&cards[n as usize - 1]).unwrap(), img);
    }
    match &outcome(&run, 2).result {
        CardResult::Failed { reason, .. } => assert_eq!(*reason, FailReason::Internal),
        other => panic!("card 2: {other:?}"),
    }
    assert!(!cards[1].exists(), "the panicked card left its file");
    let finals = run
        .events
        .iter()
        .filter(|e| matches!(e, BatchEvent::Card { number: 2, event, .. } if event.is_final()))
        .count();
    assert_eq!(finals, 1);
}

#[test]
fn a_slow_card_does_not_slow_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let img = sample_image();
    let cards = card_paths(dir.path(), 3);
    let open = faulty_opener(vec![(
        cards[0].clone(),
        Fault::Slow(Duration::from_millis(40)),
    )]);
    let jobs = jobs_for(&cards);
    let run = run_batch(dir.path(), &img, jobs, open);
    let order: Vec<u32> = run.outcomes.iter().map(|o| o.job.number).collect();
    assert_eq!(order.last(), Some(&1), "the slow card ends last: {order:?}");
    for o in &run.outcomes {
        assert_eq!(o.result, CardResult::Done);
    }
    for card in &cards {
        assert_eq!(std::fs::read(card).unwrap(), img);
    }
}

#[test]
fn cancel_fails_running_cards_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let img = sample_image();
    let src = dir.path().join("os.img.xz");
    std::fs::write(&src, xz(&img)).unwrap();
    let env = Arc::new(env(dir.path()));
    let mut quiet = |_: FlashEvent| {};
    let shared = SharedImage::decode(&src, dir.path(), &env, &mut quiet, &CancelToken::new())
        .expect("decode");
    let card = dir.path().join("card.img");
    let cancel = CancelToken::new();
    let (tx, rx) = crossbeam_channel::unbounded();
    let open = faulty_opener(vec![(card.clone(), Fault::Slow(Duration::from_millis(30)))]);
    let mut station = Station::with_opener(Arc::new(shared), env, open, tx, cancel.clone());
    station.start(job(1, &card));
    std::thread::sleep(Duration::from_millis(100));
    cancel.cancel();
    station.join();
    let finished: Vec<CardOutcome> = rx
        .try_iter()
        .filter_map(|e| match e {
            BatchEvent::Finished(o) => Some(*o),
            _ => None,
        })
        .collect();
    assert_eq!(finished.len(), 1);
    assert!(matches!(
        finished[0].result,
        CardResult::Failed {
            reason: FailReason::Cancelled,
            ..
        }
    ));
    assert!(!card.exists());
}

#[test]
fn the_decoded_image_keeps_zeros_as_holes_and_writes_them_as_zeros() {
    let dir = tempfile::tempdir().unwrap();
    let img = sample_image();
    let src = dir.path().join("os.img.xz");
    std::fs::write(&src, xz(&img)).unwrap();
    let env = env(dir.path());
    let mut quiet = |_: FlashEvent| {};
    let shared = SharedImage::decode(&src, dir.path(), &env, &mut quiet, &CancelToken::new())
        .expect("decode");
    assert_eq!(std::fs::read(&shared.path).unwrap(), img);
    assert_eq!(shared.sha256.len(), 64);
    assert_eq!(shared.name, "os.img.xz");
    let zeros: u64 = shared
        .segments
        .iter()
        .filter(|s| matches!(s.data, skiff::flash::plan::SegmentData::Zero { .. }))
        .map(|s| s.len())
        .sum();
    assert!(zeros >= 2 * MIB as u64, "zero ranges: {zeros}");
    // An existing card full of 0xff: the zero range must read back as zeros.
    let card = dir.path().join("old.img");
    std::fs::write(&card, vec![0xffu8; img.len()]).unwrap();
    let mut spec = job(1, &card).target;
    spec.file_mode = FileMode::InPlace;
    let plan = shared.plan_for(spec);
    let mut sink = |_: FlashEvent| {};
    skiff::flash::execute(&plan, &env, &mut sink, &CancelToken::new()).expect("write");
    assert_eq!(std::fs::read(&card).unwrap(), img);
}

fn decode(dir: &Path, image: &[u8], env: &Environment) -> SharedImage {
    let src = dir.join("os.img.xz");
    std::fs::write(&src, xz(image)).unwrap();
    let mut quiet = |_: FlashEvent| {};
    SharedImage::decode(&src, dir, env, &mut quiet, &CancelToken::new()).expect("decode")
}

#[test]
fn watched_readers_write_allowed_cards_and_never_open_refused_ones() {
    use fake_system::{FakeDisk, FakeSystem};
    use skiff::flash::batch::hotplug::{HotplugEvent, Injected};
    use skiff::flash::batch::intake::{Intake, ReaderFilter};
    use skiff::flash::batch::report::{ReportLine, ReportWriter, next_number, parse_report};
    use skiff::flash::batch::watch::watch;

    let dir = tempfile::tempdir().unwrap();
    let size = 64 * MIB as u64;
    let mut mounted = FakeDisk::usb_card("sdf", 80, size, "1-1.4");
    mounted.partitions = vec![16 * MIB as u64];
    let view = FakeSystem::new(dir.path())
        .disk(FakeDisk::usb_card("sdb", 16, size, "1-1.1"))
        .disk(FakeDisk::usb_card("sdc", 32, size, "1-1.2"))
        .disk(FakeDisk::usb_card("sdd", 48, size, "1-1.3"))
        .disk(FakeDisk::usb_card("sde", 64, size, "2-4"))
        .disk(mounted)
        .mount(8, 81, "/media/card", "/dev/sdf1")
        .write()
        .unwrap();
    let img = sample_image();
    let env = Arc::new(env(dir.path()));
    let shared = Arc::new(decode(dir.path(), &img, &env));
    let node = |name: &str| view.dev.join(name);
    let opened = Arc::new(Mutex::new(Vec::new()));
    let open = recording_opener(
        vec![
            (node("sdc"), Fault::FailAfter(2 * MIB as u64)),
            (node("sdd"), Fault::PulledAfter(3 * MIB as u64)),
        ],
        Arc::clone(&opened),
    );
    let (tx, rx) = crossbeam_channel::unbounded();
    let mut station = Station::with_opener(Arc::clone(&shared), env, open, tx, CancelToken::new());
    let (hp_tx, hp_rx) = crossbeam_channel::unbounded();
    for name in ["sde", "sdf", "sdb", "sdc", "sdd"] {
        hp_tx.send(HotplugEvent::Added(name.into())).unwrap();
    }
    hp_tx.send(HotplugEvent::Removed("sdd".into())).unwrap();
    drop(hp_tx);
    let mut intake = Intake::new(
        view.clone(),
        Box::new(NoProperties),
        ReaderFilter {
            patterns: vec!["1-1.*".into()],
        },
        shared.image_len,
        7,
    );
    let mut identities = |job: &mut CardJob| {
        job.identity = format!("robot-{:02}", job.number);
        Ok(())
    };
    let started = watch(
        &mut Injected(hp_rx),
        &mut intake,
        &mut station,
        Some(3),
        &CancelToken::new(),
        &mut identities,
    );
    let events: Vec<BatchEvent> = rx.try_iter().collect();
    let ends: Vec<&BatchEvent> = events
        .iter()
        .filter(|e| !matches!(e, BatchEvent::Card { .. }))
        .collect();
    assert_eq!(started, 3, "{ends:#?}");
    assert_eq!(intake.next_number(), 10);
    let outcomes: Vec<&CardOutcome> = events
        .iter()
        .filter_map(|e| match e {
            BatchEvent::Finished(o) => Some(o.as_ref()),
            _ => None,
        })
        .collect();
    assert_eq!(outcomes.len(), 3);
    let by_slot = |slot: &str| {
        outcomes
            .iter()
            .find(|o| o.job.slot.ends_with(slot))
            .unwrap_or_else(|| panic!("no card in slot {slot}: {outcomes:?}"))
    };
    let good = by_slot("1-1.1");
    assert_eq!(good.result, CardResult::Done);
    assert_eq!(
        (good.job.number, good.job.identity.as_str()),
        (7, "robot-07")
    );
    let written = std::fs::read(node("sdb")).unwrap();
    assert_eq!(&written[..img.len()], &img[..]);
    assert!(matches!(
        by_slot("1-1.2").result,
        CardResult::Failed {
            reason: FailReason::WriteIo,
            ..
        }
    ));
    assert!(matches!(by_slot("1-1.3").result, CardResult::Failed { .. }));

    let refused: Vec<(&str, &str)> = events
        .iter()
        .filter_map(|e| match e {
            BatchEvent::Refused { name, reason, .. } => Some((name.as_str(), reason.as_str())),
            _ => None,
        })
        .collect();
    assert_eq!(refused.len(), 2, "{refused:?}");
    assert!(refused[0].0 == "sde" && refused[0].1.contains("not in a chosen reader"));
    assert!(
        refused[1].0 == "sdf" && refused[1].1.contains("mounted"),
        "{refused:?}"
    );
    // The report: exactly one correct line per card, the failed ones with their reason.
    let report = dir.path().join("report.csv");
    let log = dir.path().join("log.jsonl");
    let mut writer = ReportWriter::open(Some(&report), Some(&log)).unwrap();
    for o in &outcomes {
        let line = ReportLine::new(
            "2026-01-01T00:00:00Z".into(),
            &shared.name,
            &shared.sha256,
            o,
        );
        writer.append(&line).unwrap();
    }
    let lines = parse_report(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(lines.len(), 3);
    let mut numbers: Vec<u32> = lines.iter().map(|l| l.number).collect();
    numbers.sort();
    assert_eq!(numbers, [7, 8, 9]);
    assert_eq!(next_number(&lines), 10);
    for line in &lines {
        assert_eq!(line.image, "os.img.xz");
        assert_eq!(line.image_sha256, shared.sha256);
        assert_eq!(line.reader_model, "STORAGE DEVICE");
        assert_eq!(line.card_size, size);
        let o = outcomes
            .iter()
            .find(|o| o.job.number == line.number)
            .unwrap();
        assert_eq!(line.slot, o.job.slot);
        match &o.result {
            CardResult::Done => {
                assert_eq!((line.result.as_str(), line.reason.as_str()), ("done", ""));
                assert!(line.bytes_written > 0 && line.write_rate > 0 && line.verify_rate > 0);
            }
            CardResult::Failed {
                reason, message, ..
            } => {
                assert_eq!(line.result, "failed");
                assert_eq!(line.reason, reason.code());
                assert_eq!(&line.message, message);
            }
        }
    }
    assert_eq!(std::fs::read_to_string(&log).unwrap().lines().count(), 3);

    let opened = opened.lock().unwrap();
    assert!(!opened.contains(&node("sde")) && !opened.contains(&node("sdf")));
    for name in ["sde", "sdf"] {
        let bytes = std::fs::read(node(name)).unwrap();
        assert!(bytes.iter().all(|b| *b == 0), "{name} was written");
    }
}

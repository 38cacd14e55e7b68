//! The write pipeline on image files, fake devices and an in-memory card with injected faults.

mod fake_system;

use std::io::Write;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use fake_system::{FakeDisk, FakeSystem, MemTarget};
use skiff::flash::bmap::Bmap;
use skiff::flash::engine::{EngineConfig, HOLD, RunOptions, run_on};
use skiff::flash::source::PreparedSource;
use skiff::flash::system::NoProperties;
use skiff::flash::{
    CancelToken, Environment, FileMode, FlashError, FlashEvent, FlashPlan, Phase, SourceSpec,
    SystemView, TargetSpec, execute,
};

const MIB: usize = 1 << 20;

/// Deterministic, incompressible bytes.
fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

/// 6 MiB + 1234 bytes: a marked first sector, data, a zero stretch, data, an odd tail.
fn sample_image() -> Vec<u8> {
    let mut img = noise(6 * MIB + 1234, 7);
    img[..4].copy_from_slice(b"MBR!");
    img[2 * MIB..4 * MIB].fill(0);
    img
}

fn env(root: &Path) -> Environment {
    fake_system::fake_env(root, 256 * 1024, 3)
}

fn file_plan(source: &Path, bmap: Option<PathBuf>, out: &Path, mode: FileMode) -> FlashPlan {
    FlashPlan {
        version: skiff::flash::plan::PLAN_VERSION,
        target: TargetSpec {
            path: out.to_path_buf(),
            device: false,
            expect: None,
            file_mode: mode,
            force_unsafe: None,
        },
        source: SourceSpec::Image {
            path: source.to_path_buf(),
            bmap,
            member: None,
            raw: true,
        },
        verify: true,
        wipe_ends: true,
        expect_partitions: vec![],
        post: vec![],
    }
}

fn run(
    plan: &FlashPlan,
    env: &Environment,
) -> (Result<skiff::flash::Summary, FlashError>, Vec<FlashEvent>) {
    let mut events = Vec::new();
    let mut sink = |e: FlashEvent| events.push(e);
    let result = execute(plan, env, &mut sink, &CancelToken::new());
    (result, events)
}

fn compress(kind: &str, data: &[u8]) -> Vec<u8> {
    match kind {
        "gz" => {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            e.write_all(data).unwrap();
            e.finish().unwrap()
        }
        "xz" => {
            let mut e = liblzma::write::XzEncoder::new(Vec::new(), 1);
            e.write_all(data).unwrap();
            e.finish().unwrap()
        }
        "zst" => zstd::encode_all(data, 3).unwrap(),
        "bz2" => {
            let mut e = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
            e.write_all(data).unwrap();
            e.finish().unwrap()
        }
        _ => data.to_vec(),
    }
}

#[test]
fn raw_image_to_a_new_file_is_identical_and_stays_sparse() {
    let dir = tempfile::tempdir().unwrap();
    let img = sample_image();
    let src = dir.path().join("os.img");
    std::fs::write(&src, &img).unwrap();
    let out = dir.path().join("card.img");
    let (result, events) = run(
        &file_plan(&src, None, &out, FileMode::Replace),
        &env(dir.path()),
    );
    let summary = result.unwrap();
    assert_eq!(std::fs::read(&out).unwrap(), img);
    assert_eq!(summary.image_len, img.len() as u64);
    assert!(summary.verified >= img.len() as u64 - 2 * MIB as u64);
    let allocated = std::fs::metadata(&out).unwrap().blocks() * 512;
    assert!(
        allocated < img.len() as u64 - MIB as u64,
        "zero stretch should be a hole: {allocated}"
    );
    let phases: Vec<Phase> = events
        .iter()
        .filter_map(|e| match e {
            FlashEvent::PhaseDone { phase, .. } => Some(*phase),
            _ => None,
        })
        .collect();
    assert_eq!(
        phases,
        [Phase::Prepare, Phase::Write, Phase::Verify, Phase::Finalize]
    );
    assert!(matches!(events.last(), Some(FlashEvent::Done { .. })));
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains("partial"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn compressed_sources_are_decoded_while_writing() {
    let dir = tempfile::tempdir().unwrap();
    let img = sample_image();
    for kind in ["gz", "xz", "zst", "bz2"] {
        let src = dir.path().join(format!("os.img.{kind}"));
        std::fs::write(&src, compress(kind, &img)).unwrap();
        let out = dir.path().join(format!("card-{kind}.img"));
        let (result, events) = run(
            &file_plan(&src, None, &out, FileMode::Replace),
            &env(dir.path()),
        );
        let summary = result.unwrap_or_else(|e| panic!("{kind}: {e}"));
        assert_eq!(summary.image_len, img.len() as u64, "{kind}");
        assert!(
            std::fs::read(&out).unwrap() == img,
            "{kind}: content differs"
        );
        assert!(
            events.iter().any(|e| matches!(
                e,
                FlashEvent::PhaseDone {
                    phase: Phase::Verify,
                    ..
                }
            )),
            "{kind}"
        );
    }
}

#[test]
fn sparse_source_writes_only_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("sparse.img");
    let file = std::fs::File::create(&src).unwrap();
    file.set_len(64 * MIB as u64).unwrap();
    use std::os::unix::fs::FileExt;
    let a = noise(300_000, 1);
    let b = noise(70_000, 2);
    file.write_all_at(&a, 5 * MIB as u64).unwrap();
    file.write_all_at(&b, 50 * MIB as u64 + 4096).unwrap();
    drop(file);
    let out = dir.path().join("card.img");
    let (result, events) = run(
        &file_plan(&src, None, &out, FileMode::Replace),
        &env(dir.path()),
    );
    let summary = result.unwrap();
    assert!(
        summary.written < 2 * MIB as u64,
        "wrote {}",
        summary.written
    );
    assert_eq!(std::fs::read(&out).unwrap(), std::fs::read(&src).unwrap());
    let total = events.iter().find_map(|e| match e {
        FlashEvent::Started { total, .. } => *total,
        _ => None,
    });
    assert!(total.unwrap() < 2 * MIB as u64);
}

/// A card image full of 0xEE, then the bmap'ed image written in place: only mapped ranges change.
fn bmap_fixture(dir: &Path) -> (PathBuf, PathBuf, Vec<u8>) {
    let src = dir.join("os.img");
    let file = std::fs::File::create(&src).unwrap();
    let size = 12 * MIB as u64;
    file.set_len(size).unwrap();
    use std::os::unix::fs::FileExt;
    file.write_all_at(b"MBR!", 0).unwrap();
    file.write_all_at(&noise(200_000, 3), 3 * MIB as u64)
        .unwrap();
    file.write_all_at(&noise(4096, 4), 8 * MIB as u64).unwrap();
    drop(file);
    let map = Bmap::create(&src, 4096).unwrap();
    let bmap = dir.join("os.img.bmap");
    std::fs::write(&bmap, map.to_xml()).unwrap();
    (src.clone(), bmap, std::fs::read(&src).unwrap())
}

#[test]
fn bmap_writes_and_verifies_only_mapped_ranges() {
    let dir = tempfile::tempdir().unwrap();
    let (src, bmap, img) = bmap_fixture(dir.path());
    let map = Bmap::load(&bmap).unwrap();
    for source in [src.clone(), {
        let zst = dir.path().join("os.img.zst");
        std::fs::write(&zst, compress("zst", &img)).unwrap();
        zst
    }] {
        let card = dir.path().join("card.img");
        std::fs::write(&card, vec![0xEEu8; 16 * MIB]).unwrap();
        let plan = file_plan(&source, Some(bmap.clone()), &card, FileMode::InPlace);
        let (result, _) = run(&plan, &env(dir.path()));
        let summary = result.unwrap_or_else(|e| panic!("{}: {e}", source.display()));
        let out = std::fs::read(&card).unwrap();
        assert_eq!(out.len(), 16 * MIB, "an in-place target keeps its size");
        for range in &map.ranges {
            let (s, e) = map.byte_range(range);
            assert_eq!(out[s as usize..e as usize], img[s as usize..e as usize]);
        }
        assert!(
            out[MIB..3 * MIB].iter().all(|b| *b == 0xEE),
            "unmapped bytes are left alone"
        );
        assert!(
            out[15 * MIB..].iter().all(|b| *b == 0),
            "the last MiB is wiped"
        );
        assert!(summary.verified <= map.mapped_bytes() + 256 * 1024);
        assert!(summary.written < 2 * MIB as u64);
    }
}

#[test]
fn corrupt_source_fails_its_bmap_checksum() {
    let dir = tempfile::tempdir().unwrap();
    let (src, bmap, mut img) = bmap_fixture(dir.path());
    img[3 * MIB + 100] ^= 1;
    std::fs::write(&src, &img).unwrap();
    let out = dir.path().join("card.img");
    let (result, events) = run(
        &file_plan(&src, Some(bmap), &out, FileMode::Replace),
        &env(dir.path()),
    );
    let err = result.unwrap_err();
    assert!(matches!(err, FlashError::BmapChecksum { .. }), "{err}");
    assert!(!out.exists(), "no output claims success");
    assert!(matches!(events.last(), Some(FlashEvent::Failed { .. })));
}

/// The range checksums are checked on the pipeline's middle stage: also without verify, also
/// for a compressed source, and for the map's last range (checked once the reader is done).
#[test]
fn a_corrupt_last_range_fails_its_checksum_without_verify_and_compressed() {
    let dir = tempfile::tempdir().unwrap();
    let (src, bmap, mut img) = bmap_fixture(dir.path());
    img[8 * MIB + 10] ^= 1;
    let gz = dir.path().join("os.img.gz");
    std::fs::write(&gz, compress("gz", &img)).unwrap();
    std::fs::write(&src, &img).unwrap();
    for source in [&src, &gz] {
        let out = dir.path().join("card.img");
        let mut plan = file_plan(source, Some(bmap.clone()), &out, FileMode::Replace);
        plan.verify = false;
        let (result, events) = run(&plan, &env(dir.path()));
        let err = result.unwrap_err();
        assert!(
            matches!(err, FlashError::BmapChecksum { first, .. } if first == (8 * MIB / 4096) as u64),
            "{}: {err}",
            source.display()
        );
        assert!(!out.exists(), "no output claims success");
        assert!(matches!(events.last(), Some(FlashEvent::Failed { .. })));
    }
}

#[test]
fn truncated_download_fails_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let gz = compress("gz", &sample_image());
    let src = dir.path().join("os.img.gz");
    std::fs::write(&src, &gz[..gz.len() / 2]).unwrap();
    let out = dir.path().join("card.img");
    let (result, _) = run(
        &file_plan(&src, None, &out, FileMode::Replace),
        &env(dir.path()),
    );
    let err = result.unwrap_err();
    assert!(err.to_string().contains("os.img.gz"), "{err}");
    assert_eq!(err.exit_code(), 1);
    assert!(!out.exists());
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "partial file removed"
    );
}

fn mem_run(
    target: &mut MemTarget,
    src: &Path,
    cancel: &CancelToken,
) -> (Result<skiff::flash::Summary, FlashError>, Vec<FlashEvent>) {
    let source = PreparedSource::prepare(&SourceSpec::Image {
        path: src.to_path_buf(),
        bmap: None,
        member: None,
        raw: true,
    })
    .unwrap();
    let mut events = Vec::new();
    let mut sink = |e: FlashEvent| events.push(e);
    let config = EngineConfig {
        chunk_size: 256 * 1024,
        ring: 3,
    };
    let result = run_on(
        target,
        source,
        RunOptions::default(),
        &config,
        &mut sink,
        cancel,
        &mut |_| Ok(()),
    );
    (result, events)
}

#[test]
fn io_error_mid_write_fails_without_a_partition_table() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("os.img");
    std::fs::write(&src, sample_image()).unwrap();
    let mut card = MemTarget::new(16 * MIB, 0xEE);
    card.fail_writes_in = Some((5 * MIB as u64, 5 * MIB as u64 + 1));
    let (result, events) = mem_run(&mut card, &src, &CancelToken::new());
    let err = result.unwrap_err();
    assert!(
        matches!(err, FlashError::WriteFailed { offset, .. } if offset <= 5 * MIB as u64),
        "{err}"
    );
    assert_eq!(err.exit_code(), 3);
    assert!(!events.iter().any(|e| matches!(e, FlashEvent::Done { .. })));
    assert!(
        card.snapshot()[..MIB].iter().all(|b| *b == 0),
        "first MiB wiped, never written"
    );
}

/// A full file system under an image file is said as such, not as a faulty card.
#[test]
fn a_full_file_system_is_named_for_an_image_file() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("os.img");
    std::fs::write(&src, sample_image()).unwrap();
    let mut file = MemTarget::new(16 * MIB, 0xEE);
    file.fail_writes_in = Some((5 * MIB as u64, 5 * MIB as u64 + 1));
    file.fail_errno = 28;
    file.file = true;
    let (result, events) = mem_run(&mut file, &src, &CancelToken::new());
    let err = result.unwrap_err();
    assert!(matches!(err, FlashError::NoSpace { .. }), "{err}");
    assert!(err.to_string().contains("the file system is full"), "{err}");
    assert!(!err.to_string().contains("faulty"), "{err}");
    assert_eq!(err.reason().code(), "no_space");
    assert!(!events.iter().any(|e| matches!(e, FlashEvent::Done { .. })));
}

#[test]
fn verify_mismatch_is_reported_and_the_first_block_never_written() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("os.img");
    std::fs::write(&src, sample_image()).unwrap();
    let mut card = MemTarget::new(16 * MIB, 0xEE);
    card.corrupt_read_at = Some(4 * MIB as u64 + 12345);
    let (result, _) = mem_run(&mut card, &src, &CancelToken::new());
    let err = result.unwrap_err();
    match &err {
        FlashError::VerifyMismatch { offset, len, .. } => {
            assert!(*offset <= 4 * MIB as u64 + 12345 && 4 * MIB as u64 + 12345 < offset + len)
        }
        other => panic!("expected a mismatch, got {other}"),
    }
    assert_eq!(err.exit_code(), 3);
    assert_eq!(
        &card.snapshot()[..4],
        &[0, 0, 0, 0],
        "no table on a card that failed verify"
    );
}

#[test]
fn first_megabyte_is_written_last() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("os.img");
    std::fs::write(&src, sample_image()).unwrap();
    let mut card = MemTarget::new(16 * MIB, 0xEE);
    let (result, _) = mem_run(&mut card, &src, &CancelToken::new());
    result.unwrap();
    let writes = card.writes.lock().unwrap().clone();
    // Wipes first (head and tail), then the image above 1 MiB, then the held-back first MiB.
    assert_eq!(writes[0].0, 0);
    let last = writes.last().unwrap();
    assert!(last.0 < HOLD, "{writes:?}");
    let first_image_write = writes.iter().skip(2).position(|w| w.0 >= HOLD).unwrap() + 2;
    assert!(
        writes[first_image_write..]
            .iter()
            .take_while(|w| w.0 >= HOLD)
            .count()
            > 5
    );
    assert_eq!(&card.snapshot()[..4], b"MBR!");
}

/// A sink that records events and fires `cancel` when `phase` starts.
fn cancel_at<'a>(
    phase: Phase,
    cancel: &CancelToken,
    events: &'a mut Vec<FlashEvent>,
) -> impl FnMut(FlashEvent) + 'a {
    let trigger = cancel.clone();
    move |e: FlashEvent| {
        if matches!(&e, FlashEvent::PhaseStarted { phase: p, .. } if *p == phase) {
            trigger.cancel();
        }
        events.push(e);
    }
}

#[test]
fn cancel_stops_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("os.img");
    std::fs::write(&src, sample_image()).unwrap();
    let out = dir.path().join("card.img");
    let cancel = CancelToken::new();
    let mut events = Vec::new();
    let mut sink = cancel_at(Phase::Write, &cancel, &mut events);
    let result = execute(
        &file_plan(&src, None, &out, FileMode::Replace),
        &env(dir.path()),
        &mut sink,
        &cancel,
    );
    drop(sink);
    let err = result.unwrap_err();
    assert!(
        matches!(err, FlashError::CancelledFileKept { .. }),
        "a new file's cancel says the path was not replaced: {err}"
    );
    assert_eq!(err.exit_code(), 130);
    assert!(!out.exists());
    assert!(matches!(
        events.last(),
        Some(FlashEvent::Failed { exit_code: 130, .. })
    ));
}

#[test]
fn a_cancel_once_the_table_is_being_written_finishes_the_card() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("os.img");
    let image = sample_image();
    std::fs::write(&src, &image).unwrap();
    let source = PreparedSource::prepare(&SourceSpec::Image {
        path: src.clone(),
        bmap: None,
        member: None,
        raw: true,
    })
    .unwrap();
    let mut card = MemTarget::new(16 * MIB, 0xEE);
    let cancel = CancelToken::new();
    let mut events = Vec::new();
    let mut sink = cancel_at(Phase::Finalize, &cancel, &mut events);
    let config = EngineConfig {
        chunk_size: 256 * 1024,
        ring: 3,
    };
    let summary = run_on(
        &mut card,
        source,
        RunOptions::default(),
        &config,
        &mut sink,
        &cancel,
        &mut |_| Ok(()),
    )
    .expect("the last milliseconds are not cancelled");
    drop(sink);
    assert_eq!(summary.written, image.len() as u64);
    assert_eq!(summary.verified, image.len() as u64);
    assert!(matches!(events.last(), Some(FlashEvent::Done { .. })));
    assert_eq!(&card.data.lock().unwrap()[..image.len()], &image[..]);
}

#[test]
fn image_larger_than_the_target_is_refused_before_writing() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("os.img");
    std::fs::write(&src, sample_image()).unwrap();
    let card = dir.path().join("small.img");
    std::fs::write(&card, vec![0xEEu8; 4 * MIB]).unwrap();
    let (result, _) = run(
        &file_plan(&src, None, &card, FileMode::InPlace),
        &env(dir.path()),
    );
    let err = result.unwrap_err();
    assert!(matches!(err, FlashError::TooSmall { .. }), "{err}");
    assert!(
        std::fs::read(&card).unwrap().iter().all(|b| *b == 0xEE),
        "untouched"
    );

    // A compressed stream does not say its size: the write stops when it reaches the end.
    let gz = dir.path().join("os.img.gz");
    std::fs::write(&gz, compress("gz", &sample_image())).unwrap();
    let (result, _) = run(
        &file_plan(&gz, None, &card, FileMode::InPlace),
        &env(dir.path()),
    );
    let err = result.unwrap_err();
    assert!(matches!(err, FlashError::TooSmall { .. }), "{err}");
    assert_eq!(err.exit_code(), 3);
    assert_eq!(&std::fs::read(&card).unwrap()[..4], &[0, 0, 0, 0]);
}

#[test]
fn the_target_cannot_be_the_source() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("os.img");
    std::fs::write(&src, sample_image()).unwrap();
    let (result, _) = run(
        &file_plan(&src, None, &src, FileMode::InPlace),
        &env(dir.path()),
    );
    assert!(result.unwrap_err().to_string().contains("own input"));
}

fn fake_cards(root: &Path) -> SystemView {
    let mut sys = FakeSystem::new(root);
    let mut internal = FakeDisk::new("sda", 8, 0, 32 * MIB as u64);
    internal.partitions = vec![8 * MIB as u64];
    let mut mounted = FakeDisk::usb_card("sdb", 16, 32 * MIB as u64, "1-1");
    mounted.partitions = vec![8 * MIB as u64];
    sys.disk(internal)
        .disk(mounted)
        .disk(FakeDisk::usb_card("sdc", 32, 32 * MIB as u64, "1-2"))
        .mount(8, 17, "/media/card", "/dev/sdb1");
    sys.write().unwrap()
}

fn device_plan(view: &SystemView, src: &Path, name: &str) -> FlashPlan {
    let mut plan = file_plan(src, None, &view.dev.join(name), FileMode::Replace);
    plan.target.device = true;
    plan
}

#[test]
fn device_targets_are_checked_again_before_writing() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root");
    let view = fake_cards(&root);
    let src = dir.path().join("os.img");
    let img = sample_image();
    std::fs::write(&src, &img).unwrap();
    let env = env(&root);

    let (result, _) = run(&device_plan(&view, &src, "sdc"), &env);
    result.unwrap();
    let card = std::fs::read(view.dev.join("sdc")).unwrap();
    assert_eq!(card.len(), 32 * MIB, "a device keeps its size");
    assert_eq!(card[..img.len()], img[..]);

    let (result, _) = run(&device_plan(&view, &src, "sdb"), &env);
    let err = result.unwrap_err();
    assert!(
        err.to_string().contains("sdb1 is mounted on /media/card"),
        "{err}"
    );
    let mut forced = device_plan(&view, &src, "sdb");
    forced.target.force_unsafe = Some("sdb".into());
    assert!(
        run(&forced, &env).0.is_err(),
        "a mounted card is never written"
    );

    let (result, _) = run(&device_plan(&view, &src, "sda"), &env);
    assert!(
        result
            .unwrap_err()
            .to_string()
            .contains("not a removable disk")
    );
    let mut forced = device_plan(&view, &src, "sda");
    forced.target.force_unsafe = Some("sdb".into());
    assert!(run(&forced, &env).0.is_err(), "the typed name must match");
    forced.target.force_unsafe = Some("sda".into());
    let (result, events) = run(&forced, &env);
    result.unwrap();
    assert!(events.iter().any(
        |e| matches!(e, FlashEvent::Warning { message } if message.contains("writing despite"))
    ));

    let devices = skiff::flash::discover(&view, &NoProperties).unwrap();
    let sdc = devices.iter().find(|d| d.name == "sdc").unwrap();
    let mut plan = device_plan(&view, &src, "sdc");
    let mut identity = sdc.identity();
    identity.serial = Some("another card".into());
    plan.target.expect = Some(identity);
    let err = run(&plan, &env).0.unwrap_err();
    assert!(matches!(err, FlashError::IdentityChanged { .. }), "{err}");

    let mut wrong_kind = device_plan(&view, &src, "sdc");
    wrong_kind.target.device = false;
    assert!(
        run(&wrong_kind, &env)
            .0
            .unwrap_err()
            .to_string()
            .contains("plan again")
    );
}

/// The failed event names the reason with a stable code and the phase it failed in.
#[test]
fn failures_carry_a_reason_code_and_the_phase() {
    use skiff::flash::reason::FailReason;
    let dir = tempfile::tempdir().unwrap();
    // A gzip image cut short: it decodes until the cut, during the write.
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut enc, &sample_image()).unwrap();
    let mut gz = enc.finish().unwrap();
    gz.truncate(gz.len() / 2);
    let src = dir.path().join("os.img.gz");
    std::fs::write(&src, &gz).unwrap();
    let out = dir.path().join("out.img");
    let mut events = Vec::new();
    let mut sink = |e: FlashEvent| events.push(e);
    let err = execute(
        &file_plan(&src, None, &out, FileMode::Replace),
        &env(dir.path()),
        &mut sink,
        &CancelToken::new(),
    )
    .unwrap_err();
    assert_eq!(err.reason(), FailReason::SourceCorrupt);
    match events.last() {
        Some(FlashEvent::Failed {
            reason,
            phase,
            exit_code,
            ..
        }) => {
            assert_eq!(
                (*reason, *phase, *exit_code),
                (FailReason::SourceCorrupt, Phase::Write, 1)
            )
        }
        other => panic!("{other:?}"),
    }
    let line = events.last().unwrap().to_json_line();
    assert!(
        line.contains(r#""reason":"source_corrupt","phase":"write""#),
        "{line}"
    );
    // A missing image is unreadable, before anything is opened.
    let mut events = Vec::new();
    let mut sink = |e: FlashEvent| events.push(e);
    let err = execute(
        &file_plan(
            &dir.path().join("missing.img"),
            None,
            &out,
            FileMode::Replace,
        ),
        &env(dir.path()),
        &mut sink,
        &CancelToken::new(),
    )
    .unwrap_err();
    assert_eq!(err.reason(), FailReason::SourceUnreadable);
    assert_eq!(err.reason().code(), "source_unreadable");
    assert!(matches!(
        events.last(),
        Some(FlashEvent::Failed {
            reason: FailReason::SourceUnreadable,
            phase: Phase::Prepare,
            ..
        })
    ));
}

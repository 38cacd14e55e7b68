//! Writes the generated part of the fuzz seed corpora (`scripts/fuzz-seeds` copies the rest):
//! partition tables, plans and helper output made by skiff's own code from the bundled board
//! layouts, a block map, mount and swap tables, card images to recognise (raw and compressed),
//! `skiff check` inputs with the `.config` kconfig-conf writes for the Kconfig test fixture, and
//! batch reports as `skiff batch --report` writes them.
//!
//! Run: `cargo run --example fuzz_seeds -- OUT_DIR` (OUT_DIR gets one directory per target).

use skiff::build::kconfig::{CheckInput, check, find_engine};
use skiff::build::workspace::merge_current;
use skiff::flash::bmap::Bmap;
use skiff::flash::card::table;
use skiff::flash::helper::serve;
use skiff::flash::plan::{ExpectedPartition, Segment, SegmentData};
#[path = "../tests/fake_system/mod.rs"]
mod fake_system;
use fake_system::{FakeDisk, FakeSystem};
use skiff::flash::{
    CancelToken, DeviceIdentity, Environment, FileMode, FlashPlan, SourceSpec, TargetSpec,
};
use skiff::model::layout::Layout;
use skiff::model::{Catalog, ConfigKind, DiscoverOptions, Tree, resolve_text};
use std::error::Error;
use std::path::{Path, PathBuf};

type Res<T> = Result<T, Box<dyn Error>>;

/// Bytes of a card's head that hold an MBR or a GPT with its entries (34 sectors).
const HEAD: usize = 34 * 512;

fn write(out: &Path, target: &str, name: &str, data: &[u8]) -> Res<()> {
    let dir = out.join(target);
    std::fs::create_dir_all(&dir)?;
    std::fs::write(dir.join(name), data)?;
    Ok(())
}

/// The bundled card layouts (those with a partition table), by board, with their table.
fn tables(root: &Path) -> Res<Vec<(String, u64, Vec<Segment>)>> {
    let mut out = Vec::new();
    let mut paths: Vec<PathBuf> = Vec::new();
    for category in std::fs::read_dir(root.join("configs"))? {
        for board in std::fs::read_dir(category?.path())? {
            let path = board?.path().join("layout.yaml");
            if path.is_file() {
                paths.push(path);
            }
        }
    }
    paths.sort();
    for path in paths {
        let rel = path.strip_prefix(root)?.display().to_string();
        let layout = Layout::parse(&std::fs::read_to_string(&path)?, &rel)?;
        if layout.table.is_none() {
            continue;
        }
        // At least a small card: a layout of growing partitions alone needs "0 bytes".
        let size = layout.min_card_size().max(1 << 30);
        let built = table::build(&layout, &layout.place(Some(size)), size)?;
        let board = rel
            .trim_start_matches("configs/")
            .trim_end_matches("/layout.yaml")
            .replace('/', "-");
        out.push((board, size, built.segments));
    }
    Ok(out)
}

/// The first bytes of a card holding only `segments`.
fn head_of(segments: &[Segment]) -> Vec<u8> {
    let mut head = vec![0u8; HEAD];
    for s in segments {
        if let SegmentData::Bytes { bytes } = &s.data {
            let start = s.offset as usize;
            if start < HEAD {
                let n = bytes.len().min(HEAD - start);
                head[start..start + n].copy_from_slice(&bytes[..n]);
            }
        }
    }
    head
}

fn plan(target: TargetSpec, source: SourceSpec) -> FlashPlan {
    FlashPlan {
        version: skiff::flash::plan::PLAN_VERSION,
        target,
        source,
        verify: true,
        wipe_ends: true,
        expect_partitions: Vec::new(),
        post: Vec::new(),
    }
}

fn file_target(path: &str, file_mode: FileMode) -> TargetSpec {
    TargetSpec {
        path: path.into(),
        device: false,
        expect: None,
        file_mode,
        force_unsafe: None,
    }
}

/// Plans as skiff sends them: assemblies of each board's table, a device write with the
/// identity it must find, an image with a block map, an install keeping a partition.
fn plans(out: &Path, boards: &[(String, u64, Vec<Segment>)]) -> Res<()> {
    for (board, size, segments) in boards {
        let source = SourceSpec::Assembly {
            size: *size,
            segments: segments.clone(),
        };
        let p = plan(file_target("card.img", FileMode::InPlace), source);
        let line = wire(&p)?;
        // A GPT's hex-encoded entries make a plan of 68 KB: long inputs slow every run.
        if line.len() <= 4096 {
            write(
                out,
                "helper_plan",
                &format!("assembly-{board}.json"),
                line.as_bytes(),
            )?;
        }
    }
    let mut device = plan(
        TargetSpec {
            path: "/dev/sdb".into(),
            device: true,
            expect: Some(DeviceIdentity {
                name: "sdb".into(),
                size: 31_914_983_424,
                model: Some("STORAGE DEVICE".into()),
                serial: Some("000000001".into()),
            }),
            file_mode: FileMode::Replace,
            force_unsafe: Some("sdb".into()),
        },
        SourceSpec::Image {
            path: "os.img.zst".into(),
            bmap: Some("os.img.bmap".into()),
            member: None,
            raw: false,
        },
    );
    write(
        out,
        "helper_plan",
        "image-device.json",
        wire(&device)?.as_bytes(),
    )?;
    device.wipe_ends = false;
    device.expect_partitions = vec![ExpectedPartition {
        number: 3,
        name: "persist".into(),
        start: 1 << 30,
        size: 1 << 30,
    }];
    device.source = SourceSpec::Assembly {
        size: 4 << 30,
        segments: vec![
            Segment {
                offset: 8192,
                label: "u-boot.bin".into(),
                data: SegmentData::File {
                    path: "images/u-boot.bin".into(),
                    offset: 0,
                    len: 65536,
                },
            },
            Segment {
                offset: 1 << 20,
                label: "partition boot".into(),
                data: SegmentData::Zero { len: 4096 },
            },
        ],
    };
    write(
        out,
        "helper_plan",
        "install-device.json",
        wire(&device)?.as_bytes(),
    )?;
    Ok(())
}

fn wire(plan: &FlashPlan) -> Res<String> {
    Ok(serde_json::to_string(plan)? + "\n")
}

/// What the helper prints for a plan it runs on an image file, and for input it refuses.
fn helper_output(out: &Path, scratch: &Path) -> Res<()> {
    let image = scratch.join("os.img");
    let mut bytes = vec![0u8; 3 << 20];
    bytes[..4096].fill(0x5a);
    bytes[2 << 20..(2 << 20) + 4096].fill(0xa5);
    std::fs::write(&image, &bytes)?;
    // Bytes with no partition table: written as given with `raw`, refused without it.
    let image_plan = |raw| {
        plan(
            file_target(
                &scratch.join("card.img").display().to_string(),
                FileMode::Replace,
            ),
            SourceSpec::Image {
                path: image.clone(),
                bmap: None,
                member: None,
                raw,
            },
        )
    };
    let runs = [
        ("written.jsonl", wire(&image_plan(true))?),
        ("not-an-image.jsonl", wire(&image_plan(false))?),
        ("refused.jsonl", "{\"version\":2}\n".to_string()),
        ("empty.jsonl", String::new()),
    ];
    for (name, input) in runs {
        let mut stdout = Vec::new();
        serve(
            std::io::Cursor::new(input.into_bytes()),
            &mut stdout,
            &Environment::host(),
            CancelToken::new(),
        );
        // Paths of this machine stay out of the corpus.
        let text = String::from_utf8(stdout)?.replace(&scratch.display().to_string(), "/home/u");
        write(out, "helper_events", name, text.as_bytes())?;
    }
    let bmap = Bmap::create(&image, 4096)?;
    write(out, "flash_inputs", "os.img.bmap", bmap.to_xml().as_bytes())?;
    Ok(())
}

/// Mount and swap tables of a machine with a system disk, a mounted card and swap.
fn system_tables(out: &Path, scratch: &Path) -> Res<()> {
    let mut system = FakeSystem::new(&scratch.join("sysroot"));
    let mut card = FakeDisk::usb_card("sdb", 16, 32 << 30, "1-2");
    card.partitions = vec![256 << 20, 2 << 30];
    system
        .disk(FakeDisk::new("nvme0n1", 259, 0, 512 << 30))
        .disk(card)
        .mount(259, 1, "/", "/dev/nvme0n1p1")
        .mount(259, 2, "/boot/efi", "/dev/nvme0n1p2")
        .mount(8, 17, "/media/u/my card", "/dev/sdb1")
        .pseudo_mount("/proc", "proc")
        .swap("/dev/nvme0n1p3");
    let view = system.write()?;
    write(
        out,
        "flash_inputs",
        "mountinfo",
        &std::fs::read(view.mountinfo)?,
    )?;
    write(out, "flash_inputs", "swaps", &std::fs::read(view.swaps)?)?;
    Ok(())
}

/// `skiff check` inputs: the fixture's Kconfig text, the `.config` kconfig-conf writes for
/// the fixture stack, and the merged fragment, joined with NUL bytes.
fn check_inputs(out: &Path, root: &Path) -> Res<()> {
    let fixture = root.join("tests/fixtures/kconfig");
    let tree = Tree::open(&fixture.join("tree"))?;
    let catalog = Catalog::discover(&DiscoverOptions {
        configs_dir: tree.configs_dir(),
        extra_paths: vec![],
        env_paths: vec![],
    })?;
    let stack = resolve_text(&catalog, "test/board,test/app,test/core")?;
    let merged = merge_current(&tree, &catalog, &stack, "default", &Default::default())?;
    let br = merged.config(ConfigKind::Buildroot);
    let srctree = fixture.join("buildroot");
    let report = check(CheckInput {
        engine: &find_engine(None)?,
        srctree: &srctree,
        fragment: &br.text,
        requests: &br.symbols,
        externals: &[],
        warnings: Vec::new(),
    })?;
    // The body reads one Kconfig file: the fixture's files concatenated, `source` lines out.
    let mut kconfig = String::new();
    let mut files: Vec<PathBuf> = walk(&srctree)?;
    files.sort();
    for f in files {
        for line in std::fs::read_to_string(f)?.lines() {
            if !line.trim_start().starts_with("source") {
                kconfig.push_str(line);
                kconfig.push('\n');
            }
        }
    }
    // Paths of this machine stay out of the corpus.
    let joined = [kconfig.as_str(), &report.config, &br.text]
        .join("\0")
        .replace(&root.display().to_string(), "/home/u/skiff");
    write(out, "kconfig_check", "fixture-stack", joined.as_bytes())?;
    Ok(())
}

fn walk(dir: &Path) -> Res<Vec<PathBuf>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            out.extend(walk(&path)?);
        } else {
            out.push(path);
        }
    }
    Ok(out)
}

/// Sources to recognise (`content`): a card's MBR and GPT head as a raw image, the MBR head
/// in every compressed container skiff reads, and what is not a card image (text, a block
/// map). `scripts/fuzz-seeds` adds the zips.
fn content_seeds(out: &Path, boards: &[(String, u64, Vec<Segment>)]) -> Res<()> {
    use std::io::Write;
    let heads: Vec<Vec<u8>> = boards.iter().map(|(_, _, s)| head_of(s)).collect();
    let gpt = |h: &Vec<u8>| &h[512..520] == b"EFI PART";
    let (Some(mbr), Some(gpt)) = (
        heads.iter().find(|h| !gpt(h)),
        heads.iter().find(|h| gpt(h)),
    ) else {
        return Err("the bundled layouts have no MBR or no GPT card".into());
    };
    let mbr = &mbr[..512];
    write(out, "content", "mbr.img", mbr)?;
    write(out, "content", "gpt.img", &gpt[..1024])?;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(mbr)?;
    write(out, "content", "mbr.img.gz", &gz.finish()?)?;
    let mut xz = liblzma::write::XzEncoder::new(Vec::new(), 6);
    xz.write_all(mbr)?;
    write(out, "content", "mbr.img.xz", &xz.finish()?)?;
    write(
        out,
        "content",
        "mbr.img.zst",
        &zstd::bulk::compress(mbr, 19)?,
    )?;
    let mut bz = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::best());
    bz.write_all(mbr)?;
    write(out, "content", "mbr.img.bz2", &bz.finish()?)?;
    write(out, "content", "notes.txt", b"flash me\n")?;
    let bmap = std::fs::read(out.join("flash_inputs/os.img.bmap"))?;
    write(out, "content", "os.img.bmap", &bmap)?;
    Ok(())
}

/// Batch reports (`batch_report`) as `skiff batch --report` writes them: a done card, a failed
/// one whose message needs quoting (comma, quotes, a line break), a resumed batch appended to
/// it, and a report with its header alone.
fn batch_reports(out: &Path, scratch: &Path) -> Res<()> {
    use skiff::flash::batch::report::{ReportLine, ReportWriter};
    use skiff::flash::batch::{CardJob, CardOutcome, CardResult};
    use skiff::flash::event::Phase;
    use skiff::flash::reason::FailReason;
    let card = |number: u32, slot: &str, result: CardResult| CardOutcome {
        job: CardJob {
            number,
            slot: slot.into(),
            target: TargetSpec {
                path: format!("/dev/sd{}", (b'a' + number as u8) as char).into(),
                device: true,
                expect: None,
                file_mode: FileMode::default(),
                force_unsafe: None,
            },
            reader_model: "STORAGE DEVICE".into(),
            reader_serial: format!("00000000{number:04}"),
            card_size: 31_914_983_424,
            identity: format!("robot-{number:02}"),
            post: Vec::new(),
        },
        written: 268_435_456,
        verified: 268_435_456,
        write_rate: 21_474_836.5,
        verify_rate: 89_478_485.3,
        secs: 15.5,
        result,
    };
    let failed = CardResult::Failed {
        reason: FailReason::WriteIo,
        phase: Phase::Write,
        message: "sdc: write failed at byte 20971520: Input/output error (os error 5); the card \"may\" be faulty,\nor was removed".into(),
    };
    let batches = [
        vec![
            card(
                1,
                "pci-0000:00:14.0-usb-0:1.1:1.0-scsi-0:0:0:0",
                CardResult::Done,
            ),
            card(2, "pci-0000:00:14.0-usb-0:1.2:1.0-scsi-0:0:0:0", failed),
        ],
        vec![card(3, "card3.img", CardResult::Done)],
    ];
    let report = scratch.join("report.csv");
    for (i, batch) in batches.iter().enumerate() {
        let mut writer = ReportWriter::open(Some(&report), None)?;
        for outcome in batch {
            let time = format!("2026-12-05T01:0{i}:00.000Z");
            let sha = "67f76f32db1836bf34cd1cee3c19795cd7ead9b7825a96aad6c867e3ff8aab58";
            writer.append(&ReportLine::new(time, "os.img.xz", sha, outcome))?;
        }
        if i == 0 {
            std::fs::copy(&report, scratch.join("first.csv"))?;
        }
    }
    write(
        out,
        "batch_report",
        "two-cards.csv",
        &std::fs::read(scratch.join("first.csv"))?,
    )?;
    write(out, "batch_report", "resumed.csv", &std::fs::read(&report)?)?;
    let empty = scratch.join("empty.csv");
    drop(ReportWriter::open(Some(&empty), None)?);
    write(
        out,
        "batch_report",
        "header-only.csv",
        &std::fs::read(&empty)?,
    )?;
    Ok(())
}

fn main() -> Res<()> {
    let Some(out) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: fuzz_seeds OUT_DIR");
        std::process::exit(2);
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let scratch = tempfile::tempdir()?;
    let boards = tables(root)?;
    for (board, _, segments) in &boards {
        let head = head_of(segments);
        // An MBR is one sector; keep the GPT's 34 only where there is one.
        let len = if head[512..].iter().all(|&b| b == 0) {
            512
        } else {
            HEAD
        };
        write(
            &out,
            "flash_inputs",
            &format!("table-{board}.bin"),
            &head[..len],
        )?;
    }
    plans(&out, &boards)?;
    helper_output(&out, scratch.path())?;
    system_tables(&out, scratch.path())?;
    content_seeds(&out, &boards)?;
    check_inputs(&out, root)?;
    batch_reports(&out, scratch.path())?;
    Ok(())
}

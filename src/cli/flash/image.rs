//! `skiff image build`: a sparse card image file from the stack's layout, optionally zstd
//! compressed with a block map beside it.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use clap::{Args, Subcommand};

use super::card::{BoardArgs, job_request, preview};
use super::{progress, report, report_other, run_plan_into};
use crate::cli::Cli;
use crate::flash::FlashPlan;
use crate::flash::bmap::Bmap;
use crate::flash::card::{CardMode, SystemTools};
use crate::flash::job::plan_card;
use crate::flash::plan::{SegmentData, SourceSpec};
use crate::flash::reason::FailReason;
use crate::flash::sparse::data_extents;
use crate::flash::{EventSink, FileMode, FlashEvent, ImageFile, Phase, Target, TargetSpec};

#[derive(Debug, Args)]
pub struct ImageArgs {
    #[command(subcommand)]
    pub action: ImageAction,
}

#[derive(Debug, Subcommand)]
pub enum ImageAction {
    /// Build a card image file (sparse): format and install in one pass. A name ending in
    /// .zst is compressed, with a .bmap beside it.
    Build {
        /// Output file: FILE.img, or FILE.img.zst.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Also write FILE.bmap for a raw image.
        #[arg(long)]
        bmap: bool,
        /// The stack (default: SKIFF_CONFIG or the workspace's last configure).
        stack: Option<String>,
        #[command(flatten)]
        common: BoardArgs,
        #[command(flatten)]
        persona: super::personalise::PersonaliseArgs,
    },
}

/// `skiff image build`.
pub fn run_image(cli: &Cli, a: &ImageArgs) -> Result<i32> {
    let ImageAction::Build { out, common, .. } = &a.action;
    let mut sink = progress::sink(common.json, out);
    match image_command(cli, a, sink.as_mut()) {
        Ok(code) => Ok(code),
        Err(e) => Ok(report_other(
            &e,
            common.json,
            out,
            FailReason::Stack,
            Phase::Prepare,
        )),
    }
}

fn image_command(cli: &Cli, a: &ImageArgs, sink: &mut dyn EventSink) -> Result<i32> {
    let ImageAction::Build {
        out,
        bmap,
        stack,
        common,
        persona,
    } = &a.action;
    let personal = (!persona.is_empty()).then(|| persona.load()).transpose()?;
    let req = job_request(cli, stack.as_deref(), common, CardMode::Build)?;
    let compressed = out.extension().is_some_and(|e| e == "zst");
    let raw = if compressed {
        out.with_extension("")
    } else {
        out.clone()
    };
    let dir = raw
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    // A compressed image is first written raw into a work directory beside it.
    let staging = tempfile::Builder::new()
        .prefix(".skiff-image-")
        .tempdir_in(dir)
        .with_context(|| format!("{}: cannot create a work directory", dir.display()))?;
    let raw_target = if compressed {
        staging.path().join("card.img")
    } else {
        raw.clone()
    };
    let path = std::path::absolute(&raw_target).unwrap_or(raw_target.clone());
    let target = Target::File(ImageFile {
        path: path.clone(),
        existing_size: None,
    });
    let spec = TargetSpec {
        path,
        device: false,
        expect: None,
        file_mode: FileMode::Replace,
        force_unsafe: None,
    };
    let mut job = match plan_card(&req, &target, spec, &SystemTools, &mut |_| {}) {
        Ok(job) => job,
        Err(e) => return Ok(report(&e, common.json, out)),
    };
    if let Some(p) = &personal {
        let added = crate::flash::personalise::render(p, &persona.identity(&target))
            .and_then(|files| crate::flash::personalise::add_to_job(&mut job, files));
        if let Err(e) = added {
            return Ok(report(&e, common.json, out));
        }
    }
    for w in &job.card.warnings {
        eprintln!("skiff: warning: {w}");
    }
    if common.dry_run {
        return preview(&job.card, &job.layout, CardMode::Build, common.json);
    }
    // The write's `done` waits until the block map and the compressed file exist too.
    let mut held = HoldDone {
        inner: sink,
        done: None,
    };
    let code = run_plan_into(&job.plan, &mut held);
    let done = held.done.take();
    if code != 0 {
        return Ok(code);
    }
    if let Err(e) = finish_files(
        &job.plan,
        &raw,
        &raw_target,
        out,
        *bmap,
        compressed,
        common.json,
    ) {
        return Ok(report_other(
            &e,
            common.json,
            out,
            FailReason::Io,
            Phase::Finalize,
        ));
    }
    if let Some(done) = done {
        sink.emit(done);
    }
    Ok(0)
}

/// Keeps a `Done` event back for the caller to send.
struct HoldDone<'a> {
    inner: &'a mut dyn EventSink,
    done: Option<FlashEvent>,
}

impl EventSink for HoldDone<'_> {
    fn emit(&mut self, event: FlashEvent) {
        match event {
            FlashEvent::Done { .. } => self.done = Some(event),
            other => self.inner.emit(other),
        }
    }
}

/// Every byte range the plan writes, zeros included: an ext4 journal is zeros that must reach
/// the card, though the new image file keeps them as holes.
fn plan_ranges(plan: &FlashPlan) -> Result<Vec<(u64, u64)>> {
    let SourceSpec::Assembly { segments, .. } = &plan.source else {
        return Ok(Vec::new());
    };
    let mut ranges = Vec::new();
    for segment in segments {
        match &segment.data {
            SegmentData::File { path, offset, len } => {
                let file = std::fs::File::open(path)
                    .with_context(|| format!("{}: cannot open", path.display()))?;
                let extents = data_extents(&file, *offset, offset + len)
                    .with_context(|| format!("{}: cannot map its data", path.display()))?;
                ranges.extend(
                    extents
                        .into_iter()
                        .map(|(s, e)| (s - offset + segment.offset, e - offset + segment.offset)),
                );
            }
            SegmentData::Bytes { .. } | SegmentData::Zero { .. } => {
                ranges.push((segment.offset, segment.end()));
            }
        }
    }
    Ok(ranges)
}

/// The block map and the compressed image, after the raw image was written.
fn finish_files(
    plan: &FlashPlan,
    raw: &Path,
    raw_target: &Path,
    out: &Path,
    bmap: bool,
    compressed: bool,
    json: bool,
) -> Result<()> {
    if bmap || compressed {
        let map =
            Bmap::create_with(raw_target, 4096, &plan_ranges(plan)?).map_err(anyhow::Error::new)?;
        let bmap_path = raw.with_file_name(format!(
            "{}.bmap",
            raw.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        ));
        crate::model::files::write_atomic(&bmap_path, map.to_xml().as_bytes())?;
        if !json {
            eprintln!("skiff: block map {}", bmap_path.display());
        }
    }
    if compressed {
        compress(raw_target, out)?;
        if !json {
            eprintln!("skiff: compressed image {}", out.display());
        }
    }
    Ok(())
}

/// zstd level 3, one frame that declares its decoded size (so a flash knows it before
/// writing), written beside `out` and renamed into place.
fn compress(raw: &Path, out: &Path) -> Result<()> {
    let dir = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let tmp = crate::model::files::temp_file_in(dir)
        .with_context(|| format!("{}: cannot create a temporary file", dir.display()))?;
    let input =
        std::fs::File::open(raw).with_context(|| format!("{}: cannot open", raw.display()))?;
    let len = input
        .metadata()
        .with_context(|| format!("{}: cannot measure", raw.display()))?
        .len();
    let mut reader = std::io::BufReader::with_capacity(1 << 20, input);
    let mut encoder =
        zstd::stream::write::Encoder::new(tmp.as_file(), 3).context("cannot start zstd")?;
    encoder
        .include_contentsize(true)
        .and_then(|_| encoder.set_pledged_src_size(Some(len)))
        .context("cannot declare the image size to zstd")?;
    std::io::copy(&mut reader, &mut encoder)
        .with_context(|| format!("{}: compression failed", out.display()))?;
    encoder.finish().context("cannot finish the zstd stream")?;
    tmp.as_file()
        .sync_all()
        .with_context(|| format!("{}: cannot sync", out.display()))?;
    tmp.persist(out)
        .with_context(|| format!("{}: cannot rename into place", out.display()))?;
    Ok(())
}

//! `skiff image build`: a sparse card image file from the stack's layout, optionally zstd
//! compressed with a block map beside it.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use clap::{Args, Subcommand};

use super::card::{BoardArgs, job_request, preview, user_error};
use super::{report, run_plan};
use crate::cli::Cli;
use crate::flash::bmap::Bmap;
use crate::flash::card::{CardMode, SystemTools};
use crate::flash::job::plan_card;
use crate::flash::{FileMode, ImageFile, Target, TargetSpec};

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
    },
}

/// `skiff image build`.
pub fn run_image(cli: &Cli, a: &ImageArgs) -> Result<i32> {
    match image_command(cli, a) {
        Ok(code) => Ok(code),
        Err(e) => Ok(user_error(e)),
    }
}

fn image_command(cli: &Cli, a: &ImageArgs) -> Result<i32> {
    let ImageAction::Build {
        out,
        bmap,
        stack,
        common,
    } = &a.action;
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
    let job = match plan_card(&req, &target, spec, &SystemTools, &mut |_| {}) {
        Ok(job) => job,
        Err(e) => return Ok(report(&e, common.json)),
    };
    for w in &job.card.warnings {
        eprintln!("skiff: warning: {w}");
    }
    if common.dry_run {
        return preview(&job.card, &job.layout, CardMode::Build, common.json);
    }
    let code = run_plan(&job.plan, common.json);
    if code != 0 {
        return Ok(code);
    }
    if *bmap || compressed {
        let map = Bmap::create(&raw_target, 4096).map_err(anyhow::Error::new)?;
        let bmap_path = raw.with_file_name(format!(
            "{}.bmap",
            raw.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        ));
        write_atomic(&bmap_path, map.to_xml().as_bytes())?;
        if !common.json {
            eprintln!("skiff: block map {}", bmap_path.display());
        }
    }
    if compressed {
        compress(&raw_target, out)?;
        if !common.json {
            eprintln!("skiff: compressed image {}", out.display());
        }
    }
    Ok(0)
}

fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("{}: cannot create a temporary file", dir.display()))?;
    std::io::Write::write_all(&mut tmp, bytes)
        .with_context(|| format!("{}: cannot write", path.display()))?;
    tmp.persist(path)
        .with_context(|| format!("{}: cannot rename into place", path.display()))?;
    Ok(())
}

/// zstd with a long window and all cores, written beside `out` and renamed into place.
fn compress(raw: &Path, out: &Path) -> Result<()> {
    let dir = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let tmp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("{}: cannot create a temporary file", dir.display()))?;
    let input =
        std::fs::File::open(raw).with_context(|| format!("{}: cannot open", raw.display()))?;
    let mut reader = std::io::BufReader::with_capacity(1 << 20, input);
    let mut encoder =
        zstd::stream::write::Encoder::new(tmp.as_file(), 3).context("cannot start zstd")?;
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

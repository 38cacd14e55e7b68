//! `skiff image build`: a sparse card image file from the stack's layout, optionally zstd
//! compressed with a block map beside it.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use clap::{Args, Subcommand};

use super::card::{BoardArgs, board, preview, size_arg, user_error, work_dir};
use super::{report, run_plan};
use crate::cli::Cli;
use crate::flash::FileMode;
use crate::flash::bmap::Bmap;
use crate::flash::card::{CardMode, CardRequest, SystemTools, assemble, flash_plan};

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
    let b = board(cli, stack.as_deref(), common)?;
    let Some(size) =
        size_arg(common, &b.layout)?.or_else(|| Some(b.layout.min_card_size()).filter(|s| *s > 0))
    else {
        anyhow::bail!("{}: give --size", out.display());
    };
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
    let work = work_dir(dir)?;
    let card = match assemble(
        &CardRequest {
            layout: &b.layout,
            card_size: size,
            images: &b.images,
            layers: &b.layers,
            arch: &b.arch,
            mode: CardMode::Build,
            work: work.path(),
            existing: None,
        },
        &SystemTools,
    ) {
        Ok(c) => c,
        Err(e) => return Ok(report(&e)),
    };
    for w in &card.warnings {
        eprintln!("skiff: warning: {w}");
    }
    if common.dry_run {
        return preview(&card, &b.layout, CardMode::Build, common.json);
    }
    let raw_target = if compressed {
        work.path().join("card.img")
    } else {
        raw.clone()
    };
    let spec = crate::flash::TargetSpec {
        path: std::path::absolute(&raw_target).unwrap_or(raw_target.clone()),
        device: false,
        expect: None,
        file_mode: FileMode::Replace,
        force_unsafe: None,
    };
    let code = run_plan(&flash_plan(&card, spec, !common.no_verify), common.json);
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
        crate::model::files::write_atomic(&bmap_path, map.to_xml().as_bytes())?;
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

/// zstd with a long window and all cores, written beside `out` and renamed into place.
fn compress(raw: &Path, out: &Path) -> Result<()> {
    let dir = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let tmp = crate::model::files::temp_file_in(dir)
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

//! `skiff format` and `skiff install`: the stack's board layout applied to a card or an image
//! file, plus what `image build` shares with them (board lookup, preview, work directory).

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use clap::Args;
use serde::Serialize;

use super::confirm::{SafetyArgs, choose};
use super::{report, run_plan};
use crate::cli::Cli;
use crate::cli::context::Context;
use crate::flash::card::{
    CardMode, CardPlan, CardRequest, SystemTools, arch_from_config, assemble, flash_plan, read_head,
};
use crate::flash::plan::SegmentData;
use crate::flash::{FileMode, Target};
use crate::model::layout::{Layout, parse_size};

#[derive(Debug, Args)]
pub struct CardArgs {
    /// A whole disk (/dev/sdX) or an image file (created when missing; give --size).
    pub target: PathBuf,
    /// The stack, e.g. `pi/4,skiff/core` (default: SKIFF_CONFIG or the workspace's last configure).
    pub stack: Option<String>,
    #[command(flatten)]
    pub common: BoardArgs,
    #[command(flatten)]
    pub safety: SafetyArgs,
    /// install only: check this skiff-core config and write it into the persist partition as
    /// skiff/core/config.yaml (what skiff-core reads at boot), without mounting.
    #[arg(long, value_name = "FILE")]
    pub core_config: Option<PathBuf>,
}

#[derive(Debug, Args, Clone)]
pub struct BoardArgs {
    /// The build's images/ directory (default: workspaces/<workspace>/images).
    #[arg(long, value_name = "DIR")]
    pub images: Option<PathBuf>,
    /// Size of a new image file, e.g. 2GiB (default: the layout's image_size).
    #[arg(long, value_name = "SIZE")]
    pub size: Option<String>,
    /// Architecture for compiled boot scripts: arm, arm64, riscv, x86_64 (default: from the
    /// workspace's Buildroot .config).
    #[arg(long)]
    pub arch: Option<String>,
    /// Skip reading back what was written.
    #[arg(long)]
    pub no_verify: bool,
    /// Show what would be written and exit.
    #[arg(long)]
    pub dry_run: bool,
    /// Print JSON (events as JSON Lines, or the plan with --dry-run) on stdout.
    #[arg(long)]
    pub json: bool,
}

pub(crate) struct Board {
    pub layout: Layout,
    pub layers: Vec<PathBuf>,
    pub images: PathBuf,
    pub arch: String,
}

/// A problem with what the user asked for: printed, exit code 1 (3 for permissions).
pub(super) fn user_error(e: anyhow::Error) -> i32 {
    eprintln!("skiff: error: {e:#}");
    match crate::cli::exit::code_for(&e) {
        crate::cli::exit::INTERNAL => crate::cli::exit::USER,
        code => code,
    }
}

pub(crate) fn board(cli: &Cli, stack: Option<&str>, args: &BoardArgs) -> Result<Board> {
    let ctx = Context::load(cli)?;
    let (text, _) = ctx.stack_text(stack);
    if text.trim().is_empty() {
        anyhow::bail!(
            "no stack: name one (e.g. pi/4,skiff/core), set SKIFF_CONFIG, or configure a workspace"
        );
    }
    let resolved = ctx.resolve(&text)?;
    let layers: Vec<PathBuf> = resolved
        .layers
        .iter()
        .filter_map(|n| ctx.catalog.lookup(n).map(|l| l.dir.clone()))
        .collect();
    let layout = Layout::for_chain(&layers)?.with_context(|| {
        format!(
            "no layer of the stack {} has a layout.yaml",
            resolved.joined()
        )
    })?;
    let workspace = ctx.tree.workspace_dir(&ctx.workspace);
    let images = args
        .images
        .clone()
        .unwrap_or_else(|| workspace.join("images"));
    let arch = args
        .arch
        .clone()
        .or_else(|| arch_from_config(&workspace.join(".config")))
        .unwrap_or_default();
    Ok(Board {
        layout,
        layers,
        images: std::path::absolute(&images).unwrap_or(images),
        arch,
    })
}

pub(super) fn size_arg(args: &BoardArgs, layout: &Layout) -> Result<Option<u64>> {
    match &args.size {
        Some(text) => Ok(Some(
            parse_size(text).map_err(|e| anyhow::anyhow!("--size {text}: {e}"))?,
        )),
        None => Ok(layout.image_size.map(|s| s.0)),
    }
}

#[derive(Serialize)]
struct Preview<'a> {
    layout: &'a str,
    mode: CardMode,
    card_size: u64,
    partitions: &'a [crate::flash::card::PartitionAction],
    writes: Vec<PreviewWrite<'a>>,
    post: &'a [crate::flash::plan::PostStep],
}

#[derive(Serialize)]
struct PreviewWrite<'a> {
    offset: u64,
    len: u64,
    what: &'a str,
    from: String,
}

pub(super) fn preview(card: &CardPlan, layout: &Layout, mode: CardMode, json: bool) -> Result<i32> {
    let writes = card
        .segments
        .iter()
        .map(|s| PreviewWrite {
            offset: s.offset,
            len: s.len(),
            what: &s.label,
            from: match &s.data {
                SegmentData::Bytes { .. } => "generated".into(),
                SegmentData::Zero { .. } => "zeros".into(),
                SegmentData::File { path, .. } => path.display().to_string(),
            },
        })
        .collect();
    let p = Preview {
        layout: &layout.origin,
        mode,
        card_size: card.size,
        partitions: &card.partitions,
        writes,
        post: &card.post,
    };
    if json {
        crate::cli::printer::json(&p)?;
        return Ok(0);
    }
    println!("{} ({:?}) on {} bytes", p.layout, mode, p.card_size);
    for part in p.partitions {
        println!(
            "  partition {} {:<10} {:>12} +{:<12} {:<5} {}",
            part.number,
            part.name,
            part.start,
            part.size,
            part.fs.as_deref().unwrap_or("-"),
            part.action
        );
    }
    for w in &p.writes {
        println!(
            "  write {:>12} +{:<10} {} ({})",
            w.offset, w.len, w.what, w.from
        );
    }
    Ok(0)
}

pub(super) fn work_dir(near: &Path) -> Result<tempfile::TempDir> {
    let dir = if near.is_dir() {
        near.to_path_buf()
    } else {
        std::env::temp_dir()
    };
    tempfile::Builder::new()
        .prefix(".skiff-card-")
        .tempdir_in(&dir)
        .with_context(|| format!("{}: cannot create a work directory", dir.display()))
}

/// `skiff format` and `skiff install`.
pub fn run_card(cli: &Cli, a: &CardArgs, mode: CardMode) -> Result<i32> {
    match card_command(cli, a, mode) {
        Ok(code) => Ok(code),
        Err(e) => Ok(user_error(e)),
    }
}

fn card_command(cli: &Cli, a: &CardArgs, mode: CardMode) -> Result<i32> {
    let persist_files = match (&a.core_config, mode) {
        (Some(f), CardMode::Install) => vec![crate::cli::core::persist_entry(f)?],
        (Some(_), _) => anyhow::bail!("--core-config works with skiff install"),
        (None, _) => Vec::new(),
    };
    let b = board(cli, a.stack.as_deref(), &a.common)?;
    let existing_len = std::fs::metadata(&a.target)
        .ok()
        .filter(|m| m.is_file())
        .map(|m| m.len());
    let wanted = size_arg(&a.common, &b.layout)?;
    let verb = if mode == CardMode::Install {
        "install"
    } else {
        "format"
    };
    let what = format!("{verb} with {}", b.layout.origin);
    let file_mode = if existing_len.is_some() {
        FileMode::InPlace
    } else {
        FileMode::Replace
    };
    let (target, spec) = match choose(&a.target, None, &what, &a.safety, file_mode) {
        Ok(t) => t,
        Err(e) => return Ok(report(&e)),
    };
    if let (CardMode::Install, Target::File(f)) = (mode, &target)
        && f.existing_size.is_none()
    {
        anyhow::bail!(
            "{}: does not exist; install writes into a formatted card or image (run skiff format first)",
            a.target.display()
        );
    }
    let card_size = match &target {
        Target::Device(d) => d.size,
        Target::File(f) => match f.existing_size.or(wanted) {
            Some(s) => s,
            None => anyhow::bail!(
                "{}: a new image file needs --size (the layout has no image_size)",
                a.target.display()
            ),
        },
    };
    let existing = if mode == CardMode::Install {
        read_head(&spec.path).and_then(|h| crate::flash::card::table::read(&h))
    } else {
        None
    };
    let near = match &target {
        Target::File(f) => f.path.parent().map(Path::to_path_buf).unwrap_or_default(),
        Target::Device(_) => b.images.parent().map(Path::to_path_buf).unwrap_or_default(),
    };
    let work = work_dir(&near)?;
    let mut card = match assemble(
        &CardRequest {
            layout: &b.layout,
            card_size,
            images: &b.images,
            layers: &b.layers,
            arch: &b.arch,
            mode,
            work: work.path(),
            existing,
        },
        &SystemTools,
    ) {
        Ok(c) => c,
        Err(e) => return Ok(report(&e)),
    };
    crate::cli::core::add_persist_files(&mut card, &b.layout, persist_files)?;
    for w in &card.warnings {
        eprintln!("skiff: warning: {w}");
    }
    if a.common.dry_run {
        return preview(&card, &b.layout, mode, a.common.json);
    }
    let plan = flash_plan(&card, spec, !a.common.no_verify);
    Ok(run_plan(&plan, a.common.json))
}

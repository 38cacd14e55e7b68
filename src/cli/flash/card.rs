//! `skiff format` and `skiff install`: the stack's board layout applied to a card or an image
//! file, plus what `image build` shares with them (the planner's request, the preview). The
//! decisions themselves are the card-job planner's (`flash::job`).

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;
use serde::Serialize;

use super::confirm::{SafetyArgs, choose};
use super::{report, report_other, run_plan};
use crate::cli::Cli;
use crate::cli::context::Context;
use crate::flash::FileMode;
use crate::flash::Phase;
use crate::flash::card::{CardMode, CardPlan, SystemTools};
use crate::flash::job::{CardJobRequest, layout_for, plan_card};
use crate::flash::plan::SegmentData;
use crate::flash::reason::FailReason;
use crate::model::layout::{Layout, parse_size};

#[derive(Debug, Args)]
pub struct CardArgs {
    /// A whole disk (/dev/sdX) or an image file (created when missing, of --size or the
    /// layout's image size).
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
    #[command(flatten)]
    pub persona: super::personalise::PersonaliseArgs,
}

#[derive(Debug, Args, Clone)]
pub struct BoardArgs {
    /// The build's images/ directory (default: workspaces/<workspace>/images).
    #[arg(long, value_name = "DIR")]
    pub images: Option<PathBuf>,
    /// Size of a new image file, e.g. 2GiB (default: the layout's image_size, else its
    /// smallest card rounded up to a MiB).
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

/// A problem with what the user asked for: printed, exit code 1 (3 for permissions).
pub(super) fn user_error(e: &anyhow::Error) -> i32 {
    eprintln!("skiff: error: {e:#}");
    match crate::cli::exit::code_for(e) {
        crate::cli::exit::INTERNAL => crate::cli::exit::USER,
        code => code,
    }
}

/// The planner's request for the stack on the command line (or SKIFF_CONFIG, or the
/// workspace's last configure) and the board flags.
pub fn job_request(
    cli: &Cli,
    stack: Option<&str>,
    args: &BoardArgs,
    mode: CardMode,
) -> Result<CardJobRequest> {
    let ctx = Context::load(cli)?;
    let (text, _) = ctx.stack_text(stack);
    if text.trim().is_empty() {
        anyhow::bail!(
            "no stack: name one (e.g. pi/4,skiff/core), set SKIFF_CONFIG, or configure a workspace"
        );
    }
    let resolved = ctx.resolve(&text)?;
    let size = match &args.size {
        Some(text) => Some(parse_size(text).map_err(|e| anyhow::anyhow!("--size {text}: {e}"))?),
        None => None,
    };
    Ok(CardJobRequest {
        stack: resolved.joined(),
        layers: resolved
            .layers
            .iter()
            .filter_map(|n| ctx.catalog.lookup(n).map(|l| l.dir.clone()))
            .collect(),
        workspace: ctx.tree.workspace_dir(&ctx.workspace),
        images: args.images.clone(),
        arch: args.arch.clone(),
        mode,
        size,
        verify: !args.no_verify,
    })
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
    print_post(p.post);
    Ok(0)
}

/// One line for each file a post step writes (dry runs).
pub(super) fn print_post(post: &[crate::flash::plan::PostStep]) {
    for step in post {
        if let crate::flash::plan::PostStep::WriteFiles {
            partition, files, ..
        } = step
        {
            for f in files {
                println!(
                    "  file  {partition}: {} (mode {:04o}, {} bytes)",
                    f.path,
                    f.mode,
                    f.bytes.len()
                );
            }
        }
    }
}

/// `skiff format` and `skiff install`.
pub fn run_card(cli: &Cli, a: &CardArgs, mode: CardMode) -> Result<i32> {
    match card_command(cli, a, mode) {
        Ok(code) => Ok(code),
        Err(e) => Ok(report_other(
            &e,
            a.common.json,
            &a.target,
            FailReason::Stack,
            Phase::Prepare,
        )),
    }
}

fn card_command(cli: &Cli, a: &CardArgs, mode: CardMode) -> Result<i32> {
    let mut persist_files = match (&a.core_config, mode) {
        (Some(f), CardMode::Install) => vec![crate::cli::core::persist_entry(f)?],
        (Some(_), _) => anyhow::bail!("--core-config works with skiff install"),
        (None, _) => Vec::new(),
    };
    let persona = match (a.persona.is_empty(), mode) {
        (true, _) => None,
        (false, CardMode::Install) => Some(a.persona.load()?),
        (false, _) => anyhow::bail!(
            "--hostname, --ssh-key, --wifi and --persist-files work with skiff install, flash and image build, not format"
        ),
    };
    let req = job_request(cli, a.stack.as_deref(), &a.common, mode)?;
    let layout = layout_for(&req.layers, &req.stack)?;
    let verb = if mode == CardMode::Install {
        "install"
    } else {
        "format"
    };
    let what = format!("{verb} with {}", layout.origin);
    let file_mode = if std::fs::metadata(&a.target).is_ok_and(|m| m.is_file()) {
        FileMode::InPlace
    } else {
        FileMode::Replace
    };
    let (target, spec) = match choose(&a.target, None, &what, &a.safety, file_mode) {
        Ok(t) => t,
        Err(e) => return Ok(report(&e, a.common.json, &a.target)),
    };
    if let Some(persona) = &persona {
        let files = crate::flash::personalise::render(persona, &a.persona.identity(&target));
        match files {
            Ok(files) => persist_files.extend(files),
            Err(e) => return Ok(report(&e, a.common.json, &a.target)),
        }
    }
    let mut job = match plan_card(&req, &target, spec, &SystemTools, &mut |_| {}) {
        Ok(job) => job,
        Err(e) => return Ok(report(&e, a.common.json, &a.target)),
    };
    crate::flash::personalise::add_to_job(&mut job, persist_files)?;
    for w in &job.card.warnings {
        eprintln!("skiff: warning: {w}");
    }
    if a.common.dry_run {
        return preview(&job.card, &job.layout, mode, a.common.json);
    }
    Ok(run_plan(&job.plan, a.common.json, &a.target))
}

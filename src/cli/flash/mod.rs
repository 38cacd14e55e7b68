//! `skiff flash`, `skiff format`, `skiff install`, `skiff image build`, and the hidden helper
//! subcommand that writes devices with root rights.

pub mod card;
pub mod confirm;
pub mod image;
pub mod progress;

use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::Args;

use crate::flash::bmap::find_beside;
use crate::flash::helper::serve;
use crate::flash::plan::PLAN_VERSION;
use crate::flash::source::PreparedSource;
use crate::flash::{
    CancelToken, Environment, FileMode, FlashError, FlashPlan, Phase, SourceSpec, writer_for,
};
use confirm::{SafetyArgs, choose};

#[derive(Debug, Args)]
pub struct FlashArgs {
    /// The image: raw, or compressed .gz, .xz, .zst, .bz2 (recognised by content).
    pub image: PathBuf,
    /// Where to write: a whole disk (/dev/sdX, /dev/mmcblkN) or an image file.
    #[arg(long, value_name = "TARGET")]
    pub to: PathBuf,
    /// Block map naming the ranges that matter (default: IMAGE.bmap or the same name without
    /// the compression suffix, when present).
    #[arg(long, value_name = "FILE")]
    pub bmap: Option<PathBuf>,
    /// Ignore a block map found next to the image.
    #[arg(long, conflicts_with = "bmap")]
    pub no_bmap: bool,
    /// Skip reading back what was written.
    #[arg(long)]
    pub no_verify: bool,
    /// Print events as JSON Lines on stdout instead of progress on stderr.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub safety: SafetyArgs,
}

#[derive(Debug, Args)]
pub struct HelperArgs {}

/// Stops the run between blocks on Ctrl-C or SIGTERM.
pub fn cancel_on_signals() -> CancelToken {
    let token = CancelToken::new();
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        let _ = signal_hook::flag::register(signal, token.flag());
    }
    token
}

/// Prints a flash error and returns its exit code. With `json`, the typed `failed` event
/// (reason code, phase, exit code) also goes to stdout, as the last line of the stream.
pub fn report(e: &FlashError, json: bool) -> i32 {
    eprintln!("skiff: error: {e}");
    if json {
        println!("{}", e.to_event(Phase::Prepare).to_json_line());
    }
    e.exit_code()
}

/// Runs a plan with the writer it needs and renders its events; returns the exit code.
pub fn run_plan(plan: &FlashPlan, json: bool) -> i32 {
    let cancel = cancel_on_signals();
    let writer = match writer_for(plan) {
        Ok(w) => w,
        Err(e) => return report(&e, json),
    };
    let mut sink = progress::sink(json);
    match writer.run(plan, sink.as_mut(), &cancel) {
        Ok(_) => 0,
        // The sink already printed the failed event.
        Err(e) if json => e.exit_code(),
        Err(e) => report(&e, false),
    }
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

pub fn run_flash(a: &FlashArgs) -> Result<i32> {
    let bmap = if a.no_bmap {
        None
    } else {
        a.bmap.clone().or_else(|| find_beside(&a.image))
    };
    let source = SourceSpec::Image {
        path: absolute(&a.image),
        bmap: bmap.as_deref().map(absolute),
    };
    let prepared = match PreparedSource::prepare(&source) {
        Ok(p) => p,
        Err(e) => return Ok(report(&e, a.json)),
    };
    let what = format!(
        "write {}{}{}",
        a.image.display(),
        prepared
            .image_size
            .map(|s| format!(" ({})", crate::flash::device::human_bytes(s)))
            .unwrap_or_default(),
        bmap.as_ref()
            .map(|b| format!(" with block map {}", b.display()))
            .unwrap_or_default()
    );
    let (_, target) = match choose(
        &a.to,
        prepared.image_size,
        &what,
        &a.safety,
        FileMode::Replace,
    ) {
        Ok(t) => t,
        Err(e) => return Ok(report(&e, a.json)),
    };
    drop(prepared);
    let plan = FlashPlan {
        version: PLAN_VERSION,
        target,
        source,
        verify: !a.no_verify,
        wipe_ends: true,
        expect_partitions: Vec::new(),
        post: Vec::new(),
    };
    Ok(run_plan(&plan, a.json))
}

/// The privileged side: plan on stdin, events on stdout.
pub fn run_helper(_a: &HelperArgs) -> Result<i32> {
    let cancel = cancel_on_signals();
    let env = Environment::host();
    let stdin = std::io::BufReader::new(std::io::stdin());
    Ok(serve(stdin, std::io::stdout(), &env, cancel))
}

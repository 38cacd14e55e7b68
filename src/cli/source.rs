//! `skiff source`: Buildroot's `make source`, every source archive the stack needs, to fill a
//! download directory on a connected machine for offline builds.

use super::build::{check_host_tools, dl_dir_env, prepare_workspace, run_make, stack_of};
use super::build_progress::Display;
use super::context::Context;
use super::{Cli, exit};
use anyhow::Result;
use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct SourceArgs {
    /// Layers, e.g. "pi/4,skiff/core" (default: SKIFF_CONFIG, then the workspace's last).
    pub stack: Option<String>,
    /// Print every event as one JSON line on stdout (JSON Lines).
    #[arg(long)]
    pub json: bool,
    /// Show all of make's output.
    #[arg(short, long)]
    pub verbose: bool,
    /// Buildroot tree (default: SKIFF_BUILDROOT, then <root>/buildroot).
    #[arg(long, value_name = "DIR")]
    pub buildroot: Option<PathBuf>,
    /// Where the archives go (BR2_DL_DIR; default: Buildroot's dl/).
    #[arg(long, value_name = "DIR")]
    pub dl_dir: Option<PathBuf>,
}

pub fn run(cli: &Cli, a: &SourceArgs) -> Result<i32> {
    check_host_tools()?;
    let ctx = Context::load(cli)?;
    let stack = stack_of(&ctx, a.stack.as_deref())?;
    let display = Display::new(a.json, a.verbose);
    let br = ctx.buildroot(a.buildroot.as_deref());
    let prepared = prepare_workspace(&ctx, &br, &stack, "source", &display)?;
    let env = dl_dir_env(a.dl_dir.as_deref())?;
    let dir = env.first().map(|(_, d)| d.clone());
    let code = run_make(
        &prepared,
        vec!["source".into()],
        "source",
        false,
        env,
        display,
    );
    if code == exit::OK && !a.json {
        eprintln!(
            "skiff: source archives are in {}; build offline with `skiff build --dl-dir DIR`",
            dir.unwrap_or_else(|| prepared.buildroot.dir.join("dl").display().to_string())
        );
    }
    Ok(code)
}

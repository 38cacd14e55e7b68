//! `skiff legal-info`: Buildroot's license and source manifest for the workspace.

use super::build::{prepare_workspace, run_make, stack_of};
use super::build_progress::Display;
use super::context::Context;
use super::{Cli, exit};
use anyhow::Result;
use clap::Args;

#[derive(Debug, Args)]
pub struct LegalInfoArgs {
    /// Print every event as one JSON line on stdout (JSON Lines).
    #[arg(long)]
    pub json: bool,
    /// Show all of make's output.
    #[arg(short, long)]
    pub verbose: bool,
    /// Buildroot tree (default: SKIFF_BUILDROOT, then <root>/buildroot).
    #[arg(long, value_name = "DIR")]
    pub buildroot: Option<std::path::PathBuf>,
}

pub fn run(cli: &Cli, a: &LegalInfoArgs) -> Result<i32> {
    {
        let ctx = Context::load(cli)?;
        let stack = stack_of(&ctx, None)?;
        let display = Display::new(a.json, a.verbose);
        let br = ctx.buildroot(a.buildroot.as_deref());
        let prepared = prepare_workspace(&ctx, &br, &stack, "legal-info", &display)?;
        let code = run_make(
            &prepared,
            vec!["legal-info".into()],
            "legal-info",
            false,
            Vec::new(),
            display,
        );
        if code == exit::OK && !a.json {
            eprintln!(
                "skiff: legal information is in {}",
                prepared.workspace_dir.join("legal-info").display()
            );
        }
        Ok(code)
    }
}

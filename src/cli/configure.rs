//! `skiff configure`: merge the stack and write the workspace's final config directory.

use super::context::Context;
use super::{Cli, exit, printer};
use crate::build::workspace::{DefconfigStep, configure};
use anyhow::Result;
use clap::Args;
use serde::Serialize;

#[derive(Debug, Args)]
pub struct ConfigureArgs {
    /// Layers, e.g. "pi/4,skiff/core" (default: SKIFF_CONFIG, then the workspace's last).
    pub stack: Option<String>,
    /// Print a JSON summary on stdout.
    #[arg(long)]
    pub json: bool,
    /// Buildroot tree for the final defconfig step (default: SKIFF_BUILDROOT, then
    /// <root>/buildroot).
    #[arg(long, value_name = "DIR")]
    pub buildroot: Option<std::path::PathBuf>,
}

pub fn run(cli: &Cli, a: &ConfigureArgs) -> Result<i32> {
    let ctx = Context::load(cli)?;
    let (text, recovered) = ctx.stack_text(a.stack.as_deref());
    let stack = ctx.resolve(&text)?;
    let env = ctx.configure_env(Some(ctx.buildroot(a.buildroot.as_deref())));
    let report = configure(&ctx.request(&stack, &env))?;
    let mut warnings = stack.warnings.clone();
    warnings.extend(report.merged.warnings.iter().cloned());
    let skipped = match &report.defconfig {
        DefconfigStep::Ran => None,
        DefconfigStep::Skipped(why) => Some(why.clone()),
    };
    if a.json {
        #[derive(Serialize)]
        struct Out<'a> {
            workspace: &'a str,
            layers: &'a [String],
            recovered: bool,
            final_dir: String,
            defconfig_skipped: Option<String>,
            cflags_changed: bool,
            warnings: &'a [crate::model::Warning],
        }
        printer::json(&Out {
            workspace: &ctx.workspace,
            layers: &stack.layers,
            recovered,
            final_dir: report.final_dir.display().to_string(),
            defconfig_skipped: skipped,
            cflags_changed: report.cflags_changed,
            warnings: &warnings,
        })?;
        return Ok(exit::OK);
    }
    if recovered {
        println!(
            "Using the stack workspace `{}` was last configured with.",
            ctx.workspace
        );
    }
    println!("Workspace {}: {}", ctx.workspace, stack.joined());
    println!("Wrote {}", report.final_dir.display());
    match skipped {
        None => println!(
            "Buildroot defconfig written to {}",
            report.final_dir.join("final/buildroot").display()
        ),
        Some(why) => println!("Skipped the final Buildroot defconfig step: {why}"),
    }
    if report.stamps_removed > 0 {
        println!(
            "cflags changed: removed {} GCC build stamps so the compiler is rebuilt",
            report.stamps_removed
        );
    }
    printer::warnings(&warnings);
    Ok(exit::OK)
}

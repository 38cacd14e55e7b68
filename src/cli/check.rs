//! `skiff check [STACK]`: evaluate the merged Buildroot config with a real Kconfig engine
//! and list every requested value that did not survive, with its reason and origin.

use super::build::stack_of;
use super::context::Context;
use super::{Cli, exit, printer};
use crate::build::BuildError;
use crate::build::kconfig::{CheckInput, Dropped, check, find_engine};
use crate::model::ConfigKind;
use anyhow::Result;
use clap::Args;
use std::path::{Path, PathBuf};

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Layers, e.g. "pi/4,skiff/core" (default: SKIFF_CONFIG, then the workspace's last).
    pub stack: Option<String>,
    /// Print the report as JSON on stdout.
    #[arg(long)]
    pub json: bool,
    /// Buildroot tree (default: SKIFF_BUILDROOT, then <root>/buildroot).
    #[arg(long, value_name = "DIR")]
    pub buildroot: Option<PathBuf>,
}

pub fn run(cli: &Cli, a: &CheckArgs) -> Result<i32> {
    {
        let ctx = Context::load(cli)?;
        let stack = stack_of(&ctx, a.stack.as_deref())?;
        if stack.layers.is_empty() {
            return Err(crate::model::ModelError::EmptyStack.into());
        }
        let srctree = ctx.buildroot(a.buildroot.as_deref());
        if !srctree.join("Config.in").is_file() {
            return Err(BuildError::NoBuildroot { path: srctree }.into());
        }
        let merged = ctx.merge(&stack)?;
        let engine = find_engine(Some(&ctx.tree.workspace_dir(&ctx.workspace)))?;
        let br = merged.config(ConfigKind::Buildroot);
        let externals: Vec<PathBuf> = merged.externals.iter().map(PathBuf::from).collect();
        let mut warnings = stack.warnings.clone();
        warnings.extend(merged.warnings.iter().cloned());
        let report = check(CheckInput {
            engine: &engine,
            srctree: &srctree,
            fragment: &br.text,
            requests: &br.symbols,
            externals: &externals,
            warnings,
        })?;
        let code = if report.dropped.is_empty() {
            exit::OK
        } else {
            exit::USER
        };
        if a.json {
            printer::json(&report)?;
            return Ok(code);
        }
        printer::warnings(&report.warnings);
        for d in &report.dropped {
            println!("{}", line(d, &ctx.tree.root));
        }
        eprintln!(
            "skiff: checked {} requested Buildroot values of {} with {}: {}",
            report.checked,
            stack.joined(),
            report.engine,
            match report.dropped.len() {
                0 => "all of them survive".to_string(),
                1 => "1 did not survive".to_string(),
                n => format!("{n} did not survive"),
            }
        );
        Ok(code)
    }
}

/// `path:line: [layer] SYMBOL=value: reason; final value: ...`, paths relative to the tree.
fn line(d: &Dropped, root: &Path) -> String {
    let path = d.path.strip_prefix(root).unwrap_or(&d.path);
    let asked = if d.requested == "is not set" {
        format!("# {} is not set", d.symbol)
    } else {
        format!("{}={}", d.symbol, d.requested)
    };
    let actual = match d.actual.as_deref() {
        None => "absent".to_string(),
        Some("n") => "is not set".to_string(),
        Some(v) => v.to_string(),
    };
    format!(
        "{}:{}: [{}] {asked}: {}; final value: {actual}",
        path.display(),
        d.line,
        d.layer,
        d.reason.describe()
    )
}

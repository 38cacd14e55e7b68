//! `skiff check [STACK]`: evaluate the merged Buildroot config with a real Kconfig engine
//! and list every requested value that did not survive, with its reason and origin.

use super::build::stack_of;
use super::context::Context;
use super::{Cli, exit, printer};
use crate::build::BuildError;
use crate::build::kconfig::{CheckInput, Dropped, Severity, check, find_engine};
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
    /// Fail (exit 1) on info too: replaced choice members and unused configs-base defaults.
    #[arg(long)]
    pub strict: bool,
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
        let (errors, infos) = (report.errors, report.info);
        let code = if errors > 0 || (a.strict && infos > 0) {
            exit::USER
        } else {
            exit::OK
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
            summary(errors, infos, a.strict)
        );
        Ok(code)
    }
}

fn summary(errors: usize, infos: usize, strict: bool) -> String {
    if errors + infos == 0 {
        return "all of them survive".into();
    }
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    let mut s = format!(
        "{} did not survive: {errors} error{}, {infos} info",
        errors + infos,
        plural(errors)
    );
    if infos > 0 && !strict {
        s.push_str(" (expected in a layered stack; --strict counts them)");
    }
    s
}

/// `path:line: SEVERITY: [layer] SYMBOL=value: reason; final value: ...[; note]`, paths
/// relative to the tree.
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
    let severity = match d.severity {
        Severity::Error => "error",
        Severity::Info => "info",
    };
    let note = d
        .expected
        .as_ref()
        .map(|e| format!(" ({})", e.describe(root)))
        .unwrap_or_default();
    format!(
        "{}:{}: {severity}: [{}] {asked}: {}; final value: {actual}{note}",
        path.display(),
        d.line,
        d.layer,
        d.reason.describe()
    )
}

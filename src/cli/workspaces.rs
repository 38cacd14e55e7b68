//! `skiff workspaces`: each workspace, its stack and when it was configured.

use super::context::Context;
use super::{Cli, exit, printer};
use crate::model::workspace::list;
use anyhow::Result;
use clap::Args;

#[derive(Debug, Args)]
pub struct WorkspacesArgs {
    /// Print JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

pub fn run(cli: &Cli, a: &WorkspacesArgs) -> Result<i32> {
    let ctx = Context::load(cli)?;
    let all = list(&ctx.tree);
    if a.json {
        printer::json(&all)?;
        return Ok(exit::OK);
    }
    if all.is_empty() {
        println!(
            "No workspaces yet: `skiff configure STACK` creates `{}`.",
            ctx.workspace
        );
    }
    let width = all.iter().map(|w| w.name.len()).max().unwrap_or(0) + 2;
    for w in &all {
        let current = if w.name == ctx.workspace { "*" } else { " " };
        let when = w
            .configured_at
            .map(format_age)
            .unwrap_or_else(|| "not configured".into());
        println!(
            "{current} {}{:<16} {}",
            printer::pad(&w.name, width),
            when,
            w.stack.as_deref().unwrap_or("-")
        );
    }
    Ok(exit::OK)
}

/// "5 minutes ago"-style age of a Unix time.
pub fn format_age(secs: u64) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(secs);
    let d = now.saturating_sub(secs);
    match d {
        0..60 => "just now".into(),
        60..3600 => format!("{} min ago", d / 60),
        3600..86400 => format!("{} h ago", d / 3600),
        _ => format!("{} days ago", d / 86400),
    }
}

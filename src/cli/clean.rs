//! `skiff clean`: delete a workspace's output and final config, after confirmation.

use super::context::Context;
use super::{Cli, exit, printer};
use crate::build::WorkspaceLock;
use crate::build::clean::{execute, plan};
use anyhow::Result;
use clap::Args;
use std::io::{BufRead, Write};

#[derive(Debug, Args)]
pub struct CleanArgs {
    /// Do not ask for confirmation (also SKIFF_NO_INTERACTIVE).
    #[arg(short, long)]
    pub yes: bool,
    /// Also delete the workspace's own compiler cache (workspaces/.ccache/<ws>). A cache
    /// BR2_CCACHE_DIR points elsewhere is never deleted.
    #[arg(long)]
    pub ccache: bool,
    /// Print what was removed as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

pub fn run(cli: &Cli, a: &CleanArgs) -> Result<i32> {
    {
        let ctx = Context::load(cli)?;
        let ws = &ctx.workspace;
        let _lock = WorkspaceLock::acquire(&ctx.tree.workspaces_dir(), ws, "clean")?;
        let p = plan(&ctx.tree, ws, ctx.host.ccache_dir.as_deref());
        for s in &p.shared_ccache {
            eprintln!(
                "skiff: keeping the shared compiler cache {} (BR2_CCACHE_DIR)",
                s.display()
            );
        }
        if p.is_empty() {
            eprintln!("skiff: nothing to clean for workspace {ws}");
            if a.json {
                printer::json(&Vec::<String>::new())?;
            }
            return Ok(exit::OK);
        }
        let interactive = !a.yes && !ctx.host.no_interactive;
        eprintln!("skiff: cleaning workspace {ws} deletes:");
        for d in [&p.workspace_dir, &p.final_dir].into_iter().flatten() {
            eprintln!("  {}", d.display());
        }
        if interactive && !ask("Are you sure? [y/N] ") {
            eprintln!("skiff: nothing deleted");
            return Ok(exit::USER);
        }
        let keep = ctx.host.keep_ccache;
        let with_ccache = match &p.ccache {
            Some(c) if !keep && !a.ccache && interactive => ask(&format!(
                "Also delete the compiler cache {}? [y/N] ",
                c.display()
            )),
            Some(_) => a.ccache && !keep,
            None => false,
        };
        let removed = execute(&p, with_ccache)?;
        for r in &removed {
            eprintln!("skiff: deleted {}", r.display());
        }
        if a.json {
            printer::json(&removed)?;
        }
        Ok(exit::OK)
    }
}

/// Ask on stderr, read one answer from stdin; only y or yes counts.
fn ask(question: &str) -> bool {
    eprint!("{question}");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    if std::io::stdin().lock().read_line(&mut answer).is_err() {
        return false;
    }
    matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes")
}

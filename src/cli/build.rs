//! `skiff build` (upstream's compile) and what build-like commands share: preparing the
//! workspace, running make with progress, Ctrl-C handling and exit codes.

use super::build_progress::Display;
use super::context::Context;
use super::{Cli, exit};
use crate::build::runner::{BuildRequest, start};
use crate::build::{BuildError, BuildEvent, PrepareRequest, Prepared, Status, prepare};
use crate::model::ResolvedStack;
use anyhow::Result;
use clap::Args;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// Layers, e.g. "pi/4,skiff/core" (default: SKIFF_CONFIG, then the workspace's last).
    pub stack: Option<String>,
    /// Print every event as one JSON line on stdout (JSON Lines).
    #[arg(long)]
    pub json: bool,
    /// Show all of make's output, not only its `>>>` step lines.
    #[arg(short, long)]
    pub verbose: bool,
    /// Buildroot tree (default: SKIFF_BUILDROOT, then <root>/buildroot).
    #[arg(long, value_name = "DIR")]
    pub buildroot: Option<PathBuf>,
    /// Download directory for source archives (BR2_DL_DIR): a local copy or mirror to build
    /// from without network.
    #[arg(long, value_name = "DIR")]
    pub dl_dir: Option<PathBuf>,
}

pub fn run(cli: &Cli, a: &BuildArgs) -> Result<i32> {
    let Ready {
        stack,
        prepared,
        env,
        display,
    } = prepare_build(cli, a, "build")?;
    let targets: Vec<String> = stack
        .build_target
        .as_deref()
        .map(|t| t.split_whitespace().map(str::to_string).collect())
        .unwrap_or_default();
    Ok(run_make(&prepared, targets, "build", true, env, display))
}

/// A workspace ready for make, as `build` and `source` need it.
pub(crate) struct Ready {
    pub stack: ResolvedStack,
    pub prepared: Prepared,
    /// make's extra environment (`BR2_DL_DIR` from `--dl-dir`).
    pub env: Vec<(String, String)>,
    pub display: Display,
}

/// What `build` and `source` do before make: a writable project, host tools, stack, display, the prepared
/// workspace, and make's extra environment.
pub(crate) fn prepare_build(cli: &Cli, a: &BuildArgs, purpose: &str) -> Result<Ready> {
    let ctx = Context::load(cli)?;
    // Outside a project nothing can be built: say that before asking for host tools.
    ctx.tree.check_writable()?;
    check_host_tools()?;
    let stack = stack_of(&ctx, a.stack.as_deref())?;
    let display = Display::new(a.json, a.verbose);
    let br = ctx.buildroot(a.buildroot.as_deref());
    let prepared = prepare_workspace(&ctx, &br, &stack, purpose, &display)?;
    let env = dl_dir_env(a.dl_dir.as_deref())?;
    Ok(Ready {
        stack,
        prepared,
        env,
        display,
    })
}

/// Buildroot's host prerequisites, against the PATH make will get; every missing one at once.
fn check_host_tools() -> Result<()> {
    crate::build::hostdeps::check(&std::env::var_os("PATH").unwrap_or_default())?;
    Ok(())
}

/// `BR2_DL_DIR=<absolute DIR>` for make when `--dl-dir` is given (created if missing).
fn dl_dir_env(dir: Option<&Path>) -> Result<Vec<(String, String)>> {
    let Some(dir) = dir else {
        return Ok(Vec::new());
    };
    std::fs::create_dir_all(dir).map_err(|e| BuildError::io(dir, e))?;
    let abs = std::fs::canonicalize(dir).map_err(|e| BuildError::io(dir, e))?;
    Ok(vec![("BR2_DL_DIR".into(), abs.display().to_string())])
}

/// The stack to use: argument, SKIFF_CONFIG, or what the workspace was configured with.
pub(crate) fn stack_of(ctx: &Context, arg: Option<&str>) -> Result<ResolvedStack> {
    let (text, _) = ctx.stack_text(arg);
    ctx.resolve(&text)
}

/// Lock, set up and (if needed) configure the workspace, reporting what happened.
pub(crate) fn prepare_workspace(
    ctx: &Context,
    buildroot: &Path,
    stack: &ResolvedStack,
    purpose: &str,
    display: &Display,
) -> Result<Prepared> {
    let env = ctx.configure_env(Some(buildroot.to_path_buf()));
    let prepared = prepare(&PrepareRequest {
        configure: ctx.request(stack, &env),
        purpose,
    })?;
    for w in &prepared.warnings {
        display.note(&format!("warning: {w}"));
    }
    match &prepared.reconfigured {
        Some(why) => display.note(&format!("configured workspace {} ({why})", ctx.workspace)),
        None => display.note(&format!(
            "workspace {} is configured for {}; skipping configure",
            ctx.workspace,
            stack.joined()
        )),
    }
    Ok(prepared)
}

/// Run make targets in a prepared workspace with progress; returns the exit code.
/// Ctrl-C interrupts make (SIGINT to its process group); a second Ctrl-C kills it.
pub(crate) fn run_make(
    prepared: &Prepared,
    targets: Vec<String>,
    label: &str,
    query_order: bool,
    env: Vec<(String, String)>,
    mut display: Display,
) -> i32 {
    let interrupted = Arc::new(AtomicBool::new(false));
    let _ = signal_hook::flag::register(signal_hook::consts::SIGINT, interrupted.clone());
    let req = BuildRequest {
        make: PathBuf::from("make"),
        buildroot: prepared.buildroot.dir.clone(),
        workspace: prepared.workspace_dir.clone(),
        targets,
        make_args: Vec::new(),
        env,
        query_order,
        label: label.to_string(),
    };
    let (tx, rx) = crossbeam_channel::unbounded();
    let handle = start(req, tx);
    let mut presses = 0;
    loop {
        match rx.recv_timeout(Duration::from_millis(100)) {
            Ok(e) => {
                display.track(&e);
                display.event(&e);
                if matches!(e, BuildEvent::Finished(_)) {
                    break;
                }
            }
            Err(crossbeam_channel::RecvTimeoutError::Timeout) => {}
            Err(crossbeam_channel::RecvTimeoutError::Disconnected) => break,
        }
        if interrupted.swap(false, Ordering::AcqRel) {
            presses += 1;
            if presses == 1 {
                display.note("interrupting make (Ctrl-C again to kill it)");
                handle.cancel();
            } else {
                handle.kill();
            }
        }
    }
    let outcome = handle.wait();
    display.finish(&outcome, label);
    match outcome.status {
        Status::Succeeded => exit::OK,
        Status::Cancelled => exit::INTERRUPTED,
        Status::Failed => exit::USER,
    }
}

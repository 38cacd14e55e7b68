//! `skiff br TARGET...`: any Buildroot target in the workspace; menuconfig changes are saved.

use super::build::{prepare_workspace, stack_of};
use super::build_progress::Display;
use super::context::Context;
use super::{Cli, exit};
use crate::build::BuildError;
use crate::build::delta::{CONFIG_TARGETS, DeltaSaved, delta_path, save};
use crate::model::env::parse_bind_env;
use anyhow::Result;
use clap::Args;
use std::process::Command;

#[derive(Debug, Args)]
#[command(trailing_var_arg = true)]
pub struct BrArgs {
    /// Buildroot targets and VAR=value arguments, e.g. `menuconfig`, `linux-menuconfig`,
    /// `source`, `graph-build`, `busybox-rebuild`.
    #[arg(required = true, allow_hyphen_values = true)]
    pub targets: Vec<String>,
    /// Buildroot tree (default: SKIFF_BUILDROOT, then <root>/buildroot).
    #[arg(long, value_name = "DIR")]
    pub buildroot: Option<std::path::PathBuf>,
}

pub fn run(cli: &Cli, a: &BrArgs) -> Result<i32> {
    {
        let ctx = Context::load(cli)?;
        let stack = stack_of(&ctx, None)?;
        let display = Display::new(false, false);
        let purpose = format!("br {}", a.targets.join(" "));
        let br = ctx.buildroot(a.buildroot.as_deref());
        let prepared = prepare_workspace(&ctx, &br, &stack, &purpose, &display)?;
        // make owns the terminal from here on (menuconfig, nconfig, linux-menuconfig...).
        display.close();
        let ws_dir = &prepared.workspace_dir;
        let dotconfig = ws_dir.join(".config");
        let edits_config = a
            .targets
            .iter()
            .any(|t| CONFIG_TARGETS.contains(&t.as_str()));
        let before = std::fs::read_to_string(&dotconfig).unwrap_or_default();
        let env = std::fs::read_to_string(ctx.tree.final_dir(&ctx.workspace).join("bind_env.sh"))
            .map(|t| parse_bind_env(&t))
            .unwrap_or_default();
        // make gets the terminal (menuconfig needs it) and handles Ctrl-C itself; skiff
        // only has to survive the signal to report make's status.
        let _ = signal_hook::flag::register(
            signal_hook::consts::SIGINT,
            std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false)),
        );
        let status = Command::new("make")
            .arg("-C")
            .arg(&prepared.buildroot.dir)
            .arg(format!("O={}", ws_dir.display()))
            .args(&a.targets)
            .envs(&env)
            .status()
            .map_err(|e| BuildError::Spawn {
                program: "make".into(),
                source: e,
            })?;
        let code = exit::of_make(&format!("make {}", a.targets.join(" ")), status);
        if code != exit::OK || !edits_config {
            return Ok(code);
        }
        let after =
            std::fs::read_to_string(&dotconfig).map_err(|e| BuildError::io(&dotconfig, e))?;
        let path = delta_path(&ctx.tree, &ctx.workspace);
        match save(&path, &before, &after)? {
            DeltaSaved::Written { path, changed } => {
                eprintln!(
                    "skiff: saved {changed} Buildroot configuration change(s) to {}",
                    path.display()
                );
                eprintln!("skiff: they are merged from now on; the next build reconfigures");
            }
            DeltaSaved::Nothing => eprintln!("skiff: no Buildroot configuration changes to save"),
        }
        Ok(exit::OK)
    }
}

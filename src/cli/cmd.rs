//! `skiff cmd CATEGORY/NAME/COMMAND`: run a layer's extension command with upstream's environment.

use super::context::Context;
use super::{Cli, exit};
use crate::build::version::tree_version;
use crate::model::env::{EnvInput, environment, parse_bind_env};
use crate::model::{ModelError, ResolvedStack};
use anyhow::{Result, bail};
use clap::Args;
use std::process::Command;

#[derive(Debug, Args)]
#[command(trailing_var_arg = true)]
pub struct CmdArgs {
    /// CATEGORY/NAME/COMMAND, e.g. pi/common/format.
    pub target: String,
    /// Arguments passed to make unchanged (for example VAR=value), never through a shell.
    #[arg(allow_hyphen_values = true)]
    pub args: Vec<String>,
}

pub fn run(cli: &Cli, a: &CmdArgs) -> Result<i32> {
    let parts: Vec<&str> = a.target.trim_start_matches("cmd/").split('/').collect();
    let [cat, name, command] = parts.as_slice() else {
        bail!(ModelError::Invalid(format!(
            "`{}` is not CATEGORY/NAME/COMMAND (for example pi/common/format)",
            a.target
        )));
    };
    if command.is_empty() || command.starts_with('-') {
        bail!(ModelError::Invalid(format!(
            "`{command}` is not a command name"
        )));
    }
    let ctx = Context::load(cli)?;
    let layer_name = format!("{cat}/{name}");
    let Some(layer) = ctx.catalog.lookup(&layer_name) else {
        bail!(ModelError::UnknownLayer {
            name: layer_name.clone(),
            required_by: None,
            suggestions: ctx.catalog.suggest(&layer_name),
        });
    };
    let ext = layer.dir.join("extensions");
    if !ext.is_dir() {
        bail!(ModelError::Invalid(format!(
            "layer {} has no extensions/ directory, so it has no commands",
            layer.name
        )));
    }
    let bind = ctx.tree.final_dir(&ctx.workspace).join("bind_env.sh");
    let mut vars = match std::fs::read_to_string(&bind) {
        Ok(text) => parse_bind_env(&text),
        Err(_) => {
            // Not configured yet: derive the same variables from the current selection.
            let (text, _) = ctx.stack_text(None);
            let stack = ctx
                .resolve(&text)
                .unwrap_or_else(|_| ResolvedStack::default());
            environment(&EnvInput {
                tree: &ctx.tree,
                catalog: &ctx.catalog,
                stack: &stack,
                workspace: &ctx.workspace,
                version: &tree_version(&ctx.tree.root),
                ccache_dir: &ctx.request(&stack, &ctx.configure_env(None)).ccache_dir(),
                extra_paths: &ctx.extra_paths,
            })
        }
    };
    vars.insert(
        "SKIFF_CURRENT_CONF_DIR".into(),
        layer.dir.display().to_string(),
    );
    vars.insert("SKIFF_CURRENT_CONF_NAME".into(), layer.name.clone());
    vars.insert(
        "SKIFF_CURRENT_CONF_NAME_FULL".into(),
        format!("SKIFF_CONFIG_PATH_{}", layer.id),
    );
    let host_bin = ctx
        .tree
        .workspace_dir(&ctx.workspace)
        .join("output/host/bin");
    let path = std::env::var("PATH").unwrap_or_default();
    let status = Command::new("make")
        .arg(*command)
        .args(&a.args)
        .current_dir(&ext)
        .envs(&vars)
        .env("PATH", format!("{}:{path}", host_bin.display()))
        .status()
        .map_err(|e| ModelError::Tool {
            what: "make".into(),
            detail: format!("{e}; is make installed?"),
        })?;
    Ok(exit::of_make(
        &format!("make {command} (in {})", ext.display()),
        status,
    ))
}

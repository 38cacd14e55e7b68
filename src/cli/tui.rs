//! `skiff tui` (and `skiff` alone on a terminal): open the interactive app.

use super::Cli;
use super::context::Context;
use crate::model::names::split_list;
use crate::ui::runtime::{RunOptions, run as run_app};
use crate::ui::settings::Settings;
use crate::ui::shared::StatusLevel;
use crate::ui::{App, Effects, Shared};
use anyhow::{Result, bail};
use clap::Args;
use std::io::IsTerminal;
use std::sync::Arc;

#[derive(Debug, Args, Default)]
pub struct TuiArgs {
    /// Draw the first frame and exit (start-up benchmark).
    #[arg(long, hide = true)]
    pub exit_after_first_frame: bool,
}

pub fn run(cli: &Cli, a: &TuiArgs) -> Result<i32> {
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        bail!(crate::model::ModelError::Invalid(
            "skiff tui needs a terminal; in scripts use `skiff layers`, `skiff stack` and `skiff configure`".into()
        ));
    }
    let ctx = Context::load(cli)?;
    let (text, _) = ctx.stack_text(None);
    let typed = split_list(&text).into_iter().map(str::to_string).collect();
    let settings = Settings::from_env();
    let configure_env = ctx.configure_env(Some(ctx.buildroot(None)));
    let catalog = Arc::new(ctx.catalog);
    let mut shared = Shared::new(
        catalog.clone(),
        ctx.tree.root.clone(),
        ctx.workspace.clone(),
        typed,
    );
    shared.keymap = settings.keymap;
    shared.theme = settings.theme;
    if let Some(p) = settings.problems.first() {
        let more = match settings.problems.len() {
            1 => String::new(),
            n => format!(" (and {} more)", n - 1),
        };
        shared.set_status(StatusLevel::Warning, format!("{p}{more}"));
    }
    let effects = Effects {
        tree: ctx.tree,
        catalog,
        env: configure_env,
        builds: Default::default(),
        flash: Default::default(),
        push: std::sync::Arc::new(crate::ui::push::jobs::PushJobs::new(
            crate::push::PushRequest::new(Default::default()),
            crate::ui::settings::config_dir(|k| std::env::var(k).ok()),
        )),
        batch: Default::default(),
        host_path: Some(std::env::var_os("PATH").unwrap_or_default()),
        clock: crate::ui::effects::system_clock(),
    };
    let app = App::new(shared, 80, 24);
    let code = run_app(
        app,
        effects,
        RunOptions {
            exit_after_first_frame: a.exit_after_first_frame,
        },
    )?;
    Ok(code)
}

//! `skiff ci github` (a GitHub Actions workflow building stacks in parallel) and `skiff ci
//! report` (a build's JSON Lines turned into annotations and a job summary).

use super::Cli;
use super::ci_github::{Job, WorkflowOptions, render};
use super::context::Context;
use crate::model::ModelError;
use anyhow::{Context as _, Result, bail};
use clap::{Args, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct CiArgs {
    #[command(subcommand)]
    pub action: CiAction,
}

#[derive(Debug, Subcommand)]
pub enum CiAction {
    /// Write a GitHub Actions workflow: one job per stack, caches, annotations, artifacts.
    Github(GithubArgs),
    /// Turn `skiff build --json` output into GitHub annotations and a summary table.
    Report(super::ci_report::ReportArgs),
}

#[derive(Debug, Args)]
pub struct GithubArgs {
    /// Stacks to build, one job each (e.g. pi/4,skiff/core odroid/c4,skiff/core).
    #[arg(required = true)]
    pub stacks: Vec<String>,
    /// Write the workflow here (atomically) instead of stdout, e.g. .github/workflows/skiff.yml.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Runner label of every job.
    #[arg(long, default_value = "ubuntu-latest", value_name = "LABEL")]
    pub runs_on: String,
    /// Shell command that installs skiff on the runner.
    #[arg(
        long,
        default_value = "cargo install --locked skiff",
        value_name = "CMD"
    )]
    pub install_skiff: String,
    /// Buildroot tree, relative to the repository (default: SkiffOS's buildroot/ submodule).
    #[arg(long, value_name = "DIR")]
    pub buildroot: Option<String>,
}

pub fn run(cli: &Cli, a: &CiArgs) -> Result<i32> {
    match &a.action {
        CiAction::Github(g) => run_github(cli, g),
        CiAction::Report(r) => super::ci_report::run(r),
    }
}

fn run_github(cli: &Cli, a: &GithubArgs) -> Result<i32> {
    let ctx = Context::load(cli)?;
    let mut jobs: Vec<Job> = Vec::new();
    for text in &a.stacks {
        // Resolve now, so a typo fails here and not hours later on a runner.
        let stack = ctx
            .resolve(text)
            .with_context(|| format!("stack `{text}`"))?;
        if stack.layers.is_empty() {
            bail!(ModelError::EmptyStack);
        }
        super::printer::warnings(&stack.warnings);
        let job = Job::new(text)?;
        if let Some(other) = jobs.iter().find(|j| j.board == job.board) {
            bail!(ModelError::Invalid(format!(
                "stacks `{}` and `{text}` both make the job name `{}`; give each stack once",
                other.stack, job.board
            )));
        }
        jobs.push(job);
    }
    let text = render(
        &jobs,
        &WorkflowOptions {
            runs_on: a.runs_on.clone(),
            install_skiff: a.install_skiff.clone(),
            buildroot: a.buildroot.clone(),
            command_line: std::env::args().skip(1).collect::<Vec<_>>().join(" "),
        },
    )?;
    match &a.out {
        Some(path) => {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|e| ModelError::io(dir, e))?;
            }
            crate::model::files::write_atomic(path, text.as_bytes())?;
            eprintln!(
                "skiff: wrote {} ({} job(s)); commit it and push",
                path.display(),
                jobs.len()
            );
        }
        None => print!("{text}"),
    }
    Ok(super::exit::OK)
}

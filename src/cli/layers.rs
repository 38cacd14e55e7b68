//! `skiff layers` and `skiff layer show`.

use super::context::Context;
use super::{Cli, exit, printer};
use crate::model::Layer;
use crate::model::contents::LayerContents;
use anyhow::{Result, bail};
use clap::{Args, Subcommand};
use serde::Serialize;

#[derive(Debug, Args)]
pub struct LayersArgs {
    /// Include unlisted layers.
    #[arg(long)]
    pub all: bool,
    /// Print JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct LayerArgs {
    #[command(subcommand)]
    pub action: LayerAction,
}

#[derive(Debug, Subcommand)]
pub enum LayerAction {
    /// Metadata, fragment kinds and files, commands and README of one layer.
    Show {
        /// Layer name, e.g. pi/4.
        name: String,
        /// Print JSON on stdout.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Serialize)]
struct LayerRow<'a> {
    name: &'a str,
    description: Option<&'a str>,
    dependencies: &'a [String],
    unlisted: bool,
    commands: Vec<CommandRow<'a>>,
    path: String,
    source: &'a crate::model::LayerSource,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
}

#[derive(Serialize)]
struct CommandRow<'a> {
    name: &'a str,
    description: &'a str,
}

fn row(l: &Layer) -> LayerRow<'_> {
    LayerRow {
        name: &l.name,
        description: l.meta.description.as_deref(),
        dependencies: &l.meta.dependencies,
        unlisted: l.meta.unlisted,
        commands: l
            .meta
            .runnable_commands()
            .iter()
            .map(|c| CommandRow {
                name: &c.name,
                description: &c.description,
            })
            .collect(),
        path: l.dir.display().to_string(),
        source: &l.source,
        error: l.error.as_deref(),
    }
}

pub fn run_list(cli: &Cli, a: &LayersArgs) -> Result<i32> {
    let ctx = Context::load(cli)?;
    let shown: Vec<&Layer> = ctx
        .catalog
        .layers
        .iter()
        .filter(|l| a.all || !l.meta.unlisted)
        .collect();
    if a.json {
        printer::json(&shown.iter().map(|l| row(l)).collect::<Vec<_>>())?;
        return Ok(exit::OK);
    }
    if shown.is_empty() {
        println!("No layers found under {}", ctx.tree.configs_dir().display());
        return Ok(exit::OK);
    }
    let width = shown.iter().map(|l| l.name.len()).max().unwrap_or(0) + 2;
    let mut out = String::new();
    for l in &shown {
        let mut desc = l.meta.description.clone().unwrap_or_default();
        if l.meta.unlisted {
            desc = format!("{desc} (unlisted)").trim_start().to_string();
        }
        if let Some(e) = &l.error {
            desc = format!("BROKEN: {e}");
        }
        if desc.is_empty() {
            out.push_str(&l.name);
        } else {
            out.push_str(&printer::pad(&l.name, width));
            out.push_str(&desc);
        }
        out.push('\n');
    }
    print!("{out}");
    printer::warnings(&ctx.catalog.warnings);
    Ok(exit::OK)
}

pub fn run_show(cli: &Cli, a: &LayerArgs) -> Result<i32> {
    let LayerAction::Show { name, json } = &a.action;
    let ctx = Context::load(cli)?;
    let Some(l) = ctx.catalog.lookup(name) else {
        bail!(crate::model::ModelError::UnknownLayer {
            name: name.clone(),
            required_by: None,
            suggestions: ctx.catalog.suggest(name),
        });
    };
    let contents = LayerContents::load(&l.dir, &l.name);
    if *json {
        #[derive(Serialize)]
        struct Show<'a> {
            #[serde(flatten)]
            layer: LayerRow<'a>,
            buildtarget: Option<&'a str>,
            contents: &'a LayerContents,
            warnings: Vec<&'a crate::model::Warning>,
        }
        printer::json(&Show {
            layer: row(l),
            buildtarget: l.meta.buildtarget.as_deref(),
            contents: &contents,
            warnings: l.meta.warnings.iter().chain(&contents.warnings).collect(),
        })?;
        return Ok(exit::OK);
    }
    println!("{}", l.name);
    println!(
        "  description:  {}",
        l.meta.description.as_deref().unwrap_or("(none)")
    );
    println!("  path:         {}", l.dir.display());
    println!("  dependencies: {}", join_or_none(&l.meta.dependencies));
    println!(
        "  unlisted:     {}",
        if l.meta.unlisted { "yes" } else { "no" }
    );
    if let Some(bt) = &l.meta.buildtarget {
        println!("  buildtarget:  {bt}");
    }
    if let Some(e) = &l.error {
        println!("  error:        {e}");
    }
    if !l.meta.commands.is_empty() {
        println!("  commands:");
        for c in &l.meta.commands {
            println!("    cmd/{}/{}  {}", l.name, c.name, c.description);
        }
    }
    for (kind, files) in &contents.fragments {
        println!("  {kind}/: {}", files.join(" "));
    }
    for d in contents.directories.iter().chain(&contents.hooks) {
        println!("  {d}");
    }
    printer::warnings(&l.meta.warnings);
    printer::warnings(&contents.warnings);
    if let Some(r) = &contents.readme {
        println!("\n{}", r.trim_end());
    }
    Ok(exit::OK)
}

fn join_or_none(v: &[String]) -> String {
    if v.is_empty() {
        "(none)".into()
    } else {
        v.join(", ")
    }
}

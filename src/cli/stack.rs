//! `skiff stack resolve`.

use super::context::Context;
use super::{Cli, exit, printer};
use anyhow::Result;
use clap::{Args, Subcommand};
use serde::Serialize;

#[derive(Debug, Args)]
pub struct StackArgs {
    #[command(subcommand)]
    pub action: StackAction,
}

#[derive(Debug, Subcommand)]
pub enum StackAction {
    /// Resolve STACK (commas and/or spaces) into the ordered chain, with every warning.
    Resolve {
        /// Layers, e.g. "pi/4,skiff/core" (default: SKIFF_CONFIG, then the workspace's last).
        stack: Option<String>,
        /// Print JSON on stdout.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Serialize)]
struct Inserted<'a> {
    layer: &'a str,
    required_by: &'a str,
}

pub fn run(cli: &Cli, a: &StackArgs) -> Result<i32> {
    let StackAction::Resolve { stack, json } = &a.action;
    let ctx = Context::load(cli)?;
    let (text, recovered) = ctx.stack_text(stack.as_deref());
    let r = ctx.resolve(&text)?;
    if *json {
        #[derive(Serialize)]
        struct Out<'a> {
            layers: &'a [String],
            requested: &'a [String],
            inserted: Vec<Inserted<'a>>,
            build_target: Option<&'a str>,
            recovered: bool,
            warnings: &'a [crate::model::Warning],
        }
        printer::json(&Out {
            layers: &r.layers,
            requested: &r.requested,
            inserted: r
                .inserted
                .iter()
                .map(|(l, b)| Inserted {
                    layer: l,
                    required_by: b,
                })
                .collect(),
            build_target: r.build_target.as_deref(),
            recovered,
            warnings: &r.warnings,
        })?;
        return Ok(exit::OK);
    }
    if recovered {
        eprintln!(
            "skiff: using the stack workspace `{}` was last configured with",
            ctx.workspace
        );
    }
    if r.layers.is_empty() {
        eprintln!(
            "skiff: the stack is empty: pass layers such as pi/4,skiff/core or set SKIFF_CONFIG"
        );
    }
    for name in &r.layers {
        match r.inserted.iter().find(|(l, _)| l == name) {
            Some((_, by)) => println!("{name}  (dependency of {by})"),
            None => println!("{name}"),
        }
    }
    printer::warnings(&r.warnings);
    Ok(exit::OK)
}

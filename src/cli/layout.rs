//! `skiff layout show` and `skiff layout check`: the card layout of a stack, drawn and validated.

use super::context::Context;
use super::{Cli, exit, printer};
use crate::model::layout::{Kind, Layout, LayoutError, RegionKind, Report, human, parse_size};
use anyhow::Result;
use clap::{Args, Subcommand};
use serde::Serialize;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct LayoutArgs {
    #[command(subcommand)]
    pub action: LayoutAction,
}

/// Where the layout comes from and how to look at it.
#[derive(Debug, Args)]
pub struct Target {
    /// Layers, e.g. "pi/4,skiff/core" (default: SKIFF_CONFIG, then the workspace's last).
    /// The layout is the one of the last layer of the resolved chain that has a layout.yaml.
    pub stack: Option<String>,
    /// Use this layout file instead of a stack's.
    #[arg(long, value_name = "FILE", conflicts_with = "stack")]
    pub file: Option<PathBuf>,
    /// Card size: bytes or a size with a unit (16GB, 32GiB, 31116288s). Default: the layout's
    /// image_size, else its smallest card.
    #[arg(long, value_name = "BYTES", value_parser = size_arg)]
    pub size: Option<u64>,
    /// Print JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum LayoutAction {
    /// Draw the layout as a proportional bar with offsets and sizes.
    Show {
        #[command(flatten)]
        target: Target,
        /// Width of the bar in columns.
        #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u16).range(8..=1000))]
        width: u16,
    },
    /// Validate the layout: overlaps, raw writes over partitions or tables, alignment, fit.
    Check {
        #[command(flatten)]
        target: Target,
    },
}

fn size_arg(s: &str) -> std::result::Result<u64, String> {
    parse_size(s)
}

/// The layout and where it came from.
struct Found {
    layout: Layout,
    /// The layer that provides it (None for --file).
    layer: Option<String>,
}

/// Outer error: internal (tree, resolution); inner error: the user's to fix, exit code 1.
fn find(cli: &Cli, t: &Target) -> Result<std::result::Result<Found, String>> {
    let user = |e: LayoutError| e.to_string();
    if let Some(f) = &t.file {
        return Ok(Layout::load(f)
            .map(|layout| Found {
                layout,
                layer: None,
            })
            .map_err(user));
    }
    let ctx = Context::load(cli)?;
    let (text, _) = ctx.stack_text(t.stack.as_deref());
    let stack = ctx.resolve(&text)?;
    printer::warnings(&stack.warnings);
    if stack.layers.is_empty() {
        return Ok(Err(
            "the stack is empty: pass layers such as pi/4,skiff/core or set SKIFF_CONFIG".into(),
        ));
    }
    for name in stack.layers.iter().rev() {
        let Some(layer) = ctx.catalog.lookup(name) else {
            continue;
        };
        if let Some(path) = Layout::file_of(&layer.dir) {
            return Ok(Layout::load(&path)
                .map(|layout| Found {
                    layout,
                    layer: Some(layer.name.clone()),
                })
                .map_err(user));
        }
    }
    Ok(Err(format!(
        "no layer of {} has a layout.yaml; add one to the board layer (see docs/layouts.md)",
        stack.joined()
    )))
}

/// Card size to draw or check against.
fn card_size(l: &Layout, flag: Option<u64>) -> u64 {
    flag.or(l.image_size.map(|s| s.0))
        .unwrap_or_else(|| l.min_card_size())
}

pub fn run(cli: &Cli, a: &LayoutArgs) -> Result<i32> {
    let (target, width) = match &a.action {
        LayoutAction::Show { target, width } => (target, Some(usize::from(*width))),
        LayoutAction::Check { target } => (target, None),
    };
    let found = match find(cli, target)? {
        Ok(f) => f,
        Err(e) => {
            emit_err(&format!("skiff: error: {e}\n"));
            return Ok(exit::USER);
        }
    };
    match width {
        Some(w) => show(&found, target, w),
        None => check(&found, target),
    }
}

#[derive(Serialize)]
struct RegionOut {
    what: &'static str,
    name: String,
    start: u64,
    end: u64,
}

fn show(f: &Found, t: &Target, width: usize) -> Result<i32> {
    let l = &f.layout;
    let size = card_size(l, t.size);
    if t.json {
        #[derive(Serialize)]
        struct Out<'a> {
            layer: Option<&'a str>,
            file: &'a str,
            layout: &'a Layout,
            card_size: u64,
            min_card_size: u64,
            regions: Vec<RegionOut>,
        }
        let regions = if l.has_card() {
            l.regions(size)
        } else {
            Vec::new()
        };
        let regions = regions
            .iter()
            .map(|r| {
                let (what, name) = match r.kind {
                    RegionKind::Table => ("table", "table".to_string()),
                    RegionKind::BackupTable => ("table", "backup GPT".to_string()),
                    RegionKind::Raw(i) => ("raw", l.raw[i].file.clone()),
                    RegionKind::Partition(i) => ("partition", l.partitions[i].name.clone()),
                    RegionKind::Free => ("free", String::new()),
                };
                RegionOut {
                    what,
                    name,
                    start: r.start,
                    end: r.end,
                }
            })
            .collect();
        emit_json(&Out {
            layer: f.layer.as_deref(),
            file: &l.origin,
            layout: l,
            card_size: size,
            min_card_size: l.min_card_size(),
            regions,
        })?;
        return Ok(exit::OK);
    }
    let mut text = String::new();
    if let Some(layer) = &f.layer {
        text.push_str(&format!("Layout of {layer} ({})\n", l.origin));
    }
    text.push_str(&l.render(size, width));
    if l.has_card() {
        text.push_str(&format!("Smallest card: {}\n", human(l.min_card_size())));
    }
    install_text(l, &mut text);
    emit(&text)?;
    Ok(exit::OK)
}

fn install_text(l: &Layout, out: &mut String) {
    let Some(ins) = &l.install else { return };
    out.push_str(&format!(
        "Install keeps partition `{}` (persist, grown on first boot) and copies:\n",
        ins.persist
    ));
    for c in &ins.copy {
        let opt = if c.optional { "  (if built)" } else { "" };
        out.push_str(&format!("  {} -> {}{opt}\n", c.from.join(" | "), c.to));
    }
    if let Some(sw) = &ins.swapfile {
        out.push_str(&format!("  swap file {} of {}\n", sw.to, sw.size));
    }
    for b in &l.boot {
        let compile = b
            .mkimage
            .as_deref()
            .map(|m| format!(", compiled to {m}"))
            .unwrap_or_default();
        out.push_str(&format!(
            "  boot: first of {} from {} of the last layer having one -> {}{compile}\n",
            b.pick.join(", "),
            b.dir,
            b.to
        ));
    }
}

/// Writes to stdout; a closed pipe (`skiff layout show | head`) is not an error.
fn emit(text: &str) -> Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

/// Writes to stderr, ignoring a closed stream.
fn emit_err(text: &str) {
    use std::io::Write;
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

fn emit_json<T: Serialize>(value: &T) -> Result<()> {
    emit(&format!("{}\n", serde_json::to_string_pretty(value)?))
}

fn check(f: &Found, t: &Target) -> Result<i32> {
    let l = &f.layout;
    let report: Report = l.check(t.size);
    if t.json {
        #[derive(Serialize)]
        struct Out<'a> {
            layer: Option<&'a str>,
            kind: Kind,
            ok: bool,
            min_card_size: u64,
            #[serde(flatten)]
            report: &'a Report,
        }
        emit_json(&Out {
            layer: f.layer.as_deref(),
            kind: l.kind,
            ok: report.is_ok(),
            min_card_size: l.min_card_size(),
            report: &report,
        })?;
    } else {
        emit_err(&report.to_string());
        let who = f.layer.as_deref().unwrap_or(&l.origin);
        let line = if !l.has_card() {
            format!(
                "{who}: {} layout, no card to check ({})\n",
                l.kind.as_str(),
                l.about
            )
        } else if report.is_ok() {
            format!(
                "{who}: layout fits a {} card ({} at least), {} warning(s)\n",
                human(report.card_size),
                human(l.min_card_size()),
                report.warnings().count()
            )
        } else {
            format!(
                "{who}: layout check failed with {} error(s)\n",
                report.errors().count()
            )
        };
        emit(&line)?;
    }
    Ok(if report.is_ok() { exit::OK } else { exit::USER })
}

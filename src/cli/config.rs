//! `skiff config show|blame|diff`: merged values with provenance and differences.

use super::context::Context;
use super::{Cli, exit, printer};
use crate::model::diff::{Change, diff_merges, diff_text_vs_merge};
use crate::model::{ConfigKind, Merged, SymbolHistory};
use anyhow::{Result, bail};
use clap::{Args, Subcommand};
use serde::Serialize;

#[derive(Debug, Args)]
pub struct ConfigArgs {
    #[command(subcommand)]
    pub action: ConfigAction,
}

/// Which merged configuration to look at.
#[derive(Debug, Args, Default)]
#[group(multiple = false)]
pub struct KindFlags {
    /// The Buildroot configuration (default).
    #[arg(long)]
    pub buildroot: bool,
    /// The Linux kernel fragment.
    #[arg(long)]
    pub kernel: bool,
    /// The U-Boot fragment.
    #[arg(long)]
    pub uboot: bool,
    /// The BusyBox fragment.
    #[arg(long)]
    pub busybox: bool,
}

impl KindFlags {
    fn kind(&self) -> ConfigKind {
        if self.kernel {
            ConfigKind::Kernel
        } else if self.uboot {
            ConfigKind::Uboot
        } else if self.busybox {
            ConfigKind::Busybox
        } else {
            ConfigKind::Buildroot
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum ConfigAction {
    /// Every symbol of a merged configuration with its value and the layer that set it.
    Show {
        #[command(flatten)]
        kind: KindFlags,
        /// Stack to merge (default: SKIFF_CONFIG, then the workspace's last).
        #[arg(long)]
        stack: Option<String>,
        /// Only symbols that a later layer overrode.
        #[arg(long)]
        overridden: bool,
        /// Print JSON on stdout.
        #[arg(long)]
        json: bool,
    },
    /// The history of one symbol: who set it, and every value it replaced.
    Blame {
        /// Symbol name, e.g. BR2_PACKAGE_HTOP or CONFIG_USB.
        symbol: String,
        #[arg(long)]
        stack: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// A digest of the stack's merged configuration, the same on every checkout (for cache keys).
    Hash {
        #[arg(long)]
        stack: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// What changes: the stack against the workspace's last configure, or two stacks.
    Diff {
        /// Give twice to compare two stacks; once (or not at all) to compare with the workspace.
        #[arg(long, num_args = 1, action = clap::ArgAction::Append)]
        stack: Vec<String>,
        #[arg(long)]
        json: bool,
    },
}

pub fn run(cli: &Cli, a: &ConfigArgs) -> Result<i32> {
    let ctx = Context::load(cli)?;
    let merge_of = |arg: Option<&str>| -> Result<Merged> {
        let (text, _) = ctx.stack_text(arg);
        let stack = ctx.resolve(&text)?;
        if stack.layers.is_empty() {
            bail!(crate::model::ModelError::EmptyStack);
        }
        printer::warnings(&stack.warnings);
        ctx.merge(&stack)
    };
    match &a.action {
        ConfigAction::Show {
            kind,
            stack,
            overridden,
            json,
        } => {
            let merged = merge_of(stack.as_deref())?;
            let syms: Vec<&SymbolHistory> = merged
                .config(kind.kind())
                .symbols
                .iter()
                .filter(|h| !overridden || h.overridden())
                .collect();
            if *json {
                printer::json(&syms)?;
            } else {
                for h in syms {
                    print_symbol(h);
                }
            }
            printer::warnings(&merged.warnings);
        }
        ConfigAction::Blame {
            symbol,
            stack,
            json,
        } => {
            let merged = merge_of(stack.as_deref())?;
            let found: Vec<(ConfigKind, &SymbolHistory)> = ConfigKind::ALL
                .iter()
                .filter_map(|k| merged.config(*k).symbol(symbol).map(|h| (*k, h)))
                .collect();
            if found.is_empty() {
                bail!(crate::model::ModelError::Invalid(format!(
                    "no layer of the stack sets {symbol}; `skiff config show` lists the symbols that are set"
                )));
            }
            print_blame(&found, *json)?;
        }
        ConfigAction::Hash { stack, json } => {
            let (text, _) = ctx.stack_text(stack.as_deref());
            let resolved = ctx.resolve(&text)?;
            if resolved.layers.is_empty() {
                bail!(crate::model::ModelError::EmptyStack);
            }
            printer::warnings(&resolved.warnings);
            let hash = crate::model::digest::config_hash(
                &ctx.tree,
                &ctx.catalog,
                &resolved,
                &ctx.workspace,
            )?;
            if *json {
                printer::json(&serde_json::json!({ "stack": resolved.joined(), "hash": hash }))?;
            } else {
                println!("{hash}");
            }
        }
        ConfigAction::Diff { stack, json } => {
            let changes = match stack.as_slice() {
                [a, b] => diff_merges(&merge_of(Some(a))?, &merge_of(Some(b))?),
                [] | [_] => {
                    let after = merge_of(stack.first().map(String::as_str))?;
                    let fin = ctx.tree.final_dir(&ctx.workspace);
                    if !fin.join("skiff_config").is_file() {
                        bail!(crate::model::ModelError::Invalid(format!(
                            "workspace `{}` has not been configured yet (no {}); run `skiff configure` first or compare two stacks with --stack A --stack B",
                            ctx.workspace,
                            fin.display()
                        )));
                    }
                    let mut v = Vec::new();
                    for kind in ConfigKind::ALL {
                        let before =
                            std::fs::read_to_string(fin.join(kind.dir_name()).join("config"))
                                .unwrap_or_default();
                        v.extend(diff_text_vs_merge(kind, &before, after.config(kind)));
                    }
                    v
                }
                _ => bail!(crate::model::ModelError::Invalid(
                    "give --stack at most twice".into()
                )),
            };
            if *json {
                printer::json(&changes)?;
            } else {
                print_changes(&changes);
            }
        }
    }
    Ok(exit::OK)
}

/// `config blame` output: JSON, or the effective value and what it replaced, per kind.
fn print_blame(found: &[(ConfigKind, &SymbolHistory)], json: bool) -> Result<()> {
    if json {
        #[derive(Serialize)]
        struct Blame<'a> {
            kind: ConfigKind,
            #[serde(flatten)]
            history: &'a SymbolHistory,
        }
        printer::json(
            &found
                .iter()
                .map(|(k, h)| Blame {
                    kind: *k,
                    history: h,
                })
                .collect::<Vec<_>>(),
        )?;
    } else {
        for (k, h) in found {
            println!("{} ({})", h.symbol, k.dir_name());
            println!(
                "  = {:<28} {} ({}:{})",
                h.effective.value.display(),
                h.effective.layer,
                h.effective.path.display(),
                h.effective.line
            );
            if let Some(w) = &h.superseded_by {
                println!("  superseded by {w}: a later member of the same Kconfig choice");
            }
            for r in h.replaced.iter().rev() {
                println!(
                    "  was {:<26} {} ({}:{})",
                    r.value.display(),
                    r.layer,
                    r.path.display(),
                    r.line
                );
            }
        }
    }
    Ok(())
}

fn print_symbol(h: &SymbolHistory) {
    let mark = if h.overridden() { "*" } else { " " };
    let lhs = format!("{}={}", h.symbol, h.effective.value.display());
    let sup = h
        .superseded_by
        .as_ref()
        .map(|w| format!("  [superseded by {w}]"))
        .unwrap_or_default();
    println!(
        "{mark} {lhs:<56} {} ({}:{}){sup}",
        h.effective.layer,
        h.effective.path.display(),
        h.effective.line
    );
}

fn print_changes(changes: &[Change]) {
    if changes.is_empty() {
        println!("No differences.");
        return;
    }
    for c in changes {
        let sign = match c.label() {
            "added" => '+',
            "removed" => '-',
            _ => '~',
        };
        let before = c.before.as_deref().unwrap_or("");
        let after = c.after.as_deref().unwrap_or("");
        let by = c
            .layer
            .as_deref()
            .map(|l| format!("  ({l})"))
            .unwrap_or_default();
        match c.label() {
            "changed" => println!(
                "{sign} {:<9} {}: {before} -> {after}{by}",
                c.kind.dir_name(),
                c.symbol
            ),
            "added" => println!("{sign} {:<9} {}={after}{by}", c.kind.dir_name(), c.symbol),
            _ => println!("{sign} {:<9} {}={before}", c.kind.dir_name(), c.symbol),
        }
    }
}

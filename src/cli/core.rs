//! `skiff core show|check [STACK|FILE]`: the skiff-core config a stack installs (which layer's
//! YAML wins, and why) or a given file, checked.

use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::{Args, Subcommand};
use serde::Serialize;

use super::context::Context;
use super::{Cli, exit, printer};
use crate::model::core_config::{self, Candidate, CoreConfig, Issue, source};

#[derive(Debug, Args)]
pub struct CoreArgs {
    #[command(subcommand)]
    pub action: CoreAction,
}

#[derive(Debug, Args)]
pub struct CoreTarget {
    /// A stack (e.g. "pi/4,core/gentoo"; default: SKIFF_CONFIG, then the workspace's last) or
    /// a skiff-core YAML file.
    pub what: Option<String>,
    /// Print JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum CoreAction {
    /// Print the config: which layer's YAML the build installs and why, its containers, users
    /// and images, and every problem in it.
    Show {
        #[command(flatten)]
        target: CoreTarget,
    },
    /// Check the config; exit 1 with each problem's file, line and column.
    Check {
        #[command(flatten)]
        target: CoreTarget,
    },
}

/// The file to look at and, for a stack, how it was chosen.
struct Found {
    stack: Option<String>,
    /// Every YAML the build writes, first to last (empty for a FILE).
    candidates: Vec<Candidate>,
    file: PathBuf,
}

fn is_file_arg(what: &str) -> bool {
    let p = Path::new(what);
    p.is_file() || what.ends_with(".yaml") || what.ends_with(".yml")
}

/// Outer error: internal; inner: the user's to fix.
fn find(cli: &Cli, what: Option<&str>) -> Result<std::result::Result<Found, String>> {
    if let Some(f) = what.filter(|w| is_file_arg(w)) {
        return Ok(Ok(Found {
            stack: None,
            candidates: Vec::new(),
            file: PathBuf::from(f),
        }));
    }
    let ctx = Context::load(cli)?;
    let (text, _) = ctx.stack_text(what);
    if text.trim().is_empty() {
        return Ok(Err(
            "no stack: name one (e.g. pi/4,skiff/core) or a YAML file, set SKIFF_CONFIG, or configure a workspace".into(),
        ));
    }
    let stack = ctx.resolve(&text)?;
    printer::warnings(&stack.warnings);
    let candidates = source::for_stack(&ctx.tree, &ctx.catalog, &stack, &ctx.workspace)?;
    let Some(last) = candidates.last() else {
        return Ok(Err(format!(
            "no layer of {} installs a skiff-core config; add skiff/core (or a core/<distro> layer) to the stack",
            stack.joined()
        )));
    };
    Ok(Ok(Found {
        stack: Some(stack.joined()),
        file: last.path.clone(),
        candidates,
    }))
}

pub fn run(cli: &Cli, a: &CoreArgs) -> Result<i32> {
    let (target, show) = match &a.action {
        CoreAction::Show { target } => (target, true),
        CoreAction::Check { target } => (target, false),
    };
    let found = match find(cli, target.what.as_deref())? {
        Ok(f) => f,
        Err(e) => {
            eprintln!("skiff: error: {e}");
            return Ok(exit::USER);
        }
    };
    let loaded = core_config::load(&found.file);
    let (config, issues) = match loaded {
        Ok(c) => (Some(c), Vec::new()),
        Err(e) => (None, e.issues),
    };
    let code = if issues.is_empty() {
        exit::OK
    } else {
        exit::USER
    };
    if target.json {
        print_json(&found, config.as_ref(), &issues, show)?;
    } else {
        if show {
            print_origin(&found);
            if let Some(c) = &config {
                print_config(c);
            }
        }
        print_issues(&found.file, &issues);
    }
    Ok(code)
}

#[derive(Serialize)]
struct CandidateOut<'a> {
    #[serde(flatten)]
    candidate: &'a Candidate,
    reason: String,
}

fn print_json(f: &Found, config: Option<&CoreConfig>, issues: &[Issue], show: bool) -> Result<()> {
    #[derive(Serialize)]
    struct Out<'a> {
        stack: Option<&'a str>,
        file: String,
        ok: bool,
        #[serde(skip_serializing_if = "Option::is_none")]
        installed_from: Option<Vec<CandidateOut<'a>>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        config: Option<&'a CoreConfig>,
        issues: &'a [Issue],
    }
    let installed_from = (show && f.stack.is_some()).then(|| {
        f.candidates
            .iter()
            .map(|c| CandidateOut {
                candidate: c,
                reason: c.reason(),
            })
            .collect()
    });
    printer::json(&Out {
        stack: f.stack.as_deref(),
        file: f.file.display().to_string(),
        ok: issues.is_empty(),
        installed_from,
        config: if show { config } else { None },
        issues,
    })
}

fn print_origin(f: &Found) {
    let Some(stack) = &f.stack else {
        println!("{}", f.file.display());
        return;
    };
    let Some(last) = f.candidates.last() else {
        return;
    };
    println!("skiff-core config of {stack}: {}", last.layer);
    println!("  file  {}", last.path.display());
    println!("  why   {}", last.reason());
    for c in f.candidates.iter().rev().skip(1) {
        println!("  replaces {} ({})", c.layer, c.path.display());
    }
    println!(
        "  on the device: /{} seeds /mnt/persist/{} when that file is missing",
        core_config::IMAGE_PATH,
        core_config::PERSIST_PATH
    );
}

fn print_config(c: &CoreConfig) {
    println!("containers:");
    for e in &c.containers {
        let ct = &e.value;
        let image = ct.image.as_ref().map(|s| s.value.as_str()).unwrap_or("-");
        println!("  {}  image {image}", e.name);
        if !ct.entrypoint.is_empty() {
            println!("    entrypoint {}", ct.entrypoint.join(" "));
        }
        for m in &ct.mounts {
            println!("    mount {}", m.value);
        }
    }
    println!("users:");
    for e in &c.users {
        let u = &e.value;
        let container = u
            .container
            .as_ref()
            .map(|s| s.value.as_str())
            .unwrap_or("-");
        let inner = u.container_user.as_deref().unwrap_or("(image default)");
        let shell = if u.container_shell.is_empty() {
            "(image default)".to_string()
        } else {
            u.container_shell.join(" ")
        };
        let keys = if u.copies_root_keys() {
            ", root's SSH keys copied"
        } else {
            ""
        };
        println!(
            "  {} -> container {container} as {inner}, shell {shell}{keys}",
            e.name
        );
    }
    println!("images:");
    for e in &c.images {
        let mut how = Vec::new();
        if let Some(p) = &e.value.pull {
            let policy = p
                .policy
                .as_ref()
                .map(|s| s.value.as_str())
                .unwrap_or("ifnotpresent");
            let from = p.registry.as_deref().unwrap_or("Docker Hub");
            how.push(format!("pull {policy} from {from}"));
        }
        if let Some(b) = &e.value.build {
            how.push(format!("build from {}", b.source.as_deref().unwrap_or("-")));
        }
        if how.is_empty() {
            how.push("must already be on the device".into());
        }
        println!("  {}  {}", e.name, how.join("; "));
    }
}

fn print_issues(file: &Path, issues: &[Issue]) {
    if issues.is_empty() {
        println!("{}: ok", file.display());
        return;
    }
    for i in issues {
        eprintln!("{}:{i}", file.display());
    }
    eprintln!(
        "skiff: {} problem{} in {}",
        issues.len(),
        if issues.len() == 1 { "" } else { "s" },
        file.display()
    );
}

/// `install --core-config FILE`: the file, checked, as the entry to write into the persist
/// partition (its bytes unchanged, comments included). A broken file is the user's error.
pub fn persist_entry(file: &Path) -> Result<crate::flash::persist::PersistFile> {
    core_config::load(file)?;
    let bytes =
        std::fs::read(file).map_err(|e| anyhow::anyhow!("{}: cannot read: {e}", file.display()))?;
    Ok(crate::flash::persist::PersistFile::new(
        format!("/{}", core_config::PERSIST_PATH),
        bytes,
        0o644,
    ))
}

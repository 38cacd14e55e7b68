//! skiff-core's config (`containers`, `users`, `images`): parsed with positions, checked,
//! written back, and located in a stack (which layer's YAML the build installs).
//!
//! skiff-core reads `/mnt/persist/skiff/core/config.yaml` on the device and seeds it, when
//! missing, from `/opt/skiff/coreenv/defconfig.yaml` of the image. See `docs/core.md`.

pub mod check;
pub mod decode;
pub mod emit;
pub mod node;
pub mod source;
pub mod types;

use std::fmt;
use std::path::Path;

pub use emit::to_yaml;
pub use node::Pos;
pub use source::{Candidate, IMAGE_PATH, Via, candidates, override_path};
pub use types::*;

/// Where skiff-core's config lives inside the persist partition.
pub const PERSIST_PATH: &str = "skiff/core/config.yaml";

/// One problem: where (1-based line and column; 0 when the value was not read from a file),
/// the key path (`users.core.container`) and what is wrong.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Issue {
    #[serde(flatten)]
    pub pos: Pos,
    pub path: String,
    pub message: String,
}

impl Issue {
    /// The issue without its position, for values edited since they were read.
    pub fn brief(&self) -> String {
        if self.path.is_empty() {
            self.message.clone()
        } else {
            format!("{}: {}", self.path, self.message)
        }
    }
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.pos.line > 0 {
            write!(f, "{}:{}: ", self.pos.line, self.pos.column)?;
        }
        if !self.path.is_empty() {
            write!(f, "{}: ", self.path)?;
        }
        f.write_str(&self.message)
    }
}

/// A config file that cannot be used, with every problem found in it.
#[derive(Debug, Clone, PartialEq)]
pub struct CoreConfigError {
    pub file: String,
    pub issues: Vec<Issue>,
}

impl fmt::Display for CoreConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, issue) in self.issues.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            if issue.pos.line == 0 && issue.path.is_empty() {
                // A read error: its message names the file already.
                f.write_str(&issue.message)?;
            } else {
                write!(f, "{}:{issue}", self.file)?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for CoreConfigError {}

/// Parses and checks a config; `Err` holds every problem, in file order.
pub fn parse(text: &str) -> Result<CoreConfig, Vec<Issue>> {
    let root = match node::parse(text) {
        Ok(Some(root)) => root,
        Ok(None) => {
            return Err(vec![Issue {
                pos: Pos { line: 1, column: 1 },
                path: String::new(),
                message: "the file is empty; skiff-core needs containers, users and images".into(),
            }]);
        }
        Err(e) => {
            return Err(vec![Issue {
                pos: e.pos,
                path: String::new(),
                message: format!("not valid YAML: {}", e.message),
            }]);
        }
    };
    let mut d = decode::Decoder { issues: Vec::new() };
    let mut config = d.config(&root);
    config.header = header(text);
    let mut issues = d.issues;
    check::check(&config, &mut issues);
    if issues.is_empty() {
        Ok(config)
    } else {
        issues.sort_by_key(|i| (i.pos.line, i.pos.column));
        Err(issues)
    }
}

/// Checks a config built or edited in memory (positions of new values are 0).
pub fn check(config: &CoreConfig) -> Vec<Issue> {
    let mut issues = Vec::new();
    check::check(config, &mut issues);
    issues
}

/// Reads, parses and checks a config file.
pub fn load(path: &Path) -> Result<CoreConfig, CoreConfigError> {
    let file = path.display().to_string();
    let text = crate::model::text::read_text(path).map_err(|e| CoreConfigError {
        file: file.clone(),
        issues: vec![Issue {
            pos: Pos::default(),
            path: String::new(),
            message: e.to_string(),
        }],
    })?;
    parse(&text).map_err(|issues| CoreConfigError { file, issues })
}

/// The comment block at the top of a file (up to the first other line).
fn header(text: &str) -> Vec<String> {
    text.lines()
        .take_while(|l| l.trim_start().starts_with('#'))
        .map(str::to_string)
        .collect()
}

/// The fuzz target's body (also run on random input by `tests/no_panic.rs`): parsing any text
/// returns, and a config that checks clean is written back to text that reads as the same
/// config. `Err` says how the round trip broke.
pub fn fuzz_one(text: &str) -> Result<(), String> {
    let Ok(config) = parse(text) else {
        return Ok(());
    };
    let written = to_yaml(&config);
    let again = parse(&written).map_err(|issues| {
        format!("the written config does not check clean: {issues:?}\n{written}")
    })?;
    let json = |c: &CoreConfig| serde_json::to_value(c).map_err(|e| e.to_string());
    if json(&config)? != json(&again)? || config.header != again.header {
        return Err(format!("the written config reads differently:\n{written}"));
    }
    Ok(())
}

//! `skiff check`: which requested Buildroot values did not survive Kconfig, and why.

use super::engine::{Engine, environment, evaluate, external, write_external_files};
use super::expr::{Expr, Scope, conjuncts, eval};
use super::parse::{KconfigTree, SymKind, Symbol, read_tree};
use crate::build::delta::values;
use crate::build::error::Result;
use crate::model::fragment::Value;
use crate::model::{SymbolHistory, Warning};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Why a requested value is not in the final configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "kebab-case")]
pub enum Reason {
    /// No Kconfig file of the tree (or of the BR2_EXTERNAL trees) defines the symbol.
    UnknownSymbol { suggestion: Option<String> },
    /// The value is not valid for the symbol's type; Kconfig ignores the line.
    WrongType { expected: SymKind, detail: String },
    /// The symbol has no prompt: only defaults and selects decide its value.
    NotSettable,
    /// The prompt is hidden because dependencies are not met.
    UnmetDependency {
        unmet: Vec<String>,
        depends_on: String,
    },
    /// An int or hex outside its range; Kconfig falls back to the default.
    OutOfRange { min: String, max: String },
    /// Another member of the same choice won.
    ChoiceOverridden { chosen: Option<String> },
    /// Asked to be off, but enabled symbols select it.
    SelectedBy { selectors: Vec<String> },
    /// Kconfig changed it for another reason (a default, `imply`, a tristate limit).
    Changed,
}

impl Reason {
    /// A short sentence for people.
    pub fn describe(&self) -> String {
        match self {
            Reason::UnknownSymbol {
                suggestion: Some(s),
            } => {
                format!("unknown symbol (did you mean {s}?)")
            }
            Reason::UnknownSymbol { suggestion: None } => "unknown symbol".into(),
            Reason::WrongType { detail, .. } => format!("wrong type: {detail}"),
            Reason::NotSettable => "not settable: the symbol has no prompt".into(),
            Reason::UnmetDependency { unmet, .. } => {
                format!("unmet dependency: {}", unmet.join(", "))
            }
            Reason::OutOfRange { min, max } => format!("out of range {min}..{max}"),
            Reason::ChoiceOverridden { chosen: Some(c) } => format!("choice overridden by {c}"),
            Reason::ChoiceOverridden { chosen: None } => "choice overridden".into(),
            Reason::SelectedBy { selectors } => format!("selected by {}", selectors.join(", ")),
            Reason::Changed => "changed by Kconfig".into(),
        }
    }
}

/// How much a dropped value matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Expected in a layered stack: a later layer replaced it, or it is a configs-base
    /// default for a part of the system no layer builds.
    Info,
    /// A layer asked for something Kconfig does not give it.
    Error,
}

/// Why a dropped value is expected in a layered stack (its severity is info).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "why", rename_all = "kebab-case")]
pub enum Expected {
    /// A choice member replaced by another member a later assignment asked for.
    Replaced {
        by: String,
        layer: String,
        path: PathBuf,
        line: usize,
    },
    /// A configs-base default under parents no layer of the stack enables.
    BaseDefault { disabled: Vec<String> },
}

impl Expected {
    /// A short sentence, paths relative to `root`.
    pub fn describe(&self, root: &Path) -> String {
        match self {
            Expected::Replaced {
                by,
                layer,
                path,
                line,
            } => format!(
                "replaced by {by}=y from {layer} ({}:{line})",
                path.strip_prefix(root).unwrap_or(path).display()
            ),
            Expected::BaseDefault { disabled } => format!(
                "configs-base default; no layer of the stack enables {}",
                disabled.join(", ")
            ),
        }
    }
}

/// A requested value that did not survive, with where it was asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dropped {
    pub severity: Severity,
    /// For info: why it is expected, with the provenance of what replaced it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<Expected>,
    pub symbol: String,
    /// As written in the fragment (`y`, `"text"`, `is not set`).
    pub requested: String,
    /// The final value, `None` when the symbol is absent from `.config`.
    pub actual: Option<String>,
    #[serde(flatten)]
    pub reason: Reason,
    pub layer: String,
    pub path: PathBuf,
    pub line: usize,
}

/// The result of a check.
#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    pub engine: String,
    /// Requested symbols looked at.
    pub checked: usize,
    /// Dropped values of severity error, and of severity info.
    pub errors: usize,
    pub info: usize,
    pub dropped: Vec<Dropped>,
    /// Fragment warnings from the merge (kernel symbols in Buildroot fragments...).
    pub warnings: Vec<Warning>,
    /// The final `.config` the engine wrote.
    #[serde(skip)]
    pub config: String,
}

impl CheckReport {
    /// Dropped symbols by name, for marking them in a preview.
    pub fn marks(&self) -> BTreeMap<&str, &Reason> {
        self.dropped
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .map(|d| (d.symbol.as_str(), &d.reason))
            .collect()
    }
}

struct Final<'a> {
    tree: &'a KconfigTree,
    values: &'a BTreeMap<String, String>,
}

impl Scope for Final<'_> {
    fn value(&self, sym: &str) -> Option<String> {
        let s = self.tree.symbols.get(sym)?;
        Some(match self.values.get(sym) {
            Some(v) => v.clone(),
            None if matches!(s.kind, SymKind::Bool | SymKind::Tristate) => "n".into(),
            None => String::new(),
        })
    }
    fn is_boolean(&self, sym: &str) -> bool {
        self.tree
            .symbols
            .get(sym)
            .is_some_and(|s| matches!(s.kind, SymKind::Bool | SymKind::Tristate))
    }
}

/// Compare each effective request with the final values and explain every difference.
pub fn classify(
    tree: &KconfigTree,
    requests: &[SymbolHistory],
    final_values: &BTreeMap<String, String>,
) -> Vec<Dropped> {
    let scope = Final {
        tree,
        values: final_values,
    };
    let mut out = Vec::new();
    for h in requests {
        let a = &h.effective;
        let actual = final_values.get(&h.symbol).cloned();
        let reason = match tree.symbols.get(&h.symbol).filter(|s| !s.defs.is_empty()) {
            None => Some(Reason::UnknownSymbol {
                suggestion: suggest(tree, &h.symbol),
            }),
            Some(sym) => explain(sym, &a.value, actual.as_deref(), &scope, final_values),
        };
        if let Some(reason) = reason {
            let expected = expected(tree, &reason, h, requests);
            out.push(Dropped {
                severity: match expected {
                    Some(_) => Severity::Info,
                    None => Severity::Error,
                },
                expected,
                symbol: h.symbol.clone(),
                requested: a.value.display(),
                actual,
                reason,
                layer: a.layer.clone(),
                path: a.path.clone(),
                line: a.line,
            });
        }
    }
    out
}

/// Layers whose defaults apply to every stack (SkiffOS's `configs-base/pre` and `post`).
const BASE_PREFIX: &str = "configs-base/";

/// Why a dropped value is expected rather than a mistake, or `None` for an error:
/// a choice member replaced by a member a later layer asked for, or a configs-base
/// default whose menu (U-Boot on a board without it, say) no layer enables.
fn expected(
    tree: &KconfigTree,
    reason: &Reason,
    dropped: &SymbolHistory,
    requests: &[SymbolHistory],
) -> Option<Expected> {
    let asked = &dropped.effective;
    let request = |sym: &str| requests.iter().find(|h| h.symbol == sym);
    let enabled =
        |h: &&SymbolHistory| matches!(&h.effective.value, Value::Set(v) if v == "y" || v == "m");
    match reason {
        Reason::ChoiceOverridden { chosen: Some(c) } => {
            let winner = request(c)
                .filter(enabled)
                .filter(|w| w.position > dropped.position && w.effective.layer != asked.layer)?;
            let w = &winner.effective;
            Some(Expected::Replaced {
                by: c.clone(),
                layer: w.layer.clone(),
                path: w.path.clone(),
                line: w.line,
            })
        }
        Reason::UnmetDependency { unmet, .. } if asked.layer.starts_with(BASE_PREFIX) => {
            let mut parents: Vec<&str> = unmet
                .iter()
                .flat_map(|t| t.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')))
                .filter(|w| tree.symbols.contains_key(*w))
                .collect();
            // A parent some layer asked for and did not get is reported on its own line;
            // its children are then not an expected default.
            parents.dedup();
            if parents.is_empty()
                || parents
                    .iter()
                    .any(|p| request(p).is_some_and(|h| enabled(&h)))
            {
                return None;
            }
            Some(Expected::BaseDefault {
                disabled: parents.iter().map(|p| p.to_string()).collect(),
            })
        }
        _ => None,
    }
}

fn survived(sym: &Symbol, req: &Value, actual: Option<&str>) -> bool {
    let boolean = matches!(sym.kind, SymKind::Bool | SymKind::Tristate);
    match req {
        Value::NotSet => boolean && matches!(actual, None | Some("n")),
        Value::Set(v) if boolean && v == "n" => matches!(actual, None | Some("n")),
        Value::Set(v) if sym.kind == SymKind::Hex => {
            actual.is_some_and(|a| hex_norm(a) == hex_norm(v))
        }
        Value::Set(v) => actual == Some(v.as_str()),
    }
}

fn hex_norm(v: &str) -> String {
    let l = v.trim().to_ascii_lowercase();
    let digits = l.strip_prefix("0x").unwrap_or(&l).trim_start_matches('0');
    format!("0x{}", if digits.is_empty() { "0" } else { digits })
}

fn type_problem(kind: SymKind, req: &Value) -> Option<String> {
    let v = match req {
        Value::NotSet if matches!(kind, SymKind::Bool | SymKind::Tristate) => return None,
        Value::NotSet => {
            return Some(format!(
                "`# ... is not set` does not apply to a {} symbol; the line is ignored",
                kind_name(kind)
            ));
        }
        Value::Set(v) => v.as_str(),
    };
    let ok = match kind {
        SymKind::Bool => matches!(v, "y" | "n"),
        SymKind::Tristate => matches!(v, "y" | "m" | "n"),
        SymKind::String => v.len() >= 2 && v.starts_with('"') && v.ends_with('"'),
        SymKind::Int => v.parse::<i64>().is_ok(),
        SymKind::Hex => {
            let h = v
                .strip_prefix("0x")
                .or_else(|| v.strip_prefix("0X"))
                .unwrap_or(v);
            !h.is_empty() && h.bytes().all(|b| b.is_ascii_hexdigit())
        }
        SymKind::Unknown => true,
    };
    (!ok).then(|| match kind {
        SymKind::String => format!("string values need double quotes: {v} is ignored"),
        _ => format!("{v} is not a valid {} value", kind_name(kind)),
    })
}

fn kind_name(k: SymKind) -> &'static str {
    match k {
        SymKind::Bool => "bool",
        SymKind::Tristate => "tristate",
        SymKind::String => "string",
        SymKind::Int => "int",
        SymKind::Hex => "hex",
        SymKind::Unknown => "untyped",
    }
}

fn explain(
    sym: &Symbol,
    req: &Value,
    actual: Option<&str>,
    scope: &Final,
    values: &BTreeMap<String, String>,
) -> Option<Reason> {
    if survived(sym, req, actual) {
        return None;
    }
    if let Some(detail) = type_problem(sym.kind, req) {
        return Some(Reason::WrongType {
            expected: sym.kind,
            detail,
        });
    }
    let prompts: Vec<_> = sym.defs.iter().filter(|d| d.prompt).collect();
    if prompts.is_empty() || sym.env.is_some() {
        return Some(Reason::NotSettable);
    }
    let visible = prompts
        .iter()
        .any(|d| d.visible_if.iter().all(|e| eval(e, scope) > 0));
    if !visible {
        let d = prompts[0];
        let unmet: Vec<String> = d
            .visible_if
            .iter()
            .flat_map(conjuncts)
            .filter(|e| eval(e, scope) == 0)
            .map(|e| e.to_string())
            .collect();
        let all: Vec<String> = d
            .visible_if
            .iter()
            .map(|e| match e {
                Expr::Or(..) => format!("({e})"),
                _ => e.to_string(),
            })
            .collect();
        return Some(Reason::UnmetDependency {
            unmet,
            depends_on: all.join(" && "),
        });
    }
    if let (Value::Set(v), SymKind::Int | SymKind::Hex) = (req, sym.kind) {
        let num = |s: &str| parse_num(s, scope);
        for d in &prompts {
            for r in &d.ranges {
                if r.cond.as_ref().is_some_and(|c| eval(c, scope) == 0) {
                    continue;
                }
                if let (Some(x), Some(lo), Some(hi)) = (num(v), num(&r.lo), num(&r.hi))
                    && (x < lo || x > hi)
                {
                    return Some(Reason::OutOfRange {
                        min: r.lo.clone(),
                        max: r.hi.clone(),
                    });
                }
            }
        }
    }
    let wants_off = matches!(req, Value::NotSet) || matches!(req, Value::Set(v) if v == "n");
    if wants_off && matches!(actual, Some("y" | "m")) {
        let mut selectors: Vec<String> = sym
            .selected_by
            .iter()
            .filter(|s| scope.value(&s.by).is_some_and(|v| v == "y" || v == "m"))
            .filter(|s| s.cond.as_ref().is_none_or(|c| eval(c, scope) > 0))
            .map(|s| s.by.clone())
            .collect();
        selectors.sort();
        selectors.dedup();
        if !selectors.is_empty() {
            return Some(Reason::SelectedBy { selectors });
        }
    }
    if let Some(i) = sym.choice {
        let chosen = scope.tree.choices[i]
            .members
            .iter()
            .find(|m| *m != &sym.name && values.get(*m).map(String::as_str) == Some("y"))
            .cloned();
        return Some(Reason::ChoiceOverridden { chosen });
    }
    Some(Reason::Changed)
}

fn parse_num(s: &str, scope: &Final) -> Option<i128> {
    let v = scope
        .value(s)
        .filter(|_| scope.tree.symbols.contains_key(s));
    let t = v.as_deref().unwrap_or(s).trim();
    match t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        Some(h) => i128::from_str_radix(h, 16).ok(),
        None => t.parse().ok(),
    }
}

/// A defined symbol close to an unknown name (other case, or one or two letters off).
fn suggest(tree: &KconfigTree, name: &str) -> Option<String> {
    let upper = name.to_ascii_uppercase();
    if let Some(s) = tree
        .symbols
        .keys()
        .find(|k| k.to_ascii_uppercase() == upper)
    {
        return Some(s.clone());
    }
    tree.symbols
        .keys()
        .filter(|k| k.len().abs_diff(name.len()) <= 2)
        .map(|k| (distance(k, name), k))
        .filter(|(d, _)| *d <= 2)
        .min()
        .map(|(_, k)| k.clone())
}

fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// What a check needs.
pub struct CheckInput<'a> {
    pub engine: &'a Engine,
    /// The Kconfig tree: Buildroot's top directory (holding Config.in).
    pub srctree: &'a Path,
    /// The merged Buildroot fragment text.
    pub fragment: &'a str,
    /// Per-symbol provenance of the fragment.
    pub requests: &'a [SymbolHistory],
    /// BR2_EXTERNAL directories of the stack.
    pub externals: &'a [PathBuf],
    pub warnings: Vec<Warning>,
}

/// Evaluate the fragment with the engine and explain every value that did not survive.
pub fn check(input: CheckInput) -> Result<CheckReport> {
    let scratch =
        tempfile::tempdir().map_err(|e| crate::build::BuildError::io(std::env::temp_dir(), e))?;
    let base = scratch.path();
    let exts = input
        .externals
        .iter()
        .map(|d| external(d))
        .collect::<Result<Vec<_>>>()?;
    write_external_files(input.srctree, base, &exts)?;
    let env = environment(input.srctree, base, &exts);
    let eval_out = evaluate(input.engine, input.srctree, base, input.fragment, &env)?;
    let tree = read_tree(input.srctree, "Config.in", &env)?;
    let final_values = values(&eval_out.config);
    let dropped = classify(&tree, input.requests, &final_values);
    let count = |s: Severity| dropped.iter().filter(|d| d.severity == s).count();
    Ok(CheckReport {
        engine: input.engine.describe(),
        checked: input.requests.len(),
        errors: count(Severity::Error),
        info: count(Severity::Info),
        dropped,
        warnings: input.warnings,
        config: eval_out.config,
    })
}

//! The Kconfig model skiff explains verdicts with: symbols (type, prompts, dependencies,
//! ranges, selectors) and choices. Defaults are left to the real Kconfig engine.

use super::expr::Expr;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The type of a symbol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SymKind {
    Bool,
    Tristate,
    String,
    Int,
    Hex,
    Unknown,
}

/// `range LO HI [if COND]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Range {
    pub lo: String,
    pub hi: String,
    pub cond: Option<Expr>,
}

/// One `config`/`menuconfig` entry of a symbol (a symbol may be defined several times).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Def {
    pub file: PathBuf,
    pub line: usize,
    /// Whether this entry has a prompt, i.e. the user can set the symbol through it.
    pub prompt: bool,
    /// Every condition the prompt needs: enclosing `if`/`menu`/`choice` dependencies, the
    /// entry's `depends on`, and the prompt's own `if`.
    pub visible_if: Vec<Expr>,
    pub ranges: Vec<Range>,
}

/// `select SYM [if COND]` seen from the selected symbol.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selector {
    pub by: String,
    pub cond: Option<Expr>,
}

/// A symbol and everything the tree says about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Symbol {
    pub name: String,
    pub kind: SymKind,
    pub defs: Vec<Def>,
    pub selected_by: Vec<Selector>,
    /// Index into [`KconfigTree::choices`] when the symbol is a choice member.
    pub choice: Option<usize>,
    /// The environment variable of an `option env=` symbol (its value cannot be set).
    pub env: Option<String>,
}

/// A `choice` block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub file: PathBuf,
    pub line: usize,
    pub members: Vec<String>,
}

/// All symbols and choices of a tree.
#[derive(Debug, Clone, Default)]
pub struct KconfigTree {
    pub symbols: BTreeMap<String, Symbol>,
    pub choices: Vec<Choice>,
    pub files: usize,
    /// Lines skipped because they could not be read (file:line: text).
    pub skipped: Vec<String>,
}

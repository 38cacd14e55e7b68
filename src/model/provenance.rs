//! Provenance: which layer, file and line set each symbol, and what it replaced.

use super::fragment::Value;
use serde::Serialize;
use std::path::PathBuf;

/// One assignment of a symbol in a fragment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assignment {
    pub value: Value,
    pub layer: String,
    pub path: PathBuf,
    pub line: usize,
}

/// The effective requested value of a symbol and every earlier assignment it replaced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SymbolHistory {
    pub symbol: String,
    pub effective: Assignment,
    pub replaced: Vec<Assignment>,
    /// Line index of the effective assignment in the merged text (for ordering).
    #[serde(skip)]
    pub position: usize,
}

impl SymbolHistory {
    /// True when an earlier layer asked for something else.
    pub fn overridden(&self) -> bool {
        self.replaced
            .iter()
            .any(|a| a.value != self.effective.value)
    }
}

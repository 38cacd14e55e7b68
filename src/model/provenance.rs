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
    /// For a Buildroot choice member set to `y`: the later member of the same choice that
    /// Kconfig keeps instead (the last `y` of a choice wins).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub superseded_by: Option<String>,
}

impl SymbolHistory {
    /// True when an earlier layer asked for something else, or a later choice member wins.
    pub fn overridden(&self) -> bool {
        self.superseded_by.is_some()
            || self
                .replaced
                .iter()
                .any(|a| a.value != self.effective.value)
    }

    /// Mark Buildroot choice members that a later `y` member of the same choice supersedes.
    /// `symbols` must be in merged-file order.
    pub fn mark_superseded_choices(symbols: &mut [SymbolHistory]) {
        use super::choices::choice_of;
        use std::collections::HashMap;
        let yes = Value::Set("y".into());
        let mut winner: HashMap<&str, String> = HashMap::new();
        for h in symbols.iter() {
            if h.effective.value == yes
                && let Some(c) = choice_of(&h.symbol)
            {
                winner.insert(c.id, h.symbol.clone());
            }
        }
        for h in symbols.iter_mut() {
            if h.effective.value == yes
                && let Some(c) = choice_of(&h.symbol)
                && let Some(w) = winner.get(c.id)
                && *w != h.symbol
            {
                h.superseded_by = Some(w.clone());
            }
        }
    }
}

//! Differences between two merged configurations: added, removed and changed symbols.

use super::fragment::{ConfigKind, LineKind, classify};
use super::merge::{Merged, MergedConfig};
use serde::Serialize;
use std::collections::BTreeMap;

/// One symbol whose requested value differs between two configurations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub kind: ConfigKind,
    pub symbol: String,
    /// Value before (None: the symbol was not requested).
    pub before: Option<String>,
    /// Value after (None: no longer requested).
    pub after: Option<String>,
    /// The layer that sets the new value, when known.
    pub layer: Option<String>,
}

impl Change {
    pub fn label(&self) -> &'static str {
        match (&self.before, &self.after) {
            (None, Some(_)) => "added",
            (Some(_), None) => "removed",
            _ => "changed",
        }
    }
}

/// The effective requested values of a config text: last assignment wins.
pub fn effective_values(text: &str) -> BTreeMap<String, String> {
    let mut v = BTreeMap::new();
    for line in text.lines() {
        if let LineKind::Assign { symbol, value } = classify(line) {
            v.insert(symbol.to_string(), value.display());
        }
    }
    v
}

/// Effective values of an in-memory merge, with the layer of each.
pub fn merged_values(c: &MergedConfig) -> BTreeMap<String, (String, String)> {
    c.symbols
        .iter()
        .map(|h| {
            (
                h.symbol.clone(),
                (h.effective.value.display(), h.effective.layer.clone()),
            )
        })
        .collect()
}

/// Compare a previous config text with a new merge, for one kind.
pub fn diff_text_vs_merge(kind: ConfigKind, before: &str, after: &MergedConfig) -> Vec<Change> {
    let b = effective_values(before);
    let a = merged_values(after);
    compare(kind, &b, &a)
}

/// Compare two merges, for every kind.
pub fn diff_merges(before: &Merged, after: &Merged) -> Vec<Change> {
    let mut out = Vec::new();
    for kind in ConfigKind::ALL {
        let b: BTreeMap<String, String> = merged_values(before.config(kind))
            .into_iter()
            .map(|(k, (v, _))| (k, v))
            .collect();
        out.extend(compare(kind, &b, &merged_values(after.config(kind))));
    }
    out
}

fn compare(
    kind: ConfigKind,
    before: &BTreeMap<String, String>,
    after: &BTreeMap<String, (String, String)>,
) -> Vec<Change> {
    let mut out = Vec::new();
    for (sym, (val, layer)) in after {
        match before.get(sym) {
            Some(old) if old == val => {}
            old => out.push(Change {
                kind,
                symbol: sym.clone(),
                before: old.cloned(),
                after: Some(val.clone()),
                layer: Some(layer.clone()),
            }),
        }
    }
    for (sym, old) in before {
        if !after.contains_key(sym) {
            out.push(Change {
                kind,
                symbol: sym.clone(),
                before: Some(old.clone()),
                after: None,
                layer: None,
            });
        }
    }
    out.sort_by(|x, y| x.symbol.cmp(&y.symbol));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_assignment_wins() {
        let v = effective_values("BR2_A=y\n# BR2_B is not set\nBR2_A=n\n");
        assert_eq!(v["BR2_A"], "n");
        assert_eq!(v["BR2_B"], "is not set");
    }
}

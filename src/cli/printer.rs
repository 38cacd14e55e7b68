//! Output helpers: JSON on stdout, warnings on stderr, aligned text columns.

use crate::model::Warning;
use serde::Serialize;

/// Print a value as pretty JSON on stdout.
pub fn json<T: Serialize>(value: &T) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

/// Print warnings to stderr, one per line.
pub fn warnings(ws: &[Warning]) {
    for w in ws {
        eprintln!("skiff: warning: {w}");
    }
}

/// Pad `name` to `width` columns (names are ASCII).
pub fn pad(name: &str, width: usize) -> String {
    format!("{name:<width$}")
}

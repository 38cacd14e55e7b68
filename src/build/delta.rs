//! Saving what a Buildroot menuconfig changed into the workspace's override layer.

use super::error::{BuildError, Result};
use crate::model::Tree;
use crate::model::fragment::{LineKind, Value, classify};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Buildroot targets that edit `.config` interactively; their changes are saved.
pub const CONFIG_TARGETS: [&str; 5] = ["config", "gconfig", "menuconfig", "nconfig", "xconfig"];

/// The file the delta is written to, merged as the workspace override layer's last fragment.
pub fn delta_path(tree: &Tree, ws: &str) -> PathBuf {
    tree.overrides_dir()
        .join("workspaces")
        .join(ws)
        .join("buildroot")
        .join("zz-buildroot-menuconfig-delta")
}

/// Symbol values of a `.config`: `# X is not set` reads as `n`.
pub fn values(text: &str) -> BTreeMap<String, String> {
    let mut v = BTreeMap::new();
    for line in text.lines() {
        if let LineKind::Assign { symbol, value } = classify(line) {
            let val = match value {
                Value::Set(s) => s,
                Value::NotSet => "n".to_string(),
            };
            v.insert(symbol.to_string(), val);
        }
    }
    v
}

/// Every symbol of `after` that is new or has another value than in `before`, by name.
/// Symbols that disappeared are not listed.
pub fn changes(before: &str, after: &str) -> BTreeMap<String, String> {
    let old = values(before);
    values(after)
        .into_iter()
        .filter(|(sym, val)| old.get(sym) != Some(val))
        .collect()
}

/// Fragment lines for symbol values, sorted by name; `n` is written as `# X is not set`.
pub fn render(values: &BTreeMap<String, String>) -> String {
    let mut out = String::new();
    for (sym, val) in values {
        if val == "n" {
            out.push_str(&format!("# {sym} is not set\n"));
        } else {
            out.push_str(&format!("{sym}={val}\n"));
        }
    }
    out
}

/// The delta of one editing session as fragment text (upstream's diffconfig -m shape).
pub fn delta(before: &str, after: &str) -> String {
    render(&changes(before, after))
}

/// What saving a delta did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeltaSaved {
    /// The file now holds the earlier saved changes plus `changed` symbols of this session.
    Written { path: PathBuf, changed: usize },
    /// The session changed nothing; the file (if any) is left as it was.
    Nothing,
}

/// Save a session's changes. Upstream overwrites the file with the session's delta, which
/// loses what earlier sessions saved (their values are already in `before`), and deletes
/// it after a session without changes. Here earlier entries are kept and this session's
/// values win; the file is written with a temp file and rename.
pub fn save(path: &Path, before: &str, after: &str) -> Result<DeltaSaved> {
    let session = changes(before, after);
    if session.is_empty() {
        return Ok(DeltaSaved::Nothing);
    }
    let mut all = match std::fs::read_to_string(path) {
        Ok(t) => values(&t),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => BTreeMap::new(),
        Err(e) => return Err(BuildError::io(path, e)),
    };
    let changed = session.len();
    all.extend(session);
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| BuildError::io(dir, e))?;
    let mut tmp = crate::model::files::temp_file_in(dir).map_err(|e| BuildError::io(dir, e))?;
    use std::io::Write;
    tmp.write_all(render(&all).as_bytes())
        .map_err(|e| BuildError::io(tmp.path(), e))?;
    tmp.persist(path)
        .map_err(|e| BuildError::io(path, e.error))?;
    Ok(DeltaSaved::Written {
        path: path.to_path_buf(),
        changed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delta_lists_new_and_changed_symbols_sorted() {
        let before = "BR2_A=y\n# BR2_B is not set\nBR2_C=\"x\"\nBR2_GONE=y\n";
        let after = "BR2_C=\"y\"\nBR2_A=y\nBR2_B=y\nBR2_NEW=4\n# BR2_OFF is not set\n";
        assert_eq!(
            delta(before, after),
            "BR2_B=y\nBR2_C=\"y\"\nBR2_NEW=4\n# BR2_OFF is not set\n"
        );
        assert_eq!(delta(before, before), "");
    }

    #[test]
    fn sessions_accumulate_and_an_empty_session_keeps_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("buildroot/zz");
        let base = "BR2_A=y\nBR2_B=y\n";
        assert_eq!(save(&p, base, base).unwrap(), DeltaSaved::Nothing);
        assert!(!p.exists());
        let first = "BR2_A=y\n# BR2_B is not set\n";
        let saved = save(&p, base, first).unwrap();
        assert_eq!(
            saved,
            DeltaSaved::Written {
                path: p.clone(),
                changed: 1
            }
        );
        let second = "BR2_A=y\n# BR2_B is not set\nBR2_C=\"x\"\n";
        save(&p, first, second).unwrap();
        assert_eq!(
            std::fs::read_to_string(&p).unwrap(),
            "# BR2_B is not set\nBR2_C=\"x\"\n"
        );
        assert_eq!(save(&p, second, second).unwrap(), DeltaSaved::Nothing);
        assert!(p.exists());
    }
}

//! The tree's version from git (`git describe`), as upstream's skiff_version.sh derives it.

use crate::model::version::Version;
use std::path::Path;
use std::process::Command;

/// [`tree_version`], asked once per tree and process: previews and diffs merge often, and
/// two `git` runs per merge would dominate their cost.
pub fn tree_version_cached(root: &Path) -> Version {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    static CACHE: OnceLock<Mutex<HashMap<std::path::PathBuf, Version>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    if let Some(v) = cache.lock().ok().and_then(|c| c.get(root).cloned()) {
        return v;
    }
    let v = tree_version(root);
    if let Ok(mut c) = cache.lock() {
        c.insert(root.to_path_buf(), v.clone());
    }
    v
}

/// `git describe --tags HEAD`, else the short hash, else `unknown`; the commit is the
/// short hash or `unknown`. A missing git counts as "not a repository".
pub fn tree_version(root: &Path) -> Version {
    let git = |args: &[&str]| -> Option<String> {
        let out = Command::new("git")
            .arg("-C")
            .arg(root)
            .args(args)
            .output()
            .ok()?;
        let s = String::from_utf8(out.stdout).ok()?.trim().to_string();
        (out.status.success() && !s.is_empty()).then_some(s)
    };
    let commit = git(&["rev-parse", "--short", "HEAD"]);
    let version = git(&["describe", "--tags", "HEAD"]).or_else(|| commit.clone());
    Version {
        version: version.unwrap_or_else(|| "unknown".into()),
        commit: commit.unwrap_or_else(|| "unknown".into()),
    }
}

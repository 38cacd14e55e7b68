//! The tree's version (`git describe`), as upstream's skiff_version.sh derives it.

use std::path::Path;
use std::process::Command;

/// SKIFF_VERSION and SKIFF_VERSION_COMMIT of a tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    pub version: String,
    pub commit: String,
}

impl Version {
    /// `git describe --tags HEAD`, else the short hash, else `unknown`; the commit is the
    /// short hash or `unknown`. A missing git counts as "not a repository".
    pub fn of_tree(root: &Path) -> Version {
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
}

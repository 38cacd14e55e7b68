//! The Buildroot tree skiff builds with: `--buildroot`, `SKIFF_BUILDROOT` or the `buildroot/` submodule.

use super::error::{BuildError, Result};
use std::path::{Path, PathBuf};

/// A Buildroot source tree that holds a top-level `Makefile` and `Config.in`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Buildroot {
    pub dir: PathBuf,
}

impl Buildroot {
    /// The explicit tree if given (flag or environment, already merged by the CLI), else
    /// `<root>/buildroot`. A tree without its Makefile (an uninitialised submodule) is an
    /// error that says how to fetch it.
    pub fn locate(explicit: Option<&Path>, root: &Path) -> Result<Buildroot> {
        let dir = match explicit {
            Some(p) => std::path::absolute(p).map_err(|e| BuildError::io(p, e))?,
            None => root.join("buildroot"),
        };
        if !dir.join("Makefile").is_file() {
            return Err(BuildError::NoBuildroot { path: dir });
        }
        Ok(Buildroot { dir })
    }

    /// The version Buildroot reports (`BR2_VERSION` in its Makefile), if it can be read.
    pub fn version(&self) -> Option<String> {
        let text = std::fs::read_to_string(self.dir.join("Makefile")).ok()?;
        makefile_var(&text, "BR2_VERSION")
    }

    /// The newest host gcc major version Buildroot accepts (`HOSTCC_MAX_VERSION`), if stated.
    pub fn hostcc_max_version(&self) -> Option<u32> {
        let text = std::fs::read_to_string(self.dir.join("Makefile")).ok()?;
        makefile_var(&text, "HOSTCC_MAX_VERSION")?.parse().ok()
    }
}

/// The value of a simple `NAME := value` or `export NAME := value` line of a Makefile.
pub fn makefile_var(text: &str, name: &str) -> Option<String> {
    text.lines().find_map(|l| {
        let l = l.trim_start();
        let l = l.strip_prefix("export ").unwrap_or(l).trim_start();
        let rest = l.strip_prefix(name)?.trim_start();
        let value = rest
            .strip_prefix(":=")
            .or_else(|| rest.strip_prefix("?="))
            .or_else(|| rest.strip_prefix('='))?;
        Some(value.trim().to_string()).filter(|v| !v.is_empty())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_tree_names_the_submodule_command() {
        let dir = tempfile::tempdir().unwrap();
        let err = Buildroot::locate(None, dir.path()).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("git submodule update --init buildroot"),
            "{text}"
        );
        assert!(text.contains(&dir.path().join("buildroot").display().to_string()));
    }

    #[test]
    fn explicit_tree_wins() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("Makefile"),
            "export BR2_VERSION := 2026.02.3\n",
        )
        .unwrap();
        let br = Buildroot::locate(Some(dir.path()), Path::new("/nonexistent")).unwrap();
        assert_eq!(br.dir, dir.path());
        assert_eq!(br.version().as_deref(), Some("2026.02.3"));
    }

    #[test]
    fn makefile_vars() {
        let t = "HOSTCC_MAX_VERSION := 15\nBR2_VERSION_X = no\n";
        assert_eq!(makefile_var(t, "HOSTCC_MAX_VERSION").as_deref(), Some("15"));
        assert_eq!(makefile_var(t, "BR2_VERSION"), None);
    }
}

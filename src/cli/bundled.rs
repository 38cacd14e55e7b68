//! Where the layers bundled with skiff are found: `SKIFF_DATA_DIR`, a data directory beside
//! the executable (`../share/skiff`, as the Debian package installs it), else the copy
//! compiled into the binary, unpacked once into the user's cache directory.

use crate::model::{ModelError, Result, bundle};
use std::path::{Path, PathBuf};

/// The environment and executable path that decide it, read once at the edge.
#[derive(Debug, Clone, Default)]
pub struct BundleSettings {
    /// `SKIFF_DATA_DIR`: a directory holding configs/ and configs-base/.
    pub data_dir: Option<PathBuf>,
    /// The running executable, symbolic links resolved.
    pub exe: Option<PathBuf>,
    /// `$XDG_CACHE_HOME/skiff`, else `$HOME/.cache/skiff`.
    pub cache_dir: Option<PathBuf>,
}

impl BundleSettings {
    pub fn from_env() -> BundleSettings {
        let var = |k: &str| {
            std::env::var_os(k)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        BundleSettings {
            data_dir: var("SKIFF_DATA_DIR"),
            exe: std::env::current_exe()
                .ok()
                .and_then(|p| p.canonicalize().ok()),
            cache_dir: var("XDG_CACHE_HOME")
                .or_else(|| var("HOME").map(|h| h.join(".cache")))
                .map(|c| c.join("skiff")),
        }
    }
}

fn is_layers_root(dir: &Path) -> bool {
    dir.join("configs").is_dir() && dir.join("configs-base").is_dir()
}

/// The root of the bundled layers (holds configs/ and configs-base/).
pub fn root(s: &BundleSettings) -> Result<PathBuf> {
    if let Some(d) = &s.data_dir {
        if is_layers_root(d) {
            return Ok(d.clone());
        }
        return Err(ModelError::Invalid(format!(
            "SKIFF_DATA_DIR={}: it needs configs/ and configs-base/; unset it to use the \
             layers compiled into skiff",
            d.display()
        )));
    }
    if let Some(share) = s
        .exe
        .as_deref()
        .and_then(Path::parent)
        .and_then(Path::parent)
        .map(|prefix| prefix.join("share/skiff"))
        .filter(|d| is_layers_root(d))
    {
        return Ok(share);
    }
    match &s.cache_dir {
        Some(cache) => bundle::unpacked(cache),
        None => Err(ModelError::Invalid(
            "neither XDG_CACHE_HOME nor HOME is set, so skiff has nowhere to unpack its \
             bundled layers; set one of them (or SKIFF_DATA_DIR, or pass --root)"
                .into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_share_dir_beside_the_executable_wins_over_the_cache() {
        let tmp = tempfile::tempdir().unwrap();
        let share = tmp.path().join("usr/share/skiff");
        std::fs::create_dir_all(share.join("configs")).unwrap();
        std::fs::create_dir_all(share.join("configs-base")).unwrap();
        let s = BundleSettings {
            exe: Some(tmp.path().join("usr/bin/skiff")),
            cache_dir: Some(tmp.path().join("cache")),
            ..Default::default()
        };
        assert_eq!(root(&s).unwrap(), share);
        assert!(!tmp.path().join("cache").exists());
    }

    #[test]
    fn without_a_share_dir_the_compiled_layers_are_unpacked_to_the_cache() {
        let tmp = tempfile::tempdir().unwrap();
        let s = BundleSettings {
            exe: Some(tmp.path().join("bin/skiff")),
            cache_dir: Some(tmp.path().join("cache")),
            ..Default::default()
        };
        let got = root(&s).unwrap();
        assert!(got.starts_with(tmp.path().join("cache")));
        assert!(got.join("configs/skiff/core").is_dir());
    }

    #[test]
    fn a_bad_data_dir_or_no_cache_is_explained() {
        let s = BundleSettings {
            data_dir: Some(PathBuf::from("/nonexistent")),
            ..Default::default()
        };
        assert!(
            root(&s)
                .unwrap_err()
                .to_string()
                .contains("SKIFF_DATA_DIR=/nonexistent")
        );
        let err = root(&BundleSettings::default()).unwrap_err().to_string();
        assert!(err.contains("XDG_CACHE_HOME"), "{err}");
    }
}

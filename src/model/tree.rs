//! A SkiffOS tree root: where configs/, configs-base/, overrides/ and workspaces/ live.

use super::error::{ModelError, Result};
use std::path::{Path, PathBuf};

/// The root of a SkiffOS-format tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tree {
    pub root: PathBuf,
}

impl Tree {
    /// Open a tree at `root`, which must hold `configs/`.
    pub fn open(root: &Path) -> Result<Tree> {
        let root = std::path::absolute(root).map_err(|e| ModelError::io(root, e))?;
        if !root.join("configs").is_dir() {
            return Err(ModelError::NoTree { path: root });
        }
        Ok(Tree { root })
    }

    /// `--root`/`SKIFF_ROOT` if given, else the nearest ancestor of `cwd` with `configs/`,
    /// else the tree bundled with skiff.
    pub fn locate(explicit: Option<&Path>, cwd: &Path) -> Result<Tree> {
        if let Some(p) = explicit {
            return Tree::open(p);
        }
        if let Some(found) = cwd.ancestors().find(|d| d.join("configs").is_dir()) {
            return Tree::open(found);
        }
        Tree::open(&Tree::bundled_root())
    }

    /// The tree shipped in skiff's own source checkout.
    pub fn bundled_root() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
    }

    pub fn configs_dir(&self) -> PathBuf {
        self.root.join("configs")
    }
    pub fn base_dir(&self) -> PathBuf {
        self.root.join("configs-base")
    }
    pub fn overrides_dir(&self) -> PathBuf {
        self.root.join("overrides")
    }
    pub fn workspaces_dir(&self) -> PathBuf {
        self.root.join("workspaces")
    }
    /// `workspaces/.config_<ws>` (the final config directory).
    pub fn final_dir(&self, ws: &str) -> PathBuf {
        self.workspaces_dir().join(format!(".config_{ws}"))
    }
    /// `workspaces/<ws>` (Buildroot's output directory).
    pub fn workspace_dir(&self, ws: &str) -> PathBuf {
        self.workspaces_dir().join(ws)
    }
}

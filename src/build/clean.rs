//! Cleaning a workspace: what goes (output and final config), and which ccache may go.

use super::error::{BuildError, Result};
use crate::model::Tree;
use crate::model::env::parse_bind_env;
use crate::model::merge::default_ccache;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// What `clean` would remove.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CleanPlan {
    /// Buildroot's output directory, if it exists.
    pub workspace_dir: Option<PathBuf>,
    /// The final config directory, if it exists.
    pub final_dir: Option<PathBuf>,
    /// The workspace's own ccache directory under workspaces/.ccache, if it exists.
    pub ccache: Option<PathBuf>,
    /// ccache directories the user pointed BR2_CCACHE_DIR at: never removed.
    pub shared_ccache: Vec<PathBuf>,
}

impl CleanPlan {
    pub fn is_empty(&self) -> bool {
        self.workspace_dir.is_none() && self.final_dir.is_none() && self.ccache.is_none()
    }
}

/// Work out the plan. `env_ccache` is BR2_CCACHE_DIR from the environment; the value the
/// last configure recorded in bind_env.sh counts too.
pub fn plan(tree: &Tree, ws: &str, env_ccache: Option<&str>) -> CleanPlan {
    let own = abs(Path::new(&default_ccache(tree, ws)));
    let recorded = std::fs::read_to_string(tree.final_dir(ws).join("bind_env.sh"))
        .ok()
        .and_then(|t| parse_bind_env(&t).get("BR2_CCACHE_DIR").cloned());
    let mut shared = Vec::new();
    for c in [env_ccache.map(str::to_string), recorded]
        .into_iter()
        .flatten()
        .filter(|c| !c.is_empty())
    {
        let p = abs(Path::new(&c));
        if p != own && !shared.contains(&p) {
            shared.push(p);
        }
    }
    let exists = |p: PathBuf| std::fs::symlink_metadata(&p).is_ok().then_some(p);
    CleanPlan {
        workspace_dir: exists(tree.workspace_dir(ws)),
        final_dir: exists(tree.final_dir(ws)),
        ccache: exists(own),
        shared_ccache: shared,
    }
}

fn abs(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

/// Remove the workspace and its final config, and the workspace's own ccache when asked.
/// Symbolic links are removed, never followed. Returns what was removed.
pub fn execute(plan: &CleanPlan, with_ccache: bool) -> Result<Vec<PathBuf>> {
    let mut removed = Vec::new();
    let ccache = plan.ccache.as_ref().filter(|_| with_ccache);
    for p in [&plan.workspace_dir, &plan.final_dir]
        .into_iter()
        .flatten()
        .chain(ccache)
    {
        let meta = std::fs::symlink_metadata(p).map_err(|e| BuildError::io(p, e))?;
        let r = if meta.is_dir() {
            std::fs::remove_dir_all(p)
        } else {
            std::fs::remove_file(p)
        };
        r.map_err(|e| BuildError::io(p, e))?;
        removed.push(p.clone());
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shared_ccache_is_never_planned_for_removal() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("configs")).unwrap();
        let tree = Tree::open(dir.path()).unwrap();
        let shared = dir.path().join("shared-ccache");
        std::fs::create_dir_all(&shared).unwrap();
        std::fs::create_dir_all(tree.workspace_dir("ws").join("build")).unwrap();
        std::fs::create_dir_all(dir.path().join("workspaces/.ccache/ws")).unwrap();
        let p = plan(&tree, "ws", Some(shared.to_str().unwrap()));
        assert_eq!(p.shared_ccache, vec![shared.clone()]);
        assert!(p.final_dir.is_none());
        let removed = execute(&p, true).unwrap();
        assert_eq!(removed.len(), 2);
        assert!(shared.is_dir());
        assert!(!tree.workspace_dir("ws").exists());
        assert!(!dir.path().join("workspaces/.ccache/ws").exists());
    }
}

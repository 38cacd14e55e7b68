//! Workspaces: listing them with their stacks, and recovering a previous selection.

use super::tree::Tree;
use serde::Serialize;
use std::path::PathBuf;
use std::time::SystemTime;

/// One workspace as found on disk.
#[derive(Debug, Clone, Serialize)]
pub struct WorkspaceInfo {
    pub name: String,
    /// The resolved stack it was last configured with.
    pub stack: Option<String>,
    /// The stack as typed for that configure (`skiff_stack`), when skiff wrote one.
    pub typed: Option<String>,
    pub extra_configs_path: Option<String>,
    /// Seconds since the Unix epoch of the last configure.
    pub configured_at: Option<u64>,
    /// Whether Buildroot's output directory exists.
    pub has_output: bool,
    /// Whether `workspaces/<ws>/images/` holds anything (a build finished).
    pub has_images: bool,
    pub final_dir: PathBuf,
}

/// What a previous configure left for a workspace (upstream's recovery).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recovered {
    pub stack: Option<String>,
    /// `skiff_stack`: the stack as typed, beside the resolved chain of `skiff_config`.
    pub typed: Option<String>,
    pub extra_configs_path: Option<String>,
}

/// The file of the final directory that keeps the stack as typed (skiff's own; upstream
/// only writes the resolved chain to `skiff_config`).
pub const TYPED_STACK_FILE: &str = "skiff_stack";

/// The stack to start from for a workspace: the one typed at its last configure when it
/// still resolves to the chain recorded in `skiff_config`, else that chain.
pub fn stack_to_edit(catalog: &super::Catalog, typed: Option<&str>, chain: &str) -> String {
    typed
        .filter(|t| {
            super::stack::resolve_text(catalog, t).is_ok_and(|r| r.joined() == chain.trim())
        })
        .unwrap_or(chain)
        .to_string()
}

/// Read `skiff_config` and `skiff_extra_configs_path` of a workspace's final directory.
pub fn recover(tree: &Tree, ws: &str) -> Recovered {
    let f = tree.final_dir(ws);
    let read = |n: &str| {
        std::fs::read_to_string(f.join(n))
            .ok()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    Recovered {
        stack: read("skiff_config"),
        typed: read(TYPED_STACK_FILE),
        extra_configs_path: read("skiff_extra_configs_path"),
    }
}

/// A fingerprint of the workspaces' state on disk: which workspaces exist, and for each the
/// inode and modification time of `.config_<ws>/skiff_config` (a configure swaps in a new
/// directory) and of `<ws>/images`. Two equal stamps mean nothing a screen shows changed.
pub fn stamp(tree: &Tree) -> u64 {
    use std::hash::{Hash, Hasher};
    use std::os::unix::fs::MetadataExt;
    let mut h = std::collections::hash_map::DefaultHasher::new();
    let meta = |p: &std::path::Path, h: &mut std::collections::hash_map::DefaultHasher| {
        if let Ok(m) = std::fs::metadata(p) {
            (m.ino(), m.mtime(), m.mtime_nsec(), m.size()).hash(h);
        }
    };
    let dir = tree.workspaces_dir();
    let mut names: Vec<std::ffi::OsString> = std::fs::read_dir(&dir)
        .map(|d| d.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    names.sort();
    for n in names {
        n.hash(&mut h);
        let p = dir.join(&n);
        meta(&p.join("skiff_config"), &mut h);
        meta(&p.join("images"), &mut h);
    }
    h.finish()
}

/// Every workspace: each `workspaces/<ws>` directory and each `workspaces/.config_<ws>`.
pub fn list(tree: &Tree) -> Vec<WorkspaceInfo> {
    let mut names: Vec<String> = Vec::new();
    if let Ok(entries) = std::fs::read_dir(tree.workspaces_dir()) {
        for e in entries.flatten() {
            if !e.file_type().map(|t| t.is_dir()).unwrap_or(false) {
                continue;
            }
            let n = e.file_name().to_string_lossy().into_owned();
            let name = match n.strip_prefix(".config_") {
                Some(ws) if !ws.contains(".new-") && !ws.ends_with(".old") => ws.to_string(),
                Some(_) => continue,
                None if n.starts_with('.') => continue,
                None => n,
            };
            if !names.contains(&name) {
                names.push(name);
            }
        }
    }
    names.sort();
    names
        .into_iter()
        .map(|name| {
            let final_dir = tree.final_dir(&name);
            let r = recover(tree, &name);
            let configured_at = std::fs::metadata(final_dir.join("skiff_config"))
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok())
                .map(|d| d.as_secs());
            WorkspaceInfo {
                has_output: tree.workspace_dir(&name).is_dir(),
                has_images: std::fs::read_dir(tree.workspace_dir(&name).join("images"))
                    .is_ok_and(|mut d| d.next().is_some()),
                name,
                stack: r.stack,
                typed: r.typed,
                extra_configs_path: r.extra_configs_path,
                configured_at,
                final_dir,
            }
        })
        .collect()
}

//! Workspace setup (upstream's setup_workspace) and the decision whether to configure again.

use super::error::{BuildError, Result};
use crate::model::fragment::ConfigKind;
use crate::model::{Merged, Tree};
use std::fs;

/// Create what a workspace needs before Buildroot runs in it: the output directory, its
/// `output` link to itself (so `output/images` and `images` are the same place), and the
/// README of the workspace's override layer. Unlike upstream, re-running never adds a
/// second, stray self-link. Buildroot's own files (`Makefile`, `.config`) come from the
/// configure step's `make defconfig`.
pub fn setup(tree: &Tree, ws: &str) -> Result<()> {
    let dir = tree.workspace_dir(ws);
    fs::create_dir_all(&dir).map_err(|e| BuildError::io(&dir, e))?;
    let link = dir.join("output");
    if fs::symlink_metadata(&link).is_err() {
        std::os::unix::fs::symlink(".", &link).map_err(|e| BuildError::io(&link, e))?;
    }
    let ov = tree.overrides_dir().join("workspaces").join(ws);
    if !ov.is_dir() {
        fs::create_dir_all(&ov).map_err(|e| BuildError::io(&ov, e))?;
        let readme = ov.join("README");
        let text = format!(
            "Layer directory for the `{ws}` workspace only. It is merged after overrides/ and\n\
             before configs-base/post, with the same subdirectories as any layer (buildroot/,\n\
             kernel/, uboot/, busybox/, root_overlay/, hooks/ ...).\n"
        );
        fs::write(&readme, text).map_err(|e| BuildError::io(&readme, e))?;
    }
    Ok(())
}

/// Whether the final config directory matches what a configure run would write now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Freshness {
    Fresh,
    Stale(String),
}

/// Upstream's skip rule (same version, same resolved stack, no SKIFF_FORCE_RECONFIG),
/// extended with content awareness: `merged` is the in-memory merge of the current layers,
/// compared file by file with what the last configure wrote. A workspace without
/// Buildroot's files also needs a configure, since that step creates them.
pub fn freshness(
    tree: &Tree,
    ws: &str,
    stack: &str,
    version: &str,
    merged: &Merged,
    force: bool,
) -> Freshness {
    let fin = tree.final_dir(ws);
    let read = |rel: &str| fs::read_to_string(fin.join(rel)).ok();
    if force {
        return Freshness::Stale("reconfiguring as requested (SKIFF_FORCE_RECONFIG)".into());
    }
    let Some(old_version) = read("skiff_version") else {
        return Freshness::Stale(format!("workspace `{ws}` has not been configured yet"));
    };
    if old_version.trim() != version {
        return Freshness::Stale(format!(
            "the tree version changed from {} to {version}",
            old_version.trim()
        ));
    }
    let old_stack = read("skiff_config").unwrap_or_default();
    if old_stack.trim() != stack {
        return Freshness::Stale(format!(
            "the workspace was configured with `{}`, now `{stack}`",
            old_stack.trim()
        ));
    }
    for kind in ConfigKind::ALL {
        let rel = format!("{}/config", kind.dir_name());
        if read(&rel).as_deref() != Some(merged.config(kind).text.as_str()) {
            return Freshness::Stale(format!("layer files changed ({rel} differs)"));
        }
    }
    if read("users").as_deref() != Some(merged.users.as_str()) {
        return Freshness::Stale("layer files changed (users differs)".into());
    }
    if read("cflags").map(|c| c.trim_end_matches('\n').to_string()) != Some(merged.cflags.clone()) {
        return Freshness::Stale("layer files changed (cflags differs)".into());
    }
    let wsd = tree.workspace_dir(ws);
    if !wsd.join(".config").is_file() || !fin.join("final/buildroot").is_file() {
        return Freshness::Stale("Buildroot's .config for the workspace is missing".into());
    }
    Freshness::Fresh
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn setup_is_idempotent_and_makes_one_self_link() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("configs")).unwrap();
        let tree = Tree::open(dir.path()).unwrap();
        setup(&tree, "ws").unwrap();
        setup(&tree, "ws").unwrap();
        let wsd = tree.workspace_dir("ws");
        let mut names: Vec<String> = fs::read_dir(&wsd)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["output"]);
        assert_eq!(fs::read_link(wsd.join("output")).unwrap(), Path::new("."));
        assert!(wsd.join("output/output").exists());
        let readme = tree.overrides_dir().join("workspaces/ws/README");
        assert!(
            fs::read_to_string(readme)
                .unwrap()
                .contains("`ws` workspace")
        );
    }

    #[test]
    fn unconfigured_workspace_is_stale() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("configs")).unwrap();
        let tree = Tree::open(dir.path()).unwrap();
        let f = freshness(&tree, "ws", "a/b", "v1", &Merged::default(), false);
        assert!(matches!(f, Freshness::Stale(r) if r.contains("not been configured")));
    }
}

//! Getting a workspace ready for make: Buildroot tree, lock, setup, and configure if needed.

use super::buildroot::Buildroot;
use super::error::Result;
use super::lock::WorkspaceLock;
use super::setup::{Freshness, freshness, setup};
use crate::model::configure::{ConfigureRequest, configure, merge_stack};
use crate::model::version::Version;
use crate::model::{Catalog, ModelError, ResolvedStack, Tree, Warning};
use std::path::{Path, PathBuf};

/// Inputs of [`prepare`].
pub struct PrepareRequest<'a> {
    pub tree: &'a Tree,
    pub catalog: &'a Catalog,
    pub stack: &'a ResolvedStack,
    pub workspace: &'a str,
    /// SKIFF_EXTRA_CONFIGS_PATH as given, recorded by configure.
    pub extra_paths: &'a str,
    /// `--buildroot` / SKIFF_BUILDROOT, if given.
    pub buildroot: Option<&'a Path>,
    /// What the lock holder is doing (`build`, `br menuconfig`...), shown to a second run.
    pub purpose: &'a str,
    /// SKIFF_FORCE_RECONFIG was set.
    pub force: bool,
    /// BR2_CCACHE_DIR from the environment.
    pub ccache_dir: Option<String>,
    /// Caller's SKIFF variables, kept in bind_env.sh.
    pub inherited_env: Vec<(String, String)>,
}

/// A workspace ready for make, locked until this is dropped.
pub struct Prepared {
    pub buildroot: Buildroot,
    pub lock: WorkspaceLock,
    pub workspace_dir: PathBuf,
    /// Why configure ran, or `None` when the final config was up to date.
    pub reconfigured: Option<String>,
    pub warnings: Vec<Warning>,
}

/// Locate Buildroot, lock and set up the workspace, and run configure when the final
/// config is missing or out of date (upstream's rule plus a comparison of the merged text).
pub fn prepare(req: &PrepareRequest) -> Result<Prepared> {
    req.tree.check_writable()?;
    let buildroot = Buildroot::locate(req.buildroot, &req.tree.root)?;
    if req.stack.layers.is_empty() {
        return Err(ModelError::EmptyStack.into());
    }
    let lock = WorkspaceLock::acquire(&req.tree.workspaces_dir(), req.workspace, req.purpose)?;
    setup(req.tree, req.workspace)?;
    let version = Version::of_tree(&req.tree.root);
    let merged = merge_stack(req.tree, req.catalog, req.stack, req.workspace)?;
    let mut warnings = req.stack.warnings.clone();
    let state = freshness(
        req.tree,
        req.workspace,
        &req.stack.joined(),
        &version.version,
        &merged,
        req.force,
    );
    let reconfigured = match state {
        Freshness::Fresh => {
            warnings.extend(merged.warnings.iter().cloned());
            None
        }
        Freshness::Stale(reason) => {
            let report = configure(&ConfigureRequest {
                tree: req.tree,
                catalog: req.catalog,
                stack: req.stack,
                workspace: req.workspace,
                extra_paths: req.extra_paths,
                buildroot: Some(&buildroot.dir),
                version,
                ccache_dir: req.ccache_dir.clone(),
                inherited_env: req.inherited_env.clone(),
            })?;
            warnings.extend(report.merged.warnings.iter().cloned());
            Some(reason)
        }
    };
    Ok(Prepared {
        workspace_dir: req.tree.workspace_dir(req.workspace),
        buildroot,
        lock,
        reconfigured,
        warnings,
    })
}

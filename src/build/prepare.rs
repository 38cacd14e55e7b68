//! Getting a workspace ready for make: Buildroot tree, lock, setup, and configure if needed.

use super::buildroot::Buildroot;
use super::error::Result;
use super::lock::WorkspaceLock;
use super::setup::{Freshness, freshness, setup};
use super::version::tree_version;
use super::workspace::write_configured;
use crate::model::configure::ConfigureRequest;
use crate::model::{ModelError, Warning};
use std::path::PathBuf;

/// Inputs of [`prepare`]: the configure request (whose environment names the Buildroot
/// tree, `--buildroot` or SKIFF_BUILDROOT, and SKIFF_FORCE_RECONFIG) and what the lock
/// holder is doing (`build`, `br menuconfig`...), shown to a second run.
pub struct PrepareRequest<'a> {
    pub configure: ConfigureRequest<'a>,
    pub purpose: &'a str,
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
/// The stack is merged once: the same merge decides freshness and is written.
pub fn prepare(req: &PrepareRequest) -> Result<Prepared> {
    let c = &req.configure;
    c.tree.check_writable()?;
    let buildroot = Buildroot::locate(c.env.buildroot.as_deref(), &c.tree.root)?;
    if c.stack.layers.is_empty() {
        return Err(ModelError::EmptyStack.into());
    }
    let lock = WorkspaceLock::acquire(&c.tree.workspaces_dir(), c.workspace, req.purpose)?;
    setup(c.tree, c.workspace)?;
    let version = tree_version(&c.tree.root);
    let merged = c.merge(&version)?;
    let mut warnings = c.stack.warnings.clone();
    warnings.extend(merged.warnings.iter().cloned());
    let state = freshness(
        c.tree,
        c.workspace,
        &c.stack.joined(),
        &version.version,
        &merged,
        c.env.force,
    );
    let reconfigured = match state {
        Freshness::Fresh => None,
        Freshness::Stale(reason) => {
            let env = crate::model::configure::ConfigureEnv {
                buildroot: Some(buildroot.dir.clone()),
                ..c.env.clone()
            };
            write_configured(&ConfigureRequest { env: &env, ..*c }, &version, merged)?;
            Some(reason)
        }
    };
    Ok(Prepared {
        workspace_dir: c.tree.workspace_dir(c.workspace),
        buildroot,
        lock,
        reconfigured,
        warnings,
    })
}

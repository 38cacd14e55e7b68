//! What every command needs: the tree, its layers, the workspace and the selected stack.

use super::Cli;
use crate::model::workspace::recover;
use crate::model::{Catalog, DiscoverOptions, Tree, names::workspace_name};
use anyhow::Result;
use std::path::PathBuf;

/// The loaded tree and the user's selections.
pub struct Context {
    pub tree: Tree,
    pub catalog: Catalog,
    pub workspace: String,
    /// SKIFF_EXTRA_CONFIGS_PATH as given or recovered.
    pub extra_paths: String,
    pub extra_recovered: bool,
}

impl Context {
    /// Locate the tree and discover its layers (extra paths from the flag, env or recovery).
    pub fn load(cli: &Cli) -> Result<Context> {
        let cwd = std::env::current_dir()?;
        let bundle = super::bundled::BundleSettings::from_env();
        let tree = Tree::locate(cli.root.as_deref(), &cwd, &|| super::bundled::root(&bundle))?;
        let workspace = workspace_name(cli.workspace.as_deref().unwrap_or(""));
        let mut extra_recovered = false;
        let extra_paths = match cli.extra_configs_path.clone().filter(|s| !s.is_empty()) {
            Some(p) => p,
            None => match recover(&tree, &workspace).extra_configs_path {
                Some(p) => {
                    extra_recovered = true;
                    p
                }
                None => String::new(),
            },
        };
        let opts = DiscoverOptions {
            configs_dir: tree.configs_dir(),
            // A project's own layers come after the extra paths, before its base's.
            extra_paths: extra_paths
                .split(':')
                .filter(|s| !s.is_empty())
                .map(|p| std::path::absolute(p).unwrap_or_else(|_| PathBuf::from(p)))
                .chain(tree.own_configs_dir())
                .collect(),
            env_paths: DiscoverOptions::env_paths_from(std::env::vars()),
        };
        let catalog = Catalog::discover(&opts)?;
        Ok(Context {
            tree,
            catalog,
            workspace,
            extra_paths,
            extra_recovered,
        })
    }

    /// The stack text: the argument, else SKIFF_CONFIG, else the workspace's last configure.
    /// The flag says whether it was recovered.
    pub fn stack_text(&self, arg: Option<&str>) -> (String, bool) {
        if let Some(a) = arg.filter(|a| !a.trim().is_empty()) {
            return (a.to_string(), false);
        }
        if let Ok(env) = std::env::var("SKIFF_CONFIG")
            && !env.trim().is_empty()
        {
            return (env, false);
        }
        match recover(&self.tree, &self.workspace).stack {
            Some(s) => (s, true),
            None => (String::new(), false),
        }
    }

    /// Resolve a stack text; `SKIFF_BUILD_TARGET_OVERRIDE` beats any layer's buildtarget.
    pub fn resolve(&self, text: &str) -> Result<crate::model::ResolvedStack> {
        let mut stack = crate::model::resolve_text(&self.catalog, text)?;
        if let Ok(bt) = std::env::var("SKIFF_BUILD_TARGET_OVERRIDE")
            && !bt.trim().is_empty()
        {
            stack.build_target = Some(bt.trim().to_string());
        }
        Ok(stack)
    }

    /// The Buildroot tree: the command's `--buildroot DIR`, else SKIFF_BUILDROOT, else
    /// `<root>/buildroot` (the pinned submodule).
    pub fn buildroot(&self, flag: Option<&std::path::Path>) -> PathBuf {
        flag.map(PathBuf::from)
            .or_else(|| {
                std::env::var_os("SKIFF_BUILDROOT")
                    .filter(|v| !v.is_empty())
                    .map(PathBuf::from)
            })
            .unwrap_or_else(|| self.tree.root.join("buildroot"))
    }
}

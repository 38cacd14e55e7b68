//! What every command needs: the tree, its layers, the workspace and the selected stack.

use super::Cli;
use crate::model::configure::{ConfigureEnv, ConfigureRequest};
use crate::model::host::HostEnv;
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
    /// The environment skiff was started in, read once.
    pub host: HostEnv,
}

impl Context {
    /// Locate the tree and discover its layers (extra paths from the flag, env or recovery).
    pub fn load(cli: &Cli) -> Result<Context> {
        let cwd = std::env::current_dir()?;
        let host = cli.host.clone();
        let root = cli.root.as_deref().or(host.root.as_deref());
        let bundle = super::bundled::BundleSettings::from_env();
        let tree = Tree::locate(root, &cwd, &|| super::bundled::root(&bundle))?;
        let ws = cli.workspace.as_deref().or(host.workspace.as_deref());
        let workspace = workspace_name(ws.unwrap_or(""));
        let mut extra_recovered = false;
        let extra = cli
            .extra_configs_path
            .as_ref()
            .or(host.extra_configs_path.as_ref());
        let extra_paths = match extra.filter(|s| !s.is_empty()).cloned() {
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
            env_paths: host.config_paths.clone(),
        };
        let catalog = Catalog::discover(&opts)?;
        Ok(Context {
            tree,
            catalog,
            workspace,
            extra_paths,
            extra_recovered,
            host,
        })
    }

    /// The stack text: the argument, else SKIFF_CONFIG, else the workspace's last configure.
    /// The flag says whether it was recovered.
    pub fn stack_text(&self, arg: Option<&str>) -> (String, bool) {
        if let Some(a) = arg.filter(|a| !a.trim().is_empty()) {
            return (a.to_string(), false);
        }
        if let Some(env) = &self.host.config {
            return (env.clone(), false);
        }
        let r = recover(&self.tree, &self.workspace);
        match r.stack {
            Some(s) => {
                let text =
                    crate::model::workspace::stack_to_edit(&self.catalog, r.typed.as_deref(), &s);
                (text, true)
            }
            None => (String::new(), false),
        }
    }

    /// Resolve a stack text; `SKIFF_BUILD_TARGET_OVERRIDE` beats any layer's buildtarget.
    /// The stack rules the TUI shows (one board per stack) are added as warnings.
    pub fn resolve(&self, text: &str) -> Result<crate::model::ResolvedStack> {
        let items = crate::model::names::split_list(text);
        let mut stack = crate::model::resolve(&self.catalog, &items)?;
        let typed: Vec<String> = items.iter().map(|s| s.to_string()).collect();
        stack
            .warnings
            .extend(crate::model::board::board_warnings(&self.catalog, &typed));
        if let Some(bt) = &self.host.build_target_override {
            stack.build_target = Some(bt.clone());
        }
        Ok(stack)
    }

    /// The Buildroot tree: the command's `--buildroot DIR`, else SKIFF_BUILDROOT, else
    /// `<root>/buildroot` (the pinned submodule).
    pub fn buildroot(&self, flag: Option<&std::path::Path>) -> PathBuf {
        flag.map(PathBuf::from)
            .or_else(|| self.host.buildroot.clone())
            .unwrap_or_else(|| self.tree.root.join("buildroot"))
    }

    /// What configure takes from the environment and flags, with the given Buildroot tree.
    pub fn configure_env(&self, buildroot: Option<PathBuf>) -> ConfigureEnv {
        ConfigureEnv::new(&self.host, &self.extra_paths, buildroot)
    }

    /// The stack merged as configure would merge it now (see `build::workspace::merge_current`).
    pub fn merge(&self, stack: &crate::model::ResolvedStack) -> Result<crate::model::Merged> {
        let env = self.configure_env(None);
        Ok(crate::build::workspace::merge_current(
            &self.tree,
            &self.catalog,
            stack,
            &self.workspace,
            &env,
        )?)
    }

    /// A configure (or merge) request of this context's workspace.
    pub fn request<'a>(
        &'a self,
        stack: &'a crate::model::ResolvedStack,
        env: &'a ConfigureEnv,
    ) -> ConfigureRequest<'a> {
        ConfigureRequest {
            tree: &self.tree,
            catalog: &self.catalog,
            stack,
            workspace: &self.workspace,
            env,
        }
    }
}

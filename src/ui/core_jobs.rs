//! The skiff-core editor's effects: loading the config a stack installs (and the distro images
//! of the tree) and saving the edited one as the workspace's override.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::core_edit::{CoreLoaded, ImageChoice};
use crate::model::core_config::{self, CoreConfig, override_path, source};
use crate::model::{Catalog, ResolvedStack, Tree};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CoreCmd {
    Load {
        workspace: String,
        stack: ResolvedStack,
    },
    Save {
        workspace: String,
        config: Box<CoreConfig>,
    },
}

#[derive(Debug)]
pub enum CoreReport {
    Loaded {
        workspace: String,
        layers: Vec<String>,
        result: Result<Box<CoreLoaded>, String>,
    },
    Saved {
        workspace: String,
        result: Result<PathBuf, String>,
    },
}

/// Runs one editor effect (on the worker thread).
pub fn perform(cmd: &CoreCmd, tree: &Tree, catalog: &Catalog) -> CoreReport {
    match cmd {
        CoreCmd::Load { workspace, stack } => CoreReport::Loaded {
            workspace: workspace.clone(),
            layers: stack.layers.clone(),
            result: load(tree, catalog, stack, workspace).map(Box::new),
        },
        CoreCmd::Save { workspace, config } => CoreReport::Saved {
            workspace: workspace.clone(),
            result: save(&override_path(&tree.overrides_dir(), workspace), config),
        },
    }
}

fn load(
    tree: &Tree,
    catalog: &Catalog,
    stack: &ResolvedStack,
    ws: &str,
) -> Result<CoreLoaded, String> {
    let candidates = source::for_stack(tree, catalog, stack, ws).map_err(|e| e.to_string())?;
    let winner = candidates.last().cloned();
    let (config, problems) = match &winner {
        Some(w) => match core_config::load(&w.path) {
            Ok(c) => (Some(c), Vec::new()),
            Err(e) => (None, e.to_string().lines().map(str::to_string).collect()),
        },
        None => (None, Vec::new()),
    };
    Ok(CoreLoaded {
        winner,
        config,
        problems,
        choices: choices(catalog),
        save_path: override_path(&tree.overrides_dir(), ws),
    })
}

/// Every image the layers of the tree ship a skiff-core config for, by layer name.
fn choices(catalog: &Catalog) -> Vec<ImageChoice> {
    let mut out: Vec<ImageChoice> = Vec::new();
    for layer in catalog.listed() {
        for (_, path) in source::packages(&layer.dir) {
            let Ok(c) = core_config::load(&path) else {
                continue;
            };
            let shell = c
                .users
                .first()
                .map(|u| u.value.container_shell.clone())
                .unwrap_or_default();
            for ct in &c.containers {
                let Some(name) = ct.value.image.as_ref().map(|s| s.value.clone()) else {
                    continue;
                };
                let Some(image) = c.image(&name).cloned() else {
                    continue;
                };
                if !out.iter().any(|x| x.name == name) {
                    out.push(ImageChoice {
                        layer: layer.name.clone(),
                        name,
                        image,
                        container: ct.value.clone(),
                        shell: shell.clone(),
                    });
                }
            }
        }
    }
    out
}

/// Writes the config next to its final place and renames it there; the file gets the
/// permissions the umask allows.
fn save(path: &Path, config: &CoreConfig) -> Result<PathBuf, String> {
    let issues = core_config::check(config);
    if let Some(first) = issues.first() {
        return Err(format!("not saved: {}", first.brief()));
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    let fail = |what: &str, e: std::io::Error| format!("{}: cannot {what}: {e}", dir.display());
    std::fs::create_dir_all(dir).map_err(|e| fail("create the directory", e))?;
    let tmp = dir.join(format!(".defconfig.yaml.{}.tmp", std::process::id()));
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&tmp)
        .map_err(|e| fail("create a temporary file", e))?;
    let written = f
        .write_all(core_config::to_yaml(config).as_bytes())
        .and_then(|_| f.sync_all())
        .and_then(|_| std::fs::rename(&tmp, path));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(fail("write the config", e));
    }
    Ok(path.to_path_buf())
}

//! Configuring a workspace on disk: writing the final config directory the model computes
//! (staged, then swapped in atomically), Buildroot's `make defconfig`, the `.config` link
//! and the GCC stamps that changed cflags invalidate.

use super::version::{tree_version, tree_version_cached};
use crate::model::configure::{ConfigureEnv, ConfigureRequest, FinalDir, final_dir};
use crate::model::error::{ModelError, Result};
use crate::model::merge::Merged;
use crate::model::version::Version;
use crate::model::{Catalog, ResolvedStack, Tree};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The result of the final Buildroot step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DefconfigStep {
    Ran,
    Skipped(String),
}

/// What `configure` did.
#[derive(Debug)]
pub struct ConfigureReport {
    pub final_dir: PathBuf,
    pub merged: Merged,
    pub defconfig: DefconfigStep,
    pub cflags_changed: bool,
    pub stamps_removed: usize,
}

/// Merge the stack as configure would now, in memory (previews, diffs, blame, checks):
/// the tree's version (asked once per process) and the environment's compiler cache.
pub fn merge_current(
    tree: &Tree,
    catalog: &Catalog,
    stack: &ResolvedStack,
    ws: &str,
    env: &ConfigureEnv,
) -> Result<Merged> {
    let req = ConfigureRequest {
        tree,
        catalog,
        stack,
        workspace: ws,
        env,
    };
    req.merge(&tree_version_cached(&tree.root))
}

/// Merge and write `workspaces/.config_<ws>/` for the tree's current version.
pub fn configure(req: &ConfigureRequest) -> Result<ConfigureReport> {
    configure_at(req, &tree_version(&req.tree.root))
}

/// [`configure`] with a given tree version.
pub fn configure_at(req: &ConfigureRequest, version: &Version) -> Result<ConfigureReport> {
    req.tree.check_writable()?;
    if req.stack.layers.is_empty() {
        return Err(ModelError::EmptyStack);
    }
    let merged = req.merge(version)?;
    write_configured(req, version, merged)
}

/// Write the final directory of an existing merge of `req` (so `prepare` merges once),
/// run the defconfig step when a Buildroot tree is present, and swap it into place.
pub fn write_configured(
    req: &ConfigureRequest,
    version: &Version,
    merged: Merged,
) -> Result<ConfigureReport> {
    let tree = req.tree;
    let ws = req.workspace;
    let plan = final_dir(req, version, &merged)?;
    let wsroot = tree.workspaces_dir();
    mkdir(&wsroot)?;
    if req.env.ccache_dir.is_none() {
        mkdir(Path::new(&req.ccache_dir()))?;
    }
    let final_path = tree.final_dir(ws);
    let staging = tempfile::Builder::new()
        .prefix(&format!(".config_{ws}.new-"))
        // Renamed into place as the final directory: 0777 less the umask, not 0700.
        .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o777))
        .tempdir_in(&wsroot)
        .map_err(|e| ModelError::io(&wsroot, e))?;
    write_plan(staging.path(), &plan)?;
    let ws_dir = tree.workspace_dir(ws);
    let defconfig = match req.env.buildroot.as_deref() {
        Some(br) if br.join("Makefile").is_file() => {
            run_defconfig(br, &ws_dir, staging.path(), &merged)?;
            DefconfigStep::Ran
        }
        Some(br) => DefconfigStep::Skipped(format!(
            "no Buildroot tree at {} (run `git submodule update --init buildroot`)",
            br.display()
        )),
        None => DefconfigStep::Skipped(
            "no Buildroot tree (run `git submodule update --init buildroot` or pass --buildroot)"
                .into(),
        ),
    };
    let old_cflags = fs::read_to_string(final_path.join("cflags")).unwrap_or_default();
    swap_into_place(staging, &final_path)?;
    if defconfig == DefconfigStep::Ran {
        let link = ws_dir.join(".config");
        let _ = fs::remove_file(&link);
        std::os::unix::fs::symlink(final_path.join("final").join("buildroot"), &link)
            .map_err(|e| ModelError::io(&link, e))?;
    }
    let cflags_changed = old_cflags.trim_end_matches('\n') != merged.cflags;
    let stamps_removed = if cflags_changed {
        remove_gcc_stamps(&ws_dir)
    } else {
        0
    };
    Ok(ConfigureReport {
        final_dir: final_path,
        merged,
        defconfig,
        cflags_changed,
        stamps_removed,
    })
}

/// Create the planned files and directories under `dir` (executables get mode 755).
fn write_plan(dir: &Path, plan: &FinalDir) -> Result<()> {
    for f in &plan.files {
        let p = dir.join(&f.path);
        if let Some(parent) = p.parent() {
            mkdir(parent)?;
        }
        fs::write(&p, &f.text).map_err(|e| ModelError::io(&p, e))?;
        if f.executable {
            crate::model::files::make_executable(&p).map_err(|e| ModelError::io(&p, e))?;
        }
    }
    for d in &plan.empty_dirs {
        mkdir(&dir.join(d))?;
    }
    Ok(())
}

fn run_defconfig(br: &Path, ws_dir: &Path, staging: &Path, merged: &Merged) -> Result<()> {
    mkdir(ws_dir)?;
    let dotconfig = ws_dir.join(".config");
    let _ = fs::remove_file(&dotconfig);
    let out = Command::new("make")
        .arg("-C")
        .arg(br)
        .arg(format!("O={}", ws_dir.display()))
        .arg(format!(
            "BR2_DEFCONFIG={}",
            staging.join("buildroot/config").display()
        ))
        .arg(format!("BR2_EXTERNAL={}", merged.externals.join(":")))
        .arg("defconfig")
        .output()
        .map_err(|e| ModelError::Tool {
            what: "make defconfig".into(),
            detail: format!("{e}; is make installed?"),
        })?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let tail: Vec<&str> = err.lines().rev().take(15).collect();
        return Err(ModelError::Tool {
            what: format!("Buildroot `make defconfig` in {}", br.display()),
            detail: tail.into_iter().rev().collect::<Vec<_>>().join("\n"),
        });
    }
    let target = staging.join("final").join("buildroot");
    mkdir(&staging.join("final"))?;
    fs::rename(&dotconfig, &target)
        .or_else(|_| fs::copy(&dotconfig, &target).map(|_| ()))
        .map_err(|e| ModelError::io(&dotconfig, e))
}

/// Put the staged directory in place of `final_dir` with one atomic exchange when the old
/// one exists, so readers see either the old or the new configuration, never a mix.
fn swap_into_place(staging: tempfile::TempDir, final_dir: &Path) -> Result<()> {
    let st = staging.keep();
    if final_dir.exists() {
        use rustix::fs::{CWD, RenameFlags, renameat_with};
        if renameat_with(CWD, &st, CWD, final_dir, RenameFlags::EXCHANGE).is_ok() {
            let _ = fs::remove_dir_all(&st);
            return Ok(());
        }
        let old = st.with_extension("old");
        fs::rename(final_dir, &old).map_err(|e| ModelError::io(final_dir, e))?;
        fs::rename(&st, final_dir).map_err(|e| ModelError::io(final_dir, e))?;
        let _ = fs::remove_dir_all(&old);
        return Ok(());
    }
    fs::rename(&st, final_dir).map_err(|e| ModelError::io(final_dir, e))
}

/// Changed cflags invalidate the compiler build: remove GCC's stamps like upstream.
fn remove_gcc_stamps(ws_dir: &Path) -> usize {
    let Ok(entries) = fs::read_dir(ws_dir.join("build")) else {
        return 0;
    };
    let mut n = 0;
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let is_gcc = name
            .find("gcc-")
            .is_some_and(|p| name[p + 4..].contains('-'));
        if !is_gcc {
            continue;
        }
        for stamp in [
            ".stamp_built",
            ".stamp_configured",
            ".stamp_host_installed",
            ".stamp_installed",
        ] {
            if fs::remove_file(e.path().join(stamp)).is_ok() {
                n += 1;
            }
        }
    }
    n
}

fn mkdir(p: &Path) -> Result<()> {
    fs::create_dir_all(p).map_err(|e| ModelError::io(p, e))
}

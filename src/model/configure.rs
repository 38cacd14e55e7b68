//! `configure`: merge a stack and write the final config directory atomically.

use super::catalog::Catalog;
use super::env::{EnvInput, bind_env_script, environment, shell_quote};
use super::error::{ModelError, Result};
use super::fragment::ConfigKind;
use super::merge::{Hook, MergeContext, Merged, merge, sources};
use super::stack::ResolvedStack;
use super::tree::Tree;
use super::version::Version;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// What `configure` needs besides the tree.
pub struct ConfigureRequest<'a> {
    pub tree: &'a Tree,
    pub catalog: &'a Catalog,
    pub stack: &'a ResolvedStack,
    pub workspace: &'a str,
    /// SKIFF_EXTRA_CONFIGS_PATH as given (colon-separated), recorded for recovery.
    pub extra_paths: &'a str,
    /// A Buildroot tree for the final `make defconfig`, if one is present.
    pub buildroot: Option<&'a Path>,
    pub version: Version,
    /// BR2_CCACHE_DIR from the environment, if the user set one.
    pub ccache_dir: Option<String>,
    /// Caller's environment variables that mention SKIFF (kept in bind_env.sh like upstream).
    pub inherited_env: Vec<(String, String)>,
}

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

/// The context values the merge needs for a workspace.
pub fn merge_context(tree: &Tree, ws: &str, version: &Version, ccache: &str) -> MergeContext {
    MergeContext {
        final_dir_text: format!("{}/", tree.final_dir(ws).display()),
        version: version.version.clone(),
        version_commit: version.commit.clone(),
        ccache_dir: ccache.to_string(),
    }
}

/// The default ccache directory of a workspace.
pub fn default_ccache(tree: &Tree, ws: &str) -> String {
    tree.workspaces_dir()
        .join(".ccache")
        .join(ws)
        .display()
        .to_string()
}

/// Merge the stack in memory only (for previews, diffs and blame).
pub fn merge_stack(
    tree: &Tree,
    catalog: &Catalog,
    stack: &ResolvedStack,
    ws: &str,
) -> Result<Merged> {
    let version = Version::cached(&tree.root);
    let ccache = std::env::var("BR2_CCACHE_DIR").unwrap_or_else(|_| default_ccache(tree, ws));
    merge(
        &sources(tree, catalog, stack, ws),
        &merge_context(tree, ws, &version, &ccache),
    )
}

/// Merge and write `workspaces/.config_<ws>/`, replacing the previous one in one rename.
pub fn configure(req: &ConfigureRequest) -> Result<ConfigureReport> {
    let tree = req.tree;
    let ws = req.workspace;
    tree.check_writable()?;
    if req.stack.layers.is_empty() {
        return Err(ModelError::EmptyStack);
    }
    let ccache = req
        .ccache_dir
        .clone()
        .unwrap_or_else(|| default_ccache(tree, ws));
    let ctx = merge_context(tree, ws, &req.version, &ccache);
    let merged = merge(&sources(tree, req.catalog, req.stack, ws), &ctx)?;
    let wsroot = tree.workspaces_dir();
    mkdir(&wsroot)?;
    if req.ccache_dir.is_none() {
        mkdir(Path::new(&ccache))?;
    }
    let final_dir = tree.final_dir(ws);
    let staging = tempfile::Builder::new()
        .prefix(&format!(".config_{ws}.new-"))
        .tempdir_in(&wsroot)
        .map_err(|e| ModelError::io(&wsroot, e))?;
    let st = staging.path();
    let mut env = environment(&EnvInput {
        tree,
        catalog: req.catalog,
        stack: req.stack,
        workspace: ws,
        version: &req.version,
        ccache_dir: &ccache,
        extra_paths: req.extra_paths,
    });
    for (k, v) in &req.inherited_env {
        env.entry(k.clone()).or_insert_with(|| v.clone());
    }
    write_all(st, req, &merged, &env, &ctx.final_dir_text)?;
    let ws_dir = tree.workspace_dir(ws);
    let defconfig = match req.buildroot {
        Some(br) if br.join("Makefile").is_file() => {
            run_defconfig(br, &ws_dir, st, &merged)?;
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
    let old_cflags = fs::read_to_string(final_dir.join("cflags")).unwrap_or_default();
    swap_into_place(staging, &final_dir)?;
    if defconfig == DefconfigStep::Ran {
        let link = ws_dir.join(".config");
        let _ = fs::remove_file(&link);
        std::os::unix::fs::symlink(final_dir.join("final").join("buildroot"), &link)
            .map_err(|e| ModelError::io(&link, e))?;
    }
    let cflags_changed = old_cflags.trim_end_matches('\n') != merged.cflags;
    let stamps_removed = if cflags_changed {
        remove_gcc_stamps(&ws_dir)
    } else {
        0
    };
    Ok(ConfigureReport {
        final_dir,
        merged,
        defconfig,
        cflags_changed,
        stamps_removed,
    })
}

fn write_all(
    st: &Path,
    req: &ConfigureRequest,
    merged: &Merged,
    env: &BTreeMap<String, String>,
    final_text: &str,
) -> Result<()> {
    let warning = "This directory is generated by `skiff configure` from the layer stack in\n\
                   skiff_config. Edits here are lost at the next configure: change the layers,\n\
                   overrides/ or overrides/workspaces/<workspace>/ instead.\n";
    write(st, "WARNING", warning)?;
    write(st, "DO_NOT_EDIT", warning)?;
    write(st, "skiff_config", &format!("{}\n", req.stack.joined()))?;
    if !req.extra_paths.is_empty() {
        write(
            st,
            "skiff_extra_configs_path",
            &format!("{}\n", req.extra_paths),
        )?;
    }
    write(st, "skiff_version", &format!("{}\n", req.version.version))?;
    for kind in ConfigKind::ALL {
        mkdir(&st.join(kind.dir_name()))?;
        write(
            st,
            &format!("{}/config", kind.dir_name()),
            &merged.config(kind).text,
        )?;
    }
    write(st, "users", &merged.users)?;
    write(st, "cflags", &format!("{}\n", merged.cflags))?;
    let ws_dir = req.tree.workspace_dir(req.workspace).display().to_string();
    write(st, "bind_env.sh", &bind_env_script(env, &ws_dir))?;
    for (name, hooks) in [
        ("pre_build.sh", &merged.pre_hooks),
        ("post_build.sh", &merged.post_hooks),
    ] {
        write(st, name, &wrapper(final_text, &ws_dir, hooks))?;
        use std::os::unix::fs::PermissionsExt;
        let p = st.join(name);
        fs::set_permissions(&p, fs::Permissions::from_mode(0o755))
            .map_err(|e| ModelError::io(&p, e))?;
    }
    mkdir(&st.join("defconfig"))?;
    mkdir(&st.join("final"))?;
    Ok(())
}

/// The pre/post build wrapper: strict shell, configure-time environment, each hook in turn.
fn wrapper(final_text: &str, ws_dir: &str, hooks: &[Hook]) -> String {
    let mut s = format!(
        "#!/bin/bash\nset -eo pipefail\nsource {}\ncd {}\n",
        shell_quote(&format!("{final_text}bind_env.sh")),
        shell_quote(ws_dir)
    );
    for h in hooks {
        s.push_str(&format!(
            "echo {}\n",
            shell_quote(&format!("Executing hook: {}", h.script))
        ));
        s.push_str(&format!(
            "SKIFF_CURRENT_CONF_DIR={} bash {}\n",
            shell_quote(&h.conf_dir),
            shell_quote(&h.script)
        ));
    }
    s
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

fn write(dir: &Path, rel: &str, text: &str) -> Result<()> {
    let p = dir.join(rel);
    fs::write(&p, text).map_err(|e| ModelError::io(&p, e))
}

//! Running a real Kconfig engine on a merged fragment: the workspace's Buildroot `conf`
//! when it has been built, else Debian's `kconfig-conf`, with the environment Buildroot sets.

use crate::build::buildroot::Buildroot;
use crate::build::error::{BuildError, Result};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Which program evaluates the configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Engine {
    /// `<workspace>/build/buildroot-config/conf`, built by Buildroot itself.
    Buildroot(PathBuf),
    /// `kconfig-conf` from kconfig-frontends (Linux's kconfig, same output for Buildroot).
    KconfigConf(PathBuf),
}

impl Engine {
    pub fn program(&self) -> &Path {
        match self {
            Engine::Buildroot(p) | Engine::KconfigConf(p) => p,
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Engine::Buildroot(p) => format!("Buildroot's conf ({})", p.display()),
            Engine::KconfigConf(p) => format!("kconfig-conf ({})", p.display()),
        }
    }
}

/// The workspace's conf if it exists, else `kconfig-conf` on PATH.
pub fn find_engine(workspace_dir: Option<&Path>) -> Result<Engine> {
    use std::os::unix::fs::PermissionsExt;
    let executable = |p: &Path| {
        std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    };
    if let Some(ws) = workspace_dir {
        let conf = ws.join("build/buildroot-config/conf");
        if executable(&conf) {
            return Ok(Engine::Buildroot(conf));
        }
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|d| d.join("kconfig-conf"))
        .find(|p| executable(p))
        .map(Engine::KconfigConf)
        .ok_or(BuildError::NoKconfigEngine)
}

/// A BR2_EXTERNAL tree: its name from external.desc and its directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct External {
    pub name: String,
    pub dir: PathBuf,
}

/// Read `external.desc` (`name: NAME`) of an external tree.
pub fn external(dir: &Path) -> Result<External> {
    let desc = dir.join("external.desc");
    let text = std::fs::read_to_string(&desc).map_err(|e| BuildError::io(&desc, e))?;
    let name = text
        .lines()
        .find_map(|l| l.strip_prefix("name:"))
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
        .ok_or_else(|| BuildError::BadFile {
            path: desc.clone(),
            line: 1,
            what: "needs a `name: NAME` line (letters, digits and _)".into(),
        })?;
    Ok(External {
        name,
        dir: dir.to_path_buf(),
    })
}

/// Write the `.br2-external.in.*` files Buildroot's Kconfig sources from BASE_DIR: path
/// symbols and menus for the externals, and an empty stand-in for every other one.
pub fn write_external_files(srctree: &Path, base: &Path, exts: &[External]) -> Result<()> {
    let top = srctree.join("Config.in");
    let text = std::fs::read_to_string(&top).map_err(|e| BuildError::io(&top, e))?;
    let mut names: Vec<String> = text
        .lines()
        .filter_map(|l| l.trim().strip_prefix("source"))
        .filter_map(|r| {
            r.trim()
                .trim_matches('"')
                .rsplit_once('/')
                .map(|(_, f)| f.to_string())
        })
        .filter(|f| f.starts_with(".br2-external"))
        .collect();
    // Buildroot's Kconfig files source these from several places (toolchain, skeleton,
    // init, linux, openssl and jpeg menus); write all of them.
    for kind in [
        "paths",
        "menus",
        "toolchains",
        "skeleton",
        "init",
        "linux",
        "openssl",
        "jpeg",
    ] {
        let must = format!(".br2-external.in.{kind}");
        if !names.contains(&must) {
            names.push(must);
        }
    }
    for name in names {
        let body = match name.as_str() {
            ".br2-external.in.paths" => exts
                .iter()
                .map(|e| {
                    format!(
                        "config BR2_EXTERNAL_{}_PATH\n\tstring\n\tdefault \"{}\"\n",
                        e.name,
                        e.dir.display()
                    )
                })
                .collect::<String>(),
            ".br2-external.in.menus" if !exts.is_empty() => {
                let mut s = String::from("menu \"External options\"\n");
                for e in exts {
                    s.push_str(&format!(
                        "comment \"{} ({})\"\nsource \"{}/Config.in\"\n",
                        e.name,
                        e.dir.display(),
                        e.dir.display()
                    ));
                }
                s.push_str("endmenu\n");
                s
            }
            _ => String::new(),
        };
        let p = base.join(&name);
        std::fs::write(&p, format!("# written by skiff check\n{body}"))
            .map_err(|e| BuildError::io(&p, e))?;
    }
    Ok(())
}

/// The variables Buildroot's Makefile gives conf, for a tree at `srctree`.
pub fn environment(srctree: &Path, base: &Path, exts: &[External]) -> HashMap<String, String> {
    let br = Buildroot {
        dir: srctree.to_path_buf(),
    };
    let version = br.version().unwrap_or_else(|| "unknown".into());
    let mut v = HashMap::new();
    let b = base.display().to_string();
    let cfg = base.join(".config").display().to_string();
    for (k, val) in [
        ("CONFIG_", String::new()),
        ("KCONFIG_CONFIG", cfg.clone()),
        ("BR2_CONFIG", cfg),
        ("KCONFIG_AUTOCONFIG", format!("{b}/auto.conf")),
        ("KCONFIG_AUTOHEADER", format!("{b}/autoconf.h")),
        ("KCONFIG_TRISTATE", format!("{b}/tristate.config")),
        ("BASE_DIR", b.clone()),
        ("BR2_BASE_DIR", b.clone()),
        ("BR2_VERSION_FULL", version),
        ("HOSTARCH", std::env::consts::ARCH.to_string()),
        ("BR2_HIDE_SECONDARY_TARGET_OPTIONS", "n".into()),
        ("SKIP_LEGACY", String::new()),
    ] {
        v.insert(k.to_string(), val);
    }
    if let Some(gcc) = host_gcc_version(&br) {
        v.insert("HOST_GCC_VERSION".into(), gcc.to_string());
    }
    for e in exts {
        v.insert(
            format!("BR2_EXTERNAL_{}_PATH", e.name),
            e.dir.display().to_string(),
        );
    }
    v
}

/// The host gcc's major version, clamped to the newest one the tree knows, as its
/// Makefile does (otherwise `BR2_HOST_GCC_AT_LEAST_*` come out differently).
fn host_gcc_version(br: &Buildroot) -> Option<u32> {
    let out = Command::new("gcc").arg("-dumpversion").output().ok()?;
    let major: u32 = String::from_utf8_lossy(&out.stdout)
        .trim()
        .split('.')
        .next()?
        .parse()
        .ok()?;
    Some(match br.hostcc_max_version() {
        Some(max) => major.min(max),
        None => major,
    })
}

/// What the engine made of a fragment.
#[derive(Debug, Clone)]
pub struct Evaluation {
    /// The resulting `.config`.
    pub config: String,
    /// The engine's own messages (reassignments, invalid values...).
    pub messages: String,
}

/// Evaluate `fragment` as a defconfig in a scratch BASE_DIR and return the full `.config`.
pub fn evaluate(
    engine: &Engine,
    srctree: &Path,
    base: &Path,
    fragment: &str,
    env: &HashMap<String, String>,
) -> Result<Evaluation> {
    let defconfig = base.join("defconfig");
    std::fs::write(&defconfig, fragment).map_err(|e| BuildError::io(&defconfig, e))?;
    let out = Command::new(engine.program())
        .arg(format!("--defconfig={}", defconfig.display()))
        .arg("Config.in")
        .current_dir(srctree)
        .envs(env)
        .env("BR2_DEFCONFIG", &defconfig)
        .output()
        .map_err(|e| BuildError::Spawn {
            program: engine.program().display().to_string(),
            source: e,
        })?;
    let mut messages = String::from_utf8_lossy(&out.stdout).into_owned();
    messages.push_str(&String::from_utf8_lossy(&out.stderr));
    if !out.status.success() {
        let tail: Vec<&str> = messages.lines().rev().take(15).collect();
        return Err(BuildError::Tool {
            what: format!("{} on {}", engine.describe(), srctree.display()),
            detail: tail.into_iter().rev().collect::<Vec<_>>().join("\n"),
        });
    }
    let cfg = base.join(".config");
    let config = std::fs::read_to_string(&cfg).map_err(|e| BuildError::io(&cfg, e))?;
    Ok(Evaluation { config, messages })
}

//! Buildroot's build order (the progress denominator), its cache, and done packages from stamps.

use super::error::{BuildError, Result};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

/// Package names from `make -s show-build-order` output: one per line.
pub fn parse_order(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.contains(char::is_whitespace) && !l.contains(':'))
        .map(str::to_string)
        .collect()
}

/// Ask Buildroot for the build order of the workspace's configuration (about ten seconds:
/// make reads every package's .mk file).
pub fn query(make: &Path, buildroot: &Path, workspace: &Path) -> Result<Vec<String>> {
    query_with(make, buildroot, workspace, |_| ())
}

/// [`query`], with make in a process group of its own whose id goes to `started` before
/// the wait, so a cancel can signal the whole group at once.
pub fn query_with(
    make: &Path,
    buildroot: &Path,
    workspace: &Path,
    started: impl FnOnce(u32),
) -> Result<Vec<String>> {
    use std::os::unix::process::CommandExt;
    let child = Command::new(make)
        .arg("-s")
        .arg("--no-print-directory")
        .arg("-C")
        .arg(buildroot)
        .arg(format!("O={}", workspace.display()))
        .arg("show-build-order")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .process_group(0)
        .spawn()
        .map_err(|e| BuildError::Spawn {
            program: make.display().to_string(),
            source: e,
        })?;
    started(child.id());
    let out = child
        .wait_with_output()
        .map_err(|e| BuildError::io(workspace, e))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let tail: Vec<&str> = err.lines().rev().take(10).collect();
        return Err(BuildError::Tool {
            what: format!("`make show-build-order` in {}", workspace.display()),
            detail: tail.into_iter().rev().collect::<Vec<_>>().join("\n"),
        });
    }
    Ok(parse_order(&String::from_utf8_lossy(&out.stdout)))
}

fn digest(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

const CACHE: &str = "build-order";

/// The cached order for exactly this `.config` text, if any.
pub fn cached(state_dir: &Path, config: &str) -> Option<Vec<String>> {
    let text = std::fs::read_to_string(state_dir.join(CACHE)).ok()?;
    let (head, body) = text.split_once('\n')?;
    (head == format!("# config sha256 {}", digest(config))).then(|| parse_order(body))
}

/// Remember the order for this `.config` text (temp file and rename).
pub fn store(state_dir: &Path, config: &str, order: &[String]) -> Result<()> {
    std::fs::create_dir_all(state_dir).map_err(|e| BuildError::io(state_dir, e))?;
    let path = state_dir.join(CACHE);
    let mut text = format!("# config sha256 {}\n", digest(config));
    for p in order {
        text.push_str(p);
        text.push('\n');
    }
    let tmp = state_dir.join(format!(".{CACHE}.tmp"));
    std::fs::write(&tmp, text).map_err(|e| BuildError::io(&tmp, e))?;
    std::fs::rename(&tmp, &path).map_err(|e| BuildError::io(&path, e))
}

/// The package a `build/` subdirectory belongs to: `<name>-<version>` or `<name>`. The
/// longest matching name wins, so `linux-firmware-2024` is not taken for `linux`.
pub fn package_of_dir<'a>(
    dir: &str,
    names: impl IntoIterator<Item = &'a String>,
) -> Option<String> {
    names
        .into_iter()
        .filter(|n| {
            dir == n.as_str()
                || dir
                    .strip_prefix(n.as_str())
                    .is_some_and(|rest| rest.len() > 1 && rest.starts_with('-'))
        })
        .max_by_key(|n| n.len())
        .cloned()
}

/// Packages of `order` whose build directory holds `.stamp_installed`.
pub fn done_packages(build_dir: &Path, order: &[String]) -> BTreeSet<String> {
    let mut done = BTreeSet::new();
    let Ok(entries) = std::fs::read_dir(build_dir) else {
        return done;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if !e.path().join(".stamp_installed").exists() {
            continue;
        }
        if let Some(p) = package_of_dir(&name, order) {
            done.insert(p);
        }
    }
    done
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_lines() {
        let o = parse_order("host-skeleton\n\nbusybox\nmake[1]: Leaving directory\n  linux \n");
        assert_eq!(o, ["host-skeleton", "busybox", "linux"]);
    }

    #[test]
    fn longest_name_wins() {
        let names: Vec<String> = ["linux", "linux-firmware", "host-skeleton"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(
            package_of_dir("linux-firmware-20240101", &names).as_deref(),
            Some("linux-firmware")
        );
        assert_eq!(
            package_of_dir("linux-6.1", &names).as_deref(),
            Some("linux")
        );
        assert_eq!(
            package_of_dir("host-skeleton", &names).as_deref(),
            Some("host-skeleton")
        );
        assert_eq!(package_of_dir("linux-", &names), None);
        assert_eq!(package_of_dir("busybox-1", &names), None);
    }

    #[test]
    fn cache_is_keyed_by_config() {
        let dir = tempfile::tempdir().unwrap();
        let order = vec!["a".to_string(), "b".to_string()];
        store(dir.path(), "BR2_X=y\n", &order).unwrap();
        assert_eq!(cached(dir.path(), "BR2_X=y\n"), Some(order));
        assert_eq!(cached(dir.path(), "BR2_X=n\n"), None);
    }

    #[test]
    fn stamps_mark_done() {
        let dir = tempfile::tempdir().unwrap();
        let b = dir.path();
        std::fs::create_dir_all(b.join("busybox-1.36.1")).unwrap();
        std::fs::write(b.join("busybox-1.36.1/.stamp_installed"), "").unwrap();
        std::fs::create_dir_all(b.join("linux-6.1")).unwrap();
        std::fs::write(b.join("linux-6.1/.stamp_built"), "").unwrap();
        let order = vec!["busybox".to_string(), "linux".to_string()];
        let done = done_packages(b, &order);
        assert_eq!(done.into_iter().collect::<Vec<_>>(), ["busybox"]);
    }
}

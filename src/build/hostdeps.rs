//! Buildroot's host prerequisites (its manual's "mandatory packages"), checked before
//! make starts so every missing tool is reported at once with the command that installs it.

use std::ffi::OsStr;
use std::path::Path;

/// A program Buildroot needs on the build machine, and the Debian package that has it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HostTool {
    pub program: &'static str,
    pub package: &'static str,
}

const fn tool(program: &'static str, package: &'static str) -> HostTool {
    HostTool { program, package }
}

/// The mandatory build and source-fetching tools of Buildroot's manual (and the programs
/// its `support/dependencies/dependencies.sh` looks for), with their Debian packages.
pub const BUILDROOT_HOST_TOOLS: &[HostTool] = &[
    tool("which", "debianutils"),
    tool("sed", "sed"),
    tool("make", "make"),
    tool("ld", "binutils"),
    tool("gcc", "gcc"),
    tool("g++", "g++"),
    tool("diff", "diffutils"),
    tool("cmp", "diffutils"),
    tool("bash", "bash"),
    tool("patch", "patch"),
    tool("gzip", "gzip"),
    tool("bzip2", "bzip2"),
    tool("perl", "perl"),
    tool("tar", "tar"),
    tool("cpio", "cpio"),
    tool("unzip", "unzip"),
    tool("rsync", "rsync"),
    tool("file", "file"),
    tool("bc", "bc"),
    tool("find", "findutils"),
    tool("xargs", "findutils"),
    tool("awk", "gawk"),
    tool("wget", "wget"),
];

/// The Debian packages `scripts/deps --build` installs: the tools' packages and
/// build-essential, which the manual lists for Debian.
pub fn debian_packages() -> Vec<&'static str> {
    let mut p: Vec<&str> = BUILDROOT_HOST_TOOLS.iter().map(|t| t.package).collect();
    p.push("build-essential");
    p.sort_unstable();
    p.dedup();
    p
}

fn executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// The tools of `tools` that no directory of `path` (a PATH value) has as an executable.
pub fn missing<'a>(tools: &'a [HostTool], path: &OsStr) -> Vec<&'a HostTool> {
    let dirs: Vec<_> = std::env::split_paths(path).collect();
    tools
        .iter()
        .filter(|t| !dirs.iter().any(|d| executable(&d.join(t.program))))
        .collect()
}

/// One message naming every missing tool and the command that installs them.
pub fn report(missing: &[&HostTool]) -> Option<String> {
    if missing.is_empty() {
        return None;
    }
    let programs: Vec<&str> = missing.iter().map(|t| t.program).collect();
    let mut packages: Vec<&str> = missing.iter().map(|t| t.package).collect();
    packages.sort_unstable();
    packages.dedup();
    Some(format!(
        "Buildroot needs these host programs, which are not on PATH: {}; install them with \
         `sudo apt-get install {}` (or run `scripts/deps --build` in skiff's repository)",
        programs.join(", "),
        packages.join(" ")
    ))
}

/// Check Buildroot's host tools against `path`; the error lists every missing one.
pub fn check(path: &OsStr) -> crate::build::Result<()> {
    match report(&missing(BUILDROOT_HOST_TOOLS, path)) {
        None => Ok(()),
        Some(m) => Err(crate::build::BuildError::Invalid(m)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_missing_tool_is_reported_at_once_with_its_package() {
        let dir = tempfile::tempdir().unwrap();
        for p in ["make", "gcc", "sed"] {
            let f = dir.path().join(p);
            std::fs::write(&f, "#!/bin/sh\n").unwrap();
            crate::model::files::make_executable(&f).unwrap();
        }
        // Not executable: does not count.
        std::fs::write(dir.path().join("rsync"), "").unwrap();
        let gone = missing(BUILDROOT_HOST_TOOLS, dir.path().as_os_str());
        let names: Vec<&str> = gone.iter().map(|t| t.program).collect();
        assert!(!names.contains(&"make") && !names.contains(&"gcc"));
        assert!(names.contains(&"cpio") && names.contains(&"rsync"));
        assert_eq!(names.len(), BUILDROOT_HOST_TOOLS.len() - 3);
        let msg = report(&gone).unwrap();
        assert!(msg.contains("cpio, unzip, rsync"), "{msg}");
        // One package per tool family, once.
        assert_eq!(msg.matches("findutils").count(), 1, "{msg}");
        assert!(msg.contains("sudo apt-get install "), "{msg}");
        assert!(report(&[]).is_none());
        assert!(check(dir.path().as_os_str()).is_err());
    }

    #[test]
    fn packages_for_scripts_deps() {
        let p = debian_packages();
        for want in [
            "build-essential",
            "cpio",
            "rsync",
            "g++",
            "wget",
            "bc",
            "file",
        ] {
            assert!(p.contains(&want), "{want}");
        }
        // `scripts/deps --build` installs exactly these.
        let script =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/deps")).unwrap();
        let list = script
            .split_once("build_packages=(")
            .and_then(|(_, rest)| rest.split_once(')'))
            .map(|(l, _)| l)
            .unwrap();
        let mut listed: Vec<&str> = list.split_whitespace().collect();
        listed.sort_unstable();
        assert_eq!(listed, p);
    }
}

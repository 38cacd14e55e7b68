//! What the device says about itself (probe output, skiff-release) and whether it matches
//! the workspace's build.

use std::collections::BTreeMap;

use super::script::Hasher;

/// The probe's answer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeviceInfo {
    /// `uname -m`.
    pub arch: String,
    pub hasher: Option<Hasher>,
    /// KEY=VALUE pairs of the device's skiff-release.
    pub release: BTreeMap<String, String>,
    pub boot_id: String,
}

/// Parses `KEY=VALUE` lines, dropping surrounding quotes.
pub fn parse_release(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| {
            let v = v.trim();
            let v = v
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .unwrap_or(v);
            (k.trim().to_string(), v.to_string())
        })
        .collect()
}

/// Parses the output of `script::probe`.
pub fn parse_probe(text: &str) -> DeviceInfo {
    let mut info = DeviceInfo::default();
    let mut release = String::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("release:") {
            release.push_str(rest);
            release.push('\n');
        } else if let Some(a) = line.strip_prefix("arch=") {
            info.arch = a.trim().to_string();
        } else if let Some(h) = line.strip_prefix("hasher=") {
            info.hasher = match h.trim() {
                "openssl" => Some(Hasher::Openssl),
                "sha256sum" => Some(Hasher::Sha256sum),
                _ => None,
            };
        } else if let Some(b) = line.strip_prefix("boot_id=") {
            info.boot_id = b.trim().to_string();
        }
    }
    info.release = parse_release(&release);
    info
}

/// The board of a stack: its first layer (`pi/4` of `pi/4,skiff/core`).
pub fn board_of(stack: &str) -> Option<String> {
    stack
        .split(|c: char| c == ',' || c.is_whitespace())
        .find(|s| !s.is_empty())
        .map(str::to_string)
}

/// True when `uname -m` is a machine of the Buildroot architecture (U-Boot naming, as
/// `flash::card::arch_from_config` returns it).
pub fn arch_matches(build_arch: &str, machine: &str) -> bool {
    match build_arch {
        "arm64" => machine == "aarch64" || machine == "arm64",
        "arm" => machine.starts_with("arm"),
        "riscv" => machine.starts_with("riscv"),
        "x86_64" => machine == "x86_64",
        "x86" => matches!(machine, "i386" | "i486" | "i586" | "i686"),
        other => other == machine,
    }
}

/// What the workspace was built for.
#[derive(Debug, Clone, Default)]
pub struct BuildInfo {
    /// Buildroot architecture (U-Boot naming), when the workspace has a .config.
    pub arch: Option<String>,
    /// First layer of the built stack.
    pub board: Option<String>,
}

/// Every way the device differs from the build (empty: it matches).
pub fn mismatches(build: &BuildInfo, device: &DeviceInfo) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(arch) = &build.arch
        && !arch_matches(arch, &device.arch)
    {
        out.push(format!(
            "the build is for {arch} but the device runs {}",
            device.arch
        ));
    }
    let device_board = device.release.get("BUILD_CONFIG").and_then(|s| board_of(s));
    if let (Some(b), Some(d)) = (&build.board, &device_board)
        && b != d
    {
        out.push(format!(
            "the build is for the board {b} but the device runs a {d} build"
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probe_and_match() {
        let info = parse_probe(
            "arch=aarch64\nhasher=sha256sum\nrelease:VERSION=\"1.2\"\nrelease:BUILD_CONFIG=pi/4,skiff/core\nboot_id=x\n",
        );
        assert_eq!(info.arch, "aarch64");
        assert_eq!(info.release["VERSION"], "1.2");
        let build = BuildInfo {
            arch: Some("arm64".into()),
            board: Some("pi/4".into()),
        };
        assert!(mismatches(&build, &info).is_empty());
        let other = BuildInfo {
            arch: Some("arm".into()),
            board: Some("odroid/c4".into()),
        };
        assert_eq!(mismatches(&other, &info).len(), 2);
    }
}

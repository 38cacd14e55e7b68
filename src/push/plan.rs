//! What a push sends: the build's files mapped to paths on the running device through the
//! board layout's install rules (the same mapping install uses for a card), and the
//! comparison with what the device already has.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::event::{FailReason, FileLine, PushError, PushPhase};
use crate::flash::card::stage::resolve_copies;
use crate::model::layout::{Dest, Kind, Layout};

/// Where the device mounts its partitions (upstream: `/mnt/boot`, `/mnt/rootfs`).
#[derive(Debug, Clone)]
pub struct DeviceDirs {
    pub boot: String,
    pub rootfs: String,
}

impl Default for DeviceDirs {
    fn default() -> DeviceDirs {
        DeviceDirs {
            boot: "/mnt/boot".into(),
            rootfs: "/mnt/rootfs".into(),
        }
    }
}

/// One local file and its place on the device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalFile {
    pub src: PathBuf,
    /// Absolute path on the device.
    pub dest: String,
    pub size: u64,
    /// Permission bits to set on the device (0o755 for executables, else 0o644).
    pub mode: u32,
}

/// The files to push and what was left out (with why), in destination order.
#[derive(Debug, Default)]
pub struct Selection {
    pub files: Vec<LocalFile>,
    pub notes: Vec<String>,
}

fn no_build(message: String) -> PushError {
    PushError::new(FailReason::NoBuild, PushPhase::Plan, message)
}

fn join(dir: &str, rel: &str) -> String {
    format!(
        "{}/{}",
        dir.trim_end_matches('/'),
        rel.trim_start_matches('/')
    )
}

/// The device path of a layout destination, or `None` when a running device does not get it
/// (the persist partition's own data, partitions other than boot and root).
pub fn device_path(layout: &Layout, dest: &Dest, dirs: &DeviceDirs) -> Option<String> {
    let rel = dest.path.trim_start_matches('/');
    let persist = layout.install.as_ref().map(|i| i.persist.as_str());
    if Some(dest.partition.as_str()) == persist {
        // Boards with one persist partition keep boot and root in directories of it, which
        // the device binds on the boot and root mount points.
        if let Some(rest) = rel.strip_prefix("boot/") {
            return Some(join(&dirs.boot, rest));
        }
        return rel
            .strip_prefix("rootfs/")
            .map(|rest| join(&dirs.rootfs, rest));
    }
    if dest.partition.eq_ignore_ascii_case("boot") {
        return Some(join(&dirs.boot, rel));
    }
    if dest.partition.eq_ignore_ascii_case("rootfs") {
        return Some(join(&dirs.rootfs, rel));
    }
    None
}

/// Destinations the layout's `boot` picks write (boot.txt, boot.scr, config.txt...): the
/// device keeps its own, as upstream's push does.
fn boot_config_paths(layout: &Layout) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for pick in &layout.boot {
        let dir = if pick.to.is_dir() {
            pick.to.path.clone()
        } else {
            out.insert((pick.to.partition.clone(), pick.to.path.clone()));
            let parent = pick.to.path.rsplit_once('/').map_or("", |(d, _)| d);
            format!("{parent}/")
        };
        for name in pick.pick.iter().chain(pick.mkimage.iter()) {
            out.insert((pick.to.partition.clone(), format!("{dir}{name}")));
        }
    }
    out
}

fn walk(src: &Path, to: &Dest, out: &mut Vec<(PathBuf, Dest)>) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(src)?.filter_map(Result::ok).collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        let child = Dest {
            partition: to.partition.clone(),
            path: format!("{}/{}", to.path.trim_end_matches('/'), name),
        };
        if entry.file_type()?.is_dir() {
            walk(&entry.path(), &child, out)?;
        } else {
            out.push((entry.path(), child));
        }
    }
    Ok(())
}

/// Maps the build in `images` to device paths with the layout's install rules.
pub fn select(layout: &Layout, images: &Path, dirs: &DeviceDirs) -> Result<Selection, PushError> {
    if !matches!(layout.kind, Kind::Card | Kind::VendorCard) || layout.install.is_none() {
        return Err(no_build(format!(
            "{}: the board's layout ({}) has no install rules, so there is nothing to push; {}",
            layout.origin,
            layout.kind.as_str(),
            layout.flash_with.as_deref().unwrap_or("flash it instead")
        )));
    }
    if !images.is_dir() {
        return Err(no_build(format!(
            "{} does not exist: build the workspace first (skiff build)",
            images.display()
        )));
    }
    let copies = resolve_copies(layout, images).map_err(|e| no_build(e.to_string()))?;
    let mut pairs = Vec::new();
    for copy in copies {
        if copy.contents {
            walk(&copy.src, &copy.to, &mut pairs)
                .map_err(|e| no_build(format!("{}: {e}", copy.src.display())))?;
        } else if copy.src.is_dir() {
            let to = Dest {
                partition: copy.to.partition.clone(),
                path: format!("{}/", copy.to.path),
            };
            walk(&copy.src, &to, &mut pairs)
                .map_err(|e| no_build(format!("{}: {e}", copy.src.display())))?;
        } else {
            pairs.push((copy.src, copy.to));
        }
    }
    let release = images.join("skiff-release");
    if release.is_file() {
        let boot = Dest {
            partition: "boot".into(),
            path: "/skiff-release".into(),
        };
        pairs.push((release, boot));
    }
    let keep = boot_config_paths(layout);
    let mut chosen: BTreeMap<String, LocalFile> = BTreeMap::new();
    let mut notes = BTreeSet::new();
    for (src, dest) in pairs {
        if keep.contains(&(dest.partition.clone(), dest.path.clone())) {
            notes.insert(format!(
                "{}:{} is the board's boot configuration; the device keeps its own",
                dest.partition, dest.path
            ));
            continue;
        }
        let Some(path) = device_path(layout, &dest, dirs) else {
            notes.insert(format!(
                "{}:/{} is not pushed (only boot and root files are)",
                dest.partition,
                dest.path.split('/').nth(1).unwrap_or("")
            ));
            continue;
        };
        if path.contains('\n') {
            return Err(no_build(format!(
                "{}: a file name with a newline",
                src.display()
            )));
        }
        let meta = std::fs::symlink_metadata(&src)
            .map_err(|e| no_build(format!("{}: {e}", src.display())))?;
        if !meta.is_file() {
            notes.insert(format!(
                "{} is not a regular file; not pushed",
                src.display()
            ));
            continue;
        }
        use std::os::unix::fs::PermissionsExt;
        let mode = if meta.permissions().mode() & 0o111 != 0 {
            0o755
        } else {
            0o644
        };
        chosen.insert(
            path.clone(),
            LocalFile {
                src,
                dest: path,
                size: meta.len(),
                mode,
            },
        );
    }
    if chosen.is_empty() {
        return Err(no_build(format!(
            "{}: no file of the build maps to the device's boot or root directories",
            images.display()
        )));
    }
    Ok(Selection {
        files: chosen.into_values().collect(),
        notes: notes.into_iter().collect(),
    })
}

/// The plan line of a file.
pub fn line(file: &LocalFile, send: bool) -> FileLine {
    FileLine {
        path: file.dest.clone(),
        from: file.src.display().to_string(),
        size: file.size,
        action: if send { "send" } else { "same" },
    }
}

//! Targets: a whole block device or an image file, resolved from the path the user named.

use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::device::BlockDevice;
use super::discover::discover;
use super::error::FlashError;
use super::mounts::DevNum;
use super::rules::judge;
use super::system::{DeviceProperties, SystemView};
use super::verdict::Verdict;

/// An image file target: created if missing, written in place if it exists.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageFile {
    pub path: PathBuf,
    /// Current length when the file exists; `None` for a file skiff will create.
    pub existing_size: Option<u64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Target {
    Device(Box<BlockDevice>),
    File(ImageFile),
}

impl Target {
    pub fn path(&self) -> &Path {
        match self {
            Target::Device(d) => &d.path,
            Target::File(f) => &f.path,
        }
    }

    /// The name shown to the user and typed to confirm an override.
    pub fn name(&self) -> String {
        match self {
            Target::Device(d) => d.name.clone(),
            Target::File(f) => f.path.display().to_string(),
        }
    }

    /// Bytes the target can hold; `None` for an image file, which grows as needed.
    pub fn capacity(&self) -> Option<u64> {
        match self {
            Target::Device(d) => Some(d.size),
            Target::File(_) => None,
        }
    }

    /// The safety verdict for writing `needed` bytes. Image files are always writable.
    pub fn verdict(&self, needed: Option<u64>) -> Verdict {
        match self {
            Target::Device(d) => judge(d, needed),
            Target::File(_) => Verdict::from_reasons(Vec::new()),
        }
    }

    pub fn is_device(&self) -> bool {
        matches!(self, Target::Device(_))
    }
}

fn kind_of(meta: &std::fs::Metadata) -> &'static str {
    let t = meta.file_type();
    if t.is_dir() {
        "directory"
    } else if t.is_char_device() {
        "character device"
    } else if t.is_fifo() {
        "fifo"
    } else if t.is_socket() {
        "socket"
    } else {
        "special file"
    }
}

fn devnum_of(rdev: u64) -> DevNum {
    DevNum {
        major: rustix::fs::major(rdev),
        minor: rustix::fs::minor(rdev),
    }
}

/// How the user's path identifies a disk.
enum Key<'a> {
    Name(&'a str),
    DevNum(DevNum),
}

/// Finds a disk by name or device number, or says which disk a named partition belongs to.
fn pick(devices: Vec<BlockDevice>, path: &Path, key: Key<'_>) -> Result<Target, FlashError> {
    let is_part = |p: &super::device::PartitionInfo| match key {
        Key::Name(n) => p.name == n,
        Key::DevNum(d) => p.devnum == d,
    };
    if let Some(disk) = devices.iter().find(|d| d.partitions.iter().any(is_part)) {
        return Err(FlashError::NotWholeDisk {
            path: path.to_path_buf(),
            disk: disk.name.clone(),
        });
    }
    devices
        .into_iter()
        .find(|d| match key {
            Key::Name(n) => d.name == n,
            Key::DevNum(n) => d.devnum == n,
        })
        .map(|d| Target::Device(Box::new(d)))
        .ok_or_else(|| FlashError::UnknownDevice {
            path: path.to_path_buf(),
        })
}

/// Resolves what the user named: a block device node (any symlink to one, too), a fake device
/// node under a fake system's dev directory, or an image file path (existing or to be created).
/// True when `typed` names `device`: its name (`sdb`), its path (`/dev/sdb`), or a link to it
/// (`/dev/disk/by-id/usb-...`). Paths under `/dev/` are looked up in the system view's /dev.
pub fn names_device(
    view: &SystemView,
    props: &dyn DeviceProperties,
    typed: &str,
    device: &BlockDevice,
) -> bool {
    let typed = typed.trim();
    if typed.is_empty() {
        return false;
    }
    if typed == device.name {
        return true;
    }
    if !typed.contains('/') {
        return false;
    }
    let mut candidates = vec![PathBuf::from(typed)];
    if let Some(rest) = typed.strip_prefix("/dev/") {
        candidates.insert(0, view.dev.join(rest));
    }
    candidates.iter().any(|path| {
        std::fs::symlink_metadata(path).is_ok()
            && matches!(resolve(view, props, path), Ok(Target::Device(d)) if d.name == device.name)
    })
}

pub fn resolve(
    view: &SystemView,
    props: &dyn DeviceProperties,
    path: &Path,
) -> Result<Target, FlashError> {
    // A link (the usual /dev/disk/by-id/ name) is what it points to, checked and written as
    // that; the link itself is never replaced.
    if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        let real = std::fs::canonicalize(path)
            .map_err(|e| FlashError::io(path, "follow the link to its target", e))?;
        return resolve(view, props, &real);
    }
    match std::fs::metadata(path) {
        Ok(meta) if meta.file_type().is_block_device() => {
            let devices = discover(view, props)?;
            pick(devices, path, Key::DevNum(devnum_of(meta.rdev())))
        }
        Ok(meta) if !meta.is_file() => Err(FlashError::BadTargetKind {
            path: path.to_path_buf(),
            kind: kind_of(&meta),
        }),
        result => {
            let parent = match path.parent() {
                Some(p) if !p.as_os_str().is_empty() => p,
                _ => Path::new("."),
            };
            let dev_root = std::fs::canonicalize(&view.dev).ok();
            let under_dev = std::fs::canonicalize(parent)
                .ok()
                .zip(dev_root)
                .is_some_and(|(p, d)| p == d);
            if under_dev && view.is_host() {
                // Never create or write a plain file in /dev: a mistyped device name ends here.
                return Err(FlashError::UnknownDevice {
                    path: path.to_path_buf(),
                });
            }
            if under_dev {
                let name = path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let devices = discover(view, props)?;
                return pick(devices, path, Key::Name(&name));
            }
            match result {
                Ok(meta) => Ok(Target::File(ImageFile {
                    path: path.to_path_buf(),
                    existing_size: Some(meta.len()),
                })),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    let parent = match path.parent() {
                        Some(p) if !p.as_os_str().is_empty() => p,
                        _ => Path::new("."),
                    };
                    if !parent.is_dir() {
                        return Err(FlashError::io(
                            parent,
                            "use as the directory of the new image file",
                            std::io::Error::from(std::io::ErrorKind::NotFound),
                        ));
                    }
                    Ok(Target::File(ImageFile {
                        path: path.to_path_buf(),
                        existing_size: None,
                    }))
                }
                Err(source) => Err(FlashError::io(path, "inspect the target", source)),
            }
        }
    }
}

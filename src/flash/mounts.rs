//! The host's mount and swap tables (`/proc/self/mountinfo`, `/proc/swaps`) parsed into plain data.

use std::path::{Path, PathBuf};

use super::error::FlashError;

/// A kernel device number, `major:minor`.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct DevNum {
    pub major: u32,
    pub minor: u32,
}

impl DevNum {
    /// Parses `8:16` as found in mountinfo and in sysfs `dev` files.
    pub fn parse(text: &str) -> Option<DevNum> {
        let (major, minor) = text.trim().split_once(':')?;
        Some(DevNum {
            major: major.parse().ok()?,
            minor: minor.parse().ok()?,
        })
    }
}

impl std::fmt::Display for DevNum {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.major, self.minor)
    }
}

/// One mounted file system.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mount {
    pub devnum: DevNum,
    pub mount_point: String,
    pub fstype: String,
    pub source: String,
}

/// One active swap area: a device node or a swap file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Swap {
    pub filename: String,
    pub kind: String,
}

/// Mounts and swaps together: what "in use" means for a disk.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MountTable {
    pub mounts: Vec<Mount>,
    pub swaps: Vec<Swap>,
}

impl MountTable {
    /// Reads both tables from the given files (normally `/proc/self/mountinfo` and `/proc/swaps`).
    /// A missing swaps file means no swap (some containers lack it); a missing mountinfo is an error.
    pub fn load(mountinfo: &Path, swaps: &Path) -> Result<MountTable, FlashError> {
        let text = std::fs::read_to_string(mountinfo).map_err(|source| FlashError::Io {
            path: mountinfo.to_path_buf(),
            action: "read the mount table",
            source,
        })?;
        let mounts = parse_mountinfo(&text, mountinfo)?;
        let swaps = match std::fs::read_to_string(swaps) {
            Ok(text) => parse_swaps(&text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(source) => {
                return Err(FlashError::Io {
                    path: swaps.to_path_buf(),
                    action: "read the swap table",
                    source,
                });
            }
        };
        Ok(MountTable { mounts, swaps })
    }

    /// The mount whose mount point is the longest prefix of `path` (the file system holding it).
    pub fn mount_holding(&self, path: &str) -> Option<&Mount> {
        self.mounts
            .iter()
            .filter(|m| path_is_under(path, &m.mount_point))
            .max_by_key(|m| m.mount_point.len())
    }
}

fn path_is_under(path: &str, mount_point: &str) -> bool {
    if mount_point == "/" {
        return path.starts_with('/');
    }
    path == mount_point
        || path
            .strip_prefix(mount_point)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// Undoes the octal escapes (`\040` for space, `\011`, `\012`, `\134`) the kernel uses in these tables.
pub fn unescape(field: &str) -> String {
    let bytes = field.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\' && i + 3 < bytes.len() {
            let digits = &bytes[i + 1..i + 4];
            if digits.iter().all(|d| (b'0'..=b'7').contains(d)) {
                let value = digits
                    .iter()
                    .fold(0u32, |acc, d| acc * 8 + u32::from(d - b'0'));
                if let Ok(byte) = u8::try_from(value) {
                    out.push(byte);
                    i += 4;
                    continue;
                }
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Parses mountinfo text. Field layout: `id parent major:minor root mount_point options [optional...] - fstype source super_options`.
pub fn parse_mountinfo(text: &str, origin: &Path) -> Result<Vec<Mount>, FlashError> {
    let mut mounts = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let bad = |detail: &str| FlashError::MountTable {
            path: PathBuf::from(origin),
            line: index + 1,
            detail: detail.to_string(),
        };
        let fields: Vec<&str> = line.split(' ').collect();
        if fields.len() < 7 {
            return Err(bad("fewer than 7 fields"));
        }
        let devnum = DevNum::parse(fields[2]).ok_or_else(|| bad("field 3 is not major:minor"))?;
        let separator = fields
            .iter()
            .skip(6)
            .position(|f| *f == "-")
            .map(|p| p + 6)
            .ok_or_else(|| bad("no ' - ' separator before the file system type"))?;
        let fstype = fields
            .get(separator + 1)
            .ok_or_else(|| bad("no file system type"))?;
        let source = fields.get(separator + 2).copied().unwrap_or("none");
        mounts.push(Mount {
            devnum,
            mount_point: unescape(fields[4]),
            fstype: unescape(fstype),
            source: unescape(source),
        });
    }
    Ok(mounts)
}

/// Parses `/proc/swaps` (a header line, then `filename type size used priority`).
pub fn parse_swaps(text: &str) -> Vec<Swap> {
    text.lines()
        .skip(1)
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            let filename = fields.next()?;
            let kind = fields.next().unwrap_or("unknown");
            Some(Swap {
                filename: unescape(filename),
                kind: kind.to_string(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_mountinfo_with_optional_fields_and_escapes() {
        let text = "27 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw\n\
                    40 27 8:17 / /media/my\\040card rw - vfat /dev/sdb1 rw\n";
        let mounts = parse_mountinfo(text, Path::new("mi")).unwrap();
        assert_eq!(mounts.len(), 2);
        assert_eq!(
            mounts[0].devnum,
            DevNum {
                major: 254,
                minor: 0
            }
        );
        assert_eq!(mounts[0].fstype, "ext4");
        assert_eq!(mounts[1].mount_point, "/media/my card");
        assert_eq!(mounts[1].source, "/dev/sdb1");
    }

    #[test]
    fn reports_the_bad_line() {
        let err = parse_mountinfo(
            "27 1 254:0 / / rw - ext4 /dev/vda rw\ngarbage\n",
            Path::new("mi"),
        )
        .unwrap_err();
        assert!(err.to_string().contains("mi:2"), "{err}");
    }

    #[test]
    fn longest_mount_prefix_wins() {
        let table = MountTable {
            mounts: parse_mountinfo(
                "1 0 8:1 / / rw - ext4 /dev/sda1 rw\n2 1 8:2 / /home rw - ext4 /dev/sda2 rw\n",
                Path::new("mi"),
            )
            .unwrap(),
            swaps: vec![],
        };
        assert_eq!(
            table.mount_holding("/home/u/swapfile").unwrap().source,
            "/dev/sda2"
        );
        assert_eq!(
            table.mount_holding("/homework").unwrap().source,
            "/dev/sda1"
        );
    }

    #[test]
    fn parses_swaps() {
        let swaps = parse_swaps(
            "Filename Type Size Used Priority\n/dev/sda3 partition 100 0 -2\n/swap\\040file file 5 0 -3\n",
        );
        assert_eq!(swaps[0].filename, "/dev/sda3");
        assert_eq!(swaps[1].filename, "/swap file");
        assert_eq!(swaps[1].kind, "file");
    }
}

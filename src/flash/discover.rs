//! Block-device discovery: walks `<sys>/block`, reads attributes, maps mounts, swaps and holders to disks.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use super::device::{BlockDevice, Bus, PartitionInfo};
use super::error::FlashError;
use super::identify::{bus_from_path, port_from_path, serial_from_path};
use super::mounts::{DevNum, MountTable};
use super::rules::{SYSTEM_MOUNT_POINTS, judge};
use super::system::{DeviceProperties, SystemView};
use super::verdict::Verdict;

/// A raw entry of `<sys>/block`: a disk (real or virtual) with its partitions.
struct RawDisk {
    name: String,
    syspath: PathBuf,
    devnum: Option<DevNum>,
    holders: Vec<String>,
    slaves: Vec<String>,
    partitions: Vec<RawPartition>,
}

struct RawPartition {
    name: String,
    devnum: Option<DevNum>,
    number: u32,
    start_sectors: u64,
    size_sectors: u64,
    holders: Vec<String>,
}

/// Names that are never flash targets: RAM disks, optical drives, floppies, device-mapper and RAID
/// volumes, eMMC boot and RPMB areas. They still take part in resolving which disk holds what.
fn is_listed(name: &str) -> bool {
    const SKIP: [&str; 6] = ["ram", "zram", "sr", "fd", "dm-", "md"];
    if SKIP.iter().any(|p| name.starts_with(p)) {
        return false;
    }
    !(name.starts_with("mmcblk") && (name.contains("boot") || name.contains("rpmb")))
}

fn read_trimmed(path: &Path) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

fn read_u64(path: &Path) -> Option<u64> {
    read_trimmed(path)?.parse().ok()
}

fn list_names(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn read_raw_disk(block_dir: &Path, name: &str) -> RawDisk {
    let link = block_dir.join(name);
    let syspath = std::fs::canonicalize(&link).unwrap_or(link);
    let mut partitions = Vec::new();
    for entry in list_names(&syspath) {
        let dir = syspath.join(&entry);
        let Some(number) = read_u64(&dir.join("partition")) else {
            continue;
        };
        partitions.push(RawPartition {
            devnum: read_trimmed(&dir.join("dev")).and_then(|d| DevNum::parse(&d)),
            number: u32::try_from(number).unwrap_or(u32::MAX),
            start_sectors: read_u64(&dir.join("start")).unwrap_or(0),
            size_sectors: read_u64(&dir.join("size")).unwrap_or(0),
            holders: list_names(&dir.join("holders")),
            name: entry,
        });
    }
    partitions.sort_by_key(|p| p.number);
    RawDisk {
        devnum: read_trimmed(&syspath.join("dev")).and_then(|d| DevNum::parse(&d)),
        holders: list_names(&syspath.join("holders")),
        slaves: list_names(&syspath.join("slaves")),
        name: name.to_string(),
        syspath,
        partitions,
    }
}

/// Where a name or device number lives: disk index and optional partition index.
#[derive(Clone, Copy)]
struct Location {
    disk: usize,
    partition: Option<usize>,
}

struct Index<'a> {
    disks: &'a [RawDisk],
    by_name: HashMap<String, Location>,
    by_devnum: HashMap<DevNum, Location>,
}

impl<'a> Index<'a> {
    fn new(disks: &'a [RawDisk]) -> Index<'a> {
        let mut by_name = HashMap::new();
        let mut by_devnum = HashMap::new();
        for (d, disk) in disks.iter().enumerate() {
            let here = Location {
                disk: d,
                partition: None,
            };
            by_name.insert(disk.name.clone(), here);
            if let Some(n) = disk.devnum {
                by_devnum.insert(n, here);
            }
            for (p, part) in disk.partitions.iter().enumerate() {
                let here = Location {
                    disk: d,
                    partition: Some(p),
                };
                by_name.insert(part.name.clone(), here);
                if let Some(n) = part.devnum {
                    by_devnum.insert(n, here);
                }
            }
        }
        Index {
            disks,
            by_name,
            by_devnum,
        }
    }

    /// Physical locations under a location: a dm/md volume resolves through its slaves.
    fn physical(&self, at: Location, out: &mut Vec<Location>, depth: usize) {
        let disk = &self.disks[at.disk];
        if at.partition.is_none() && !disk.slaves.is_empty() && depth < 16 {
            for slave in &disk.slaves {
                if let Some(loc) = self.by_name.get(slave) {
                    self.physical(*loc, out, depth + 1);
                }
            }
        } else {
            out.push(at);
        }
    }

    fn physical_of(&self, at: Location) -> Vec<Location> {
        let mut out = Vec::new();
        self.physical(at, &mut out, 0);
        out
    }
}

/// Facts gathered per disk before building `BlockDevice`s.
#[derive(Default)]
struct Use {
    system: BTreeSet<String>,
    swaps: BTreeSet<String>,
    disk_mounts: Vec<String>,
    part_mounts: HashMap<usize, Vec<String>>,
    part_swap: BTreeSet<usize>,
}

/// Lists the whole disks of the system with their verdicts (for no particular image size).
pub fn discover(
    view: &SystemView,
    props: &dyn DeviceProperties,
) -> Result<Vec<BlockDevice>, FlashError> {
    let table = MountTable::load(&view.mountinfo, &view.swaps)?;
    let block_dir = view.sys.join("block");
    let names = std::fs::read_dir(&block_dir)
        .map_err(|source| FlashError::io(&block_dir, "list block devices", source))?
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect::<BTreeSet<_>>();
    let disks: Vec<RawDisk> = names.iter().map(|n| read_raw_disk(&block_dir, n)).collect();
    let index = Index::new(&disks);
    let mut uses: Vec<Use> = disks.iter().map(|_| Use::default()).collect();

    for mount in &table.mounts {
        let Some(at) = index.by_devnum.get(&mount.devnum) else {
            continue;
        };
        for loc in index.physical_of(*at) {
            let usage = &mut uses[loc.disk];
            if SYSTEM_MOUNT_POINTS.contains(&mount.mount_point.as_str()) {
                usage.system.insert(mount.mount_point.clone());
            }
            match loc.partition {
                Some(p) => usage
                    .part_mounts
                    .entry(p)
                    .or_default()
                    .push(mount.mount_point.clone()),
                None => usage.disk_mounts.push(mount.mount_point.clone()),
            }
        }
    }
    for swap in &table.swaps {
        let at = if let Some(node) = swap.filename.strip_prefix("/dev/") {
            resolve_dev_name(view, node).and_then(|n| index.by_name.get(&n).copied())
        } else {
            table
                .mount_holding(&swap.filename)
                .and_then(|m| index.by_devnum.get(&m.devnum).copied())
        };
        let Some(at) = at else { continue };
        for loc in index.physical_of(at) {
            uses[loc.disk].swaps.insert(swap.filename.clone());
            if let Some(p) = loc.partition {
                uses[loc.disk].part_swap.insert(p);
            }
        }
    }

    let mut devices = Vec::new();
    for (d, raw) in disks.iter().enumerate() {
        if !is_listed(&raw.name) {
            continue;
        }
        let size = read_u64(&raw.syspath.join("size")).unwrap_or(0) * 512;
        if raw.name.starts_with("loop") && size == 0 {
            continue;
        }
        devices.push(build_device(view, raw, &uses[d], size, props));
    }
    Ok(devices)
}

/// `/dev/mapper/x` style names resolve through the dev tree's symlinks to the kernel name.
fn resolve_dev_name(view: &SystemView, node: &str) -> Option<String> {
    let path = view.dev.join(node);
    let resolved = std::fs::canonicalize(&path).unwrap_or(path);
    resolved
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
}

fn build_device(
    view: &SystemView,
    raw: &RawDisk,
    usage: &Use,
    size: u64,
    props: &dyn DeviceProperties,
) -> BlockDevice {
    let p = props.properties(&raw.syspath);
    let prop = |k: &str| p.get(k).filter(|v| !v.is_empty()).cloned();
    let attr = |rel: &str| read_trimmed(&raw.syspath.join(rel));
    let bus = prop("ID_BUS")
        .and_then(|b| Bus::from_udev(&b))
        .unwrap_or_else(|| bus_from_path(&raw.name, &raw.syspath));
    let mmc_sd = bus == Bus::Mmc && attr("device/type").as_deref() == Some("SD");
    let removable = attr("removable").as_deref() == Some("1") || bus == Bus::Usb || mmc_sd;
    let partitions = raw
        .partitions
        .iter()
        .enumerate()
        .map(|(i, part)| PartitionInfo {
            name: part.name.clone(),
            path: view.dev.join(&part.name),
            devnum: part.devnum.unwrap_or(DevNum { major: 0, minor: 0 }),
            number: part.number,
            start: part.start_sectors * 512,
            size: part.size_sectors * 512,
            mount_points: usage.part_mounts.get(&i).cloned().unwrap_or_default(),
            holders: part.holders.clone(),
            swap: usage.part_swap.contains(&i),
        })
        .collect();
    let block_size = |rel: &str| {
        attr(rel)
            .and_then(|v| v.parse().ok())
            .filter(|v| *v > 0)
            .unwrap_or(512)
    };
    let mut device = BlockDevice {
        name: raw.name.clone(),
        path: view.dev.join(&raw.name),
        devnum: raw.devnum.unwrap_or(DevNum { major: 0, minor: 0 }),
        size,
        logical_block_size: block_size("queue/logical_block_size"),
        physical_block_size: block_size("queue/physical_block_size"),
        removable,
        read_only: attr("ro").as_deref() == Some("1"),
        bus,
        vendor: prop("ID_VENDOR")
            .or_else(|| attr("device/vendor"))
            .filter(|v| !v.starts_with("0x")),
        model: prop("ID_MODEL")
            .map(|m| m.replace('_', " "))
            .or_else(|| attr("device/model"))
            .or_else(|| attr("device/name")),
        serial: prop("ID_SERIAL_SHORT").or_else(|| serial_from_path(&view.sys, &raw.syspath)),
        port_path: prop("ID_PATH").or_else(|| port_from_path(&raw.syspath)),
        partitions,
        mount_points: usage.disk_mounts.clone(),
        holders: raw.holders.clone(),
        system_mounts: usage.system.iter().cloned().collect(),
        swaps: usage.swaps.iter().cloned().collect(),
        verdict: Verdict::default(),
    };
    device.verdict = judge(&device, None);
    device
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listing_skips_virtual_and_boot_areas() {
        assert!(is_listed("sda"));
        assert!(is_listed("mmcblk0"));
        assert!(!is_listed("mmcblk0boot0"));
        assert!(!is_listed("dm-0"));
        assert!(!is_listed("zram0"));
    }
}

//! What skiff knows about one block device: identity, geometry, partitions, use, and its verdict.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::mounts::DevNum;
pub use super::units::human_bytes;
use super::verdict::Verdict;

/// How the disk is attached; decides the "removable" rule and is shown to the user.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Bus {
    Usb,
    Mmc,
    Nvme,
    Ata,
    Scsi,
    Virtio,
    Virtual,
    Other,
}

impl Bus {
    pub fn as_str(self) -> &'static str {
        match self {
            Bus::Usb => "usb",
            Bus::Mmc => "mmc",
            Bus::Nvme => "nvme",
            Bus::Ata => "ata",
            Bus::Scsi => "scsi",
            Bus::Virtio => "virtio",
            Bus::Virtual => "virtual",
            Bus::Other => "other",
        }
    }

    /// Maps a udev `ID_BUS` value.
    pub fn from_udev(value: &str) -> Option<Bus> {
        Some(match value {
            "usb" => Bus::Usb,
            "ata" => Bus::Ata,
            "scsi" => Bus::Scsi,
            "nvme" => Bus::Nvme,
            "mmc" => Bus::Mmc,
            _ => return None,
        })
    }
}

/// One partition of a disk, as the kernel currently sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartitionInfo {
    pub name: String,
    pub path: PathBuf,
    pub devnum: DevNum,
    pub number: u32,
    /// Byte offset from the start of the disk.
    pub start: u64,
    pub size: u64,
    pub mount_points: Vec<String>,
    pub holders: Vec<String>,
    pub swap: bool,
}

/// A whole disk with everything the safety rules and the user need.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockDevice {
    pub name: String,
    pub path: PathBuf,
    pub devnum: DevNum,
    pub size: u64,
    pub logical_block_size: u32,
    pub physical_block_size: u32,
    pub removable: bool,
    pub read_only: bool,
    pub bus: Bus,
    pub vendor: Option<String>,
    pub model: Option<String>,
    pub serial: Option<String>,
    /// Stable physical position (USB port path or MMC host), for slot identity in batch runs.
    pub port_path: Option<String>,
    pub partitions: Vec<PartitionInfo>,
    /// Mount points of the whole disk itself (a partitionless "superfloppy").
    pub mount_points: Vec<String>,
    pub holders: Vec<String>,
    /// System mount points (`/`, `/boot`, ...) that live on this disk, directly or through dm/md.
    pub system_mounts: Vec<String>,
    /// Swap areas on this disk (partitions, or swap files on its file systems).
    pub swaps: Vec<String>,
    pub verdict: Verdict,
}

/// What must not change between choosing a device and writing it (a swapped card is a different target).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceIdentity {
    pub name: String,
    pub size: u64,
    pub model: Option<String>,
    pub serial: Option<String>,
}

impl BlockDevice {
    pub fn identity(&self) -> DeviceIdentity {
        DeviceIdentity {
            name: self.name.clone(),
            size: self.size,
            model: self.model.clone(),
            serial: self.serial.clone(),
        }
    }

    /// One line for lists and confirmations: `sdb  29.7 GiB  usb  Generic STORAGE DEVICE`.
    pub fn summary(&self) -> String {
        let label = [self.vendor.as_deref(), self.model.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        format!(
            "{}  {}  {}  {}",
            self.name,
            human_bytes(self.size),
            self.bus.as_str(),
            if label.is_empty() { "-" } else { &label }
        )
    }
}

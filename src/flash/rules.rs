//! The safety rules: whether a disk may be written, and every reason it may not.

use super::device::BlockDevice;
use super::verdict::{Refusal, Verdict};

/// Mount points that make a disk a system disk.
pub const SYSTEM_MOUNT_POINTS: [&str; 6] = ["/", "/boot", "/boot/efi", "/efi", "/usr", "/var"];

/// Applies every rule to a disk; `needed` is the number of bytes a plan will write, when known.
pub fn judge(device: &BlockDevice, needed: Option<u64>) -> Verdict {
    let mut reasons = Vec::new();
    for mount_point in &device.system_mounts {
        reasons.push(Refusal::HoldsSystem {
            mount_point: mount_point.clone(),
        });
    }
    for swap in &device.swaps {
        reasons.push(Refusal::HoldsSwap { swap: swap.clone() });
    }
    for mount_point in device
        .mount_points
        .iter()
        .filter(|m| !device.system_mounts.contains(m))
    {
        reasons.push(Refusal::Mounted {
            partition: device.name.clone(),
            mount_point: mount_point.clone(),
        });
    }
    if !device.holders.is_empty() {
        reasons.push(Refusal::HasHolders {
            partition: device.name.clone(),
            holders: device.holders.clone(),
        });
    }
    for part in &device.partitions {
        for mount_point in part
            .mount_points
            .iter()
            .filter(|m| !device.system_mounts.contains(m))
        {
            reasons.push(Refusal::Mounted {
                partition: part.name.clone(),
                mount_point: mount_point.clone(),
            });
        }
        if !part.holders.is_empty() {
            reasons.push(Refusal::HasHolders {
                partition: part.name.clone(),
                holders: part.holders.clone(),
            });
        }
    }
    if !device.removable {
        reasons.push(Refusal::NotRemovable);
    }
    if device.read_only {
        reasons.push(Refusal::ReadOnly);
    }
    if device.size == 0 {
        reasons.push(Refusal::NoMedium);
    } else if let Some(needed) = needed
        && needed > device.size
    {
        reasons.push(Refusal::TooSmall {
            size: device.size,
            needed,
        });
    }
    Verdict::from_reasons(reasons)
}

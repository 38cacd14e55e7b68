//! The verdict on a disk: writable, or every reason it may not be written (the rules that
//! reach it are in `rules`).

use serde::{Deserialize, Serialize};

use super::units::human_bytes;

/// One reason a disk is refused. Serialised with a `reason` tag for `--json` output and plans.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Refusal {
    /// The disk holds a system mount point such as `/` or `/boot`.
    HoldsSystem { mount_point: String },
    /// The disk holds active swap.
    HoldsSwap { swap: String },
    /// A partition (or the disk itself) is mounted.
    Mounted {
        partition: String,
        mount_point: String,
    },
    /// Something stacks on the disk (device-mapper, RAID, LVM, bcache).
    HasHolders {
        partition: String,
        holders: Vec<String>,
    },
    /// Neither marked removable nor on a USB or SD bus.
    NotRemovable,
    /// The kernel reports the disk read-only (write-protect switch or lock).
    ReadOnly,
    /// The reader reports no medium (size 0).
    NoMedium,
    /// Smaller than what is to be written.
    TooSmall { size: u64, needed: u64 },
}

impl Refusal {
    /// Refusals that no override flag can lift: the disk is in use by this system, or writing cannot
    /// succeed. Only "not removable" (an internal or unusual disk) may be overridden, with a typed
    /// confirmation of the device name.
    pub fn is_absolute(&self) -> bool {
        !matches!(self, Refusal::NotRemovable)
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::HoldsSystem { mount_point } => {
                write!(f, "holds the system mount {mount_point}")
            }
            Refusal::HoldsSwap { swap } => write!(f, "holds active swap {swap}"),
            Refusal::Mounted {
                partition,
                mount_point,
            } => write!(
                f,
                "{partition} is mounted on {mount_point} (unmount it first)"
            ),
            Refusal::HasHolders { partition, holders } => {
                write!(f, "{partition} is in use by {}", holders.join(", "))
            }
            Refusal::NotRemovable => write!(f, "not a removable disk"),
            Refusal::ReadOnly => write!(f, "read-only (check the card's lock switch)"),
            Refusal::NoMedium => write!(f, "no medium (insert a card)"),
            Refusal::TooSmall { size, needed } => write!(
                f,
                "too small: {} but {} needed",
                human_bytes(*size),
                human_bytes(*needed)
            ),
        }
    }
}

/// Writable, or refused with all the reasons at once.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    pub writable: bool,
    pub reasons: Vec<Refusal>,
}

impl Verdict {
    pub fn from_reasons(reasons: Vec<Refusal>) -> Verdict {
        Verdict {
            writable: reasons.is_empty(),
            reasons,
        }
    }

    /// True when every reason may be overridden by an explicit, confirmed request.
    pub fn overridable(&self) -> bool {
        self.reasons.iter().all(|r| !r.is_absolute())
    }

    /// The reasons as one line, for lists.
    pub fn describe(&self) -> String {
        if self.writable {
            "writable".to_string()
        } else {
            self.reasons
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ")
        }
    }
}

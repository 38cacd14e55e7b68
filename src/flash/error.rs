//! The error type of the flash family: every variant names the file, device or line at fault and what to do.

use std::path::PathBuf;

use super::event::Phase;
use super::reason::FailReason;
use super::verdict::Refusal;

#[derive(Debug, thiserror::Error)]
pub enum FlashError {
    #[error("{path}: cannot {action}: {source}")]
    Io {
        path: PathBuf,
        action: &'static str,
        #[source]
        source: std::io::Error,
    },

    /// An input of the plan (the image, its block map, a file of an assembly) cannot be read.
    #[error("{path}: cannot {action}: {source}")]
    SourceRead {
        path: PathBuf,
        action: &'static str,
        #[source]
        source: std::io::Error,
    },

    #[error("{path}:{line}: unreadable mount table entry ({detail})")]
    MountTable {
        path: PathBuf,
        line: usize,
        detail: String,
    },

    #[error("{path}: unexpected sysfs content ({detail})")]
    Sysfs { path: PathBuf, detail: String },

    #[error("{path} is a partition of {disk}; name the whole disk (/dev/{disk}) as the target")]
    NotWholeDisk { path: PathBuf, disk: String },

    #[error(
        "{path}: not a block device known to sysfs (is the card inserted? run `skiff devices`)"
    )]
    UnknownDevice { path: PathBuf },

    #[error(
        "{path}: is a {kind}, not a block device or an image file; choose a disk or a file path"
    )]
    BadTargetKind { path: PathBuf, kind: &'static str },

    #[error("{device}: refused: {}; {}", join(.reasons), refusal_hint(.device, .reasons))]
    Refused {
        device: String,
        reasons: Vec<Refusal>,
    },

    #[error(
        "{device}: identity changed since the plan was made ({detail}); re-run `skiff devices` and choose again"
    )]
    IdentityChanged { device: String, detail: String },

    #[error(
        "{device}: busy: another program holds it open exclusively or a partition is mounted ({source})"
    )]
    Busy {
        device: String,
        #[source]
        source: std::io::Error,
    },

    #[error("{device}: permission denied ({source}); run as root or let skiff ask for escalation")]
    Permission {
        device: String,
        #[source]
        source: std::io::Error,
    },

    #[error(
        "{device}: write failed at byte {offset}: {source}; the card may be faulty or was removed"
    )]
    WriteFailed {
        device: String,
        offset: u64,
        #[source]
        source: std::io::Error,
    },

    #[error(
        "{device}: read-back failed at byte {offset}: {source}; the card may be faulty or was removed"
    )]
    ReadBackFailed {
        device: String,
        offset: u64,
        #[source]
        source: std::io::Error,
    },

    #[error(
        "{device}: verify mismatch in bytes {offset}..{end}: what was read back differs from what was written; the card is faulty or counterfeit, do not use it",
        end = offset + len
    )]
    VerifyMismatch {
        device: String,
        offset: u64,
        len: u64,
    },

    #[error("{device}: too small: the image needs {needed} bytes, the target has {size}")]
    TooSmall {
        device: String,
        needed: u64,
        size: u64,
    },

    #[error("{path}: {detail}")]
    Source { path: PathBuf, detail: String },

    /// The decoded first sectors are not a disk image (no partition table, no boot image).
    #[error(
        "{path}: not a card image: it looks like {looks_like}; nothing was written (if it really is a raw card image, write it with `skiff flash --raw`)"
    )]
    NotADiskImage { path: PathBuf, looks_like: String },

    /// A zip with several files and no `--member`, or without the member named.
    #[error("{path}: {}", zip_members(.wanted.as_deref(), .members))]
    ZipMembers {
        path: PathBuf,
        wanted: Option<String>,
        members: Vec<String>,
    },

    /// Options that do not go together, found after parsing.
    #[error("usage: {detail}")]
    Usage { detail: String },

    #[error("{path}:{line}: bad block map: {detail}")]
    Bmap {
        path: PathBuf,
        line: usize,
        detail: String,
    },

    #[error(
        "{path}: the source does not match its block map in blocks {first}..={last} (checksum differs); the image or its .bmap is corrupt"
    )]
    BmapChecksum {
        path: PathBuf,
        first: u64,
        last: u64,
    },

    #[error("plan: {detail}")]
    Plan { detail: String },

    #[error(
        "interrupted: the write was cancelled before it completed; the target holds no valid partition table"
    )]
    Cancelled,

    /// Cancelled while writing a new image file: the partial file is removed, and a file that
    /// was at the path before is unchanged.
    #[error(
        "interrupted: the write was cancelled before it completed; {path} was not replaced (a file there before is unchanged)"
    )]
    CancelledFileKept { path: String },

    /// The file system that holds an image-file target is full.
    #[error(
        "{path}: the file system is full at byte {offset} of the image ({source}); free space or write the image elsewhere{}",
        if *.kept { " (a file there before is unchanged)" } else { "" }
    )]
    NoSpace {
        path: String,
        offset: u64,
        /// The write went to a new file beside the target, so the target is unchanged.
        kept: bool,
        #[source]
        source: std::io::Error,
    },

    #[error("{tool}: {detail}")]
    Tool { tool: String, detail: String },

    #[error("layout: {detail}")]
    Layout { detail: String },

    /// An error reported by the privileged helper, with the reason, phase and exit code it
    /// sent.
    #[error("{message}")]
    Helper {
        message: String,
        exit_code: i32,
        reason: FailReason,
        phase: Phase,
    },

    #[error("{detail}")]
    Escalation { detail: String },
    /// A personalisation input is invalid, or there is no persist partition for it.
    #[error("{detail}")]
    Personalise { detail: String },

    #[error("internal error: {detail} (please report this)")]
    Internal { detail: String },

    /// The user did not confirm (or could not be asked).
    #[error("{detail}")]
    NotConfirmed { detail: String },
}

fn zip_members(wanted: Option<&str>, members: &[String]) -> String {
    let list = if members.is_empty() {
        "no files".to_string()
    } else {
        members.join(", ")
    };
    match wanted {
        Some(name) => format!("the zip has no member {name:?}; it holds: {list}"),
        None => format!(
            "a zip of {} files ({list}); name the card image with --member NAME",
            members.len()
        ),
    }
}

/// What to do about a refusal: the override flags when every reason may be overridden, else
/// what would lift each reason (no flag does).
fn refusal_hint(device: &str, reasons: &[Refusal]) -> String {
    if reasons.iter().all(|r| !r.is_absolute()) {
        return format!("to write anyway, pass --force-unsafe --confirm {device}");
    }
    let mut steps: Vec<String> = Vec::new();
    for r in reasons.iter().filter(|r| r.is_absolute()) {
        let step = match r {
            Refusal::HoldsSystem { .. } | Refusal::HoldsSwap { .. } => {
                "this disk runs this system: choose another disk".to_string()
            }
            Refusal::HasHolders { .. } => {
                "stop what stacks on it (dmsetup, mdadm, lvm) first".to_string()
            }
            Refusal::TooSmall { needed, .. } => format!(
                "use a card of at least {}",
                super::device::human_bytes(*needed)
            ),
            // Their own words say what to do (unmount, the lock switch, insert a card).
            Refusal::Mounted { .. }
            | Refusal::ReadOnly
            | Refusal::NoMedium
            | Refusal::NotRemovable => continue,
        };
        if !steps.contains(&step) {
            steps.push(step);
        }
    }
    if steps.is_empty() {
        "no flag overrides this".to_string()
    } else {
        format!("{} (no flag overrides this)", steps.join("; "))
    }
}

fn join(reasons: &[Refusal]) -> String {
    reasons
        .iter()
        .map(|r| r.to_string())
        .collect::<Vec<_>>()
        .join("; ")
}

impl FlashError {
    /// The stable reason code of this error.
    pub fn reason(&self) -> FailReason {
        let io = |source: &std::io::Error, otherwise| {
            if source.kind() == std::io::ErrorKind::PermissionDenied {
                FailReason::Permission
            } else {
                otherwise
            }
        };
        match self {
            FlashError::Io { source, .. } => io(source, FailReason::Io),
            FlashError::SourceRead { source, .. } => io(source, FailReason::SourceUnreadable),
            FlashError::MountTable { .. } | FlashError::Sysfs { .. } => FailReason::SystemView,
            FlashError::NotWholeDisk { .. } | FlashError::BadTargetKind { .. } => {
                FailReason::BadTarget
            }
            FlashError::UnknownDevice { .. } => FailReason::UnknownDevice,
            FlashError::Refused { reasons, .. }
                if !reasons.is_empty()
                    && reasons
                        .iter()
                        .all(|r| matches!(r, Refusal::TooSmall { .. })) =>
            {
                FailReason::TooSmall
            }
            FlashError::Refused { .. } => FailReason::Refused,
            FlashError::IdentityChanged { .. } => FailReason::IdentityChanged,
            FlashError::Busy { .. } => FailReason::Busy,
            FlashError::Permission { .. } => FailReason::Permission,
            FlashError::WriteFailed { .. } => FailReason::WriteIo,
            FlashError::ReadBackFailed { .. } => FailReason::ReadIo,
            FlashError::VerifyMismatch { .. } => FailReason::VerifyMismatch,
            FlashError::TooSmall { .. } => FailReason::TooSmall,
            FlashError::Source { .. } => FailReason::SourceCorrupt,
            FlashError::NotADiskImage { .. } => FailReason::NotADiskImage,
            FlashError::ZipMembers { .. } => FailReason::ZipMember,
            FlashError::Usage { .. } => FailReason::Usage,
            FlashError::Bmap { .. } => FailReason::BlockMapInvalid,
            FlashError::BmapChecksum { .. } => FailReason::BlockMapMismatch,
            FlashError::Plan { .. } => FailReason::BadPlan,
            FlashError::Cancelled | FlashError::CancelledFileKept { .. } => FailReason::Cancelled,
            FlashError::NoSpace { .. } => FailReason::NoSpace,
            FlashError::Tool { .. } => FailReason::Tool,
            FlashError::Layout { .. } => FailReason::Layout,
            FlashError::Helper { reason, .. } => *reason,
            FlashError::Escalation { .. } => FailReason::Escalation,
            FlashError::Personalise { .. } => FailReason::Personalise,
            FlashError::Internal { .. } => FailReason::Internal,
            FlashError::NotConfirmed { .. } => FailReason::NotConfirmed,
        }
    }

    /// Exit code class: 1 user/validation, 2 internal, 3 device or permission, 130 interrupted.
    pub fn exit_code(&self) -> i32 {
        match self {
            // A mount table line skiff cannot read is reported like a bad input file.
            FlashError::MountTable { .. } => 1,
            FlashError::Helper { exit_code, .. } => *exit_code,
            other => other.reason().exit_code(),
        }
    }

    /// The `failed` event for this error, in `phase`.
    pub fn to_event(&self, phase: Phase) -> super::event::FlashEvent {
        super::event::FlashEvent::Failed {
            message: self.to_string(),
            exit_code: self.exit_code(),
            reason: self.reason(),
            phase: self.phase_or(phase),
        }
    }

    /// The phase this error happened in: the one a helper reported, else `phase`.
    pub fn phase_or(&self, phase: Phase) -> Phase {
        match self {
            FlashError::Helper { phase, .. } => *phase,
            _ => phase,
        }
    }

    /// An I/O error on an input of the plan.
    pub(crate) fn source_io(
        path: impl Into<PathBuf>,
        action: &'static str,
        source: std::io::Error,
    ) -> Self {
        FlashError::SourceRead {
            path: path.into(),
            action,
            source,
        }
    }

    pub(crate) fn io(
        path: impl Into<PathBuf>,
        action: &'static str,
        source: std::io::Error,
    ) -> Self {
        FlashError::Io {
            path: path.into(),
            action,
            source,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Error, ErrorKind};

    /// One error of each kind the engine, the helper and the planner raise.
    fn examples() -> Vec<FlashError> {
        let p = || PathBuf::from("x.img");
        let d = || "sdb".to_string();
        let io = |k: ErrorKind| Error::from(k);
        vec![
            FlashError::source_io(p(), "open the image", io(ErrorKind::NotFound)),
            FlashError::Source {
                path: p(),
                detail: "truncated".into(),
            },
            FlashError::NotADiskImage {
                path: p(),
                looks_like: "text".into(),
            },
            FlashError::ZipMembers {
                path: p(),
                wanted: None,
                members: vec!["a".into(), "b".into()],
            },
            FlashError::Bmap {
                path: p(),
                line: 3,
                detail: "bad".into(),
            },
            FlashError::BmapChecksum {
                path: p(),
                first: 0,
                last: 1,
            },
            FlashError::Refused {
                device: d(),
                reasons: vec![Refusal::NotRemovable],
            },
            FlashError::IdentityChanged {
                device: d(),
                detail: "other card".into(),
            },
            FlashError::Busy {
                device: d(),
                source: io(ErrorKind::ResourceBusy),
            },
            FlashError::Permission {
                device: d(),
                source: io(ErrorKind::PermissionDenied),
            },
            FlashError::NotWholeDisk {
                path: p(),
                disk: d(),
            },
            FlashError::UnknownDevice { path: p() },
            FlashError::TooSmall {
                device: d(),
                needed: 2,
                size: 1,
            },
            FlashError::NoSpace {
                path: "x.img".into(),
                offset: 0,
                kept: true,
                source: io(ErrorKind::StorageFull),
            },
            FlashError::WriteFailed {
                device: d(),
                offset: 0,
                source: io(ErrorKind::Other),
            },
            FlashError::ReadBackFailed {
                device: d(),
                offset: 0,
                source: io(ErrorKind::Other),
            },
            FlashError::VerifyMismatch {
                device: d(),
                offset: 0,
                len: 1,
            },
            FlashError::Cancelled,
            FlashError::Plan { detail: "x".into() },
            FlashError::Layout { detail: "x".into() },
            FlashError::Tool {
                tool: "mke2fs".into(),
                detail: "x".into(),
            },
            FlashError::Escalation { detail: "x".into() },
            FlashError::Personalise { detail: "x".into() },
            FlashError::NotConfirmed { detail: "x".into() },
            FlashError::Usage { detail: "x".into() },
            FlashError::io(p(), "write", io(ErrorKind::Other)),
            FlashError::Sysfs {
                path: p(),
                detail: "x".into(),
            },
            FlashError::Internal { detail: "x".into() },
        ]
    }

    /// Every reason code can occur: an error of the flash family has it, or (`stack`) the
    /// card commands raise it for their stack (tests/flash_cli.rs checks that one end to end).
    #[test]
    fn every_reason_code_can_occur() {
        let mut seen: Vec<FailReason> = examples().iter().map(FlashError::reason).collect();
        seen.push(FailReason::Stack);
        for reason in FailReason::ALL {
            assert!(seen.contains(&reason), "no error has the reason {reason}");
        }
    }

    /// docs/flashing.md shows a `failed` line for every reason code.
    #[test]
    fn every_reason_code_is_documented_with_an_example() {
        let doc = include_str!("../../docs/flashing.md");
        for reason in FailReason::ALL {
            let example = format!("\"reason\":\"{}\"", reason.code());
            assert!(doc.contains(&example), "docs/flashing.md lacks {example}");
        }
    }

    #[test]
    fn refusals_name_the_flags_only_when_they_can_lift_them() {
        let internal = FlashError::Refused {
            device: "sda".into(),
            reasons: vec![Refusal::NotRemovable],
        };
        assert!(
            internal
                .to_string()
                .contains("pass --force-unsafe --confirm sda")
        );
        let small = FlashError::Refused {
            device: "sdb".into(),
            reasons: vec![Refusal::TooSmall {
                size: 1 << 20,
                needed: 2 << 20,
            }],
        };
        assert!(!small.to_string().contains("--force-unsafe"), "{small}");
        assert!(
            small.to_string().contains("use a card of at least 2.0 MiB"),
            "{small}"
        );
        assert_eq!(small.reason(), FailReason::TooSmall);
    }
}

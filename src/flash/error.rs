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

    #[error("{device}: refused: {}; pass the override flag and type the device name to write anyway", join(.reasons))]
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

    #[error("internal error: {detail} (please report this)")]
    Internal { detail: String },

    /// The user did not confirm (or could not be asked).
    #[error("{detail}")]
    NotConfirmed { detail: String },
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
            FlashError::Refused { .. } => FailReason::Refused,
            FlashError::IdentityChanged { .. } => FailReason::IdentityChanged,
            FlashError::Busy { .. } => FailReason::Busy,
            FlashError::Permission { .. } => FailReason::Permission,
            FlashError::WriteFailed { .. } => FailReason::WriteIo,
            FlashError::ReadBackFailed { .. } => FailReason::ReadIo,
            FlashError::VerifyMismatch { .. } => FailReason::VerifyMismatch,
            FlashError::TooSmall { .. } => FailReason::TooSmall,
            FlashError::Source { .. } => FailReason::SourceCorrupt,
            FlashError::Bmap { .. } => FailReason::BlockMapInvalid,
            FlashError::BmapChecksum { .. } => FailReason::BlockMapMismatch,
            FlashError::Plan { .. } => FailReason::BadPlan,
            FlashError::Cancelled => FailReason::Cancelled,
            FlashError::Tool { .. } => FailReason::Tool,
            FlashError::Layout { .. } => FailReason::Layout,
            FlashError::Helper { reason, .. } => *reason,
            FlashError::Escalation { .. } => FailReason::Escalation,
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
            error: self.to_string(),
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

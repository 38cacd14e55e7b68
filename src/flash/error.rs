//! The error type of the flash family: every variant names the file, device or line at fault and what to do.

use std::path::PathBuf;

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

    /// An error reported by the privileged helper, with the exit code it chose.
    #[error("{message}")]
    Helper { message: String, exit_code: i32 },

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
    /// Exit code class: 1 user/validation, 2 internal, 3 device or permission, 130 interrupted.
    pub fn exit_code(&self) -> i32 {
        match self {
            FlashError::Cancelled => 130,
            FlashError::Refused { .. }
            | FlashError::Busy { .. }
            | FlashError::Permission { .. }
            | FlashError::WriteFailed { .. }
            | FlashError::ReadBackFailed { .. }
            | FlashError::VerifyMismatch { .. }
            | FlashError::TooSmall { .. }
            | FlashError::IdentityChanged { .. }
            | FlashError::UnknownDevice { .. } => 3,
            FlashError::Io { source, .. }
                if source.kind() == std::io::ErrorKind::PermissionDenied =>
            {
                3
            }
            FlashError::Helper { exit_code, .. } => *exit_code,
            FlashError::Escalation { .. } => 3,
            FlashError::Sysfs { .. } | FlashError::Internal { .. } => 2,
            _ => 1,
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

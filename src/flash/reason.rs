//! Why a flash job failed, as a stable code: the `reason` of the `failed` event, the exit code
//! class, and what a UI keeps until it draws the failure.

use serde::{Deserialize, Serialize};

/// The reason code of a failure. The snake_case names are a stable contract of the event
/// stream (`--json`, the helper protocol): add codes, never rename them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailReason {
    /// The image (or another input file) cannot be opened or read.
    SourceUnreadable,
    /// The image is empty, truncated or does not decode.
    SourceCorrupt,
    /// The decoded first sectors are not a disk image (a zip of several files, a block map,
    /// text, random bytes); `--raw` writes it anyway.
    NotADiskImage,
    /// A zip holds several files and none was named, or not the one named (`--member`).
    ZipMember,
    /// Options that do not go together (found after the command line was parsed).
    Usage,
    /// The stack, its layers or layout, or the build output a card job needs is missing or
    /// invalid (format, install, image build).
    Stack,
    /// The file system holding an image-file target is full.
    NoSpace,
    /// The `.bmap` file itself is malformed.
    BlockMapInvalid,
    /// The image does not match its block map's checksums.
    BlockMapMismatch,
    /// The safety rules refuse the target.
    Refused,
    /// A different card is in the slot than the one chosen.
    IdentityChanged,
    /// Another program holds the device, or a partition is mounted.
    Busy,
    /// No permission to open the target or a file.
    Permission,
    /// The target is not a disk or an image file, a partition, or unknown to sysfs.
    BadTarget,
    /// The named device is not known to sysfs (no card inserted, or removed).
    UnknownDevice,
    /// The target is smaller than what is written.
    TooSmall,
    /// Writing the target failed (I/O error).
    WriteIo,
    /// Reading the target back failed (I/O error).
    ReadIo,
    /// What was read back differs from what was written.
    VerifyMismatch,
    /// Stopped by the user (Ctrl-C, SIGTERM, cancel).
    Cancelled,
    /// The plan is inconsistent or does not fit the target (plan again).
    BadPlan,
    /// The board layout does not fit this card, or the card's table does not match it.
    Layout,
    /// A file system tool (mkfs.fat, mke2fs, mtools, debugfs) failed or is missing.
    Tool,
    /// Root rights could not be obtained for the helper.
    Escalation,
    /// The user did not confirm.
    NotConfirmed,
    /// Another I/O error (work directory, system tables).
    Io,
    /// sysfs or the mount table could not be understood.
    SystemView,
    /// A personalisation input (hostname template, SSH key, Wi-Fi network, persist files) is
    /// invalid, or the image has no persist partition to put it in.
    Personalise,
    /// A bug in skiff.
    #[default]
    Internal,
}

impl FailReason {
    /// Every reason, in the order of the documentation's table.
    pub const ALL: [FailReason; 29] = [
        FailReason::SourceUnreadable,
        FailReason::SourceCorrupt,
        FailReason::NotADiskImage,
        FailReason::ZipMember,
        FailReason::BlockMapInvalid,
        FailReason::BlockMapMismatch,
        FailReason::Refused,
        FailReason::IdentityChanged,
        FailReason::Busy,
        FailReason::Permission,
        FailReason::BadTarget,
        FailReason::UnknownDevice,
        FailReason::TooSmall,
        FailReason::NoSpace,
        FailReason::WriteIo,
        FailReason::ReadIo,
        FailReason::VerifyMismatch,
        FailReason::Cancelled,
        FailReason::BadPlan,
        FailReason::Stack,
        FailReason::Layout,
        FailReason::Tool,
        FailReason::Escalation,
        FailReason::NotConfirmed,
        FailReason::Usage,
        FailReason::Io,
        FailReason::SystemView,
        FailReason::Personalise,
        FailReason::Internal,
    ];

    /// The stable snake_case code (`verify_mismatch`), as on the wire.
    pub fn code(self) -> &'static str {
        match self {
            FailReason::SourceUnreadable => "source_unreadable",
            FailReason::SourceCorrupt => "source_corrupt",
            FailReason::NotADiskImage => "not_a_disk_image",
            FailReason::ZipMember => "zip_member",
            FailReason::Usage => "usage",
            FailReason::NoSpace => "no_space",
            FailReason::Stack => "stack",
            FailReason::BlockMapInvalid => "block_map_invalid",
            FailReason::BlockMapMismatch => "block_map_mismatch",
            FailReason::Refused => "refused",
            FailReason::IdentityChanged => "identity_changed",
            FailReason::Busy => "busy",
            FailReason::Permission => "permission",
            FailReason::BadTarget => "bad_target",
            FailReason::UnknownDevice => "unknown_device",
            FailReason::TooSmall => "too_small",
            FailReason::WriteIo => "write_io",
            FailReason::ReadIo => "read_io",
            FailReason::VerifyMismatch => "verify_mismatch",
            FailReason::Cancelled => "cancelled",
            FailReason::BadPlan => "bad_plan",
            FailReason::Layout => "layout",
            FailReason::Tool => "tool",
            FailReason::Escalation => "escalation",
            FailReason::NotConfirmed => "not_confirmed",
            FailReason::Io => "io",
            FailReason::SystemView => "system_view",
            FailReason::Personalise => "personalise",
            FailReason::Internal => "internal",
        }
    }

    /// The process exit code of this class of failure: 1 user or input error, 2 internal,
    /// 3 device or permission, 130 interrupted.
    pub fn exit_code(self) -> i32 {
        match self {
            FailReason::Cancelled => 130,
            FailReason::Refused
            | FailReason::IdentityChanged
            | FailReason::Busy
            | FailReason::Permission
            | FailReason::UnknownDevice
            | FailReason::TooSmall
            | FailReason::WriteIo
            | FailReason::ReadIo
            | FailReason::VerifyMismatch
            | FailReason::Escalation => 3,
            FailReason::NoSpace => 3,
            FailReason::Internal | FailReason::SystemView | FailReason::Usage => 2,
            FailReason::SourceUnreadable
            | FailReason::SourceCorrupt
            | FailReason::NotADiskImage
            | FailReason::ZipMember
            | FailReason::Stack
            | FailReason::BlockMapInvalid
            | FailReason::BlockMapMismatch
            | FailReason::BadTarget
            | FailReason::BadPlan
            | FailReason::Layout
            | FailReason::Tool
            | FailReason::NotConfirmed
            | FailReason::Personalise
            | FailReason::Io => 1,
        }
    }
}

impl std::fmt::Display for FailReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::FailReason;

    #[test]
    fn codes_match_the_wire_names() {
        for r in [
            FailReason::SourceUnreadable,
            FailReason::BlockMapMismatch,
            FailReason::WriteIo,
            FailReason::VerifyMismatch,
            FailReason::Cancelled,
            FailReason::SystemView,
        ] {
            let wire = serde_json::to_string(&r).unwrap();
            assert_eq!(wire, format!("\"{}\"", r.code()));
        }
    }
}

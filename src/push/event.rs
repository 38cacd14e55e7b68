//! What a running push reports: events (JSON Lines with `--json`, a channel for a UI) and the
//! typed reason a push failed, with its stable code and exit code.

use serde::Serialize;

/// Steps of a push, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PushPhase {
    /// Reading the workspace's build and hashing what might be skipped.
    Plan,
    /// Opening the SSH connection and asking the device what it runs.
    Connect,
    /// Mounting the boot partition and hashing the files already on the device.
    Compare,
    /// Sending files to temporary names and checking their SHA-256 on the device.
    Upload,
    /// Renaming the verified files into place, writing the manifest, syncing.
    Swap,
    /// Rebooting and waiting for the device to answer again.
    Reboot,
    /// Swapping the last pushed set with the `.previous` files.
    Rollback,
}

/// Why a push failed. `code()` is stable (scripts match on it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FailReason {
    /// The workspace has no build, or the board's layout cannot be pushed.
    NoBuild,
    /// Bad destination or option.
    Usage,
    /// The device's architecture or board is not the workspace's (without `--force`).
    Mismatch,
    /// ssh could not connect or log in.
    Connect,
    /// The connection dropped while files were sent.
    ConnectionLost,
    /// A file's SHA-256 on the device differs from the local file.
    HashMismatch,
    /// A command on the device failed (mount, remount, rename, sync, no space...).
    Remote,
    /// `--rollback` with no manifest or no `.previous` files on the device.
    NothingToRollBack,
    /// The device did not answer again after `--reboot` within the timeout.
    RebootTimeout,
    /// Ctrl-C or SIGTERM.
    Interrupted,
    /// A local I/O problem or a bug.
    Internal,
}

impl FailReason {
    pub fn code(self) -> &'static str {
        match self {
            FailReason::NoBuild => "no_build",
            FailReason::Usage => "usage",
            FailReason::Mismatch => "mismatch",
            FailReason::Connect => "connect",
            FailReason::ConnectionLost => "connection_lost",
            FailReason::HashMismatch => "hash_mismatch",
            FailReason::Remote => "remote",
            FailReason::NothingToRollBack => "nothing_to_roll_back",
            FailReason::RebootTimeout => "reboot_timeout",
            FailReason::Interrupted => "interrupted",
            FailReason::Internal => "internal",
        }
    }

    /// 1 user error, 2 internal, 3 device, 130 interrupted.
    pub fn exit_code(self) -> i32 {
        match self {
            FailReason::NoBuild
            | FailReason::Usage
            | FailReason::Mismatch
            | FailReason::NothingToRollBack => 1,
            FailReason::Internal => 2,
            FailReason::Connect
            | FailReason::ConnectionLost
            | FailReason::HashMismatch
            | FailReason::Remote
            | FailReason::RebootTimeout => 3,
            FailReason::Interrupted => 130,
        }
    }
}

/// A failed push: the reason, the phase it happened in and a message naming the file or
/// device at fault and what to do.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct PushError {
    pub reason: FailReason,
    pub phase: PushPhase,
    pub message: String,
}

impl PushError {
    pub fn new(reason: FailReason, phase: PushPhase, message: impl Into<String>) -> PushError {
        PushError {
            reason,
            phase,
            message: message.into(),
        }
    }
}

/// One file of the plan, as events and `--dry-run` show it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FileLine {
    /// Path on the device.
    pub path: String,
    /// Path in the workspace's images/.
    pub from: String,
    pub size: u64,
    /// `send`, `same` (already on the device, skipped).
    pub action: &'static str,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum PushEvent {
    Started {
        target: String,
        rollback: bool,
    },
    PhaseStarted {
        phase: PushPhase,
    },
    /// The device answered: its architecture and skiff-release VERSION.
    Device {
        arch: String,
        release: Option<String>,
        board: Option<String>,
    },
    File(FileLine),
    Progress {
        bytes: u64,
        total: u64,
        /// Bytes per second since the upload started.
        rate: f64,
        file: String,
    },
    Verified {
        path: String,
        sha256: String,
    },
    Warning {
        message: String,
    },
    Notice {
        message: String,
    },
    Done {
        target: String,
        sent: usize,
        skipped: usize,
        bytes: u64,
        secs: f64,
        dry_run: bool,
        /// skiff-release VERSION reported after `--reboot`.
        release: Option<String>,
    },
    Failed {
        target: String,
        reason: FailReason,
        phase: PushPhase,
        message: String,
        exit_code: i32,
    },
}

impl PushEvent {
    pub fn failed(target: &str, e: &PushError) -> PushEvent {
        PushEvent::Failed {
            target: target.to_string(),
            reason: e.reason,
            phase: e.phase,
            message: e.message.clone(),
            exit_code: e.reason.exit_code(),
        }
    }

    pub fn to_json_line(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|e| {
            format!(r#"{{"event":"warning","message":"event not serialisable: {e}"}}"#)
        })
    }
}

/// Where the engine sends events: a closure, or a channel for a UI thread.
pub trait PushSink {
    fn emit(&mut self, event: PushEvent);
}

impl<F: FnMut(PushEvent)> PushSink for F {
    fn emit(&mut self, event: PushEvent) {
        self(event)
    }
}

/// Events into a crossbeam channel (a TUI reads them on its own thread).
pub struct ChannelSink(pub crossbeam_channel::Sender<PushEvent>);

impl PushSink for ChannelSink {
    fn emit(&mut self, event: PushEvent) {
        let _ = self.0.send(event);
    }
}

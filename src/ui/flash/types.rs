//! The flash screen's messages to and from its effects: commands, a confirmed request, the
//! reports of look-ups and writes, and a failure kept typed until it is drawn. Plain data, so
//! the app's message type, the screen and the effects can all use it.

use crate::flash::event::{FlashEvent, Phase};
use crate::flash::job::MissingInputs;
use crate::flash::reason::FailReason;
use crate::flash::{BlockDevice, DeviceIdentity, FlashError, Summary, Target};
use crate::model::ResolvedStack;
use crate::model::layout::Layout;
use crate::model::personalise::Persona;
use std::path::PathBuf;

/// What the flash screen asks of the effects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FlashCmd {
    /// List the whole disks with their verdicts, and how a device write gets root.
    ListDevices,
    /// Resolve a path the user typed: an image file (existing or new) or a device node.
    Resolve(PathBuf),
    /// The layout of the stack: the one of the last layer of the chain that has one.
    LoadLayout(ResolvedStack),
    /// Measure an image to write (size, compression, block map beside it).
    InspectImage(PathBuf),
    /// What format and install of the stack's layout lack in the workspace's images/.
    CheckInputs {
        workspace: String,
        stack: ResolvedStack,
    },
    /// The completions of a path typed in a prompt (Tab).
    Complete(String),
    /// Plan and run a write. Only a confirmation produces this.
    Start(Box<FlashRequest>),
    /// Stop the write with this id between blocks.
    Cancel { id: u64 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlashAction {
    Format,
    Install,
    WriteImage,
}

impl FlashAction {
    pub fn verb(self) -> &'static str {
        match self {
            FlashAction::Format => "format",
            FlashAction::Install => "install",
            FlashAction::WriteImage => "write",
        }
    }
}

/// A write the user confirmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlashRequest {
    pub id: u64,
    pub action: FlashAction,
    /// The target as chosen: a device node or an image file.
    pub target: PathBuf,
    pub device: bool,
    /// The device as shown in the confirmation; a different card in the slot is refused.
    pub expect: Option<DeviceIdentity>,
    /// The device name typed back to override a refusal that may be overridden.
    pub force_unsafe: Option<String>,
    /// The image to write (write image only).
    pub image: Option<PathBuf>,
    pub workspace: String,
    pub stack: ResolvedStack,
    /// Files for the persist partition after an install or image write (the `p` form).
    pub persona: Option<Persona>,
}

/// The personalisation form (`p`, ui::flash::personalise) and what it last accepted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersonaForm {
    pub open: bool,
    pub field: usize,
    /// Hostname template, SSH key file, Wi-Fi SSID, passphrase.
    pub values: [String; 4],
    /// Why the last attempt to accept was refused.
    pub error: Option<String>,
    /// What confirmed writes carry (None: no personalisation).
    pub applied: Option<Persona>,
}

/// The layout a stack uses and the layer it comes from.
#[derive(Debug, Clone)]
pub struct FoundLayout {
    pub layer: String,
    pub layout: Box<Layout>,
}

/// What an image to write holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageInfo {
    pub path: PathBuf,
    /// Bytes it spans on the target, when known before writing.
    pub size: Option<u64>,
    pub compression: &'static str,
    pub bmap: Option<PathBuf>,
}

/// What format and install would lack in a workspace's build, for one stack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildInputs {
    pub workspace: String,
    /// The stack, comma-joined.
    pub stack: String,
    /// The workspace's images/ directory.
    pub images: PathBuf,
    /// `None`: everything there (or no card layout to check).
    pub format: Option<MissingInputs>,
    pub install: Option<MissingInputs>,
}

/// Why a write ended without success, typed until it is drawn: the message, the stable
/// reason code and the phase it failed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub error: String,
    pub exit_code: i32,
    pub reason: FailReason,
    pub phase: Phase,
}

impl Failure {
    /// The failure of `e`, raised while `phase` ran (a helper's error keeps the phase it sent).
    pub fn of(e: &FlashError, phase: Phase) -> Failure {
        Failure {
            error: e.to_string(),
            exit_code: e.exit_code(),
            reason: e.reason(),
            phase: e.phase_or(phase),
        }
    }

    /// Stopped by the user rather than failed.
    pub fn cancelled(&self) -> bool {
        self.reason == FailReason::Cancelled
    }
}

/// Results of flash effects, and the events of a running write.
#[derive(Debug)]
pub enum FlashReport {
    Devices {
        result: Result<Vec<BlockDevice>, String>,
        /// The command that gives the helper root (empty when root), or why there is none.
        escalation: Result<Vec<String>, String>,
    },
    Resolved {
        path: PathBuf,
        result: Result<Target, String>,
    },
    Layout {
        stack: String,
        result: Result<Option<FoundLayout>, String>,
    },
    Image {
        path: PathBuf,
        result: Result<ImageInfo, String>,
    },
    Inputs(BuildInputs),
    /// The candidates for the path `typed` (each a whole path as it would be typed).
    Completions {
        typed: String,
        candidates: Vec<String>,
    },
    Event {
        id: u64,
        event: FlashEvent,
    },
    Finished {
        id: u64,
        result: Result<Summary, Failure>,
    },
}

//! What enters the loop (`Msg`, `WorkerEvent`) and what leaves it (`Cmd`, the effects).

use crate::model::contents::LayerContents;
use crate::model::diff::Change;
use crate::model::workspace::WorkspaceInfo;
use crate::model::{Merged, ResolvedStack};
use ratatui::crossterm::event::{KeyEvent, MouseEvent};

/// Everything `update` receives.
#[derive(Debug)]
pub enum Msg {
    Key(KeyEvent),
    Mouse(MouseEvent),
    Resize(u16, u16),
    /// Once a second: time to look whether the workspaces changed on disk.
    Tick,
    Worker(WorkerEvent),
}

/// Results of effects, produced off the UI thread.
#[derive(Debug)]
pub enum WorkerEvent {
    Contents {
        layer: String,
        contents: Box<LayerContents>,
    },
    Merged {
        generation: u64,
        result: Result<Box<PreviewData>, String>,
    },
    Workspaces {
        list: Vec<WorkspaceInfo>,
        /// Seconds since the epoch when the list was read (time enters only here).
        now: u64,
    },
    /// The fingerprint of the workspaces on disk (`model::workspace::stamp`) and the clock
    /// (seconds since the epoch) when it was taken.
    Stamp { stamp: u64, now: u64 },
    Configured {
        workspace: String,
        result: Result<String, String>,
    },
    WorkspaceCreated {
        name: String,
        result: Result<(), String>,
    },
    /// An event of a build started from the TUI.
    Build {
        workspace: String,
        event: Box<crate::build::BuildEvent>,
    },
    /// A result of a flash effect, or an event of a write started from the TUI.
    Flash(Box<crate::ui::flash::types::FlashReport>),
    /// A result of a batch screen effect, or a report of the running batch.
    Batch(Box<crate::ui::batch::types::BatchReport>),
    /// A result of the skiff-core editor (load or save).
    Core(Box<crate::ui::core_jobs::CoreReport>),
    /// A result of a push effect, or an event of a push started from the TUI.
    Push(Box<crate::ui::push::types::PushReport>),
    /// A worker or the input thread cannot go on; the runtime stops with an error.
    Failed(String),
}

/// A merge of the current stack and how it differs from the workspace's last configure.
#[derive(Debug, Clone)]
pub struct PreviewData {
    pub merged: Merged,
    /// Changes against `workspaces/.config_<ws>` (against nothing when never configured).
    pub diff: Vec<Change>,
    pub configured: bool,
    /// Buildroot symbols whose requested value Kconfig drops, with the reason (empty when
    /// no Buildroot tree is present to check against).
    pub dropped: std::collections::BTreeMap<String, String>,
    /// Why the Kconfig check did not run or failed, when it did not give a result.
    pub check_note: Option<String>,
}

/// Effects `update` asks for. Destructive ones only come out of a confirmation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cmd {
    Quit {
        code: i32,
    },
    LoadContents(String),
    Merge {
        generation: u64,
        workspace: String,
        stack: ResolvedStack,
    },
    LoadWorkspaces,
    /// Fingerprint the workspaces on disk, to notice a configure or build from elsewhere.
    Stamp,
    Configure {
        workspace: String,
        stack: ResolvedStack,
    },
    CreateWorkspace(String),
    /// Configure if needed and build the workspace (runs on a thread of its own).
    StartBuild {
        workspace: String,
        stack: ResolvedStack,
    },
    /// Interrupt the workspace's build (SIGINT to make's process group).
    CancelBuild {
        workspace: String,
    },
    /// Flash screen work: device discovery, look-ups, and writes (a write only out of a
    /// confirmation).
    Flash(crate::ui::flash::types::FlashCmd),
    /// The skiff-core editor: load the config the stack installs, save the override.
    Core(crate::ui::core_jobs::CoreCmd),
    /// Push screen work: readiness, the last host, previews, pushes and rollbacks (a push or
    /// a rollback only out of a typed confirmation).
    Push(crate::ui::push::types::PushCmd),
    /// The batch screen: recognise its source, start a batch (only out of a confirmation),
    /// stop it.
    Batch(crate::ui::batch::types::BatchCmd),
    /// Ring the terminal bell (a batch card ended); the runtime writes it between frames.
    Bell,
}

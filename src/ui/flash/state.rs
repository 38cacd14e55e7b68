//! What the flash screen knows: targets and their verdicts, the stack's layout, the prompt
//! being typed, and the write in progress with its phases, progress and verdict.

use super::types::{BuildInputs, Failure, FlashAction, FlashRequest, FoundLayout, PersonaForm};
use crate::flash::device::human_bytes;
use crate::flash::event::{FlashEvent, Phase};
use crate::flash::{BlockDevice, ImageFile, Summary, Target};
use crate::ui::overlay::Confirm;
use crate::ui::text_input::Completion;
use crate::ui::theme::Role;
use crate::ui::widgets::ListCursor;
use std::path::PathBuf;

/// One row of the target list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Row {
    Device(usize),
    File(usize),
    /// "image file…": type a path to write a card image file.
    AddFile,
}

/// What a prompt's text is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PromptKind {
    /// The path of an image file target.
    TargetFile,
    /// The image to write to the target with this key.
    Image { target: String },
    /// The device name typed back to write a refused device; on a match the request runs.
    TypedName {
        name: String,
        request: Box<FlashRequest>,
    },
}

/// A one-line text field drawn over the screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt {
    pub kind: PromptKind,
    pub title: String,
    pub lines: Vec<(Role, String)>,
    pub label: String,
    pub text: String,
    pub danger: bool,
    /// Tab completion, for prompts that take a path.
    pub completion: Option<Completion>,
}

/// A finished phase: bytes, seconds, average rate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PhaseDone {
    pub phase: Phase,
    pub bytes: u64,
    pub secs: f64,
    pub rate: f64,
}

/// A write started from the screen, as its events describe it.
#[derive(Debug, Clone, PartialEq)]
pub struct FlashRun {
    pub id: u64,
    pub action: FlashAction,
    /// The workspace it was started from; another workspace's screen does not show it.
    pub workspace: String,
    /// `sdb` or the image file's path.
    pub target: String,
    /// One line about the target: size, bus, model.
    pub about: String,
    pub device: bool,
    /// Written where it stands (a device, an existing image file formatted or installed),
    /// rather than into a new file renamed over it at the end.
    pub in_place: bool,
    /// The layer whose layout is written (format, install) or the image (write).
    pub source: String,
    pub phase: Option<Phase>,
    pub bytes: u64,
    pub total: Option<u64>,
    pub rate: f64,
    pub eta: Option<f64>,
    pub done: Vec<PhaseDone>,
    /// Warnings and notices, oldest first.
    pub messages: Vec<(Role, String)>,
    pub outcome: Option<Result<Summary, Failure>>,
    pub cancelling: bool,
}

impl FlashRun {
    /// A run that has not reported anything yet.
    pub fn new(id: u64, action: FlashAction, target: String, about: String) -> FlashRun {
        FlashRun {
            id,
            action,
            workspace: String::new(),
            target,
            about,
            device: false,
            in_place: false,
            source: String::new(),
            phase: None,
            bytes: 0,
            total: None,
            rate: 0.0,
            eta: None,
            done: Vec::new(),
            messages: Vec::new(),
            outcome: None,
            cancelling: false,
        }
    }

    pub fn running(&self) -> bool {
        self.outcome.is_none()
    }

    /// The phases this kind of write goes through, in order.
    pub fn phases(&self) -> &'static [Phase] {
        match self.action {
            FlashAction::WriteImage => {
                &[Phase::Prepare, Phase::Write, Phase::Verify, Phase::Finalize]
            }
            _ => &[
                Phase::Assemble,
                Phase::Prepare,
                Phase::Write,
                Phase::Verify,
                Phase::Finalize,
            ],
        }
    }

    /// Apply one engine event.
    pub fn apply(&mut self, event: FlashEvent) {
        match event {
            FlashEvent::Started { .. } | FlashEvent::Done { .. } => {}
            FlashEvent::PhaseStarted { phase, total } => {
                self.phase = Some(phase);
                self.bytes = 0;
                self.total = total;
                self.rate = 0.0;
                self.eta = None;
            }
            FlashEvent::Progress {
                phase,
                bytes,
                total,
                rate,
                eta_secs,
            } => {
                self.phase = Some(phase);
                self.bytes = bytes;
                self.total = total.or(self.total);
                self.rate = rate;
                self.eta = eta_secs;
            }
            FlashEvent::PhaseDone {
                phase,
                bytes,
                secs,
                rate,
            } => {
                self.done.retain(|d| d.phase != phase);
                self.done.push(PhaseDone {
                    phase,
                    bytes,
                    secs,
                    rate,
                });
                self.bytes = bytes;
                self.eta = None;
            }
            FlashEvent::Warning { message } => self.messages.push((Role::Warning, message)),
            FlashEvent::Notice { message } => self.messages.push((Role::Dim, message)),
            FlashEvent::Failed { message, .. } => self.messages.push((Role::Error, message)),
        }
        if self.messages.len() > 50 {
            self.messages.remove(0);
        }
    }
}

/// The flash screen's data, shared so effects' results can land in it.
#[derive(Debug, Default)]
pub struct FlashState {
    /// None until the first listing arrives.
    pub devices: Option<Result<Vec<BlockDevice>, String>>,
    /// How a device write gets root (the command, empty when root), or why it cannot.
    pub escalation: Option<Result<Vec<String>, String>>,
    /// Image file targets the user typed, in the order added.
    pub files: Vec<ImageFile>,
    /// The layout of the stack it was loaded for (comma-joined chain).
    pub layout: Option<(String, Result<Option<FoundLayout>, String>)>,
    /// What format and install lack in the build, for the workspace and stack it names.
    pub inputs: Option<BuildInputs>,
    pub cursor: ListCursor,
    /// The device whose refusal the user chose to override (`!`), by name.
    pub armed: Option<String>,
    pub prompt: Option<Prompt>,
    /// A write waiting for its image to be measured: (target key, image path).
    pub pending: Option<(String, PathBuf)>,
    pub run: Option<FlashRun>,
    /// Id of the next write.
    pub next_id: u64,
    /// A confirmation the screen wants opened; the app opens it.
    pub confirm: Option<Confirm>,
    /// The personalisation form and what writes carry.
    pub persona: PersonaForm,
}

impl FlashState {
    pub fn device_list(&self) -> &[BlockDevice] {
        match &self.devices {
            Some(Ok(d)) => d,
            _ => &[],
        }
    }

    /// Devices, then image files, then the "image file…" entry.
    pub fn rows(&self) -> Vec<Row> {
        let mut rows: Vec<Row> = (0..self.device_list().len()).map(Row::Device).collect();
        rows.extend((0..self.files.len()).map(Row::File));
        rows.push(Row::AddFile);
        rows
    }

    pub fn row_at_cursor(&self) -> Row {
        let rows = self.rows();
        rows[self.cursor.pos.min(rows.len() - 1)]
    }

    /// The target under the cursor, if the cursor is on one.
    pub fn selected(&self) -> Option<Target> {
        match self.row_at_cursor() {
            Row::Device(i) => Some(Target::Device(Box::new(self.device_list()[i].clone()))),
            Row::File(i) => Some(Target::File(self.files[i].clone())),
            Row::AddFile => None,
        }
    }

    /// Put the cursor on the target with this key (device name or file path).
    pub fn select(&mut self, key: &str) {
        let rows = self.rows();
        if let Some(i) = rows
            .iter()
            .position(|r| self.key_of(*r).as_deref() == Some(key))
        {
            self.cursor.set(i, rows.len(), 1);
        }
    }

    pub fn key_of(&self, row: Row) -> Option<String> {
        match row {
            Row::Device(i) => Some(self.device_list()[i].name.clone()),
            Row::File(i) => Some(self.files[i].path.display().to_string()),
            Row::AddFile => None,
        }
    }

    pub fn target_by_key(&self, key: &str) -> Option<Target> {
        if let Some(d) = self.device_list().iter().find(|d| d.name == key) {
            return Some(Target::Device(Box::new(d.clone())));
        }
        self.files
            .iter()
            .find(|f| f.path.display().to_string() == key)
            .map(|f| Target::File(f.clone()))
    }

    /// The loaded layout when it belongs to the stack `joined`.
    pub fn layout_for(&self, joined: &str) -> Option<&Result<Option<FoundLayout>, String>> {
        self.layout
            .as_ref()
            .filter(|(s, _)| s == joined)
            .map(|(_, r)| r)
    }

    /// A write is in progress.
    pub fn busy(&self) -> bool {
        self.run.as_ref().is_some_and(FlashRun::running)
    }

    /// The write the screen of `workspace` shows: one started from that workspace.
    pub fn run_of(&self, workspace: &str) -> Option<&FlashRun> {
        self.run.as_ref().filter(|r| r.workspace == workspace)
    }

    /// What the build lacks, when checked for this workspace and stack.
    pub fn inputs_for(&self, workspace: &str, joined: &str) -> Option<&BuildInputs> {
        self.inputs
            .as_ref()
            .filter(|i| i.workspace == workspace && i.stack == joined)
    }
}

/// Bytes a format or install needs on a card with this layout (None: not a card layout).
pub fn needed(found: Option<&FoundLayout>) -> Option<u64> {
    found.map(|f| f.layout.min_card_size()).filter(|n| *n > 0)
}

/// Size, bus and model of a device: `64.0 MiB · usb · Generic STORAGE DEVICE`.
pub fn about_device(d: &BlockDevice) -> String {
    let label = [d.vendor.as_deref(), d.model.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let label = if label.is_empty() {
        "no model name".to_string()
    } else {
        label
    };
    format!("{} · {} · {label}", human_bytes(d.size), d.bus.as_str())
}

/// What an image file target is: `new image file` or `64.0 MiB image file`.
pub fn about_file(f: &ImageFile) -> String {
    match f.existing_size {
        Some(n) => format!("{} image file", human_bytes(n)),
        None => "new image file".to_string(),
    }
}

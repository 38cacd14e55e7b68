//! The push screen's state: the host, the build's readiness, the prompt, and the run in
//! progress or finished (its phase, device, files, bytes and result). Kept in `Shared` so the
//! reports of the effects reach it.

use super::types::{PushMode, PushReport, Readiness};
use crate::push::event::FileLine;
use crate::push::{FailReason, Outcome, PushError, PushEvent, PushPhase};

/// What the open prompt asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PromptKind {
    /// `[USER@]HOST` to preview a push to.
    Host,
    /// The host typed again before a push or a rollback.
    Confirm { mode: PushMode, host: String },
}

#[derive(Debug, Clone)]
pub struct Prompt {
    pub kind: PromptKind,
    pub text: String,
}

/// One preview, push or rollback started from the screen.
#[derive(Debug, Clone)]
pub struct PushRun {
    pub id: u64,
    pub mode: PushMode,
    pub host: String,
    pub phase: Option<PushPhase>,
    /// `uname -m`, skiff-release VERSION and board of the device once it answered.
    pub device: Option<(String, Option<String>, Option<String>)>,
    pub files: Vec<FileLine>,
    pub bytes: u64,
    pub total: u64,
    pub rate: f64,
    /// The file being sent.
    pub file: String,
    /// Warnings (true) and notices (false), oldest first.
    pub notes: Vec<(bool, String)>,
    pub result: Option<Result<Outcome, PushError>>,
}

impl PushRun {
    pub fn new(id: u64, mode: PushMode, host: &str) -> PushRun {
        PushRun {
            id,
            mode,
            host: host.to_string(),
            phase: None,
            device: None,
            files: Vec::new(),
            bytes: 0,
            total: 0,
            rate: 0.0,
            file: String::new(),
            notes: Vec::new(),
            result: None,
        }
    }

    pub fn running(&self) -> bool {
        self.result.is_none()
    }

    /// Files to send and their bytes.
    pub fn to_send(&self) -> (usize, u64) {
        let send: Vec<&FileLine> = self.files.iter().filter(|f| f.action == "send").collect();
        (send.len(), send.iter().map(|f| f.size).sum())
    }

    fn apply(&mut self, event: PushEvent) {
        match event {
            PushEvent::PhaseStarted { phase } => self.phase = Some(phase),
            PushEvent::Device {
                arch,
                release,
                board,
            } => self.device = Some((arch, release, board)),
            PushEvent::File(line) => self.files.push(line),
            PushEvent::Progress {
                bytes,
                total,
                rate,
                file,
            } => {
                self.file = file;
                self.bytes = bytes;
                self.total = total;
                self.rate = rate;
            }
            PushEvent::Warning { message } => self.notes.push((true, message)),
            PushEvent::Notice { message } => self.notes.push((false, message)),
            PushEvent::Started { .. }
            | PushEvent::Verified { .. }
            | PushEvent::Done { .. }
            | PushEvent::Failed { .. } => {}
        }
    }
}

/// Everything the push screen shows.
#[derive(Debug, Clone, Default)]
pub struct PushState {
    /// The host typed last (remembered in the settings directory).
    pub host: Option<String>,
    /// Readiness of the build, with the `<workspace>:<stack>` it is for.
    pub ready: Option<(String, Result<Readiness, String>)>,
    pub prompt: Option<Prompt>,
    pub run: Option<PushRun>,
    /// The last preview that finished well: its host and what it would send (a push is only
    /// offered after one).
    pub previewed: Option<(String, usize, u64)>,
    pub next_id: u64,
}

/// How a finished run reads in the status line.
pub fn summary(run: &PushRun) -> (bool, String) {
    let host = &run.host;
    match &run.result {
        None => (true, format!("{} running", run.mode.on(host))),
        Some(Err(e)) if e.reason == FailReason::Interrupted => (
            false,
            format!("{} cancelled: {}", run.mode.on(host), e.message),
        ),
        Some(Err(e)) => (
            false,
            format!(
                "{} failed ({}): {}",
                run.mode.on(host),
                e.reason.code(),
                e.message
            ),
        ),
        Some(Ok(o)) => (
            true,
            match run.mode {
                PushMode::Preview if o.sent == 0 => {
                    format!(
                        "{host} already has this build ({} files the same)",
                        o.skipped
                    )
                }
                PushMode::Preview => format!(
                    "preview of {host}: {} to send, {} the same; p pushes (asks first)",
                    o.sent, o.skipped
                ),
                PushMode::Push if o.sent == 0 => {
                    format!("nothing sent: {host} already has this build")
                }
                PushMode::Push => format!(
                    "pushed {} files ({}) to {host}, verified; {} the same; reboot the device to run them",
                    o.sent,
                    crate::flash::device::human_bytes(o.bytes),
                    o.skipped
                ),
                PushMode::Rollback => format!(
                    "rolled back {} files on {host}; reboot the device to run them",
                    o.sent
                ),
            },
        ),
    }
}

impl PushState {
    /// Applies a report of the effects; returns a status line (ok, text) when a run ended.
    pub fn apply(&mut self, r: PushReport) -> Option<(bool, String)> {
        match r {
            PushReport::Host(h) => {
                if self.host.is_none() {
                    self.host = h;
                }
            }
            PushReport::Ready { key, result } => self.ready = Some((key, result)),
            PushReport::Event { id, event } => {
                if let Some(run) = self.run.as_mut().filter(|r| r.id == id) {
                    run.apply(event);
                }
            }
            PushReport::Finished { id, result } => {
                let run = self.run.as_mut().filter(|r| r.id == id)?;
                if let (PushMode::Preview, Ok(_)) = (run.mode, &result) {
                    let (n, bytes) = run.to_send();
                    self.previewed = Some((run.host.clone(), n, bytes));
                } else {
                    self.previewed = None;
                }
                run.result = Some(result);
                return Some(summary(run));
            }
        }
        None
    }

    pub fn running(&self) -> bool {
        self.run.as_ref().is_some_and(PushRun::running)
    }
}

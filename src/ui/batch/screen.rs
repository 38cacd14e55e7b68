//! The batch screen: keys to choose the source and the targets, the confirmations (a danger
//! dialog for image files, the allow-list typed back for readers), start and stop, and the
//! reports of the running batch (the bell on each card's end).

use super::draw::targets_of;
use super::state::{BatchRun, Prompt, PromptKind};
use super::types::{BatchCmd, BatchReport, BatchRequest, BatchSource, BatchTargets};
use crate::ui::action::Action;
use crate::ui::flash::personalise;
use crate::ui::msg::Cmd;
use crate::ui::overlay::Confirm;
use crate::ui::screen::{Screen, ScreenId};
use crate::ui::shared::{Shared, StatusLevel};
use crate::ui::text_input::{Edit, edit};
use crate::ui::theme::Role;
use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;
use std::path::PathBuf;

/// The screen keeps its state in `Shared::batch` (the app routes reports there).
#[derive(Debug, Default)]
pub struct BatchScreen;

const HINTS: &[Action] = &[
    Action::BatchStart,
    Action::BatchStop,
    Action::BatchImage,
    Action::BatchBuild,
    Action::BatchTarget,
    Action::BatchReaders,
];

fn error(sh: &mut Shared, text: impl Into<String>) -> Vec<Cmd> {
    sh.set_status(StatusLevel::Error, text);
    Vec::new()
}

fn ask(sh: &mut Shared, kind: PromptKind, text: String) -> Vec<Cmd> {
    sh.batch.prompt = Some(Prompt { kind, text });
    Vec::new()
}

impl Screen for BatchScreen {
    fn id(&self) -> ScreenId {
        ScreenId::Batch
    }

    fn update(&mut self, sh: &mut Shared, action: Action, _area: Rect) -> Vec<Cmd> {
        let busy = sh.batch.running();
        let settle = matches!(
            action,
            Action::BatchImage
                | Action::BatchBuild
                | Action::BatchTarget
                | Action::BatchReaders
                | Action::BatchClear
        );
        if busy && settle {
            return error(
                sh,
                "a batch is running: c stops it, then change the source or targets",
            );
        }
        match action {
            Action::BatchImage => {
                let text = match &sh.batch.source {
                    Some(BatchSource::Image(p)) => p.display().to_string(),
                    _ => String::new(),
                };
                ask(sh, PromptKind::Source, text)
            }
            Action::BatchBuild => {
                sh.batch.source = Some(BatchSource::Workspace);
                sh.batch.source_info = None;
                Vec::new()
            }
            Action::BatchTarget => ask(sh, PromptKind::Target, String::new()),
            Action::BatchReaders => {
                let text = sh.batch.readers.join(", ");
                ask(sh, PromptKind::Readers, text)
            }
            Action::BatchClear => {
                sh.batch.files.clear();
                sh.batch.readers.clear();
                Vec::new()
            }
            Action::BatchStart => start(sh),
            Action::BatchStop => stop(sh),
            _ => Vec::new(),
        }
    }

    fn text_input(&mut self, sh: &mut Shared, key: &KeyEvent, _area: Rect) -> Option<Vec<Cmd>> {
        let prompt = sh.batch.prompt.as_mut()?;
        Some(match edit(&mut prompt.text, key) {
            Edit::Changed | Edit::Ignored => Vec::new(),
            Edit::Cancelled => {
                sh.batch.prompt = None;
                Vec::new()
            }
            Edit::Submitted => {
                let Some(Prompt { kind, text }) = sh.batch.prompt.take() else {
                    return Some(Vec::new());
                };
                submitted(sh, kind, text.trim())
            }
        })
    }

    fn render(&self, sh: &Shared, frame: &mut Frame, area: Rect) {
        super::draw::render(sh, frame, area);
    }

    fn hints(&self) -> &'static [Action] {
        HINTS
    }
}

/// A prompt was accepted with `text`.
fn submitted(sh: &mut Shared, kind: PromptKind, text: &str) -> Vec<Cmd> {
    match kind {
        PromptKind::Source if text.is_empty() => error(sh, "no image file given; nothing changed"),
        PromptKind::Source => {
            let path = PathBuf::from(text);
            sh.batch.source = Some(BatchSource::Image(path.clone()));
            sh.batch.source_info = None;
            vec![Cmd::Batch(BatchCmd::Inspect(path))]
        }
        PromptKind::Target if text.is_empty() => error(sh, "no image file given; nothing changed"),
        PromptKind::Target => {
            let path = PathBuf::from(text);
            if sh.batch.files.contains(&path) {
                return error(sh, format!("{text} is already a target"));
            }
            sh.batch.readers.clear();
            sh.batch.files.push(path);
            Vec::new()
        }
        PromptKind::Readers => {
            sh.batch.readers = text
                .split(',')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(String::from)
                .collect();
            if !sh.batch.readers.is_empty() {
                sh.batch.files.clear();
            }
            Vec::new()
        }
        PromptKind::TypedReaders { request } => {
            let BatchTargets::Readers(patterns) = &request.targets else {
                return Vec::new();
            };
            let expected = patterns.join(", ");
            let typed: Vec<&str> = text.split(',').map(str::trim).collect();
            if typed != patterns.iter().map(String::as_str).collect::<Vec<_>>() {
                return error(
                    sh,
                    format!(
                        "the typed allow-list {text:?} is not {expected:?}; nothing was written"
                    ),
                );
            }
            let cmd = Cmd::Batch(BatchCmd::Start(request));
            confirmed(sh, &cmd);
            vec![cmd]
        }
    }
}

/// The request for the chosen source and targets, or why there is none.
fn request(sh: &Shared) -> Result<BatchRequest, String> {
    let source = match (&sh.batch.source, &sh.batch.source_info) {
        (None, _) => {
            return Err("choose a source first: i an image file, w the workspace's build".into());
        }
        (Some(BatchSource::Image(p)), Some(Err(e))) => {
            return Err(format!("{} cannot be written: {e}", p.display()));
        }
        (Some(BatchSource::Image(_)), None) => {
            return Err("the image is still being looked at; try again in a moment".into());
        }
        (Some(s), _) => s.clone(),
    };
    let stack = match (&source, &sh.stack.analysis.resolved) {
        (_, Some(stack)) => stack.clone(),
        (BatchSource::Image(_), None) => Default::default(),
        (BatchSource::Workspace, None) => {
            return Err(
                "the stack does not resolve: the workspace's build needs the stack's layout".into(),
            );
        }
    };
    let targets = targets_of(&sh.batch)
        .ok_or("choose targets first: t an image file, a a readers allow-list")?;
    Ok(BatchRequest {
        id: sh.batch.next_id + 1,
        source,
        targets,
        workspace: sh.workspace.clone(),
        stack,
        persona: sh.flash.persona.applied.clone(),
    })
}

fn start(sh: &mut Shared) -> Vec<Cmd> {
    if sh.batch.running() {
        return error(sh, "a batch is running; c stops it");
    }
    let req = match request(sh) {
        Ok(r) => r,
        Err(e) => return error(sh, e),
    };
    sh.batch.next_id = req.id;
    match &req.targets {
        BatchTargets::Readers(_) => {
            sh.batch.prompt = Some(Prompt {
                kind: PromptKind::TypedReaders {
                    request: Box::new(req),
                },
                text: String::new(),
            });
        }
        BatchTargets::Files(files) => {
            let mut lines = vec![(
                Role::Text,
                format!(
                    "Write {} to {} image files:",
                    source_text(sh, &req.source),
                    files.len()
                ),
            )];
            lines.extend(files.iter().map(|f| {
                (
                    Role::Text,
                    format!("  {}", sh.short(&f.display().to_string())),
                )
            }));
            if let Some(p) = &req.persona {
                lines.push((
                    Role::Text,
                    format!("Each card personalised: {}", personalise::summary(p)),
                ));
            }
            lines.push((
                Role::Warning,
                "Each file is replaced by the image once it is written and verified.".into(),
            ));
            sh.batch.confirm = Some(Confirm {
                title: "Start the batch?".into(),
                lines,
                yes: "write".into(),
                cmd: Cmd::Batch(BatchCmd::Start(Box::new(req))),
                danger: true,
            });
        }
    }
    Vec::new()
}

fn source_text(sh: &Shared, source: &BatchSource) -> String {
    match source {
        BatchSource::Image(p) => sh.short(&p.display().to_string()),
        BatchSource::Workspace => format!("the build of workspace {}", sh.workspace),
    }
}

fn stop(sh: &mut Shared) -> Vec<Cmd> {
    let Some(run) = sh.batch.run.as_ref().filter(|r| r.running()) else {
        return error(sh, "no batch is running");
    };
    sh.batch.confirm = Some(Confirm {
        title: "Stop the batch?".into(),
        lines: vec![
            (Role::Text, "No new card is started.".into()),
            (
                Role::Warning,
                "Cards being written stop between blocks and end stopped: such a card has no valid partition table.".into(),
            ),
        ],
        yes: "stop".into(),
        cmd: Cmd::Batch(BatchCmd::Stop { id: run.id }),
        danger: true,
    });
    Vec::new()
}

/// A confirmation of this screen was accepted: the run starts (or stops) being shown.
pub fn confirmed(sh: &mut Shared, cmd: &Cmd) {
    match cmd {
        Cmd::Batch(BatchCmd::Start(req)) => {
            let (watching, files) = match &req.targets {
                BatchTargets::Readers(_) => (true, Vec::new()),
                BatchTargets::Files(f) => (false, f.clone()),
            };
            let files: Vec<PathBuf> = files
                .iter()
                .map(|f| crate::ui::flash::jobs::expand(f))
                .collect();
            sh.batch.run = Some(BatchRun::new(req.id, watching, &files));
        }
        Cmd::Batch(BatchCmd::Stop { id }) => {
            if let Some(run) = sh.batch.run.as_mut().filter(|r| r.id == *id) {
                run.stopping = true;
            }
        }
        _ => {}
    }
}

/// Asks before quitting while a batch runs.
pub fn quit_confirm(sh: &Shared) -> Option<Confirm> {
    let run = sh.batch.run.as_ref().filter(|r| r.running())?;
    Some(Confirm {
        title: "Quit during the batch?".into(),
        lines: vec![
            (
                Role::Text,
                format!("{} cards are being written.", run.busy()),
            ),
            (
                Role::Warning,
                "Quitting stops them between blocks; such a card has no valid partition table."
                    .into(),
            ),
        ],
        yes: "quit".into(),
        cmd: Cmd::Quit { code: 0 },
        danger: true,
    })
}

/// A report of the effects: the source recognised, or an event of the running batch. A card
/// that ends rings the bell.
pub fn report(sh: &mut Shared, r: BatchReport) -> Vec<Cmd> {
    let id = match &r {
        BatchReport::Source { path, result } => {
            let current = matches!(&sh.batch.source, Some(BatchSource::Image(p))
                if crate::ui::flash::jobs::expand(p) == *path);
            if current {
                if let Err(e) = result {
                    sh.set_status(
                        StatusLevel::Error,
                        format!("{}: {e}", sh.short(&path.display().to_string())),
                    );
                }
                sh.batch.source_info = Some(result.clone());
            }
            return Vec::new();
        }
        BatchReport::Preparing { id, .. }
        | BatchReport::Card { id, .. }
        | BatchReport::Event { id, .. }
        | BatchReport::Tick { id, .. }
        | BatchReport::Ended { id, .. } => *id,
    };
    let Some(run) = sh.batch.run.as_mut().filter(|run| run.id == id) else {
        return Vec::new();
    };
    let ended = match &r {
        BatchReport::Ended { result, .. } => Some(result.clone()),
        _ => None,
    };
    let bell = run.apply(r);
    let (done, failed) = (run.done, run.failed);
    match ended {
        Some(Ok(_)) => {
            let level = if failed > 0 {
                StatusLevel::Warning
            } else {
                StatusLevel::Ok
            };
            sh.set_status(level, format!("batch ended: {done} done, {failed} failed"));
        }
        Some(Err(e)) => sh.set_status(StatusLevel::Error, format!("the batch could not run: {e}")),
        None => {}
    }
    if bell { vec![Cmd::Bell] } else { Vec::new() }
}

//! The push screen: keys to type the host and preview, push after a typed confirmation,
//! roll back, cancel; drawing is in draw.rs.

use super::state::{Prompt, PromptKind, PushRun};
use super::types::{PushCmd, PushMode, PushReport, ready_key};
use crate::model::ResolvedStack;
use crate::ui::action::Action;
use crate::ui::msg::Cmd;
use crate::ui::screen::{Screen, ScreenId};
use crate::ui::shared::{Shared, StatusLevel};
use crate::ui::text_input::Edit;
use ratatui::Frame;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;

/// What the screen has asked the effects for, so each is asked once.
#[derive(Debug, Default)]
pub struct PushScreen {
    asked_host: bool,
    /// `<workspace>:<stack>` and the workspaces' stamp whose readiness was asked for last (a
    /// build or a configure changes the stamp).
    asked_ready: Option<(String, Option<u64>)>,
}

fn stack(sh: &Shared) -> Option<ResolvedStack> {
    sh.stack
        .analysis
        .resolved
        .clone()
        .filter(|r| !r.layers.is_empty())
}

/// Why nothing can be pushed now, if so.
fn not_ready(sh: &Shared) -> Option<String> {
    if sh.push.running() {
        return Some("a push is running; c cancels it".into());
    }
    let Some(stack) = stack(sh) else {
        return Some("the stack is empty: add a board layer first".into());
    };
    match &sh.push.ready {
        Some((key, Ok(_))) if *key == ready_key(&sh.workspace, &stack) => None,
        Some((key, Err(e))) if *key == ready_key(&sh.workspace, &stack) => {
            Some(format!("build first: {e}"))
        }
        _ => Some("still looking at the build…".into()),
    }
}

fn start(sh: &mut Shared, mode: PushMode, host: String) -> Vec<Cmd> {
    let Some(stack) = stack(sh) else {
        return Vec::new();
    };
    sh.push.next_id += 1;
    let id = sh.push.next_id;
    sh.push.host = Some(host.clone());
    sh.push.run = Some(PushRun::new(id, mode, &host));
    if mode != PushMode::Preview {
        sh.push.previewed = None;
    }
    sh.set_status(StatusLevel::Info, format!("{}…", mode.on(&host)));
    vec![Cmd::Push(PushCmd::Start {
        id,
        mode,
        host,
        workspace: sh.workspace.clone(),
        stack,
    })]
}

fn ask_host(sh: &mut Shared) {
    if let Some(why) = not_ready(sh) {
        return sh.set_status(StatusLevel::Warning, why);
    }
    sh.push.prompt = Some(Prompt {
        kind: PromptKind::Host,
        text: sh.push.host.clone().unwrap_or_default(),
    });
}

fn ask_confirm(sh: &mut Shared, mode: PushMode) {
    if let Some(why) = not_ready(sh) {
        return sh.set_status(StatusLevel::Warning, why);
    }
    let host = match mode {
        PushMode::Rollback => match &sh.push.host {
            Some(h) => h.clone(),
            None => {
                return sh.set_status(
                    StatusLevel::Info,
                    "no host yet: enter types one (R then rolls it back)",
                );
            }
        },
        _ => match &sh.push.previewed {
            Some((_, 0, _)) => {
                return sh.set_status(
                    StatusLevel::Info,
                    "nothing to send: the device already has this build",
                );
            }
            Some((h, _, _)) => h.clone(),
            None => {
                return sh.set_status(
                    StatusLevel::Info,
                    "preview first: enter asks for the host and lists what would be sent",
                );
            }
        },
    };
    sh.push.prompt = Some(Prompt {
        kind: PromptKind::Confirm { mode, host },
        text: String::new(),
    });
}

fn cancel(sh: &mut Shared) -> Vec<Cmd> {
    match sh.push.run.as_ref().filter(|r| r.running()) {
        Some(run) => vec![Cmd::Push(PushCmd::Cancel { id: run.id })],
        None => {
            sh.set_status(StatusLevel::Info, "no push is running");
            Vec::new()
        }
    }
}

fn submitted(sh: &mut Shared, p: Prompt) -> Vec<Cmd> {
    let text = p.text.trim().to_string();
    match p.kind {
        PromptKind::Host if text.is_empty() => {
            sh.set_status(StatusLevel::Info, "no host given; nothing was done");
            Vec::new()
        }
        PromptKind::Host => {
            let target = crate::push::ssh::SshTarget {
                destination: text.clone(),
                ..Default::default()
            };
            match target.check() {
                Ok(()) => start(sh, PushMode::Preview, text),
                Err(e) => {
                    sh.set_status(StatusLevel::Error, format!("{e}; nothing was done"));
                    Vec::new()
                }
            }
        }
        PromptKind::Confirm { mode, host } if text == host => start(sh, mode, host),
        PromptKind::Confirm { mode, host } => {
            sh.set_status(
                StatusLevel::Warning,
                format!(
                    "typed `{text}`, not `{host}`: no {}; nothing was done",
                    mode.verb()
                ),
            );
            Vec::new()
        }
    }
}

/// Applies a report of the push effects to the shared state.
pub fn report(sh: &mut Shared, r: PushReport) -> Vec<Cmd> {
    if let Some((ok, text)) = sh.push.apply(r) {
        let level = if ok {
            StatusLevel::Ok
        } else {
            StatusLevel::Error
        };
        sh.set_status(level, text);
    }
    Vec::new()
}

impl Screen for PushScreen {
    fn id(&self) -> ScreenId {
        ScreenId::Push
    }

    fn update(&mut self, sh: &mut Shared, action: Action, _area: Rect) -> Vec<Cmd> {
        match action {
            Action::PushHost => ask_host(sh),
            Action::PushSend => ask_confirm(sh, PushMode::Push),
            Action::PushRollback => ask_confirm(sh, PushMode::Rollback),
            Action::CancelPush => return cancel(sh),
            Action::Refresh => {
                self.asked_ready = None;
                sh.push.ready = None;
                sh.set_status(StatusLevel::Info, "looking at the build again");
            }
            _ => {}
        }
        Vec::new()
    }

    fn text_input(&mut self, sh: &mut Shared, key: &KeyEvent, _area: Rect) -> Option<Vec<Cmd>> {
        let prompt = sh.push.prompt.as_mut()?;
        match crate::ui::text_input::edit(&mut prompt.text, key) {
            Edit::Changed | Edit::Ignored => {}
            Edit::Cancelled => {
                sh.push.prompt = None;
                sh.set_status(StatusLevel::Info, "cancelled; nothing was sent");
            }
            Edit::Submitted => {
                let p = sh.push.prompt.take()?;
                return Some(submitted(sh, p));
            }
        }
        Some(Vec::new())
    }

    fn refresh(&mut self, sh: &Shared, _area: Rect) -> Vec<Cmd> {
        let mut cmds = Vec::new();
        if !self.asked_host {
            self.asked_host = true;
            cmds.push(Cmd::Push(PushCmd::LoadHost));
        }
        if let Some(stack) = stack(sh) {
            let key = ready_key(&sh.workspace, &stack);
            let asked = Some((key, sh.stamp));
            if self.asked_ready != asked {
                self.asked_ready = asked;
                cmds.push(Cmd::Push(PushCmd::Check {
                    workspace: sh.workspace.clone(),
                    stack,
                }));
            }
        }
        cmds
    }

    fn render(&self, sh: &Shared, frame: &mut Frame, area: Rect) {
        super::draw::render(sh, frame, area);
    }

    fn hints(&self) -> &'static [Action] {
        &[
            Action::PushHost,
            Action::PushSend,
            Action::PushRollback,
            Action::CancelPush,
        ]
    }
}

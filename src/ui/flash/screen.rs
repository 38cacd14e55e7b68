//! The flash screen: keys and mouse over the target list, the override and the prompts;
//! checks and confirmations are in flash_flow, drawing in flash_draw.

use super::confirm::{cancel_confirm, typed_name};
use super::draw::{areas, render};
use super::flow::{act, stack_of};
use super::state::{PromptKind, Row};
use super::types::{FlashAction, FlashCmd};
use crate::flash::Target;
use crate::ui::action::Action;
use crate::ui::msg::Cmd;
use crate::ui::screen::{Screen, ScreenId};
use crate::ui::shared::{Shared, StatusLevel};
use crate::ui::text_input::{Completion, Edit, is_complete_key};
use crate::ui::theme::Role;
use ratatui::Frame;
use ratatui::crossterm::event::{KeyEvent, MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::{Margin, Position, Rect};
use std::path::PathBuf;

pub use super::confirm::{confirmed, quit_confirm};
pub use super::flow::report;

/// What the screen has asked the effects for, so each is asked once.
#[derive(Debug, Default)]
pub struct FlashScreen {
    asked_devices: bool,
    /// The stack (comma-joined) whose layout was asked for last.
    asked_layout: Option<String>,
    /// The workspace, stack and workspaces' stamp the build was checked for last.
    asked_inputs: Option<(String, String, Option<u64>)>,
}

/// Rows of the target list inside its border.
fn list_rows(sh: &Shared, area: Rect) -> usize {
    areas(area, sh)[0].inner(Margin::new(1, 1)).height as usize
}

fn arm(sh: &mut Shared) {
    let Some(Target::Device(d)) = sh.flash.selected() else {
        sh.set_status(
            StatusLevel::Info,
            "! only applies to a device the rules refuse",
        );
        return;
    };
    if sh.flash.armed.as_deref() == Some(d.name.as_str()) {
        sh.flash.armed = None;
        sh.set_status(
            StatusLevel::Info,
            format!("override of {} withdrawn", d.name),
        );
        return;
    }
    let v = &d.verdict;
    if v.writable {
        sh.set_status(
            StatusLevel::Info,
            format!("{} is writable; nothing to override", d.name),
        );
    } else if !v.overridable() {
        sh.set_status(
            StatusLevel::Error,
            format!(
                "{} is refused: {}; no override exists for that",
                d.name,
                v.describe()
            ),
        );
    } else {
        sh.set_status(
            StatusLevel::Warning,
            format!(
                "override armed for {}: f, i or w ask you to type its name before writing",
                d.name
            ),
        );
        sh.flash.armed = Some(d.name);
    }
}

/// Open the prompt for an image file target.
fn ask_target_file(sh: &mut Shared) {
    sh.flash.prompt = Some(super::state::Prompt {
        kind: PromptKind::TargetFile,
        title: "Write to an image file".into(),
        lines: vec![(
            Role::Dim,
            "A new file is created on the first write. An existing file: f formats it in place (it keeps its size), i installs into it, w replaces it with the image (its size becomes the image's).".into(),
        )],
        label: "File".into(),
        text: String::new(),
        danger: false,
        completion: Some(Completion::default()),
    });
}

impl Screen for FlashScreen {
    fn id(&self) -> ScreenId {
        ScreenId::Flash
    }

    fn update(&mut self, sh: &mut Shared, action: Action, area: Rect) -> Vec<Cmd> {
        let len = sh.flash.rows().len();
        let h = list_rows(sh, area);
        let page = h.saturating_sub(1).max(1) as isize;
        let c = &mut sh.flash.cursor;
        match action {
            Action::Up => c.step(-1, len, h),
            Action::Down => c.step(1, len, h),
            Action::PageUp => c.step(-page, len, h),
            Action::PageDown => c.step(page, len, h),
            Action::Top => c.set(0, len, h),
            Action::Bottom => c.set(len, len, h),
            Action::Refresh => {
                // The build is checked again too (refresh asks once this is cleared).
                self.asked_inputs = None;
                sh.set_status(StatusLevel::Info, "looking for devices again");
                return vec![Cmd::Flash(FlashCmd::ListDevices)];
            }
            Action::Choose => match sh.flash.row_at_cursor() {
                Row::AddFile => ask_target_file(sh),
                _ => sh.set_status(
                    StatusLevel::Info,
                    "f formats, i installs, w writes an image (each asks first)",
                ),
            },
            Action::Format => return act(sh, FlashAction::Format),
            Action::Install => return act(sh, FlashAction::Install),
            Action::WriteImage => return act(sh, FlashAction::WriteImage),
            Action::ForceUnsafe => arm(sh),
            Action::CancelWrite => cancel_confirm(sh),
            Action::Personalise => super::personalise::open(sh),
            _ => {}
        }
        Vec::new()
    }

    fn text_input(&mut self, sh: &mut Shared, key: &KeyEvent, _area: Rect) -> Option<Vec<Cmd>> {
        if sh.flash.persona.open {
            super::personalise::key(sh, key);
            return Some(Vec::new());
        }
        let prompt = sh.flash.prompt.as_mut()?;
        if is_complete_key(key)
            && let Some(c) = prompt.completion.as_mut()
        {
            // While cycling, Tab shows the next name; else the effects list the directory.
            if c.cycle(&mut prompt.text) {
                return Some(Vec::new());
            }
            return Some(vec![Cmd::Flash(FlashCmd::Complete(prompt.text.clone()))]);
        }
        match crate::ui::text_input::edit(&mut prompt.text, key) {
            Edit::Changed => {
                if let Some(c) = prompt.completion.as_mut() {
                    *c = Completion::default();
                }
            }
            Edit::Ignored => {}
            Edit::Cancelled => {
                sh.flash.prompt = None;
                sh.set_status(StatusLevel::Info, "cancelled; nothing was written");
            }
            Edit::Submitted => {
                let p = sh.flash.prompt.take()?;
                let text = p.text.trim().to_string();
                if text.is_empty() && !matches!(p.kind, PromptKind::TypedName { .. }) {
                    sh.set_status(StatusLevel::Info, "no path given; nothing was done");
                    return Some(Vec::new());
                }
                return Some(match p.kind {
                    PromptKind::TargetFile => {
                        vec![Cmd::Flash(FlashCmd::Resolve(PathBuf::from(text)))]
                    }
                    PromptKind::Image { target } => {
                        let path = PathBuf::from(&text);
                        sh.flash.pending = Some((target, path.clone()));
                        sh.set_status(StatusLevel::Info, format!("reading {text}…"));
                        vec![Cmd::Flash(FlashCmd::InspectImage(path))]
                    }
                    PromptKind::TypedName { name, request } => {
                        typed_name(sh, &name, *request, &text)
                    }
                });
            }
        }
        Some(Vec::new())
    }

    fn mouse(&mut self, sh: &mut Shared, ev: &MouseEvent, area: Rect) -> Vec<Cmd> {
        if sh.flash.prompt.is_some() || sh.flash.persona.open {
            return Vec::new();
        }
        let list = areas(area, sh)[0];
        let inner = list.inner(Margin::new(1, 1));
        let len = sh.flash.rows().len();
        let h = inner.height as usize;
        if !list.contains(Position::new(ev.column, ev.row)) {
            return Vec::new();
        }
        let c = &mut sh.flash.cursor;
        match ev.kind {
            MouseEventKind::ScrollUp => c.scroll(-3, len, h),
            MouseEventKind::ScrollDown => c.scroll(3, len, h),
            MouseEventKind::Down(MouseButton::Left)
                if inner.contains(Position::new(ev.column, ev.row)) =>
            {
                let mut at = *c;
                at.clamp(len, h);
                let i = at.offset + (ev.row - inner.y) as usize;
                if i < len {
                    c.set(i, len, h);
                }
            }
            _ => {}
        }
        Vec::new()
    }

    fn refresh(&mut self, sh: &Shared, _area: Rect) -> Vec<Cmd> {
        let mut cmds = Vec::new();
        if !self.asked_devices {
            self.asked_devices = true;
            cmds.push(Cmd::Flash(FlashCmd::ListDevices));
        }
        if let Some(stack) = stack_of(sh) {
            let joined = stack.joined();
            if self.asked_layout.as_deref() != Some(joined.as_str()) {
                self.asked_layout = Some(joined.clone());
                cmds.push(Cmd::Flash(FlashCmd::LoadLayout(stack.clone())));
            }
            // Again after a build or a switch: the stamp follows the workspaces' images/.
            let key = (sh.workspace.clone(), joined, sh.stamp);
            if self.asked_inputs.as_ref() != Some(&key) {
                self.asked_inputs = Some(key);
                cmds.push(Cmd::Flash(FlashCmd::CheckInputs {
                    workspace: sh.workspace.clone(),
                    stack: stack.clone(),
                }));
            }
        }
        cmds
    }

    fn render(&self, sh: &Shared, frame: &mut Frame, area: Rect) {
        render(sh, frame, area);
    }

    fn hints(&self) -> &'static [Action] {
        // The main action first: the status line drops hints from the end when short of room.
        &[
            Action::Format,
            Action::Install,
            Action::WriteImage,
            Action::CancelWrite,
        ]
    }
}

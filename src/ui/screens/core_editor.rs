//! The skiff-core editor, a pane of the Stack screen (`c`): the container image, the users
//! (container, shell, root keys) and the mounts of the config the stack installs, saved as
//! the workspace's override so the next build installs it.

use crate::model::core_config;
use crate::ui::action::Action;
use crate::ui::core_edit::{self as edit, Row, rows};
use crate::ui::core_jobs::{CoreCmd, CoreReport};
use crate::ui::msg::Cmd;
use crate::ui::shared::{Shared, StatusLevel};
use crate::ui::widgets::ListCursor;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::{Constraint, Layout, Margin, Rect};

/// What a prompt's text becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum PromptKind {
    AddUser,
    Shell(usize),
    AddMount,
    EditMount(usize),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Prompt {
    pub(super) kind: PromptKind,
    pub(super) text: String,
}

/// Workspace, resolved layers and save generation of a load request.
type LoadKey = (String, Vec<String>, u64);

#[derive(Debug, Default)]
pub struct CoreEditor {
    pub cursor: ListCursor,
    pub(super) prompt: Option<Prompt>,
    requested: Option<LoadKey>,
}

pub(super) fn areas(area: Rect) -> (Rect, Rect, Rect) {
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(area);
    (left, left.inner(Margin::new(1, 1)), right)
}

/// Rows of the list area: the header lines take three, a prompt one more.
pub(super) fn list_height(inner: Rect, prompt: bool) -> usize {
    (inner.height as usize).saturating_sub(3 + usize::from(prompt))
}

impl CoreEditor {
    /// Status bar hints; the last ones are kept when space is short.
    /// Main actions first: the status line keeps the first ones when short of room.
    pub const HINTS: &'static [Action] = &[
        Action::CoreSave,
        Action::EditCore,
        Action::CoreChange,
        Action::CoreAdd,
        Action::Remove,
        Action::Refresh,
    ];

    fn len(sh: &Shared) -> usize {
        sh.core.edit.as_ref().map_or(0, |c| rows(c).len())
    }

    fn selected(&self, sh: &Shared) -> Option<Row> {
        sh.core
            .edit
            .as_ref()
            .and_then(|c| rows(c).get(self.cursor.pos).copied())
    }

    pub fn update(&mut self, sh: &mut Shared, action: Action, area: Rect) -> Vec<Cmd> {
        let h = list_height(areas(area).1, self.prompt.is_some());
        let len = Self::len(sh);
        match action {
            Action::Up => self.cursor.step(-1, len, h),
            Action::Down => self.cursor.step(1, len, h),
            Action::Top => self.cursor.set(0, len, h),
            Action::Bottom => self.cursor.set(len, len, h),
            Action::CoreChange => self.change(sh),
            Action::CoreAdd => {
                let kind = match self.selected(sh) {
                    Some(Row::Mount(_) | Row::AddMount) => PromptKind::AddMount,
                    _ => PromptKind::AddUser,
                };
                self.ask(sh, kind, String::new());
            }
            Action::Remove => self.remove(sh),
            Action::CoreSave => return save(sh),
            Action::Refresh => {
                sh.core.dirty = false;
                self.requested = None;
                sh.set_status(StatusLevel::Info, "edits dropped; reloading the config");
            }
            _ => {}
        }
        Vec::new()
    }

    fn ask(&mut self, sh: &Shared, kind: PromptKind, text: String) {
        if sh.core.edit.is_some() {
            self.prompt = Some(Prompt { kind, text });
        }
    }

    fn change(&mut self, sh: &mut Shared) {
        let Some(row) = self.selected(sh) else {
            return;
        };
        let core = &mut sh.core;
        let Some(c) = core.edit.as_mut() else {
            return;
        };
        let choices = core
            .loaded
            .as_ref()
            .map(|l| l.choices.clone())
            .unwrap_or_default();
        let mut note = None;
        match row {
            Row::Image => match edit::next_choice(c, &choices) {
                Some(i) => {
                    edit::set_image(c, &choices[i], &choices);
                    note = Some(format!(
                        "image {} (shipped by {})",
                        choices[i].name, choices[i].layer
                    ));
                }
                None => note = Some("no layer of the tree ships a skiff-core image".into()),
            },
            Row::User(i) | Row::UserContainer(i) => edit::cycle_container(c, i),
            Row::UserKeys(i) => edit::toggle_keys(c, i),
            Row::UserShell(i) => {
                let shell = c.users[i].value.container_shell.join(" ");
                self.prompt = Some(Prompt {
                    kind: PromptKind::Shell(i),
                    text: shell,
                });
                return;
            }
            Row::Mount(j) => {
                let m = c.containers[0].value.mounts[j].value.clone();
                self.prompt = Some(Prompt {
                    kind: PromptKind::EditMount(j),
                    text: m,
                });
                return;
            }
            Row::AddUser => return self.ask(sh, PromptKind::AddUser, String::new()),
            Row::AddMount => return self.ask(sh, PromptKind::AddMount, String::new()),
        }
        sh.core.dirty = true;
        if let Some(n) = note {
            sh.set_status(StatusLevel::Info, n);
        }
    }

    fn remove(&mut self, sh: &mut Shared) {
        let row = self.selected(sh);
        let Some(c) = sh.core.edit.as_mut() else {
            return;
        };
        let what = match row {
            Some(Row::User(i) | Row::UserContainer(i) | Row::UserShell(i) | Row::UserKeys(i)) => {
                format!("removed user {}", c.users.remove(i).name)
            }
            Some(Row::Mount(j)) => {
                format!(
                    "removed mount {}",
                    c.containers[0].value.mounts.remove(j).value
                )
            }
            _ => {
                sh.set_status(StatusLevel::Info, "select a user or a mount to remove");
                return;
            }
        };
        sh.core.dirty = true;
        sh.set_status(StatusLevel::Ok, what);
    }

    /// Typing into the prompt; None when no prompt is open.
    pub fn text_input(&mut self, sh: &mut Shared, key: &KeyEvent) -> Option<Vec<Cmd>> {
        let p = self.prompt.as_mut()?;
        match key.code {
            KeyCode::Char(ch) if !key.modifiers.contains(KeyModifiers::CONTROL) => p.text.push(ch),
            KeyCode::Backspace => {
                p.text.pop();
            }
            KeyCode::Esc => self.prompt = None,
            KeyCode::Enter => {
                let p = self.prompt.take()?;
                self.apply(sh, p);
            }
            _ => {}
        }
        Some(Vec::new())
    }

    fn apply(&mut self, sh: &mut Shared, p: Prompt) {
        let Some(c) = sh.core.edit.as_mut() else {
            return;
        };
        let result = match p.kind {
            PromptKind::AddUser => {
                edit::add_user(c, &p.text).map(|_| format!("added user {}", p.text.trim()))
            }
            PromptKind::Shell(i) => edit::set_shell(c, i, &p.text).map(|_| "shell changed".into()),
            PromptKind::AddMount => {
                edit::add_mount(c, &p.text).map(|_| format!("added mount {}", p.text.trim()))
            }
            PromptKind::EditMount(j) => {
                edit::replace_mount(c, j, &p.text).map(|_| "mount changed".to_string())
            }
        };
        match result {
            Ok(msg) => {
                sh.core.dirty = true;
                sh.set_status(StatusLevel::Ok, msg);
            }
            Err(e) => sh.set_status(StatusLevel::Error, e),
        }
    }

    /// Asks for the config of the current workspace and stack when it is not loaded yet (and
    /// nothing is edited).
    pub fn refresh(&mut self, sh: &Shared, area: Rect) -> Vec<Cmd> {
        let h = list_height(areas(area).1, self.prompt.is_some());
        self.cursor.clamp(Self::len(sh), h);
        let Some(stack) = sh.stack.analysis.resolved.clone() else {
            return Vec::new();
        };
        let wanted = (
            sh.workspace.clone(),
            stack.layers.clone(),
            sh.core.generation,
        );
        if sh.core.dirty || self.requested.as_ref() == Some(&wanted) {
            return Vec::new();
        }
        self.requested = Some(wanted);
        vec![Cmd::Core(CoreCmd::Load {
            workspace: sh.workspace.clone(),
            stack,
        })]
    }

    /// Not loaded for the current workspace and stack yet.
    pub(super) fn pending(sh: &Shared) -> bool {
        let current = current_layers(sh);
        sh.core.key.as_ref().map(|(w, l)| (w, Some(l))) != Some((&sh.workspace, current))
    }
}

/// Checks the edited config and asks for it to be saved as the workspace override.
fn save(sh: &mut Shared) -> Vec<Cmd> {
    let Some(c) = sh.core.edit.clone() else {
        sh.set_status(
            StatusLevel::Warning,
            "nothing to save: no skiff-core config loaded",
        );
        return Vec::new();
    };
    if let Some(first) = core_config::check(&c).first() {
        sh.set_status(StatusLevel::Error, format!("not saved: {}", first.brief()));
        return Vec::new();
    }
    vec![Cmd::Core(CoreCmd::Save {
        workspace: sh.workspace.clone(),
        config: Box::new(c),
    })]
}

/// Applies a result to the shared state; a save is followed by a reload.
pub fn report(sh: &mut Shared, r: CoreReport) -> Vec<Cmd> {
    match r {
        CoreReport::Loaded {
            workspace,
            layers,
            result,
        } => {
            if workspace != sh.workspace || Some(&layers) != current_layers(sh) {
                return Vec::new();
            }
            sh.core.key = Some((workspace, layers));
            match result {
                Ok(l) => {
                    sh.core.edit = l.config.clone();
                    sh.core.dirty = false;
                    sh.core.error = None;
                    sh.core.loaded = Some(*l);
                }
                Err(e) => sh.core.error = Some(e),
            }
            Vec::new()
        }
        CoreReport::Saved { workspace, result } => match result {
            Ok(path) => {
                let shown = path.strip_prefix(&sh.root).unwrap_or(&path);
                sh.set_status(
                    StatusLevel::Ok,
                    format!(
                        "saved; the next build of {workspace} installs it: {}",
                        shown.display()
                    ),
                );
                sh.core.dirty = false;
                sh.core.generation += 1;
                Vec::new()
            }
            Err(e) => {
                sh.set_status(StatusLevel::Error, e);
                Vec::new()
            }
        },
    }
}

/// The resolved layers of the current stack.
pub fn current_layers(sh: &Shared) -> Option<&Vec<String>> {
    sh.stack.analysis.resolved.as_ref().map(|r| &r.layers)
}

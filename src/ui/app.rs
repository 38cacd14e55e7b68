//! The app: screens, overlays and shared data, and `update`, which turns messages into
//! state changes and effects without doing any I/O.

use super::action::Action;
use super::keys::KeySpec;
use super::msg::{Cmd, Msg, WorkerEvent};
use super::overlay::{Input, Overlay};
use super::screen::{Screen, ScreenId};
use super::shared::{Ask, Shared, StatusLevel};
use crate::model::names::workspace_name;
use crate::ui::text_input::{Edit, edit};
use ratatui::crossterm::event::{
    KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::text::Line;

/// Exit code for Ctrl-C, as for an interrupted command.
pub const INTERRUPTED: i32 = 130;

/// Smallest terminal the screens are laid out for.
pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;

pub struct App {
    pub shared: Shared,
    pub(super) screens: Vec<Box<dyn Screen>>,
    pub(super) active: usize,
    pub overlay: Option<Overlay>,
    pub(super) size: Rect,
}

/// The tab bar, the screen body and the status line.
pub fn chrome(area: Rect) -> (Rect, Rect, Rect) {
    let [tabs, body, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(area);
    (tabs, body, status)
}

impl App {
    pub fn new(shared: Shared, width: u16, height: u16) -> App {
        let screens = ScreenId::every()
            .map(|s| super::screen_list::create(s, &shared))
            .collect();
        App {
            shared,
            screens,
            active: 0,
            overlay: None,
            size: Rect::new(0, 0, width, height),
        }
    }

    /// Effects to run at start: list workspaces, merge the stack, load what the first
    /// screen shows.
    pub fn init(&mut self) -> Vec<Cmd> {
        let mut cmds = vec![Cmd::LoadWorkspaces, Cmd::Stamp];
        cmds.extend(self.shared.merge_cmd());
        cmds.extend(self.refresh());
        cmds
    }

    pub fn active(&self) -> ScreenId {
        self.screens[self.active].id()
    }

    /// The index of the tab the active screen is shown under (Flash for the batch screen).
    pub fn active_tab(&self) -> usize {
        let tab = self.active().tab();
        self.screens
            .iter()
            .position(|s| s.id() == tab)
            .unwrap_or(self.active)
    }

    pub fn size(&self) -> Rect {
        self.size
    }

    fn body(&self) -> Rect {
        chrome(self.size).1
    }

    fn refresh(&mut self) -> Vec<Cmd> {
        let body = self.body();
        self.screens[self.active].refresh(&self.shared, body)
    }

    /// Apply one message; return the effects it asks for.
    pub fn update(&mut self, msg: Msg) -> Vec<Cmd> {
        let mut cmds = match msg {
            Msg::Key(k) => self.key(k),
            Msg::Mouse(m) => self.mouse(m),
            Msg::Resize(w, h) => {
                self.size = Rect::new(0, 0, w, h);
                Vec::new()
            }
            Msg::Tick => vec![Cmd::Stamp],
            Msg::Worker(ev) => self.worker(ev),
        };
        if let Some(ask) = self.shared.ask.take() {
            self.overlay = Some(match ask {
                Ask::NewWorkspace => Overlay::Input(Input {
                    title: "New workspace".into(),
                    prompt: "Name".into(),
                    text: String::new(),
                    purpose: ask,
                }),
            });
        }
        if let Some(c) = self.shared.builds.confirm.take() {
            self.overlay = Some(Overlay::Confirm(c));
        }
        if let Some(c) = self.shared.flash.confirm.take() {
            self.overlay = Some(Overlay::Confirm(c));
        }
        if let Some(c) = self.shared.batch.confirm.take() {
            self.overlay = Some(Overlay::Confirm(c));
        }
        cmds.extend(self.refresh());
        cmds
    }

    fn key(&mut self, k: KeyEvent) -> Vec<Cmd> {
        if k.kind == KeyEventKind::Release {
            return Vec::new();
        }
        if k.code == KeyCode::Char('c') && k.modifiers.contains(KeyModifiers::CONTROL) {
            return vec![Cmd::Quit { code: INTERRUPTED }];
        }
        self.shared.status = None;
        if self.overlay.is_some() {
            return self.overlay_key(k);
        }
        let body = self.body();
        if let Some(cmds) = self.screens[self.active].text_input(&mut self.shared, &k, body) {
            return cmds;
        }
        let pane = self.active().name();
        match self
            .shared
            .keymap
            .lookup(pane, KeySpec::from_event(&k), true)
        {
            Some(a) => self.action(a),
            None => Vec::new(),
        }
    }

    /// Carry out an action for the focused screen (global ones are handled here).
    pub fn action(&mut self, a: Action) -> Vec<Cmd> {
        let n = ScreenId::ALL.len();
        match a {
            Action::Quit if self.shared.saving => self.shared.set_status(
                StatusLevel::Warning,
                "a configure is running; q works again when it is done (ctrl-c quits now)",
            ),
            Action::Quit => match super::screens::build::quit_confirm(&self.shared)
                .or_else(|| super::flash::screen::quit_confirm(&self.shared))
                .or_else(|| super::batch::screen::quit_confirm(&self.shared))
            {
                Some(c) => self.overlay = Some(Overlay::Confirm(c)),
                None => return vec![Cmd::Quit { code: 0 }],
            },
            Action::Help => {
                // The help leaves the first-run guide: whoever asks for keys knows their way.
                self.shared.guide = false;
                let sh = &self.shared;
                self.overlay = Some(Overlay::Help {
                    title: format!("Keys: {}", self.active().title()),
                    lines: super::overlay::help_lines(&sh.keymap, self.active().name(), &sh.theme),
                    scroll: 0,
                })
            }
            Action::Messages => {
                let sh = &self.shared;
                let history: Vec<_> = sh.history.iter().cloned().collect();
                let lines = message_lines(&history, &sh.theme);
                let max = super::overlay::help_scroll_max(&lines, self.size);
                self.overlay = Some(Overlay::Help {
                    title: format!("Messages (last {})", super::shared::HISTORY),
                    lines,
                    // Open on the newest.
                    scroll: max,
                })
            }
            Action::NextScreen => self.active = (self.active_tab() + 1) % n,
            Action::PrevScreen => self.active = (self.active_tab() + n - 1) % n,
            Action::Show(id) => {
                if let Some(i) = self.screens.iter().position(|s| s.id() == id) {
                    self.active = i;
                }
            }
            Action::Save => self.save(),
            Action::Undo => return self.shared.undo(),
            Action::Redo => return self.shared.redo(),
            other => {
                let body = self.body();
                return self.screens[self.active].update(&mut self.shared, other, body);
            }
        }
        Vec::new()
    }

    fn overlay_key(&mut self, k: KeyEvent) -> Vec<Cmd> {
        if let Some(Overlay::Input(input)) = &mut self.overlay {
            match edit(&mut input.text, &k) {
                Edit::Changed | Edit::Ignored => {}
                Edit::Cancelled => self.overlay = None,
                Edit::Submitted => {
                    let raw = input.text.trim().to_string();
                    let Ask::NewWorkspace = input.purpose;
                    self.overlay = None;
                    if raw.is_empty() {
                        self.shared
                            .set_status(StatusLevel::Error, "a workspace needs a name");
                        return Vec::new();
                    }
                    return vec![Cmd::CreateWorkspace(workspace_name(&raw))];
                }
            }
            return Vec::new();
        }
        let pane = self.overlay.as_ref().map(|o| o.pane()).unwrap_or_default();
        let action = self
            .shared
            .keymap
            .lookup(pane, KeySpec::from_event(&k), false);
        match (&mut self.overlay, action) {
            (Some(Overlay::Help { scroll, .. }), Some(Action::Up)) => {
                *scroll = scroll.saturating_sub(1)
            }
            (Some(Overlay::Help { scroll, lines, .. }), Some(Action::Down)) => {
                let max = super::overlay::help_scroll_max(lines, self.size);
                *scroll = (*scroll + 1).min(max);
            }
            (Some(Overlay::Confirm(_)), Some(Action::Confirm)) => {
                let Some(Overlay::Confirm(c)) = self.overlay.take() else {
                    return Vec::new();
                };
                super::screens::build::confirmed(&mut self.shared, &c.cmd);
                super::flash::screen::confirmed(&mut self.shared, &c.cmd);
                super::batch::screen::confirmed(&mut self.shared, &c.cmd);
                if let Cmd::Configure { workspace, .. } = &c.cmd {
                    self.shared.saving = true;
                    self.shared.set_status(
                        StatusLevel::Info,
                        format!("configuring workspace {workspace}…"),
                    );
                }
                return vec![c.cmd];
            }
            (Some(Overlay::Confirm(_)), Some(Action::Cancel)) => {
                self.overlay = None;
                self.shared
                    .set_status(StatusLevel::Info, "cancelled; nothing was written");
            }
            (_, Some(Action::Cancel)) => self.overlay = None,
            _ => {}
        }
        Vec::new()
    }

    fn mouse(&mut self, m: MouseEvent) -> Vec<Cmd> {
        if let Some(Overlay::Help { scroll, lines, .. }) = &mut self.overlay {
            let max = super::overlay::help_scroll_max(lines, self.size);
            match m.kind {
                MouseEventKind::ScrollDown => *scroll = (*scroll + 3).min(max),
                MouseEventKind::ScrollUp => *scroll = scroll.saturating_sub(1),
                _ => {}
            }
            return Vec::new();
        }
        if self.overlay.is_some() {
            return Vec::new();
        }
        let (tabs, body, _) = chrome(self.size);
        let pos = Position::new(m.column, m.row);
        if tabs.contains(pos) {
            if m.kind == MouseEventKind::Down(MouseButton::Left)
                && let Some(tab) = self
                    .tabs(tabs.width)
                    .into_iter()
                    .find(|t| (t.x0..t.x1).contains(&m.column))
            {
                self.active = tab.index;
            }
            return Vec::new();
        }
        if body.contains(pos) {
            return self.screens[self.active].mouse(&mut self.shared, &m, body);
        }
        Vec::new()
    }

    fn worker(&mut self, ev: WorkerEvent) -> Vec<Cmd> {
        let sh = &mut self.shared;
        match ev {
            WorkerEvent::Contents { layer, contents } => {
                sh.contents.insert(layer, *contents);
            }
            WorkerEvent::Merged { generation, result } => {
                if generation == sh.preview.generation {
                    sh.preview.pending = false;
                    match result {
                        Ok(d) => {
                            sh.preview.data = Some(d);
                            sh.preview.error = None;
                        }
                        Err(e) => {
                            sh.preview.data = None;
                            sh.preview.error = Some(e);
                        }
                    }
                }
            }
            WorkerEvent::Workspaces { list, now } => {
                sh.workspaces = Some(list);
                sh.now = now;
            }
            WorkerEvent::Stamp { stamp, now } => {
                // Ages ("configured 5 min ago") follow the clock on every tick.
                sh.now = now;
                // Anything that configures or builds (this app, the CLI in another
                // terminal) changes the stamp: reread the workspaces and the preview diff.
                let before = sh.stamp.replace(stamp);
                if before.is_some_and(|b| b != stamp) {
                    let mut cmds = vec![Cmd::LoadWorkspaces];
                    cmds.extend(sh.merge_cmd());
                    return cmds;
                }
            }
            WorkerEvent::Configured { workspace, result } => {
                sh.saving = false;
                match result {
                    Ok(summary) => {
                        sh.set_status(StatusLevel::Ok, summary);
                        let mut cmds = vec![Cmd::LoadWorkspaces];
                        if workspace == sh.workspace {
                            cmds.extend(sh.merge_cmd());
                        }
                        return cmds;
                    }
                    Err(e) => sh.set_status(
                        StatusLevel::Error,
                        format!("configure of {workspace} failed: {e}"),
                    ),
                }
            }
            WorkerEvent::WorkspaceCreated { name, result } => match result {
                Ok(()) => {
                    sh.workspace = name.clone();
                    sh.set_status(
                        StatusLevel::Ok,
                        format!("created workspace {name}; s saves the current stack into it"),
                    );
                    let mut cmds = vec![Cmd::LoadWorkspaces];
                    cmds.extend(sh.merge_cmd());
                    return cmds;
                }
                Err(e) => sh.set_status(
                    StatusLevel::Error,
                    format!("cannot create workspace {name}: {e}"),
                ),
            },
            WorkerEvent::Build { workspace, event } => {
                super::screens::build::event(sh, &workspace, *event)
            }
            WorkerEvent::Flash(r) => return super::flash::screen::report(sh, *r),
            WorkerEvent::Batch(r) => return super::batch::screen::report(sh, *r),
            WorkerEvent::Core(r) => return super::screens::core_editor::report(sh, *r),
            WorkerEvent::Push(r) => return super::push::screen::report(sh, *r),
            WorkerEvent::Failed(e) => sh.set_status(StatusLevel::Error, e),
        }
        Vec::new()
    }
}

/// The message history, oldest first, one line per message with its level's colour.
fn message_lines(
    history: &[super::shared::Status],
    theme: &super::theme::Theme,
) -> Vec<Line<'static>> {
    use super::shared::StatusLevel;
    if history.is_empty() {
        return vec![Line::styled(
            "No messages yet.",
            theme.style(super::theme::Role::Dim),
        )];
    }
    history
        .iter()
        .map(|m| {
            use super::theme::Role;
            let (mark, role) = match m.level {
                StatusLevel::Info => ("·", Role::Text),
                StatusLevel::Ok => ("✓", Role::Ok),
                StatusLevel::Warning => ("⚠", Role::Warning),
                StatusLevel::Error => ("✗", Role::Error),
            };
            Line::styled(format!("{mark} {}", m.text), theme.style(role))
        })
        .collect()
}

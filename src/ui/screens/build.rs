//! The build screen: keys and mouse over the builds of the session (start, cancel, follow,
//! scroll, search, switch workspace), and the confirmations; drawing is in build_draw.

use super::build_draw::{render_header, render_log, render_summary, render_tabs};
use crate::build::event::duration_text;
use crate::build::{BuildEvent, Status};
use crate::ui::action::Action;
use crate::ui::build_view::BuildView;
use crate::ui::msg::Cmd;
use crate::ui::overlay::Confirm;
use crate::ui::screen::{Screen, ScreenId};
use crate::ui::shared::{Shared, StatusLevel};
use crate::ui::text_input::{Edit, edit};
use crate::ui::theme::Role;
use crate::ui::widgets::pane;
use ratatui::Frame;
use ratatui::crossterm::event::{KeyEvent, MouseEvent, MouseEventKind};
use ratatui::layout::{Constraint, Layout, Margin, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// The build screen keeps no state of its own: builds live in `Shared::builds`.
#[derive(Debug, Default)]
pub struct BuildScreen;

/// Tab row, header, log pane, and the failure summary when there is one.
pub(super) fn areas(area: Rect, v: Option<&BuildView>) -> [Rect; 4] {
    let failed = v
        .and_then(|v| v.outcome.as_ref())
        .is_some_and(|o| o.status == Status::Failed);
    let summary = if failed {
        (area.height / 3).clamp(5, 12)
    } else {
        0
    };
    Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(3),
        Constraint::Min(3),
        Constraint::Length(summary),
    ])
    .areas(area)
}

/// Rows of the log text inside its border.
fn log_rows(area: Rect, v: Option<&BuildView>) -> usize {
    areas(area, v)[2].inner(Margin::new(1, 1)).height as usize
}

/// The confirmation to quit while builds run, if any run.
pub fn quit_confirm(sh: &Shared) -> Option<Confirm> {
    let running = sh.builds.running();
    if running.is_empty() {
        return None;
    }
    Some(Confirm {
        title: "Quit while building?".into(),
        lines: vec![
            (Role::Text, format!("Running: {}", running.join(", "))),
            (
                Role::Warning,
                "Quitting interrupts make (SIGINT); the logs stay in workspaces/<ws>/logs.".into(),
            ),
        ],
        yes: "quit".into(),
        cmd: Cmd::Quit { code: 0 },
        danger: true,
    })
}

/// A confirmed effect is about to run: record what the screen needs to know.
pub fn confirmed(sh: &mut Shared, cmd: &Cmd) {
    match cmd {
        Cmd::StartBuild { workspace, stack } => sh.builds.begin(workspace, &stack.joined()),
        Cmd::CancelBuild { workspace } => {
            if let Some(v) = sh.builds.get_mut(workspace) {
                v.cancelling = true;
            }
        }
        _ => {}
    }
}

/// A build event arrived; a finished build also says so on the status line.
pub fn event(sh: &mut Shared, ws: &str, ev: BuildEvent) {
    let Some(o) = sh.builds.apply(ws, ev) else {
        return;
    };
    let took = duration_text(o.progress.elapsed_secs);
    match o.status {
        Status::Succeeded => {
            sh.set_status(StatusLevel::Ok, format!("build of {ws} finished in {took}"))
        }
        Status::Cancelled => sh.set_status(StatusLevel::Info, format!("build of {ws} cancelled")),
        Status::Failed => {
            let f = o.failure.unwrap_or_default();
            let what = match (&f.package, &f.step) {
                (None, None) => f.error_line.clone().unwrap_or_else(|| f.headline()),
                _ => f.headline(),
            };
            sh.set_status(StatusLevel::Error, format!("build of {ws} failed: {what}"))
        }
    }
}

impl BuildScreen {
    fn start(&self, sh: &mut Shared) {
        let ws = sh.workspace.clone();
        if sh.builds.get(&ws).is_some_and(BuildView::running) {
            sh.set_status(
                StatusLevel::Info,
                format!("workspace {ws} is already building; c cancels it"),
            );
            return;
        }
        if let Some(n) = sh.stack.analysis.blocking() {
            let text = format!("cannot build: {}", n.text);
            sh.set_status(StatusLevel::Error, text);
            return;
        }
        let Some(stack) = sh
            .stack
            .analysis
            .resolved
            .clone()
            .filter(|r| !r.layers.is_empty())
        else {
            sh.set_status(
                StatusLevel::Error,
                "the stack is empty: add a board and a distro first",
            );
            return;
        };
        let same = sh.configured_stack() == Some(stack.joined().as_str());
        let mut lines = vec![
            (Role::Text, format!("Workspace {ws}, layer chain:")),
            (Role::Title, stack.joined()),
        ];
        lines.push(if same {
            (
                Role::Text,
                "Configured with this stack: configures again only if layer files changed.".into(),
            )
        } else {
            (
                Role::Warning,
                format!("Configures workspaces/.config_{ws} with this stack first."),
            )
        });
        lines.push((
            Role::Dim,
            "Buildroot runs for hours; c cancels, q asks before quitting.".into(),
        ));
        sh.builds.confirm = Some(Confirm {
            title: format!("Build workspace {ws}?"),
            lines,
            yes: "build".into(),
            cmd: Cmd::StartBuild {
                workspace: ws,
                stack,
            },
            danger: !same,
        });
    }

    fn cancel(&self, sh: &mut Shared) {
        let Some(v) = sh.builds.current().filter(|v| v.running()) else {
            sh.set_status(StatusLevel::Info, "no build is running here");
            return;
        };
        let ws = v.workspace.clone();
        sh.builds.confirm = Some(Confirm {
            title: format!("Cancel the build of {ws}?"),
            lines: vec![
                (
                    Role::Text,
                    "make gets SIGINT, as from Ctrl-C; what is built so far stays.".into(),
                ),
                (Role::Dim, "The log is kept in workspaces/<ws>/logs.".into()),
            ],
            yes: "cancel the build".into(),
            cmd: Cmd::CancelBuild { workspace: ws },
            danger: true,
        });
    }
}

impl Screen for BuildScreen {
    fn id(&self) -> ScreenId {
        ScreenId::Build
    }

    fn update(&mut self, sh: &mut Shared, action: Action, area: Rect) -> Vec<Cmd> {
        let h = log_rows(area, sh.builds.current());
        let page = h.saturating_sub(1).max(1) as isize;
        match action {
            Action::StartBuild => self.start(sh),
            Action::CancelBuild => self.cancel(sh),
            Action::PrevTab => sh.builds.cycle(false),
            Action::NextTab => sh.builds.cycle(true),
            _ => {
                let Some(v) = sh.builds.current_mut() else {
                    return Vec::new();
                };
                let log = &mut v.log;
                match action {
                    Action::Up => log.scroll(-1, h),
                    Action::Down => log.scroll(1, h),
                    Action::PageUp => log.scroll(-page, h),
                    Action::PageDown => log.scroll(page, h),
                    Action::Top => log.top(h),
                    Action::Bottom => log.bottom(),
                    Action::ToggleFollow => log.toggle_follow(),
                    Action::Search => {
                        log.typing = true;
                        log.query.clear();
                        log.hit = None;
                    }
                    Action::ClearFilter => {
                        log.query.clear();
                        log.hit = None;
                    }
                    Action::NextMatch | Action::PrevMatch => {
                        let forward = action == Action::NextMatch;
                        if !log.find(forward, h) {
                            let which = if forward { "newer" } else { "older" };
                            sh.set_status(StatusLevel::Info, format!("no {which} match"));
                        }
                    }
                    _ => {}
                }
            }
        }
        Vec::new()
    }

    fn text_input(&mut self, sh: &mut Shared, key: &KeyEvent, area: Rect) -> Option<Vec<Cmd>> {
        let h = log_rows(area, sh.builds.current());
        let log = &mut sh.builds.current_mut()?.log;
        if !log.typing {
            return None;
        }
        match edit(&mut log.query, key) {
            Edit::Changed => {}
            Edit::Cancelled => {
                log.query.clear();
                log.typing = false;
            }
            Edit::Submitted => {
                log.typing = false;
                log.hit = None;
                log.bottom();
                if !log.find(false, h) && !log.query.is_empty() {
                    let q = log.query.clone();
                    sh.set_status(StatusLevel::Info, format!("`{q}` is not in the log"));
                }
            }
            Edit::Ignored => return None,
        }
        Some(Vec::new())
    }

    fn mouse(&mut self, sh: &mut Shared, ev: &MouseEvent, area: Rect) -> Vec<Cmd> {
        let [_, _, log_area, _] = areas(area, sh.builds.current());
        let h = log_rows(area, sh.builds.current());
        if !log_area.contains(Position::new(ev.column, ev.row)) {
            return Vec::new();
        }
        if let Some(v) = sh.builds.current_mut() {
            match ev.kind {
                MouseEventKind::ScrollUp => v.log.scroll(-3, h),
                MouseEventKind::ScrollDown => v.log.scroll(3, h),
                _ => {}
            }
        }
        Vec::new()
    }

    fn render(&self, sh: &Shared, frame: &mut Frame, area: Rect) {
        let t = &sh.theme;
        let v = sh.builds.current();
        let [tabs, header, log_area, summary] = areas(area, v);
        render_tabs(sh, frame, tabs);
        let Some(v) = v else {
            let text = vec![
                Line::from(Span::styled("No build yet.", t.style(Role::Title))),
                Line::from(format!(
                    "Press b to build workspace {} with the current stack.",
                    sh.workspace
                )),
                Line::from(Span::styled(
                    "Several workspaces can build at once; [ and ] switch between them.",
                    t.style(Role::Dim),
                )),
            ];
            frame.render_widget(
                Paragraph::new(text).block(pane(" Build ", true, t)),
                header.union(log_area),
            );
            return;
        };
        render_header(sh, v, frame, header);
        render_log(sh, v, frame, log_area);
        if summary.height > 0 {
            render_summary(sh, v, frame, summary);
        }
    }

    fn hints(&self) -> &'static [Action] {
        // The main action first: the status line drops hints from the end when short of room.
        &[
            Action::StartBuild,
            Action::CancelBuild,
            Action::Search,
            Action::ToggleFollow,
        ]
    }
}

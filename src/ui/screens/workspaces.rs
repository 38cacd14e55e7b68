//! Workspaces: list them with their stacks, switch to one, create one.

use crate::model::names::split_list;
use crate::model::workspace::WorkspaceInfo;
use crate::ui::action::Action;
use crate::ui::msg::Cmd;
use crate::ui::screen::{Screen, ScreenId};
use crate::ui::shared::{Ask, Shared, StatusLevel};
use crate::ui::theme::Role;
use crate::ui::widgets::{ListCursor, fit, list_row, pad, pane};
use ratatui::Frame;
use ratatui::crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::{Constraint, Layout, Margin, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

#[derive(Debug, Default)]
pub struct WorkspacesScreen {
    pub cursor: ListCursor,
}

/// A listed workspace, or the current one before anything exists on disk.
struct Row<'a> {
    name: &'a str,
    info: Option<&'a WorkspaceInfo>,
}

fn rows(sh: &Shared) -> Vec<Row<'_>> {
    let mut v: Vec<Row> = sh
        .workspaces
        .iter()
        .flatten()
        .map(|w| Row {
            name: &w.name,
            info: Some(w),
        })
        .collect();
    if !v.iter().any(|r| r.name == sh.workspace) {
        v.push(Row {
            name: &sh.workspace,
            info: None,
        });
    }
    v
}

fn areas(area: Rect) -> (Rect, Rect, Rect) {
    let [list, detail] =
        Layout::vertical([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(area);
    (list, list.inner(Margin::new(1, 1)), detail)
}

/// "5 min ago"-style age of `then` as seen at `now` (seconds since the epoch).
pub fn age(now: u64, then: u64) -> String {
    let d = now.saturating_sub(then);
    match d {
        0..60 => "just now".into(),
        60..3600 => format!("{} min ago", d / 60),
        3600..86400 => format!("{} h ago", d / 3600),
        _ => format!("{} days ago", d / 86400),
    }
}

impl WorkspacesScreen {
    fn switch(&self, sh: &mut Shared) -> Vec<Cmd> {
        let (name, stack) = {
            let rs = rows(sh);
            let Some(r) = rs.get(self.cursor.pos) else {
                return Vec::new();
            };
            let stack = r.info.and_then(|i| {
                let chain = i.stack.as_deref()?;
                Some(crate::model::workspace::stack_to_edit(
                    &sh.catalog,
                    i.typed.as_deref(),
                    chain,
                ))
            });
            (r.name.to_string(), stack)
        };
        if name == sh.workspace {
            sh.set_status(
                StatusLevel::Info,
                format!("{name} is the current workspace"),
            );
            return Vec::new();
        }
        sh.workspace = name.clone();
        let mut cmds = match &stack {
            Some(s) => sh.set_stack(split_list(s).into_iter().map(str::to_string).collect()),
            None => Vec::new(),
        };
        if cmds.is_empty() {
            cmds = sh.merge_cmd();
        }
        let what = match stack {
            Some(_) => "its stack is loaded",
            None => "it was never configured, so the stack is kept",
        };
        sh.set_status(
            StatusLevel::Ok,
            format!("switched to workspace {name}; {what}"),
        );
        cmds
    }
}

impl Screen for WorkspacesScreen {
    fn id(&self) -> ScreenId {
        ScreenId::Workspaces
    }

    fn update(&mut self, sh: &mut Shared, action: Action, area: Rect) -> Vec<Cmd> {
        let h = areas(area).1.height as usize;
        let len = rows(sh).len();
        match action {
            Action::Up => self.cursor.step(-1, len, h),
            Action::Down => self.cursor.step(1, len, h),
            Action::Top => self.cursor.set(0, len, h),
            Action::Bottom => self.cursor.set(len, len, h),
            Action::SwitchWorkspace => return self.switch(sh),
            Action::NewWorkspace => sh.ask = Some(Ask::NewWorkspace),
            Action::Refresh => return vec![Cmd::LoadWorkspaces],
            _ => {}
        }
        Vec::new()
    }

    fn mouse(&mut self, sh: &mut Shared, ev: &MouseEvent, area: Rect) -> Vec<Cmd> {
        let (list, inner, _) = areas(area);
        let len = rows(sh).len();
        let h = inner.height as usize;
        let pos = Position::new(ev.column, ev.row);
        match ev.kind {
            MouseEventKind::ScrollDown if list.contains(pos) => self.cursor.step(1, len, h),
            MouseEventKind::ScrollUp if list.contains(pos) => self.cursor.step(-1, len, h),
            MouseEventKind::Down(MouseButton::Left) if inner.contains(pos) => {
                let i = self.cursor.offset + (ev.row - inner.y) as usize;
                if i < len {
                    self.cursor.set(i, len, h);
                }
            }
            _ => {}
        }
        Vec::new()
    }

    fn refresh(&mut self, sh: &Shared, area: Rect) -> Vec<Cmd> {
        self.cursor
            .clamp(rows(sh).len(), areas(area).1.height as usize);
        Vec::new()
    }

    fn render(&self, sh: &Shared, frame: &mut Frame, area: Rect) {
        let t = &sh.theme;
        let (list, inner, detail) = areas(area);
        let rs = rows(sh);
        frame.render_widget(pane(format!(" Workspaces ({}) ", rs.len()), true, t), list);
        if sh.workspaces.is_none() {
            frame.render_widget(
                Span::styled("Reading workspaces…", t.style(Role::Dim)),
                inner,
            );
        }
        let width = inner.width as usize;
        for (i, r) in self.cursor.window(rs.len(), inner) {
            let ws = &rs[i];
            let current = ws.name == sh.workspace;
            let selected = i == self.cursor.pos;
            let state = match ws.info.and_then(|w| w.configured_at) {
                Some(at) => format!("configured {}", age(sh.now, at)),
                None if ws.info.is_some() => "not configured".to_string(),
                None => "new, not configured".to_string(),
            };
            let stack = ws
                .info
                .and_then(|w| w.stack.clone())
                .unwrap_or_else(|| "-".into());
            let line = Line::from(vec![
                Span::styled(if current { "▶ " } else { "  " }, t.style(Role::Ok)),
                Span::styled(pad(ws.name, 14), t.style(Role::Title)),
                Span::styled(pad(&state, 24), t.style(Role::Dim)),
                Span::raw(fit(&stack, width.saturating_sub(41))),
            ]);
            list_row(frame, r, line, t, selected);
        }
        let mut lines = Vec::new();
        if let Some(ws) = rs.get(self.cursor.pos) {
            let current = if ws.name == sh.workspace {
                " (current)"
            } else {
                ""
            };
            lines.push(Line::from(Span::styled(
                format!("{}{current}", ws.name),
                t.style(Role::Title),
            )));
            match ws.info.and_then(|w| w.stack.as_deref()) {
                Some(s) => {
                    for (n, layer) in split_list(s).into_iter().enumerate() {
                        lines.push(Line::from(format!("{:>3}  {layer}", n + 1)));
                    }
                }
                None => lines.push(Line::from(Span::styled(
                    "No stack yet: save one from the Stack screen (s).",
                    t.style(Role::Dim),
                ))),
            }
            let out = match ws.info {
                Some(w) if w.has_output => format!("workspaces/{} (present)", ws.name),
                _ => "none yet".to_string(),
            };
            lines.push(Line::from(vec![
                Span::styled("Buildroot output: ", t.style(Role::Dim)),
                Span::raw(out),
            ]));
        }
        frame.render_widget(
            Paragraph::new(lines).block(pane(" Stack of the selected workspace ", false, t)),
            detail,
        );
    }

    fn hints(&self) -> &'static [Action] {
        &[Action::SwitchWorkspace, Action::NewWorkspace]
    }
}

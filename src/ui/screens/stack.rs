//! The stack composer: the stack as typed and as resolved, reorder, remove, inline warnings.

use crate::model::board::is_board;
use crate::ui::action::Action;
use crate::ui::analysis::{Level, Note};
use crate::ui::msg::Cmd;
use crate::ui::screen::{Screen, ScreenId};
use crate::ui::shared::{Shared, StatusLevel};
use crate::ui::theme::Role;
use crate::ui::widgets::{ListCursor, fit, list_row, pad, pane};
use ratatui::Frame;
use ratatui::crossterm::event::{KeyEvent, MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::{Constraint, Layout, Margin, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

#[derive(Debug, Default)]
pub struct StackScreen {
    pub cursor: ListCursor,
    /// The skiff-core editor, when open (`c`).
    pub core: Option<super::core_editor::CoreEditor>,
}

struct Areas {
    typed: Rect,
    typed_rows: Rect,
    resolved: Rect,
    notes: Rect,
}

fn areas(sh: &Shared, area: Rect) -> Areas {
    let n = sh.stack.analysis.notes.len().max(1) as u16;
    let notes_h = (n + 2).clamp(3, (area.height / 3).max(3));
    let [top, notes] =
        Layout::vertical([Constraint::Min(5), Constraint::Length(notes_h)]).areas(area);
    let [typed, resolved] =
        Layout::horizontal([Constraint::Percentage(42), Constraint::Percentage(58)]).areas(top);
    Areas {
        typed,
        typed_rows: typed.inner(Margin::new(1, 1)),
        resolved,
        notes,
    }
}

fn mark(t: &crate::ui::theme::Theme, notes: &[&Note]) -> Span<'static> {
    if notes.iter().any(|n| n.level == Level::Error) {
        Span::styled("✗ ", t.style(Role::Error))
    } else if !notes.is_empty() {
        Span::styled("⚠ ", t.style(Role::Warning))
    } else {
        Span::raw("  ")
    }
}

impl StackScreen {
    fn len(sh: &Shared) -> usize {
        sh.stack.typed.len()
    }

    fn move_item(&mut self, sh: &mut Shared, delta: isize, h: usize) -> Vec<Cmd> {
        let len = Self::len(sh);
        let from = self.cursor.pos;
        let to = from.saturating_add_signed(delta);
        if len < 2 || from >= len || to >= len || to == from {
            return Vec::new();
        }
        let mut typed = sh.stack.typed.clone();
        typed.swap(from, to);
        let name = typed[to].clone();
        let cmds = sh.set_stack(typed);
        self.cursor.set(to, len, h);
        sh.set_status(StatusLevel::Ok, format!("moved {name} to #{}", to + 1));
        cmds
    }

    fn remove(&mut self, sh: &mut Shared, h: usize) -> Vec<Cmd> {
        let pos = self.cursor.pos;
        if pos >= Self::len(sh) {
            return Vec::new();
        }
        let mut typed = sh.stack.typed.clone();
        let name = typed.remove(pos);
        let len = typed.len();
        let cmds = sh.set_stack(typed);
        self.cursor.set(pos, len, h);
        let undo = sh
            .keymap
            .first_key("stack", Action::Undo)
            .map(|k| k.to_string())
            .unwrap_or_else(|| "undo".into());
        sh.set_status(
            StatusLevel::Ok,
            format!("removed {name} from the stack ({undo} undoes)"),
        );
        cmds
    }

    fn typed_lines(&self, sh: &Shared, width: usize) -> Vec<Line<'static>> {
        let t = &sh.theme;
        let name_w = sh
            .stack
            .typed
            .iter()
            .map(|n| n.chars().count())
            .max()
            .unwrap_or(0)
            .min(24);
        sh.stack
            .typed
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let notes: Vec<&Note> = sh.stack.analysis.notes_for(name).collect();
                let mut spans = vec![
                    Span::styled(format!("{:>2} ", i + 1), t.style(Role::Dim)),
                    mark(t, &notes),
                    Span::raw(pad(name, name_w)),
                ];
                if is_board(name) {
                    spans.push(Span::styled(" board", t.style(Role::Dim)));
                }
                if let Some(n) = notes.first() {
                    let role = if n.level == Level::Error {
                        Role::Error
                    } else {
                        Role::Warning
                    };
                    let room = width.saturating_sub(name_w + 12);
                    spans.push(Span::styled(
                        format!(" · {}", fit(n.short, room)),
                        t.style(role),
                    ));
                }
                Line::from(spans)
            })
            .collect()
    }

    fn resolved_lines(&self, sh: &Shared) -> Vec<Line<'static>> {
        let t = &sh.theme;
        let dim = t.style(Role::Dim);
        let mut out = vec![Line::from(Span::styled("   configs-base/pre", dim))];
        let Some(r) = &sh.stack.analysis.resolved else {
            let why = if sh.stack.typed.is_empty() {
                "The stack is empty: pick a board and a distro on the Layers screen (1)."
            } else {
                "The stack does not resolve; see the warnings below."
            };
            out.push(Line::from(Span::styled(why, dim)));
            return out;
        };
        for name in &r.layers {
            let notes: Vec<&Note> = sh.stack.analysis.notes_for(name).collect();
            let mut spans = vec![Span::raw(" "), mark(t, &notes)];
            match r.inserted.iter().find(|(d, _)| d == name) {
                Some((_, by)) => {
                    spans.push(Span::styled(format!("{name:<20}"), t.style(Role::Inserted)));
                    spans.push(Span::styled(format!(" + needed by {by}"), dim));
                }
                None => spans.push(Span::raw(name.clone())),
            }
            out.push(Line::from(spans));
        }
        for tail in [
            "overrides".to_string(),
            format!("overrides/workspaces/{}", sh.workspace),
            "configs-base/post".to_string(),
        ] {
            out.push(Line::from(Span::styled(format!("   {tail}"), dim)));
        }
        if let Some(bt) = &r.build_target {
            out.push(Line::from(Span::styled(
                format!("   build target: {bt}"),
                dim,
            )));
        }
        out
    }
}

impl Screen for StackScreen {
    fn id(&self) -> ScreenId {
        ScreenId::Stack
    }

    fn update(&mut self, sh: &mut Shared, action: Action, area: Rect) -> Vec<Cmd> {
        match (&mut self.core, action) {
            (Some(_), Action::EditCore) => self.core = None,
            (None, Action::EditCore) => self.core = Some(Default::default()),
            (Some(ed), a) => return ed.update(sh, a, area),
            (None, _) => {}
        }
        let h = areas(sh, area).typed_rows.height as usize;
        let len = Self::len(sh);
        match action {
            Action::Up => self.cursor.step(-1, len, h),
            Action::Down => self.cursor.step(1, len, h),
            Action::Top => self.cursor.set(0, len, h),
            Action::Bottom => self.cursor.set(len, len, h),
            Action::MoveUp => return self.move_item(sh, -1, h),
            Action::MoveDown => return self.move_item(sh, 1, h),
            Action::Remove => return self.remove(sh, h),
            _ => {}
        }
        Vec::new()
    }

    fn text_input(&mut self, sh: &mut Shared, key: &KeyEvent, _area: Rect) -> Option<Vec<Cmd>> {
        self.core.as_mut()?.text_input(sh, key)
    }

    fn mouse(&mut self, sh: &mut Shared, ev: &MouseEvent, area: Rect) -> Vec<Cmd> {
        if self.core.is_some() {
            return Vec::new();
        }
        let a = areas(sh, area);
        let len = Self::len(sh);
        let h = a.typed_rows.height as usize;
        let pos = Position::new(ev.column, ev.row);
        if !a.typed.contains(pos) {
            return Vec::new();
        }
        match ev.kind {
            MouseEventKind::ScrollDown => self.cursor.step(1, len, h),
            MouseEventKind::ScrollUp => self.cursor.step(-1, len, h),
            MouseEventKind::Down(MouseButton::Left) if a.typed_rows.contains(pos) => {
                let i = self.cursor.offset + (ev.row - a.typed_rows.y) as usize;
                if i < len {
                    self.cursor.set(i, len, h);
                }
            }
            _ => {}
        }
        Vec::new()
    }

    fn refresh(&mut self, sh: &Shared, area: Rect) -> Vec<Cmd> {
        if let Some(ed) = &mut self.core {
            return ed.refresh(sh, area);
        }
        let h = areas(sh, area).typed_rows.height as usize;
        self.cursor.clamp(Self::len(sh), h);
        Vec::new()
    }

    fn render(&self, sh: &Shared, frame: &mut Frame, area: Rect) {
        if let Some(ed) = &self.core {
            return ed.render(sh, frame, area);
        }
        let t = &sh.theme;
        let a = areas(sh, area);
        let title = format!(" Stack as typed ({}) ", sh.stack.typed.len());
        frame.render_widget(pane(title, true, t), a.typed);
        let lines = self.typed_lines(sh, a.typed_rows.width as usize);
        if lines.is_empty() {
            frame.render_widget(
                Paragraph::new(
                    "Empty. Add layers on the Layers screen (1): a board, then a distro.",
                )
                .style(t.style(Role::Dim))
                .wrap(Wrap { trim: true }),
                a.typed_rows,
            );
        }
        for (i, r) in self.cursor.window(lines.len(), a.typed_rows) {
            let selected = i == self.cursor.pos;
            list_row(frame, r, lines[i].clone(), t, selected);
        }
        let n = sh
            .stack
            .analysis
            .resolved
            .as_ref()
            .map(|r| r.layers.len())
            .unwrap_or(0);
        frame.render_widget(
            Paragraph::new(self.resolved_lines(sh))
                .block(pane(
                    format!(" Resolved chain ({n}), merge order "),
                    false,
                    t,
                ))
                .wrap(Wrap { trim: false }),
            a.resolved,
        );
        let notes = &sh.stack.analysis.notes;
        let lines: Vec<Line> = if notes.is_empty() {
            vec![Line::from(Span::styled("No warnings.", t.style(Role::Ok)))]
        } else {
            notes
                .iter()
                .map(|n| {
                    let (m, role) = match n.level {
                        Level::Error => ("✗ ", Role::Error),
                        Level::Warning => ("⚠ ", Role::Warning),
                    };
                    Line::from(vec![
                        Span::styled(m, t.style(role)),
                        Span::styled(n.text.clone(), t.style(role)),
                    ])
                })
                .collect()
        };
        frame.render_widget(
            Paragraph::new(lines)
                .block(pane(format!(" Warnings ({}) ", notes.len()), false, t))
                .wrap(Wrap { trim: false }),
            a.notes,
        );
    }

    fn hints(&self) -> &'static [Action] {
        if self.core.is_some() {
            return super::core_editor::CoreEditor::HINTS;
        }
        &[
            Action::MoveUp,
            Action::MoveDown,
            Action::Remove,
            Action::Undo,
        ]
    }
}

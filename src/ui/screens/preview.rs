//! The merged-config preview: per-kind symbols with provenance, override chains, search,
//! and the diff against the workspace's last configure.

use crate::model::diff::Change;
use crate::model::{ConfigKind, SymbolHistory};
use crate::ui::action::Action;
use crate::ui::msg::{Cmd, PreviewData};
use crate::ui::screen::{Screen, ScreenId};
use crate::ui::shared::Shared;
use crate::ui::theme::Role;
use crate::ui::widgets::{ListCursor, pane, row, substring_hits};
use ratatui::Frame;
use ratatui::crossterm::event::{
    KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use ratatui::layout::{Constraint, Layout, Margin, Position, Rect};
use ratatui::text::Span;
use ratatui::widgets::Paragraph;

const LABELS: [&str; 4] = ["Buildroot", "kernel", "u-boot", "busybox"];

#[derive(Debug, Default)]
pub struct PreviewScreen {
    pub kind: usize,
    pub cursor: ListCursor,
    pub query: String,
    pub typing: bool,
    pub diff: bool,
    pub overridden_only: bool,
}

/// A row of the list: a symbol or a change, with search hits in its symbol name.
pub(super) enum Item<'a> {
    Symbol(&'a SymbolHistory, Vec<usize>),
    Change(&'a Change, Vec<usize>),
}

struct Areas {
    tabs: Rect,
    info: Rect,
    list: Rect,
    rows: Rect,
    detail: Rect,
}

fn areas(area: Rect) -> Areas {
    let [tabs, info, list, detail] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(7),
    ])
    .areas(area);
    Areas {
        tabs,
        info,
        list,
        rows: list.inner(Margin::new(1, 1)),
        detail,
    }
}

impl PreviewScreen {
    pub(super) fn kind(&self) -> ConfigKind {
        ConfigKind::ALL[self.kind.min(3)]
    }

    fn items<'a>(&self, data: &'a PreviewData) -> Vec<Item<'a>> {
        let kind = self.kind();
        let q = self.query.trim();
        if self.diff {
            data.diff
                .iter()
                .filter(|c| c.kind == kind)
                .filter_map(|c| {
                    let hits = substring_hits(&c.symbol, q).or_else(|| {
                        let v = format!("{:?}{:?}", c.before, c.after);
                        substring_hits(&v, q).map(|_| Vec::new())
                    })?;
                    Some(Item::Change(c, hits))
                })
                .collect()
        } else {
            data.merged
                .config(kind)
                .symbols
                .iter()
                .filter(|h| !self.overridden_only || h.overridden())
                .filter_map(|h| {
                    let hits = substring_hits(&h.symbol, q).or_else(|| {
                        substring_hits(&h.effective.value.display(), q).map(|_| Vec::new())
                    })?;
                    Some(Item::Symbol(h, hits))
                })
                .collect()
        }
    }

    pub(super) fn count(&self, sh: &Shared) -> usize {
        sh.preview
            .data
            .as_ref()
            .map(|d| self.items(d).len())
            .unwrap_or(0)
    }

    /// Tab labels with their x ranges, for drawing and clicks.
    fn tabs(&self, sh: &Shared, area: Rect) -> Vec<(String, u16, u16)> {
        let mut x = area.x;
        let mut out = Vec::new();
        for (i, label) in LABELS.iter().enumerate() {
            let kind = ConfigKind::ALL[i];
            let n = sh.preview.data.as_ref().map(|d| {
                if self.diff {
                    d.diff.iter().filter(|c| c.kind == kind).count()
                } else {
                    d.merged.config(kind).symbols.len()
                }
            });
            let text = match n {
                Some(n) => format!(" {label} {n} "),
                None => format!(" {label} "),
            };
            let w = text.chars().count() as u16;
            out.push((text, x, x + w));
            x += w + 1;
        }
        out
    }
}

impl Screen for PreviewScreen {
    fn id(&self) -> ScreenId {
        ScreenId::Preview
    }

    fn update(&mut self, sh: &mut Shared, action: Action, area: Rect) -> Vec<Cmd> {
        let h = areas(area).rows.height as usize;
        let len = self.count(sh);
        let page = h.saturating_sub(1).max(1) as isize;
        match action {
            Action::Up => self.cursor.step(-1, len, h),
            Action::Down => self.cursor.step(1, len, h),
            Action::PageUp => self.cursor.step(-page, len, h),
            Action::PageDown => self.cursor.step(page, len, h),
            Action::Top => self.cursor.set(0, len, h),
            Action::Bottom => self.cursor.set(len, len, h),
            Action::PrevTab => self.kind = (self.kind + 3) % 4,
            Action::NextTab => self.kind = (self.kind + 1) % 4,
            Action::Search => {
                self.typing = true;
                self.query.clear();
            }
            Action::ClearFilter => {
                self.query.clear();
                self.typing = false;
            }
            Action::ToggleDiff => self.diff = !self.diff,
            Action::ToggleOverridden => self.overridden_only = !self.overridden_only,
            _ => return Vec::new(),
        }
        if matches!(
            action,
            Action::PrevTab | Action::NextTab | Action::ToggleDiff | Action::ToggleOverridden
        ) {
            self.cursor = ListCursor::default();
        }
        Vec::new()
    }

    fn text_input(&mut self, sh: &mut Shared, key: &KeyEvent, area: Rect) -> Option<Vec<Cmd>> {
        if !self.typing {
            return None;
        }
        let h = areas(area).rows.height as usize;
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Char('u') if ctrl => self.query.clear(),
            KeyCode::Char(c) if !ctrl && !key.modifiers.contains(KeyModifiers::ALT) => {
                self.query.push(c)
            }
            KeyCode::Backspace => {
                self.query.pop();
            }
            KeyCode::Esc => {
                self.query.clear();
                self.typing = false;
            }
            KeyCode::Enter => self.typing = false,
            KeyCode::Up => self.cursor.step(-1, self.count(sh), h),
            KeyCode::Down => self.cursor.step(1, self.count(sh), h),
            _ => return None,
        }
        if matches!(
            key.code,
            KeyCode::Char(_) | KeyCode::Backspace | KeyCode::Esc
        ) {
            self.cursor = ListCursor::default();
        }
        Some(Vec::new())
    }

    fn mouse(&mut self, sh: &mut Shared, ev: &MouseEvent, area: Rect) -> Vec<Cmd> {
        let a = areas(area);
        let h = a.rows.height as usize;
        let len = self.count(sh);
        let pos = Position::new(ev.column, ev.row);
        match ev.kind {
            MouseEventKind::ScrollDown if a.list.contains(pos) => self.cursor.scroll(3, len, h),
            MouseEventKind::ScrollUp if a.list.contains(pos) => self.cursor.scroll(-3, len, h),
            MouseEventKind::Down(MouseButton::Left) if a.rows.contains(pos) => {
                let i = self.cursor.offset + (ev.row - a.rows.y) as usize;
                if i < len {
                    self.cursor.set(i, len, h);
                }
            }
            MouseEventKind::Down(MouseButton::Left) if a.tabs.contains(pos) => {
                if let Some(i) = self
                    .tabs(sh, a.tabs)
                    .iter()
                    .position(|(_, x0, x1)| (*x0..*x1).contains(&ev.column))
                {
                    self.kind = i;
                    self.cursor = ListCursor::default();
                }
            }
            _ => {}
        }
        Vec::new()
    }

    fn refresh(&mut self, sh: &Shared, area: Rect) -> Vec<Cmd> {
        self.cursor
            .clamp(self.count(sh), areas(area).rows.height as usize);
        Vec::new()
    }

    fn render(&self, sh: &Shared, frame: &mut Frame, area: Rect) {
        let t = &sh.theme;
        let a = areas(area);
        for (i, (text, x0, x1)) in self.tabs(sh, a.tabs).into_iter().enumerate() {
            if x0 >= a.tabs.right() {
                break;
            }
            let role = if i == self.kind {
                Role::TabActive
            } else {
                Role::Tab
            };
            let r = Rect::new(x0, a.tabs.y, (x1 - x0).min(a.tabs.right() - x0), 1);
            frame.render_widget(Span::styled(text, t.style(role)), r);
        }
        frame.render_widget(self.info_line(sh), a.info);
        let title = if self.diff {
            " Changes a rebuild would bring "
        } else {
            " Merged symbols: value, set by "
        };
        frame.render_widget(pane(title, true, t), a.list);
        let items = sh
            .preview
            .data
            .as_ref()
            .map(|d| self.items(d))
            .unwrap_or_default();
        if items.is_empty() {
            let (msg, role) = self.empty_message(sh);
            frame.render_widget(
                Paragraph::new(msg)
                    .style(t.style(role))
                    .wrap(ratatui::widgets::Wrap { trim: true }),
                a.rows,
            );
        }
        let width = a.rows.width as usize;
        for (i, r) in self.cursor.window(items.len(), a.rows) {
            let style = if i == self.cursor.pos {
                t.style(Role::Selection)
            } else {
                t.style(Role::Text)
            };
            row(frame, r, self.item_line(sh, &items[i], width), style);
        }
        let sel = items.get(self.cursor.pos.min(items.len().saturating_sub(1)));
        frame.render_widget(
            Paragraph::new(self.detail_lines(sh, sel)).block(pane(" History ", false, t)),
            a.detail,
        );
    }

    fn hints(&self) -> &'static [Action] {
        &[Action::NextTab, Action::Search, Action::ToggleDiff]
    }
}

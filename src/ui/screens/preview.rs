//! The merged-config preview: per-kind symbols with provenance, override chains, search,
//! and the diff against the workspace's last configure.

use crate::model::diff::Change;
use crate::model::{ConfigKind, SymbolHistory};
use crate::ui::action::Action;
use crate::ui::analysis::relative;
use crate::ui::msg::{Cmd, PreviewData};
use crate::ui::screen::{Screen, ScreenId};
use crate::ui::shared::Shared;
use crate::ui::text_input::{Edit, edit};
use crate::ui::theme::Role;
use crate::ui::widgets::{ListCursor, fit, highlighted, list_row, pad, pane, substring_hits};
use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent, MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::{Constraint, Layout, Margin, Position, Rect};
use ratatui::text::{Line, Span};
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
        match edit(&mut self.query, key) {
            Edit::Changed => self.cursor = ListCursor::default(),
            Edit::Cancelled => {
                self.query.clear();
                self.typing = false;
                self.cursor = ListCursor::default();
            }
            Edit::Submitted => self.typing = false,
            Edit::Ignored => match key.code {
                KeyCode::Up => self.cursor.step(-1, self.count(sh), h),
                KeyCode::Down => self.cursor.step(1, self.count(sh), h),
                _ => return None,
            },
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
            let selected = i == self.cursor.pos;
            list_row(frame, r, self.item_line(sh, &items[i], width), t, selected);
        }
        let sel = items.get(self.cursor.pos.min(items.len().saturating_sub(1)));
        frame.render_widget(
            Paragraph::new(self.detail_lines(sh, sel)).block(pane(" History ", false, t)),
            a.detail,
        );
    }

    fn hints(&self) -> &'static [Action] {
        &[Action::Search, Action::ToggleDiff, Action::NextTab]
    }
}

/// Width of the layer column of list rows.
const LAYER_COL: usize = 22;

impl PreviewScreen {
    pub(super) fn info_line(&self, sh: &Shared) -> Line<'static> {
        let t = &sh.theme;
        let mut spans = Vec::new();
        if self.typing || !self.query.is_empty() {
            spans.push(Span::styled("/ ", t.style(Role::Key)));
            spans.push(Span::styled(self.query.clone(), t.style(Role::Match)));
            if self.typing {
                spans.push(Span::styled("▏", t.style(Role::Key)));
            }
            spans.push(Span::raw("  "));
        }
        let Some(d) = &sh.preview.data else {
            return Line::from(spans);
        };
        if !self.query.trim().is_empty() {
            // Where the cursor is among the matches: "2 of 232".
            let n = self.items(d).len();
            let (text, role) = match n {
                0 => ("no match · ".to_string(), Role::Warning),
                n => {
                    let pos = self.cursor.pos.min(n - 1) + 1;
                    (format!("{pos} of {n} · "), Role::Key)
                }
            };
            spans.push(Span::styled(text, t.style(role)));
        }
        if self.diff {
            let count = |l: &str| d.diff.iter().filter(|c| c.label() == l).count();
            if d.configured {
                spans.push(Span::raw(format!(
                    "Diff against workspaces/.config_{} (all kinds): ",
                    sh.workspace
                )));
            } else {
                spans.push(Span::styled(
                    format!("Workspace {} was never configured: all new. ", sh.workspace),
                    t.style(Role::Warning),
                ));
            }
            spans.push(Span::styled(
                format!("+{} ", count("added")),
                t.style(Role::Added),
            ));
            spans.push(Span::styled(
                format!("~{} ", count("changed")),
                t.style(Role::Changed),
            ));
            spans.push(Span::styled(
                format!("-{}", count("removed")),
                t.style(Role::Removed),
            ));
        } else {
            let c = d.merged.config(self.kind());
            let over = c.symbols.iter().filter(|h| h.overridden()).count();
            spans.push(Span::raw("Values"));
            if self.overridden_only {
                spans.push(Span::styled(
                    " (overridden only)",
                    t.style(Role::Overridden),
                ));
            }
            spans.push(Span::styled(
                format!(" · {over} overridden (*)"),
                t.style(Role::Overridden),
            ));
            if self.kind() == crate::model::ConfigKind::Buildroot && !d.dropped.is_empty() {
                spans.push(Span::styled(
                    format!(" · ✗ {} dropped by Kconfig", d.dropped.len()),
                    t.style(Role::Error),
                ));
            }
            if let Some(note) = &d.check_note {
                spans.push(Span::styled(format!(" · {note}"), t.style(Role::Warning)));
            }
            if !d.merged.warnings.is_empty() {
                spans.push(Span::styled(
                    format!(" · ⚠ {} fragment warnings", d.merged.warnings.len()),
                    t.style(Role::Warning),
                ));
            }
        }
        if sh.preview.pending {
            spans.push(Span::styled(" · updating…", t.style(Role::Dim)));
        }
        Line::from(spans)
    }

    /// Why Kconfig drops this Buildroot symbol's requested value, when a check ran.
    fn dropped_reason<'a>(&self, sh: &'a Shared, symbol: &str) -> Option<&'a str> {
        if self.kind() != crate::model::ConfigKind::Buildroot {
            return None;
        }
        sh.preview
            .data
            .as_ref()?
            .dropped
            .get(symbol)
            .map(String::as_str)
    }

    pub(super) fn item_line(&self, sh: &Shared, item: &Item, width: usize) -> Line<'static> {
        let t = &sh.theme;
        let hl = t.style(Role::Match);
        let left_w = width.saturating_sub(LAYER_COL + 1);
        let (mark, role, sym, hits, rest, layer) = match item {
            Item::Symbol(h, hits) => {
                let (m, r) = if self.dropped_reason(sh, &h.symbol).is_some() {
                    ("✗ ", Role::Error)
                } else if h.overridden() {
                    ("* ", Role::Overridden)
                } else {
                    ("  ", Role::Text)
                };
                let rest = format!("={}", sh.short(&h.effective.value.display()));
                (m, r, &h.symbol, hits, rest, h.effective.layer.clone())
            }
            Item::Change(c, hits) => {
                let (m, r) = match c.label() {
                    "added" => ("+ ", Role::Added),
                    "removed" => ("- ", Role::Removed),
                    _ => ("~ ", Role::Changed),
                };
                let short = |v: &String| sh.short(v);
                let rest = match (c.before.as_ref().map(short), c.after.as_ref().map(short)) {
                    (Some(b), Some(a)) => format!(": {b} → {a}"),
                    (None, Some(a)) => format!("={a}"),
                    (Some(b), None) => format!("={b}"),
                    (None, None) => String::new(),
                };
                (
                    m,
                    r,
                    &c.symbol,
                    hits,
                    rest,
                    c.layer.clone().unwrap_or_default(),
                )
            }
        };
        let mut spans = vec![Span::styled(mark, t.style(role))];
        let sym_w = sym.chars().count().min(left_w.saturating_sub(2));
        spans.extend(highlighted(&fit(sym, sym_w), hits, t.style(Role::Text), hl));
        let rest_w = left_w.saturating_sub(2 + sym_w);
        spans.push(Span::raw(pad(&rest, rest_w)));
        spans.push(Span::raw(" "));
        spans.push(Span::styled(fit(&layer, LAYER_COL), t.style(Role::Dim)));
        Line::from(spans)
    }

    pub(super) fn detail_lines(&self, sh: &Shared, item: Option<&Item>) -> Vec<Line<'static>> {
        let t = &sh.theme;
        let loc = |a: &crate::model::Assignment| {
            let p = a.path.strip_prefix(&sh.root).unwrap_or(&a.path);
            format!("{}:{}", p.display(), a.line)
        };
        match item {
            None => vec![Line::from(Span::styled(
                "Select a symbol to see who set it.",
                t.style(Role::Dim),
            ))],
            Some(Item::Symbol(h, _)) => {
                let mut v = vec![
                    Line::from(vec![
                        Span::styled(h.symbol.clone(), t.style(Role::Title)),
                        Span::raw(format!(" = {}", sh.short(&h.effective.value.display()))),
                    ]),
                    Line::from(vec![
                        Span::styled("set by ", t.style(Role::Dim)),
                        Span::styled(h.effective.layer.clone(), t.style(Role::Ok)),
                        Span::styled(format!("  {}", loc(&h.effective)), t.style(Role::Dim)),
                    ]),
                ];
                if let Some(reason) = self.dropped_reason(sh, &h.symbol) {
                    v.push(Line::from(vec![
                        Span::styled("dropped by Kconfig: ", t.style(Role::Error)),
                        Span::raw(reason.to_string()),
                    ]));
                }
                if let Some(w) = &h.superseded_by {
                    v.push(Line::from(vec![
                        Span::styled("superseded by ", t.style(Role::Overridden)),
                        Span::styled(w.clone(), t.style(Role::Title)),
                        Span::styled(
                            ": a later member of the same choice (Kconfig keeps the last y)",
                            t.style(Role::Dim),
                        ),
                    ]));
                }
                if h.replaced.is_empty() && h.superseded_by.is_none() {
                    v.push(Line::from(Span::styled(
                        "no earlier layer sets it",
                        t.style(Role::Dim),
                    )));
                }
                // The block has room for three earlier assignments, newest first.
                let n = h.replaced.len();
                let shown = if n > 3 { 2 } else { n };
                for (i, a) in h.replaced.iter().rev().take(shown).enumerate() {
                    let head = if i == 0 { "replaces " } else { "         " };
                    v.push(Line::from(vec![
                        Span::styled(head, t.style(Role::Overridden)),
                        Span::raw(format!("{:<14} ", fit(&sh.short(&a.value.display()), 14))),
                        Span::styled(format!("{:<20} ", a.layer), t.style(Role::Text)),
                        Span::styled(loc(a), t.style(Role::Dim)),
                    ]));
                }
                if n > shown {
                    v.push(Line::from(Span::styled(
                        format!("         … and {} earlier assignments", n - shown),
                        t.style(Role::Dim),
                    )));
                }
                v
            }
            Some(Item::Change(c, _)) => vec![
                Line::from(Span::styled(c.symbol.clone(), t.style(Role::Title))),
                Line::from(format!(
                    "last configure: {}",
                    sh.short(c.before.as_deref().unwrap_or("(not set by any layer)"))
                )),
                Line::from(format!(
                    "this stack:     {}{}",
                    sh.short(c.after.as_deref().unwrap_or("(no longer set)")),
                    c.layer
                        .as_ref()
                        .map(|l| format!("  from {l}"))
                        .unwrap_or_default()
                )),
            ],
        }
    }

    pub(super) fn empty_message(&self, sh: &Shared) -> (String, Role) {
        if let Some(e) = &sh.preview.error {
            return (
                format!("The merge failed: {}", relative(e, &sh.root)),
                Role::Error,
            );
        }
        if sh.preview.data.is_none() {
            if sh.preview.pending {
                return ("Merging the stack…".into(), Role::Dim);
            }
            if sh.stack.typed.is_empty() {
                return (
                    "Nothing to preview: the stack is empty. Add layers on the Layers screen (1)."
                        .into(),
                    Role::Dim,
                );
            }
            return (
                "Nothing to preview: the stack does not resolve (see the Stack screen, 2).".into(),
                Role::Warning,
            );
        }
        if !self.query.is_empty() {
            return ("No symbol matches the search.".into(), Role::Dim);
        }
        if self.diff {
            return (
                "No differences: a rebuild changes nothing here.".into(),
                Role::Ok,
            );
        }
        ("No symbols of this kind.".into(), Role::Dim)
    }
}

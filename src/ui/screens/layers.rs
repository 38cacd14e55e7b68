//! The layer browser: layers grouped by category, fuzzy filter, detail pane, add to stack.

use super::layer_detail;
use crate::model::{Catalog, Layer};
use crate::ui::action::Action;
use crate::ui::filter::{FuzzyFilter, Hit};
use crate::ui::guide::{self, GuideStep};
use crate::ui::msg::Cmd;
use crate::ui::screen::{Screen, ScreenId};
use crate::ui::shared::{Shared, StackRole, StatusLevel};
use crate::ui::text_input::{Edit, edit};
use crate::ui::theme::Role;
use crate::ui::widgets::{ListCursor, highlighted, list_row, pad, pane};
use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent, MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use std::collections::HashSet;

/// One row of the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Row {
    Header { category: String, count: usize },
    Layer { index: usize, hit: Option<Hit> },
}

#[derive(Debug)]
pub struct LayersScreen {
    pub show_unlisted: bool,
    pub query: String,
    pub typing: bool,
    pub rows: Vec<Row>,
    pub cursor: ListCursor,
    pub detail_scroll: u16,
    /// Layers shown (after the unlisted toggle) and how many are hidden.
    pub(super) shown: usize,
    pub(super) hidden: usize,
    /// Hidden (unlisted) layers the filter matches.
    pub(super) hidden_matches: usize,
    pub(super) name_width: usize,
    pub(super) filter: FuzzyFilter,
    pub(super) requested: HashSet<String>,
    /// The first-run guide's step while it narrows the list (boards, distros, apps).
    pub(super) guide: Option<GuideStep>,
    /// The guide's welcome panel is drawn above the list.
    pub(super) panel: bool,
}

/// Rows of the guide's welcome panel, borders included.
const PANEL_HEIGHT: u16 = 4;

pub(super) struct Areas {
    pub(super) list: Rect,
    pub(super) filter: Option<Rect>,
    pub(super) rows: Rect,
    pub(super) detail: Rect,
}

impl LayersScreen {
    pub fn new(sh: &Shared) -> LayersScreen {
        let name_width = sh
            .catalog
            .layers
            .iter()
            .map(|l| l.name.chars().count())
            .max()
            .unwrap_or(8)
            .clamp(8, 26);
        let mut s = LayersScreen {
            show_unlisted: false,
            query: String::new(),
            typing: false,
            rows: Vec::new(),
            cursor: ListCursor::default(),
            detail_scroll: 0,
            shown: 0,
            hidden: 0,
            hidden_matches: 0,
            name_width,
            filter: FuzzyFilter::default(),
            requested: HashSet::new(),
            guide: None,
            panel: false,
        };
        s.follow_guide(sh);
        s.rebuild(&sh.catalog, Rect::new(0, 0, 100, 30));
        s
    }

    /// Take the guide's state from `sh`; true when the list must be rebuilt.
    fn follow_guide(&mut self, sh: &Shared) -> bool {
        let step = sh.guide.then(|| guide::step(sh));
        self.panel = step.is_some_and(|s| s != GuideStep::Done);
        let narrow = step.filter(|s| s.number() <= GuideStep::Apps.number());
        std::mem::replace(&mut self.guide, narrow) != narrow
    }

    /// The welcome panel's rectangle, when the guide is on.
    fn panel_area(&self, area: Rect) -> Option<Rect> {
        self.panel
            .then(|| Rect::new(area.x, area.y, area.width, PANEL_HEIGHT.min(area.height)))
    }

    pub(super) fn areas(&self, area: Rect) -> Areas {
        let area = match self.panel_area(area) {
            Some(p) => Rect::new(
                area.x,
                p.bottom(),
                area.width,
                area.height.saturating_sub(p.height),
            ),
            None => area,
        };
        let [list, detail] =
            Layout::horizontal([Constraint::Percentage(45), Constraint::Percentage(55)])
                .areas(area);
        let inner = list.inner(ratatui::layout::Margin::new(1, 1));
        let (filter, rows) = if self.typing || !self.query.is_empty() {
            let [f, r] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(inner);
            (Some(f), r)
        } else {
            (None, inner)
        };
        Areas {
            list,
            filter,
            rows,
            detail,
        }
    }

    /// The catalog index of the layer under the cursor.
    pub fn selected(&self) -> Option<usize> {
        match self.rows.get(self.cursor.pos) {
            Some(Row::Layer { index, .. }) => Some(*index),
            _ => None,
        }
    }

    /// The nearest layer row from `from` in direction `dir` (1 or -1), including `from`.
    pub(super) fn first_layer_row(&self, from: usize, dir: isize) -> Option<usize> {
        let mut i = from.min(self.rows.len().checked_sub(1)?) as isize;
        while i >= 0 && (i as usize) < self.rows.len() {
            if matches!(self.rows[i as usize], Row::Layer { .. }) {
                return Some(i as usize);
            }
            i += dir;
        }
        None
    }

    /// Put the cursor on row `pos`, showing the category header just above it if any.
    pub(super) fn select(&mut self, pos: usize, height: usize) {
        let before = self.cursor.pos;
        self.cursor.set(pos, self.rows.len(), height);
        if self.cursor.pos == self.cursor.offset
            && self.cursor.offset > 0
            && matches!(self.rows[self.cursor.offset - 1], Row::Header { .. })
        {
            self.cursor.offset -= 1;
        }
        if self.cursor.pos == 1 && matches!(self.rows.first(), Some(Row::Header { .. })) {
            self.cursor.offset = 0;
        }
        if before != self.cursor.pos {
            self.detail_scroll = 0;
        }
    }

    fn step(&mut self, delta: isize, height: usize) {
        if self.rows.is_empty() {
            return;
        }
        let target = self.cursor.pos.saturating_add_signed(delta);
        let dir = if delta < 0 { -1 } else { 1 };
        let pos = self
            .first_layer_row(target, dir)
            .or_else(|| self.first_layer_row(target, -dir))
            .unwrap_or(self.cursor.pos);
        self.select(pos, height);
    }

    fn add(&self, sh: &mut Shared) -> Vec<Cmd> {
        let Some(layer) = self.selected().map(|i| &sh.catalog.layers[i]) else {
            return Vec::new();
        };
        let name = layer.name.clone();
        if let Some(err) = &layer.error {
            let err = crate::ui::analysis::relative(err, &sh.root);
            sh.set_status(
                StatusLevel::Error,
                format!("{name} is broken and cannot be added: {err}"),
            );
            return Vec::new();
        }
        if let Some(StackRole::Typed(i)) = sh.stack_role(&name) {
            sh.set_status(
                StatusLevel::Info,
                format!("{name} is already in the stack (#{})", i + 1),
            );
            return Vec::new();
        }
        let mut typed = sh.stack.typed.clone();
        typed.push(name.clone());
        let n = typed.len();
        let cmds = sh.set_stack(typed);
        sh.set_status(
            StatusLevel::Ok,
            format!("added {name} to the stack (#{n}); 2 shows the stack"),
        );
        cmds
    }
}

impl Screen for LayersScreen {
    fn id(&self) -> ScreenId {
        ScreenId::Layers
    }

    fn update(&mut self, sh: &mut Shared, action: Action, area: Rect) -> Vec<Cmd> {
        let h = self.areas(area).rows.height as usize;
        let page = h.saturating_sub(1).max(1) as isize;
        match action {
            Action::Up => self.step(-1, h),
            Action::Down => self.step(1, h),
            Action::PageUp => self.step(-page, h),
            Action::PageDown => self.step(page, h),
            Action::Top => self.step(-(self.rows.len() as isize), h),
            Action::Bottom => self.step(self.rows.len() as isize, h),
            Action::Filter => {
                // A new search starts from scratch, like `/` in less or vim.
                self.typing = true;
                self.query.clear();
                self.rebuild(&sh.catalog, area);
            }
            Action::ClearFilter if sh.guide && !self.typing && self.query.is_empty() => {
                sh.guide = false;
                sh.set_status(StatusLevel::Info, "left the guide: every layer is listed");
            }
            Action::ClearFilter => {
                self.typing = false;
                self.query.clear();
                self.rebuild(&sh.catalog, area);
            }
            Action::ToggleUnlisted => {
                self.show_unlisted = !self.show_unlisted;
                self.rebuild(&sh.catalog, area);
                let what = if self.show_unlisted {
                    "shown"
                } else {
                    "hidden"
                };
                sh.set_status(StatusLevel::Info, format!("unlisted layers {what}"));
            }
            Action::Add => return self.add(sh),
            Action::DetailUp => self.detail_scroll = self.detail_scroll.saturating_sub(3),
            Action::DetailDown => self.detail_scroll = self.detail_scroll.saturating_add(3),
            _ => {}
        }
        self.refresh(sh, area)
    }

    fn text_input(&mut self, sh: &mut Shared, key: &KeyEvent, area: Rect) -> Option<Vec<Cmd>> {
        if !self.typing {
            return None;
        }
        let h = self.areas(area).rows.height as usize;
        match edit(&mut self.query, key) {
            Edit::Changed => self.rebuild(&sh.catalog, area),
            Edit::Cancelled => {
                self.typing = false;
                self.query.clear();
                self.rebuild(&sh.catalog, area);
            }
            Edit::Submitted => self.typing = false,
            Edit::Ignored => match key.code {
                KeyCode::Up => self.step(-1, h),
                KeyCode::Down => self.step(1, h),
                _ => return None,
            },
        }
        Some(self.refresh(sh, area))
    }

    fn mouse(&mut self, sh: &mut Shared, ev: &MouseEvent, area: Rect) -> Vec<Cmd> {
        let a = self.areas(area);
        let pos = ratatui::layout::Position::new(ev.column, ev.row);
        let h = a.rows.height as usize;
        if a.list.contains(pos) {
            match ev.kind {
                MouseEventKind::ScrollDown => self.step(3, h),
                MouseEventKind::ScrollUp => self.step(-3, h),
                MouseEventKind::Down(MouseButton::Left) if a.rows.contains(pos) => {
                    let i = self.cursor.offset + (ev.row - a.rows.y) as usize;
                    if matches!(self.rows.get(i), Some(Row::Layer { .. })) {
                        self.select(i, h);
                    }
                }
                _ => {}
            }
        } else if a.detail.contains(pos) {
            match ev.kind {
                MouseEventKind::ScrollDown => {
                    self.detail_scroll = self.detail_scroll.saturating_add(3)
                }
                MouseEventKind::ScrollUp => {
                    self.detail_scroll = self.detail_scroll.saturating_sub(3)
                }
                _ => {}
            }
        }
        self.refresh(sh, area)
    }

    fn refresh(&mut self, sh: &Shared, area: Rect) -> Vec<Cmd> {
        if self.follow_guide(sh) {
            self.rebuild(&sh.catalog, area);
        }
        self.cursor
            .clamp(self.rows.len(), self.areas(area).rows.height as usize);
        let Some(layer) = self.selected().map(|i| &sh.catalog.layers[i]) else {
            return Vec::new();
        };
        if !sh.contents.contains_key(&layer.name) && self.requested.insert(layer.name.clone()) {
            return vec![Cmd::LoadContents(layer.name.clone())];
        }
        Vec::new()
    }

    fn render(&self, sh: &Shared, frame: &mut Frame, area: Rect) {
        let t = &sh.theme;
        let a = self.areas(area);
        if let Some(p) = self.panel_area(area) {
            let (title, text) = guide::panel(sh);
            frame.render_widget(
                Paragraph::new(text)
                    .style(t.style(Role::Text))
                    .wrap(Wrap { trim: true })
                    .block(pane(title, false, t).title_style(t.style(Role::Title))),
                p,
            );
        }
        let mut title = format!(" Layers {} ", self.shown);
        if let (Some(g), true) = (self.guide, self.query.is_empty()) {
            let what = match g {
                GuideStep::Board => "Boards",
                GuideStep::Distro => "Distributions",
                _ => "Apps",
            };
            title = format!(" {what} {} ", self.shown);
        }
        if !self.query.is_empty() {
            title = format!(" Layers: {} of {} match ", self.rows.len(), self.shown);
        } else if self.hidden > 0 && !self.show_unlisted {
            title.push_str(&format!("· {} unlisted hidden ", self.hidden));
        } else if self.show_unlisted {
            title.push_str("· unlisted shown ");
        }
        frame.render_widget(pane(title, true, t), a.list);
        if let Some(f) = a.filter {
            let mut spans = vec![
                Span::styled("/ ", t.style(Role::Key)),
                Span::styled(self.query.clone(), t.style(Role::Match)),
            ];
            if self.typing {
                spans.push(Span::styled("▏", t.style(Role::Key)));
            }
            frame.render_widget(Line::from(spans), f);
        }
        if self.rows.is_empty() || self.hidden_matches > 0 {
            let unlisted = match self.hidden_matches {
                0 => String::new(),
                1 => "1 match among unlisted layers: press . to show them.".into(),
                n => format!("{n} matches among unlisted layers: press . to show them."),
            };
            let (msg, role) = if !self.rows.is_empty() {
                (unlisted, Role::Key)
            } else if self.query.is_empty() {
                ("No layers in this tree.".to_string(), Role::Dim)
            } else if !unlisted.is_empty() {
                (format!("No listed layer matches. {unlisted}"), Role::Key)
            } else {
                (
                    "No layer matches; Esc clears the filter.".to_string(),
                    Role::Dim,
                )
            };
            let r = if self.rows.is_empty() {
                a.rows
            } else {
                // Below the matches, when there is room.
                let y = a.rows.y + (self.rows.len() as u16).min(a.rows.height);
                Rect::new(
                    a.rows.x,
                    y,
                    a.rows.width,
                    (a.rows.bottom()).saturating_sub(y),
                )
            };
            frame.render_widget(
                Paragraph::new(msg)
                    .style(t.style(role))
                    .wrap(Wrap { trim: true }),
                r,
            );
        }
        for (i, r) in self.cursor.window(self.rows.len(), a.rows) {
            let selected = i == self.cursor.pos;

            let line = match &self.rows[i] {
                Row::Header { category, count } => Line::from(vec![
                    Span::styled(category.clone(), t.style(Role::Header)),
                    Span::styled(format!(" ({count})"), t.style(Role::Dim)),
                ]),
                Row::Layer { index, hit } => {
                    self.layer_line(sh, &sh.catalog.layers[*index], hit.as_ref())
                }
            };
            list_row(frame, r, line, t, selected);
        }
        let detail = match self.selected() {
            Some(i) => layer_detail::lines(sh, &sh.catalog.layers[i]),
            None => vec![Line::from("No layer selected.")],
        };
        frame.render_widget(
            Paragraph::new(detail)
                .block(pane(" Detail ", false, t))
                .wrap(Wrap { trim: false })
                .scroll((self.detail_scroll, 0)),
            a.detail,
        );
    }

    fn hints(&self) -> &'static [Action] {
        &[Action::Filter, Action::Add, Action::ToggleUnlisted]
    }
}

impl LayersScreen {
    /// Recompute the rows after the filter or the unlisted toggle changed, keeping the
    /// selected layer when it is still shown.
    pub fn rebuild(&mut self, catalog: &Catalog, area: Rect) {
        let keep = self.selected();
        // The guide narrows the unfiltered list to the step's layers; a filter searches all.
        let guide = self.guide.filter(|_| self.query.trim().is_empty());
        let candidates: Vec<usize> = (0..catalog.layers.len())
            .filter(|&i| guide.is_none_or(|g| g.lists(&catalog.layers[i].name)))
            .collect();
        let visible: Vec<usize> = candidates
            .iter()
            .copied()
            .filter(|&i| self.show_unlisted || !catalog.layers[i].meta.unlisted)
            .collect();
        self.hidden = candidates.len() - visible.len();
        self.shown = visible.len();
        self.rows.clear();
        self.hidden_matches = 0;
        if self.query.trim().is_empty() {
            let mut groups: Vec<(String, Vec<usize>)> = Vec::new();
            for &i in &visible {
                let cat = catalog.layers[i]
                    .name
                    .split('/')
                    .next()
                    .unwrap_or("")
                    .to_string();
                match groups.iter_mut().find(|(c, _)| *c == cat) {
                    Some((_, v)) => v.push(i),
                    None => groups.push((cat, vec![i])),
                }
            }
            for (category, members) in groups {
                self.rows.push(Row::Header {
                    category,
                    count: members.len(),
                });
                self.rows.extend(
                    members
                        .into_iter()
                        .map(|index| Row::Layer { index, hit: None }),
                );
            }
        } else {
            let items = visible.iter().map(|&i| {
                let l = &catalog.layers[i];
                (
                    i,
                    l.name.as_str(),
                    l.meta.description.as_deref().unwrap_or(""),
                )
            });
            let hits = self.filter.run(&self.query, items);
            let hidden = (0..catalog.layers.len())
                .filter(|&i| !self.show_unlisted && catalog.layers[i].meta.unlisted)
                .map(|i| {
                    let l = &catalog.layers[i];
                    let d = l.meta.description.as_deref().unwrap_or("");
                    (i, l.name.as_str(), d)
                });
            self.hidden_matches = self.filter.run(&self.query, hidden).len();
            self.rows.extend(hits.into_iter().map(|h| Row::Layer {
                index: h.index,
                hit: Some(h),
            }));
        }
        let pos = keep
            .and_then(|k| {
                self.rows
                    .iter()
                    .position(|r| matches!(r, Row::Layer { index, .. } if *index == k))
            })
            .filter(|_| self.query.trim().is_empty())
            .or_else(|| self.first_layer_row(0, 1));
        self.cursor = ListCursor::default();
        let h = self.areas(area).rows.height as usize;
        self.select(pos.unwrap_or(0), h);
    }

    pub(super) fn layer_line(
        &self,
        sh: &Shared,
        layer: &Layer,
        hit: Option<&Hit>,
    ) -> Line<'static> {
        let t = &sh.theme;
        let (mark, mark_role) = if layer.error.is_some() {
            ("✗ ", Role::Error)
        } else {
            match sh.stack_role(&layer.name) {
                Some(StackRole::Typed(_)) => ("✓ ", Role::Ok),
                Some(StackRole::Inserted(_)) => ("+ ", Role::Inserted),
                None => ("  ", Role::Text),
            }
        };
        let name_role = if layer.error.is_some() {
            Role::Error
        } else if layer.meta.unlisted {
            Role::Dim
        } else {
            Role::Text
        };
        let hl = t.style(Role::Match);
        let no_hits: &[usize] = &[];
        let (nh, dh) = hit
            .map(|h| (h.name_hits.as_slice(), h.description_hits.as_slice()))
            .unwrap_or((no_hits, no_hits));
        let mut spans = vec![Span::styled(mark, t.style(mark_role))];
        spans.extend(highlighted(
            &pad(&layer.name, self.name_width),
            nh,
            t.style(name_role),
            hl,
        ));
        spans.push(Span::raw(" "));
        if let Some(err) = &layer.error {
            spans.push(Span::styled(
                format!("broken: {}", crate::ui::analysis::relative(err, &sh.root)),
                t.style(Role::Error),
            ));
        } else {
            let desc = layer.meta.description.as_deref().unwrap_or("");
            spans.extend(highlighted(desc, dh, t.style(Role::Dim), hl));
        }
        Line::from(spans)
    }
}

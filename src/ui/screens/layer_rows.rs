//! Rows of the layer browser: grouping by category, the fuzzy filter, and one row's text.

use super::layers::{LayersScreen, Row};
use crate::model::{Catalog, Layer};
use crate::ui::filter::Hit;
use crate::ui::shared::{Shared, StackRole};
use crate::ui::theme::Role;
use crate::ui::widgets::{ListCursor, highlighted, pad};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

impl LayersScreen {
    /// Recompute the rows after the filter or the unlisted toggle changed, keeping the
    /// selected layer when it is still shown.
    pub fn rebuild(&mut self, catalog: &Catalog, area: Rect) {
        let keep = self.selected();
        let visible: Vec<usize> = (0..catalog.layers.len())
            .filter(|&i| self.show_unlisted || !catalog.layers[i].meta.unlisted)
            .collect();
        self.hidden = catalog.layers.len() - visible.len();
        self.shown = visible.len();
        self.rows.clear();
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

//! Lines of the preview screen: the info line, list rows, the History pane, empty states.

use super::preview::{Item, PreviewScreen};
use crate::ui::analysis::relative;
use crate::ui::shared::Shared;
use crate::ui::theme::Role;
use crate::ui::widgets::{fit, highlighted, pad};
use ratatui::text::{Line, Span};

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

    pub(super) fn item_line(&self, sh: &Shared, item: &Item, width: usize) -> Line<'static> {
        let t = &sh.theme;
        let hl = t.style(Role::Match);
        let left_w = width.saturating_sub(LAYER_COL + 1);
        let (mark, role, sym, hits, rest, layer) = match item {
            Item::Symbol(h, hits) => {
                let (m, r) = if h.overridden() {
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

//! Drawing the build screen: workspace tabs, progress header, the log through vt100 and
//! tui-term with search matches marked, and the failure summary.

use crate::build::Status;
use crate::build::event::duration_text;
use crate::ui::build_view::{BuildView, state_label};
use crate::ui::shared::Shared;
use crate::ui::theme::Role;
use crate::ui::widgets::{fit, pane, wrap_words};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Margin, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Gauge, Paragraph};
use tui_term::widget::PseudoTerminal;

pub(super) fn render_tabs(sh: &Shared, frame: &mut Frame, area: Rect) {
    let t = &sh.theme;
    let mut spans = Vec::new();
    for (i, v) in sh.builds.views.iter().enumerate() {
        let role = if i == sh.builds.active {
            Role::TabActive
        } else {
            Role::Tab
        };
        spans.push(Span::styled(format!(" {} ", v.workspace), t.style(role)));
        let label_role = match v.outcome.as_ref().map(|o| o.status) {
            None => Role::Warning,
            Some(Status::Succeeded) => Role::Ok,
            Some(Status::Failed) => Role::Error,
            Some(Status::Cancelled) => Role::Dim,
        };
        spans.push(Span::styled(
            format!("{} ", state_label(v)),
            t.style(label_role),
        ));
        spans.push(Span::raw(" "));
    }
    frame.render_widget(Line::from(spans), area);
}

pub(super) fn render_header(sh: &Shared, v: &BuildView, frame: &mut Frame, area: Rect) {
    let t = &sh.theme;
    let [title, gauge, step] = Layout::vertical([Constraint::Length(1); 3]).areas(area);
    let w = area.width as usize;
    frame.render_widget(
        Line::from(vec![
            Span::styled(
                format!(" Workspace {} · ", v.workspace),
                t.style(Role::Title),
            ),
            Span::styled(
                fit(&v.stack, w.saturating_sub(v.workspace.len() + 14)),
                t.style(Role::Dim),
            ),
        ]),
        title,
    );
    let p = &v.progress;
    let mut times = format!("elapsed {}", duration_text(p.elapsed_secs));
    if let (Some(r), None) = (p.remaining_secs, &v.outcome) {
        times.push_str(&format!(" · about {} left", duration_text(r)));
    }
    let [bar, right] = Layout::horizontal([
        Constraint::Min(10),
        Constraint::Length(times.len() as u16 + 2),
    ])
    .areas(gauge);
    match p.total {
        Some(total) if total > 0 => {
            let ratio = (p.done as f64 / total as f64).clamp(0.0, 1.0);
            frame.render_widget(
                Gauge::default()
                    .ratio(ratio)
                    .label(format!("{}/{total} packages", p.done))
                    .gauge_style(t.style(Role::Ok)),
                bar.inner(Margin::new(1, 0)),
            );
        }
        _ => frame.render_widget(
            Span::styled(" packages: total not known yet", t.style(Role::Dim)),
            bar,
        ),
    }
    frame.render_widget(
        Span::styled(format!(" {times}"), t.style(Role::Text)),
        right,
    );
    let line = match (&v.outcome, &v.phase) {
        (Some(o), _) => {
            let took = duration_text(o.progress.elapsed_secs);
            match o.status {
                Status::Succeeded => {
                    Span::styled(format!(" ✓ finished in {took}"), t.style(Role::Ok))
                }
                Status::Cancelled => {
                    Span::styled(format!(" cancelled after {took}"), t.style(Role::Warning))
                }
                Status::Failed => Span::styled(
                    format!(
                        " ✗ {}",
                        o.failure.as_ref().map(|f| f.headline()).unwrap_or_default()
                    ),
                    t.style(Role::Error),
                ),
            }
        }
        (None, Some(phase)) => Span::styled(format!(" {phase}…"), t.style(Role::Dim)),
        (None, None) => {
            let mut s = match p.current.first() {
                Some(c) => format!(
                    " {}{}: {}",
                    c.package,
                    c.version
                        .as_deref()
                        .map(|x| format!(" {x}"))
                        .unwrap_or_default(),
                    c.step
                ),
                None => format!(" {}", p.global.clone().unwrap_or_default()),
            };
            if p.current.len() > 1 {
                s.push_str(&format!(" (+{} more)", p.current.len() - 1));
            }
            if v.cancelling {
                s.push_str(" · cancelling…");
            }
            Span::styled(s, t.style(Role::Text))
        }
    };
    frame.render_widget(Line::from(fit_span(line, w)), step);
}

fn fit_span(s: Span<'static>, w: usize) -> Span<'static> {
    let style = s.style;
    Span::styled(fit(&s.content, w), style)
}

pub(super) fn render_log(sh: &Shared, v: &BuildView, frame: &mut Frame, area: Rect) {
    let t = &sh.theme;
    let log = &v.log;
    let mode = if log.follow {
        "following"
    } else {
        "held · f follows"
    };
    let mut title = format!(" Log · {} lines · {mode} ", log.total());
    if log.typing {
        title.push_str(&format!("· /{}▌ ", log.query));
    } else if !log.query.is_empty() {
        title.push_str(&format!("· /{} (n newer, N older) ", log.query));
    }
    let block = pane(title, true, t);
    let inner = block.inner(area);
    let parser = log.screen(inner.height, inner.width);
    frame.render_widget(
        PseudoTerminal::new(parser.screen())
            .cursor(tui_term::widget::Cursor::default().visibility(false))
            .block(block),
        area,
    );
    if !log.query.is_empty() && !log.typing {
        highlight(frame, inner, &log.query, t.style(Role::Match));
    }
}

/// Mark every visible occurrence of `query` (case-insensitive) in the log area.
fn highlight(frame: &mut Frame, area: Rect, query: &str, style: ratatui::style::Style) {
    let q: Vec<char> = query.to_lowercase().chars().collect();
    let buf = frame.buffer_mut();
    for y in area.top()..area.bottom() {
        let row: Vec<char> = (area.left()..area.right())
            .map(|x| {
                let mut c = buf[(x, y)].symbol().chars();
                let ch = c.next().unwrap_or(' ');
                ch.to_lowercase().next().unwrap_or(ch)
            })
            .collect();
        if q.is_empty() || row.len() < q.len() {
            continue;
        }
        for start in 0..=row.len() - q.len() {
            if row[start..start + q.len()] == q[..] {
                for x in start..start + q.len() {
                    let cell = &mut buf[(area.left() + x as u16, y)];
                    cell.set_style(cell.style().patch(style));
                }
            }
        }
    }
}

pub(super) fn render_summary(sh: &Shared, v: &BuildView, frame: &mut Frame, area: Rect) {
    let t = &sh.theme;
    let Some(f) = v.outcome.as_ref().and_then(|o| o.failure.as_ref()) else {
        return;
    };
    let inner_w = area.width.saturating_sub(2) as usize;
    let mut lines: Vec<Line> = Vec::new();
    if let Some(e) = &f.error_line {
        for l in wrap_words(e, inner_w).into_iter().take(3) {
            lines.push(Line::from(Span::styled(l, t.style(Role::Error))));
        }
    }
    // What to do about it (a failed download: mirrors, --dl-dir), one sentence a line.
    for s in f.hint.iter().flat_map(|h| h.split_inclusive(". ")) {
        lines.push(Line::from(Span::styled(
            fit(s.trim_end(), inner_w),
            t.style(Role::Warning),
        )));
    }
    let room = (area.height as usize).saturating_sub(3 + lines.len());
    let start = f.last_lines.len().saturating_sub(room);
    for l in &f.last_lines[start..] {
        lines.push(Line::from(fit(&format!("│ {l}"), inner_w)));
    }
    if let Some(p) = &v.log_path {
        lines.push(Line::from(vec![
            Span::styled("full log: ", t.style(Role::Dim)),
            // The real path, to open it in a shell.
            Span::raw(fit(&p.display().to_string(), inner_w.saturating_sub(10))),
        ]));
    }
    let title = Span::styled(format!(" ✗ {} ", f.headline()), t.style(Role::Error));
    frame.render_widget(
        Paragraph::new(lines).block(pane(Line::from(title), false, t)),
        area,
    );
}

//! Drawing the write on the flash screen: its target, the phases passed and the one in
//! flight, bytes with rate and ETA, the latest notices, and the verdict.

use super::state::FlashRun;
use super::types::FlashAction;
use crate::flash::device::human_bytes;
use crate::flash::event::Phase;
use crate::ui::shared::Shared;
use crate::ui::theme::Role;
use crate::ui::widgets::fit;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Gauge, Paragraph, Wrap};

fn clock(secs: f64) -> String {
    let s = secs.max(0.0).round() as u64;
    format!("{}:{:02}", s / 60, s % 60)
}

pub(super) fn render_run(sh: &Shared, run: &FlashRun, frame: &mut Frame, area: Rect) {
    let t = &sh.theme;
    let border = match &run.outcome {
        Some(Ok(_)) => Role::Ok,
        Some(Err(f)) if !f.cancelled() => Role::Error,
        _ => Role::BorderFocused,
    };
    let target = run.target.clone();
    let verb = match run.action {
        FlashAction::Format => "Format",
        FlashAction::Install => "Install",
        FlashAction::WriteImage => "Write",
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.style(border))
        .title(Span::styled(
            format!(" {verb} {target} "),
            t.style(Role::Title),
        ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [about, phases, gauge, rest] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(0),
    ])
    .areas(inner);
    let w = inner.width as usize;
    let mut head = run.about.clone();
    if !run.source.is_empty() {
        head = format!("{head} · {}", run.source);
    }
    frame.render_widget(Span::styled(fit(&head, w), t.style(Role::Text)), about);
    // The phase a failure names (typed, from the engine or the helper), else the last one seen.
    let ended_in = match &run.outcome {
        Some(Err(f)) => Some(f.phase),
        Some(Ok(_)) => run.phase,
        None => None,
    };
    let mut spans = Vec::new();
    for (i, p) in run.phases().iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" · ", t.style(Role::Dim)));
        }
        let done = run.done.iter().any(|d| d.phase == *p);
        let (mark, role) = if done {
            ("✓ ", Role::Ok)
        } else if run.phase == Some(*p) && run.outcome.is_none() {
            ("▶ ", Role::Warning)
        } else if ended_in == Some(*p) {
            ("✗ ", Role::Error)
        } else {
            ("", Role::Dim)
        };
        spans.push(Span::styled(format!("{mark}{}", p.as_str()), t.style(role)));
    }
    frame.render_widget(Line::from(spans), phases);
    render_gauge(sh, run, frame, gauge);
    // Once ended, notices of the way there are stale; warnings stay.
    let shown: Vec<&(Role, String)> = run
        .messages
        .iter()
        .filter(|(role, _)| run.outcome.is_none() || *role != Role::Dim)
        .collect();
    let keep = if run.outcome.is_some() { 1 } else { 2 };
    let mut lines: Vec<Line> = shown[shown.len().saturating_sub(keep)..]
        .iter()
        .map(|(role, m)| Line::from(Span::styled(m.clone(), t.style(*role))))
        .collect();
    lines.push(verdict_line(sh, run));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), rest);
}

fn render_gauge(sh: &Shared, run: &FlashRun, frame: &mut Frame, area: Rect) {
    let t = &sh.theme;
    let Some(phase) = run.phase else {
        frame.render_widget(Span::styled("planning…", t.style(Role::Dim)), area);
        return;
    };
    if run.outcome.is_some() {
        // Ended: what each phase moved, how long it took and how fast.
        let done: Vec<String> = run
            .done
            .iter()
            .filter(|d| matches!(d.phase, Phase::Write | Phase::Verify))
            .map(|d| {
                format!(
                    "{} {} in {:.1} s ({}/s)",
                    d.phase.as_str(),
                    human_bytes(d.bytes),
                    d.secs,
                    human_bytes(d.rate as u64)
                )
            })
            .collect();
        if !done.is_empty() {
            let text = fit(&done.join(" · "), area.width as usize);
            frame.render_widget(Span::styled(text, t.style(Role::Text)), area);
            return;
        }
    }
    let mut right = String::new();
    if run.rate > 0.0 && run.outcome.is_none() {
        right = format!("{}/s", human_bytes(run.rate as u64));
    }
    if let (Some(eta), None) = (run.eta, &run.outcome) {
        right.push_str(&format!(" · ETA {}", clock(eta)));
    }
    let [bar, label] = Layout::horizontal([
        Constraint::Min(10),
        Constraint::Length(right.chars().count() as u16 + 1),
    ])
    .areas(area);
    let amount = match run.total {
        Some(total) => format!(
            "{} {} of {}",
            phase.as_str(),
            human_bytes(run.bytes),
            human_bytes(total)
        ),
        None => format!("{} {}", phase.as_str(), human_bytes(run.bytes)),
    };
    match run.total.filter(|t| *t > 0) {
        Some(total) if phase != Phase::Assemble => {
            let ratio = (run.bytes as f64 / total as f64).clamp(0.0, 1.0);
            frame.render_widget(
                Gauge::default()
                    .ratio(ratio)
                    .label(format!("{amount} ({:.0}%)", ratio * 100.0))
                    .gauge_style(t.style(Role::Ok)),
                bar,
            );
        }
        _ => frame.render_widget(Span::styled(amount, t.style(Role::Text)), bar),
    }
    frame.render_widget(
        Span::styled(format!(" {right}"), t.style(Role::Text)),
        label,
    );
}

fn verdict_line(sh: &Shared, run: &FlashRun) -> Line<'static> {
    let t = &sh.theme;
    let target = run.target.clone();
    match &run.outcome {
        None if run.cancelling => Line::from(Span::styled(
            "cancelling: the write stops after the block in flight…",
            t.style(Role::Warning),
        )),
        None => Line::from(Span::styled("c cancels (asks first)", t.style(Role::Dim))),
        Some(Ok(s)) => Line::from(Span::styled(
            format!(
                "✓ verified: {} written, {} read back and compared in {:.1} s; {target} is ready",
                human_bytes(s.written),
                human_bytes(s.verified),
                s.secs
            ),
            t.style(Role::Ok),
        )),
        Some(Err(f)) if f.cancelled() => Line::from(Span::styled(
            if run.in_place {
                format!(
                    "cancelled: {target} has no valid partition table now; format or write it again"
                )
            } else {
                format!("cancelled: {target} was left as it was")
            },
            t.style(Role::Warning),
        )),
        Some(Err(f)) => Line::from(Span::styled(
            format!("✗ failed: {}", f.error),
            t.style(Role::Error),
        )),
    }
}

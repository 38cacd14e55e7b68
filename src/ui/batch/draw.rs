//! Drawing the batch screen: the source and targets, the totals, one compact row per slot
//! (slot, card number, reader, state, gauge, rate, ETA) in USB port order, the reasons of
//! failed and refused cards below, and the prompt being typed.

use super::state::{BatchRun, BatchState, Prompt, PromptKind, SlotRow, SlotState};
use super::types::{BatchSource, BatchTargets};
use crate::flash::device::human_bytes;
use crate::ui::shared::Shared;
use crate::ui::theme::{Role, Theme};
use crate::ui::widgets::{fit, pad, pane, wrap_words};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

/// `m:ss`.
fn clock(secs: f64) -> String {
    let s = secs.max(0.0).round() as u64;
    format!("{}:{:02}", s / 60, s % 60)
}

/// A slot as shown: the USB port after `-usb-`, a file target's name, else the whole slot.
pub fn short_slot(slot: &str) -> String {
    if let Some((_, port)) = slot.rsplit_once("-usb-") {
        return port.to_string();
    }
    slot.rsplit('/').next().unwrap_or(slot).to_string()
}

pub(super) fn render(sh: &Shared, frame: &mut Frame, area: Rect) {
    let st = &sh.batch;
    let t = &sh.theme;
    let rows = st.run.as_ref().map_or(0, |r| r.rows.len()) as u16;
    let [head, table, reasons] = Layout::vertical([
        Constraint::Length(4),
        Constraint::Length((rows.max(1) + 3).min(area.height.saturating_sub(4))),
        Constraint::Min(0),
    ])
    .areas(area);
    frame.render_widget(Paragraph::new(head_lines(sh, st)), head);
    match &st.run {
        Some(run) => {
            render_table(t, run, frame, table);
            render_reasons(t, run, frame, reasons);
        }
        None => {
            let block = pane(" Slots ", false, t);
            let inner = block.inner(table);
            frame.render_widget(block, table);
            frame.render_widget(
                Line::styled(
                    " No batch yet: choose a source and targets, then enter.",
                    t.style(Role::Dim),
                ),
                inner,
            );
        }
    }
    if let Some(p) = &st.prompt {
        render_prompt(t, p, frame, area);
    }
}

/// Source, targets, and the totals line.
fn head_lines(sh: &Shared, st: &BatchState) -> Vec<Line<'static>> {
    let t = &sh.theme;
    let label = |s: &str| Span::styled(format!(" {s:<8} "), t.style(Role::Header));
    let source = match (&st.source, &st.source_info) {
        (None, _) => Span::styled(
            "none: i an image file, w the workspace's build",
            t.style(Role::Dim),
        ),
        (Some(BatchSource::Workspace), _) => Span::raw(format!(
            "the build of workspace {} (the stack's layout, as image build)",
            sh.workspace
        )),
        (Some(BatchSource::Image(p)), Some(Ok(info))) => Span::raw(format!(
            "{} · {}{}",
            sh.short(&p.display().to_string()),
            info.compression,
            info.size
                .map(|s| format!(" · {}", human_bytes(s)))
                .unwrap_or_default()
        )),
        (Some(BatchSource::Image(p)), Some(Err(e))) => Span::styled(
            format!("{}: {e}", sh.short(&p.display().to_string())),
            t.style(Role::Error),
        ),
        (Some(BatchSource::Image(p)), None) => Span::raw(format!(
            "{} (looking at it…)",
            sh.short(&p.display().to_string())
        )),
    };
    let targets = match targets_of(st) {
        None => Span::styled(
            "none: t add an image file, a a readers allow-list",
            t.style(Role::Dim),
        ),
        Some(BatchTargets::Files(files)) => Span::raw(format!(
            "{} image file{}: {}",
            files.len(),
            if files.len() == 1 { "" } else { "s" },
            files
                .iter()
                .map(|f| short_slot(&f.display().to_string()))
                .collect::<Vec<_>>()
                .join(", ")
        )),
        Some(BatchTargets::Readers(p)) => Span::raw(format!(
            "cards in readers matching {} (others are refused, never opened)",
            p.join(", ")
        )),
    };
    vec![
        Line::from(vec![label("Source"), source]),
        Line::from(vec![label("Targets"), targets]),
        totals_line(t, st.run.as_ref()),
        match &sh.flash.persona.applied {
            Some(p) => Line::from(vec![
                label("Identity"),
                Span::raw(format!(
                    "{} ({{n}} is the card's number; p on the Flash screen changes it)",
                    crate::ui::flash::personalise::summary(p)
                )),
            ]),
            None => Line::default(),
        },
    ]
}

/// The targets chosen, if any: the readers allow-list wins over image files.
pub fn targets_of(st: &BatchState) -> Option<BatchTargets> {
    if !st.readers.is_empty() {
        Some(BatchTargets::Readers(st.readers.clone()))
    } else if !st.files.is_empty() {
        Some(BatchTargets::Files(st.files.clone()))
    } else {
        None
    }
}

fn totals_line(t: &Theme, run: Option<&BatchRun>) -> Line<'static> {
    let Some(run) = run else {
        return Line::styled(
            " enter starts the batch (asks first) · esc back to Flash",
            t.style(Role::Dim),
        );
    };
    let (mark, role, word) = match (&run.ended, run.stopping) {
        (Some(Err(_)), _) => ("✗", Role::Error, "could not run".to_string()),
        (Some(Ok(_)), _) => ("■", Role::Text, "ended".to_string()),
        (None, true) => ("▶", Role::Warning, "stopping".to_string()),
        (None, false) if run.preparing.is_some() => {
            let (phase, bytes, total) = run.preparing.unwrap_or_default();
            let of = total
                .map(|t| format!(" of {}", human_bytes(t)))
                .unwrap_or_default();
            (
                "▶",
                Role::Ok,
                format!(
                    "preparing the source: {} {}{of}",
                    phase.as_str(),
                    human_bytes(bytes)
                ),
            )
        }
        (None, false) if run.watching => ("▶", Role::Ok, "watching".to_string()),
        (None, false) => ("▶", Role::Ok, "running".to_string()),
    };
    let mut spans = vec![
        Span::styled(format!(" {mark} {word}"), t.style(role)),
        Span::raw(format!(" · writing {}", run.busy())),
        Span::styled(format!(" · done {}", run.done), t.style(Role::Ok)),
    ];
    let failed_role = if run.failed > 0 {
        Role::Error
    } else {
        Role::Text
    };
    spans.push(Span::styled(
        format!(" · failed {}", run.failed),
        t.style(failed_role),
    ));
    if run.refused() > 0 {
        spans.push(Span::styled(
            format!(" · refused {}", run.refused()),
            t.style(Role::Warning),
        ));
    }
    spans.push(Span::raw(format!(" · elapsed {}", clock(run.elapsed))));
    Line::from(spans)
}

/// Column widths for an inner width: slot, number, reader, state, then the rest (gauge,
/// rate, ETA). The state column widens while a card is `personalising`.
fn columns(width: u16, long_state: bool) -> [usize; 4] {
    let w = width as usize;
    let state = if long_state { 13 } else { 0 };
    if w >= 96 {
        [16, 4, 24, state.max(10)]
    } else {
        [11, 3, 12, state.max(9)]
    }
}

fn render_table(t: &Theme, run: &BatchRun, frame: &mut Frame, area: Rect) {
    let title = if run.watching {
        " Slots (USB port order) "
    } else {
        " Slots (image files) "
    };
    let block = pane(title, true, t);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let long_state = run.rows.iter().any(|r| r.state == SlotState::Personalising);
    let cols = columns(inner.width, long_state);
    let rest = (inner.width as usize).saturating_sub(cols.iter().sum::<usize>() + 5);
    let header = format!(
        " {} {} {} {} {}",
        pad("slot", cols[0]),
        pad("#", cols[1]),
        pad("reader", cols[2]),
        pad("state", cols[3]),
        pad("progress · rate · ETA", rest)
    );
    let mut lines = vec![Line::styled(header, t.style(Role::Header))];
    lines.extend(run.rows.iter().map(|r| slot_line(t, r, cols, rest)));
    if run.rows.is_empty() {
        let text = if run.watching {
            " no card yet: insert cards into the chosen readers"
        } else {
            " no target yet"
        };
        lines.push(Line::styled(text, t.style(Role::Dim)));
    }
    let shown = lines.len().min(inner.height as usize);
    if shown < lines.len() && shown > 1 {
        let hidden = lines.len() - shown + 1;
        lines.truncate(shown - 1);
        lines.push(Line::styled(
            format!(" … {hidden} more slots (enlarge the window)"),
            t.style(Role::Dim),
        ));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

/// What a state is called and its colour.
fn state_word(s: &SlotState) -> (&'static str, Role) {
    match s {
        SlotState::Waiting => ("waiting", Role::Dim),
        SlotState::Writing => ("writing", Role::Text),
        SlotState::Verifying => ("verifying", Role::Text),
        SlotState::Personalising => ("personalising", Role::Text),
        SlotState::Finishing => ("finishing", Role::Text),
        SlotState::Done => ("✓ done", Role::Ok),
        SlotState::Stopped => ("stopped", Role::Warning),
        SlotState::Failed { .. } => ("✗ failed", Role::Error),
        SlotState::Refused { .. } => ("refused", Role::Warning),
    }
}

fn slot_line(t: &Theme, r: &SlotRow, cols: [usize; 4], rest: usize) -> Line<'static> {
    let (word, role) = state_word(&r.state);
    let number = r.number.map(|n| n.to_string()).unwrap_or_default();
    let mut spans = vec![
        Span::raw(format!(
            " {} {} {} ",
            pad(&fit(&short_slot(&r.slot), cols[0]), cols[0]),
            pad(&number, cols[1]),
            pad(&fit(&r.reader, cols[2]), cols[2])
        )),
        Span::styled(pad(word, cols[3]), t.style(role)),
        Span::raw(" "),
    ];
    let tail = match &r.state {
        SlotState::Failed { reason, phase, .. } => Span::styled(
            fit(&format!("{reason} in {} (see below)", phase.as_str()), rest),
            t.style(Role::Error),
        ),
        SlotState::Refused { reason } => Span::styled(fit(reason, rest), t.style(Role::Warning)),
        SlotState::Waiting => Span::styled(
            r.last
                .as_ref()
                .map(|l| fit(&format!("last: {l}; insert the next card"), rest))
                .unwrap_or_default(),
            t.style(Role::Dim),
        ),
        SlotState::Done => Span::styled(
            fit(
                &format!("written and verified · {}/s", human_bytes(r.rate as u64)),
                rest,
            ),
            t.style(Role::Ok),
        ),
        SlotState::Stopped => {
            Span::styled(fit("stopped by the user", rest), t.style(Role::Warning))
        }
        SlotState::Personalising => Span::raw(fit("verified · files into persist", rest)),
        _ => Span::raw(progress_text(r, rest)),
    };
    spans.push(tail);
    Line::from(spans)
}

/// `████░░░░ 45%  12.0 MiB/s  0:04` in `width` columns.
fn progress_text(r: &SlotRow, width: usize) -> String {
    let rate = if r.rate > 0.0 {
        format!("{}/s", human_bytes(r.rate as u64))
    } else {
        String::new()
    };
    let eta = r.eta.map(clock).unwrap_or_default();
    let right = format!(" {rate:>10} {eta:>5}");
    let bar_w = width.saturating_sub(right.chars().count() + 5).max(4);
    let (bar, pct) = match r.total.filter(|t| *t > 0) {
        Some(total) => {
            let frac = (r.bytes as f64 / total as f64).clamp(0.0, 1.0);
            let full = (frac * bar_w as f64).round() as usize;
            (
                format!("{}{}", "█".repeat(full), "░".repeat(bar_w - full)),
                format!("{:>3}%", (frac * 100.0).floor() as u32),
            )
        }
        None => (pad(&human_bytes(r.bytes), bar_w), "    ".into()),
    };
    fit(&format!("{bar} {pct}{right}"), width)
}

/// Why cards failed or were refused, newest slots last, as many as fit.
fn render_reasons(t: &Theme, run: &BatchRun, frame: &mut Frame, area: Rect) {
    let width = (area.width as usize).saturating_sub(2);
    let mut lines: Vec<Line> = Vec::new();
    if let Some(Err(e)) = &run.ended {
        for l in wrap_words(&format!("✗ {e}"), width) {
            lines.push(Line::styled(format!(" {l}"), t.style(Role::Error)));
        }
    }
    for r in &run.rows {
        let (text, role) = match &r.state {
            SlotState::Failed {
                reason,
                phase,
                message,
            } => (
                format!(
                    "✗ {} #{}: {reason} in {}: {message}",
                    short_slot(&r.slot),
                    r.number.unwrap_or_default(),
                    phase.as_str()
                ),
                Role::Error,
            ),
            SlotState::Refused { reason } => (
                format!("⊘ {} ({}) refused: {reason}", short_slot(&r.slot), r.device),
                Role::Warning,
            ),
            _ => continue,
        };
        for l in wrap_words(&text, width) {
            lines.push(Line::styled(format!(" {l}"), t.style(role)));
        }
    }
    frame.render_widget(Paragraph::new(lines), area);
}

fn render_prompt(t: &Theme, p: &Prompt, frame: &mut Frame, area: Rect) {
    let (title, label, help, danger) = match &p.kind {
        PromptKind::Source => (
            " Batch source ",
            "Image file",
            "raw, .gz, .xz, .zst, .bz2 or .zip; ~/ is your home",
            false,
        ),
        PromptKind::Target => (
            " Add a target ",
            "Image file",
            "a new or existing image file; one slot each",
            false,
        ),
        PromptKind::Readers => (
            " Readers allow-list ",
            "Patterns",
            "model, serial or USB port (1-1.*), * and ?, separated by commas",
            false,
        ),
        PromptKind::TypedReaders { .. } => (
            " Write every card in these readers? ",
            "Type the allow-list",
            "every card that appears there is overwritten; type the allow-list exactly",
            true,
        ),
    };
    let width = 76u16.min(area.width.saturating_sub(2));
    let inner_w = width.saturating_sub(2) as usize;
    let mut lines: Vec<Line> = wrap_words(help, inner_w)
        .into_iter()
        .map(|l| Line::styled(l, t.style(if danger { Role::Danger } else { Role::Dim })))
        .collect();
    if let PromptKind::TypedReaders { request } = &p.kind
        && let BatchTargets::Readers(patterns) = &request.targets
    {
        lines.push(Line::from(format!("Allow-list: {}", patterns.join(", "))));
    }
    lines.push(Line::from(vec![
        Span::raw(format!("{label}: ")),
        Span::styled(p.text.clone(), t.style(Role::Match)),
        Span::styled("▏", t.style(Role::Key)),
    ]));
    lines.push(Line::styled(
        "enter accepts · esc cancels · ctrl-u clears",
        t.style(Role::Dim),
    ));
    let height = lines.len() as u16 + 2;
    let r = area.centered(
        Constraint::Length(width),
        Constraint::Length(height.min(area.height)),
    );
    let role = if danger {
        Role::Danger
    } else {
        Role::BorderFocused
    };
    frame.render_widget(Clear, r);
    frame.buffer_mut().set_style(r, t.style(Role::Text));
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.style(role))
        .title(Line::styled(title, t.style(Role::Title)));
    frame.render_widget(Paragraph::new(lines).block(block), r);
}

//! Drawing the push screen: the build's readiness and the host on top, then the running or
//! last preview, push or rollback (device, files, gauge with bytes and rate, result), and the
//! open prompt over it.

use super::state::{Prompt, PromptKind, PushRun, summary};
use super::types::PushMode;
use crate::flash::device::human_bytes;
use crate::push::PushPhase;
use crate::ui::shared::Shared;
use crate::ui::theme::{Role, Theme};
use crate::ui::widgets::{fit, pane, wrap_words};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Gauge, Paragraph};

fn line(t: &Theme, parts: &[(Role, String)]) -> Line<'static> {
    Line::from(
        parts
            .iter()
            .map(|(r, s)| Span::styled(s.clone(), t.style(*r)))
            .collect::<Vec<_>>(),
    )
}

/// The readiness and host lines.
fn head_lines(sh: &Shared, width: usize) -> Vec<Line<'static>> {
    let t = &sh.theme;
    let p = &sh.push;
    let mut out = vec![line(
        t,
        &[
            (Role::Dim, "Workspace ".into()),
            (Role::Text, sh.workspace.clone()),
            (Role::Dim, "  stack ".into()),
            (Role::Text, sh.stack.typed.join(",")),
        ],
    )];
    let build = match &p.ready {
        None => vec![(Role::Dim, "looking at the build…".to_string())],
        Some((_, Ok(r))) => vec![
            (Role::Ok, "ready ".into()),
            (
                Role::Text,
                format!(
                    "{} files, {} in {}",
                    r.files,
                    human_bytes(r.bytes),
                    r.images
                ),
            ),
        ],
        Some((_, Err(e))) => vec![(Role::Error, format!("build first: {e}"))],
    };
    let mut first = true;
    let text: String = build.iter().map(|(_, s)| s.as_str()).collect();
    let role = build.last().map_or(Role::Dim, |(r, _)| *r);
    for w in wrap_words(&text, width.saturating_sub(10).max(10)) {
        let label = if first { "Build     " } else { "          " };
        first = false;
        out.push(line(t, &[(Role::Dim, label.into()), (role, w)]));
    }
    out.push(line(
        t,
        &[
            (Role::Dim, "Host      ".into()),
            match &p.host {
                Some(h) => (Role::Text, h.clone()),
                None => (Role::Dim, "none yet: enter types [USER@]HOST".into()),
            },
        ],
    ));
    out
}

fn help_lines(t: &Theme, width: usize) -> Vec<Line<'static>> {
    let text = [
        "enter  type the device's [USER@]HOST (~/.ssh/config applies) and preview what would be sent",
        "p      push the previewed files (type the host to confirm)",
        "R      roll back the last push on the host (type the host to confirm)",
        "c      cancel a running push",
        "",
        "Every file goes to a temporary name and is checked by SHA-256 on the device; the set is \
         swapped in only when all arrived, the previous files are kept. The device runs the new \
         files after its next reboot.",
    ];
    text.iter()
        .flat_map(|l| {
            let role = if l.len() > 6 && l.as_bytes()[6] == b' ' {
                Role::Text
            } else {
                Role::Dim
            };
            let wrapped = wrap_words(l, width.max(10));
            let wrapped = if wrapped.is_empty() {
                vec![String::new()]
            } else {
                wrapped
            };
            wrapped
                .into_iter()
                .map(move |w| Line::styled(w, t.style(role)))
        })
        .collect()
}

fn phase_name(p: PushPhase) -> &'static str {
    match p {
        PushPhase::Plan => "reading the build",
        PushPhase::Connect => "connecting",
        PushPhase::Compare => "comparing with the device",
        PushPhase::Upload => "sending and verifying",
        PushPhase::Swap => "swapping the new files in",
        PushPhase::Reboot => "rebooting",
        PushPhase::Rollback => "rolling back",
    }
}

/// Device, file list and notes of a run, cut to `rows`.
fn run_lines(t: &Theme, run: &PushRun, width: usize, rows: usize) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    let state = match (&run.result, run.phase) {
        (None, Some(PushPhase::Upload)) if !run.file.is_empty() => {
            format!("{}… {}", phase_name(PushPhase::Upload), run.file)
        }
        (None, Some(p)) => format!("{}…", phase_name(p)),
        (None, None) => "starting…".into(),
        (Some(_), _) => String::new(),
    };
    if !state.is_empty() {
        out.push(Line::styled(state, t.style(Role::Text)));
    }
    if let Some((arch, release, board)) = &run.device {
        out.push(line(
            t,
            &[
                (Role::Dim, "device ".into()),
                (
                    Role::Text,
                    format!(
                        "{arch}, release {}, board {}",
                        release.as_deref().unwrap_or("unknown"),
                        board.as_deref().unwrap_or("unknown")
                    ),
                ),
            ],
        ));
    }
    let (n, bytes) = run.to_send();
    if !run.files.is_empty() {
        let same = run.files.len() - n;
        out.push(Line::styled(
            format!("{n} to send ({}), {same} the same:", human_bytes(bytes)),
            t.style(Role::Header),
        ));
    }
    let notes: Vec<Line> = run
        .notes
        .iter()
        .flat_map(|(warn, m)| {
            let role = if *warn { Role::Warning } else { Role::Dim };
            wrap_words(m, width.max(10))
                .into_iter()
                .map(move |w| Line::styled(w, t.style(role)))
        })
        .collect();
    let room = rows.saturating_sub(out.len() + notes.len().min(3));
    let shown = if run.files.len() > room {
        room.saturating_sub(1)
    } else {
        run.files.len()
    };
    for f in &run.files[..shown] {
        let role = if f.action == "send" {
            Role::Changed
        } else {
            Role::Dim
        };
        out.push(line(
            t,
            &[
                (role, format!("  {:<5}", f.action)),
                (Role::Text, format!("{:>10}  ", human_bytes(f.size))),
                (Role::Text, fit(&f.path, width.saturating_sub(19))),
            ],
        ));
    }
    if shown < run.files.len() {
        out.push(Line::styled(
            format!("  … {} more", run.files.len() - shown),
            t.style(Role::Dim),
        ));
    }
    let left = rows.saturating_sub(out.len());
    out.extend(notes.into_iter().rev().take(left).rev());
    out
}

fn render_run(sh: &Shared, run: &PushRun, frame: &mut Frame, area: Rect) {
    let t = &sh.theme;
    let title = match run.mode {
        PushMode::Preview => format!(" Preview of {} ", run.host),
        PushMode::Push => format!(" Push to {} ", run.host),
        PushMode::Rollback => format!(" Rollback on {} ", run.host),
    };
    let border = match &run.result {
        Some(Ok(_)) => Role::Ok,
        Some(Err(_)) => Role::Error,
        None => Role::BorderFocused,
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.style(border))
        .title(Span::styled(title, t.style(Role::Title)));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = inner.width as usize;
    let (ok, text) = summary(run);
    let result: Vec<String> = if run.result.is_some() {
        wrap_words(&text, width.max(10))
    } else {
        Vec::new()
    };
    let gauge = run.mode == PushMode::Push && run.total > 0 && run.result.is_none()
        || run.mode == PushMode::Push && run.bytes > 0;
    let [body, bar, end] = Layout::vertical([
        Constraint::Min(0),
        Constraint::Length(u16::from(gauge)),
        Constraint::Length(result.len().min(inner.height as usize / 2) as u16),
    ])
    .areas(inner);
    let lines = run_lines(t, run, width, body.height as usize);
    frame.render_widget(Paragraph::new(lines).style(t.style(Role::Text)), body);
    if gauge {
        let ratio = (run.bytes as f64 / run.total.max(1) as f64).clamp(0.0, 1.0);
        let label = format!(
            "{} / {} at {}/s ({:.0}%)",
            human_bytes(run.bytes),
            human_bytes(run.total),
            human_bytes(run.rate as u64),
            ratio * 100.0
        );
        frame.render_widget(
            Gauge::default()
                .ratio(ratio)
                .label(label)
                .style(t.style(Role::Text))
                .gauge_style(t.style(Role::Ok)),
            bar,
        );
    }
    let role = if ok { Role::Ok } else { Role::Error };
    let result: Vec<Line> = result
        .into_iter()
        .map(|l| Line::styled(l, t.style(role)))
        .collect();
    frame.render_widget(Paragraph::new(result).style(t.style(Role::Text)), end);
}

fn render_prompt(t: &Theme, p: &Prompt, frame: &mut Frame, area: Rect) {
    let width = 72u16.min(area.width.saturating_sub(2));
    let inner = width.saturating_sub(2).max(10) as usize;
    let (title, text, label, danger) = match &p.kind {
        PromptKind::Host => (
            "Push to a device".to_string(),
            "The device's SSH destination; port, key and user can come from ~/.ssh/config. \
             skiff connects and lists what it would send, changing nothing."
                .to_string(),
            "[USER@]HOST",
            false,
        ),
        PromptKind::Confirm { mode, host } => (
            format!("Confirm the {}", mode.verb()),
            match mode {
                PushMode::Rollback => format!(
                    "Swap the files of the last push on {host} with the previous ones they \
                     replaced. Type the host to go on."
                ),
                _ => format!(
                    "Replace the previewed files on {host}; the previous ones are kept for a \
                     rollback. Type the host to go on."
                ),
            },
            "Host",
            true,
        ),
    };
    let mut lines: Vec<Line> = wrap_words(&text, inner)
        .into_iter()
        .map(|l| Line::styled(l, t.style(Role::Text)))
        .collect();
    lines.push(Line::default());
    lines.push(Line::from(vec![
        Span::styled(format!("{label}: "), t.style(Role::Text)),
        Span::styled(p.text.clone(), t.style(Role::Match)),
        Span::styled("▏", t.style(Role::Key)),
    ]));
    lines.push(Line::styled(
        "enter accepts · esc cancels · ctrl-u clears",
        t.style(Role::Dim),
    ));
    let height = (lines.len() as u16 + 2).min(area.height);
    let r = area.centered(Constraint::Length(width), Constraint::Length(height));
    let border = if danger {
        Role::Danger
    } else {
        Role::BorderFocused
    };
    frame.render_widget(Clear, r);
    frame.render_widget(
        Paragraph::new(lines).style(t.style(Role::Text)).block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(t.style(border))
                .title(Span::styled(format!(" {title} "), t.style(border))),
        ),
        r,
    );
}

pub(super) fn render(sh: &Shared, frame: &mut Frame, area: Rect) {
    let t = &sh.theme;
    let width = area.width.saturating_sub(2) as usize;
    let head = head_lines(sh, width);
    let [top, rest] = Layout::vertical([
        Constraint::Length(head.len() as u16 + 2),
        Constraint::Min(0),
    ])
    .areas(area);
    frame.render_widget(
        Paragraph::new(head).style(t.style(Role::Text)).block(pane(
            " Push to a device over SSH ",
            true,
            t,
        )),
        top,
    );
    match &sh.push.run {
        Some(run) => render_run(sh, run, frame, rest),
        None => frame.render_widget(
            Paragraph::new(help_lines(t, width))
                .style(t.style(Role::Text))
                .block(pane(" Keys ", false, t)),
            rest,
        ),
    }
    if let Some(p) = &sh.push.prompt {
        render_prompt(t, p, frame, area);
    }
}

//! Drawing the flash screen: target rows (refused ones greyed with the reason), the layout
//! drawn proportionally on the selected target, the write's phases and progress, the
//! verdict, and the prompt.

use super::confirm::target_name;
use super::flow::{readiness, stack_of};
use super::state::{Prompt, Row, about_device, about_file, needed};
use super::types::FlashAction;
use crate::flash::device::human_bytes;
use crate::flash::{Target, Verdict};
use crate::ui::action::Action;
use crate::ui::screen_id::ScreenId;
use crate::ui::shared::Shared;
use crate::ui::text_input::Completion;
use crate::ui::theme::{Role, Theme};
use crate::ui::widgets::{fit, pad, pane, row, wrap_words};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Margin, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

/// Target list, what each action would do now, layout pane, and the write pane when a
/// write was started from this workspace.
pub(super) fn areas(area: Rect, sh: &Shared) -> [Rect; 4] {
    let st = &sh.flash;
    let extra = u16::from(!matches!(st.devices, Some(Ok(_))));
    let rows = st.rows().len() as u16 + extra;
    let list = (rows + 2).clamp(3, (area.height * 2 / 5).max(5));
    let job = if st.run_of(&sh.workspace).is_some() {
        8
    } else {
        0
    };
    let inner = area.width.saturating_sub(2) as usize;
    let actions = action_lines(sh)
        .iter()
        .map(|(_, text)| wrap_words(text, inner).len() as u16)
        .sum::<u16>()
        .min(4)
        + 2;
    Layout::vertical([
        Constraint::Length(list),
        Constraint::Length(actions),
        Constraint::Min(3),
        Constraint::Length(job),
    ])
    .areas(area)
}

pub(super) fn render(sh: &Shared, frame: &mut Frame, area: Rect) {
    let st = &sh.flash;
    let [list, actions, layout, job] = areas(area, sh);
    render_targets(sh, frame, list);
    render_actions(sh, frame, actions);
    render_layout(sh, frame, layout);
    if let Some(run) = st.run_of(&sh.workspace) {
        super::run_draw::render_run(sh, run, frame, job);
    }
    if let Some(p) = &st.prompt {
        render_prompt(&sh.theme, p, frame, area);
    }
    if st.persona.open {
        super::personalise::render(&sh.theme, &st.persona, frame, area);
    }
}

/// What each action would do now on the selected target, grouped by verdict: `✓ f format ·
/// w write an image: ready, each asks first`, or greyed with the reason it cannot run.
pub(super) fn action_lines(sh: &Shared) -> Vec<(Role, String)> {
    let mut groups: Vec<(Result<(), String>, Vec<String>)> = Vec::new();
    for (action, key_action, what) in [
        (FlashAction::Format, Action::Format, "format"),
        (FlashAction::Install, Action::Install, "install"),
        (
            FlashAction::WriteImage,
            Action::WriteImage,
            "write an image",
        ),
    ] {
        let verdict = readiness(sh, action).map(|_| ());
        let label = match sh.keymap.first_key(ScreenId::Flash.name(), key_action) {
            Some(k) => format!("{k} {what}"),
            None => what.to_string(),
        };
        match groups.iter_mut().find(|(v, _)| *v == verdict) {
            Some((_, labels)) => labels.push(label),
            None => groups.push((verdict, vec![label])),
        }
    }
    groups
        .into_iter()
        .map(|(verdict, labels)| {
            let labels = labels.join(" · ");
            match verdict {
                Ok(()) if labels.contains(" · ") => {
                    (Role::Ok, format!("✓ {labels}: ready, each asks first"))
                }
                Ok(()) => (Role::Ok, format!("✓ {labels}: ready, asks first")),
                Err(why) => (Role::Dim, format!("✗ {labels}: {why}")),
            }
        })
        .collect()
}

fn render_actions(sh: &Shared, frame: &mut Frame, area: Rect) {
    let t = &sh.theme;
    let title = match sh.flash.selected() {
        Some(target) => format!(" Actions on {} ", target_name(&target)),
        None => " Actions ".to_string(),
    };
    let width = area.width.saturating_sub(2) as usize;
    let lines: Vec<Line> = action_lines(sh)
        .into_iter()
        .flat_map(|(role, text)| {
            wrap_words(&text, width)
                .into_iter()
                .map(move |l| Line::from(Span::styled(l, t.style(role))))
        })
        .collect();
    frame.render_widget(
        Paragraph::new(lines).block(pane(fit(&title, width), false, t)),
        area,
    );
}

/// The verdict shown for a device: refused with reasons, or writable (noting when the
/// stack's layout needs a larger card).
fn device_status(v: &Verdict, needed: Option<u64>, size: u64) -> (Role, String) {
    if !v.writable {
        let text = if v.overridable() {
            format!("{} · ! overrides", v.describe())
        } else {
            v.describe()
        };
        return (Role::Dim, text);
    }
    match needed {
        Some(n) if n > size => (
            Role::Warning,
            format!(
                "writable · too small for this layout ({} needed)",
                human_bytes(n)
            ),
        ),
        _ => (Role::Ok, "writable".into()),
    }
}

fn render_targets(sh: &Shared, frame: &mut Frame, area: Rect) {
    let t = &sh.theme;
    let st = &sh.flash;
    let found = stack_of(sh)
        .and_then(|s| st.layout_for(&s.joined()))
        .and_then(|r| r.as_ref().ok())
        .and_then(|f| f.as_ref());
    let need = needed(found);
    let title = match &st.devices {
        None => " Targets · looking for devices… ".to_string(),
        Some(Ok(d)) => format!(
            " Targets · {} device{} ",
            d.len(),
            if d.len() == 1 { "" } else { "s" }
        ),
        Some(Err(_)) => " Targets ".to_string(),
    };
    frame.render_widget(pane(title, true, t), area);
    let mut inner = area.inner(Margin::new(1, 1));
    if let Some(Err(e)) = &st.devices {
        frame.render_widget(
            Span::styled(
                fit(&format!("cannot list devices: {e}"), inner.width as usize),
                t.style(Role::Error),
            ),
            Rect { height: 1, ..inner },
        );
        inner.y += 1;
        inner.height = inner.height.saturating_sub(1);
    }
    let rows = st.rows();
    let w = inner.width as usize;
    let about_w = st
        .device_list()
        .iter()
        .map(|d| about_device(d).chars().count())
        .max()
        .unwrap_or(0)
        .clamp(12, (w * 2 / 5).max(12));
    let name_w = st
        .device_list()
        .iter()
        .map(|d| d.name.chars().count())
        .max()
        .unwrap_or(4)
        .max(4);
    for (i, rect) in st.cursor.window(rows.len(), inner) {
        let selected = i == st.cursor.pos;
        let (mark, mark_role, main, status) = match rows[i] {
            Row::Device(k) => {
                let d = &st.device_list()[k];
                let (role, text) = device_status(&d.verdict, need, d.size);
                let armed = st.armed.as_deref() == Some(d.name.as_str());
                let (mark, mark_role) = match (d.verdict.writable, armed) {
                    (_, true) => ("!", Role::Warning),
                    (true, _) => ("✓", Role::Ok),
                    (false, _) => ("✗", Role::Dim),
                };
                let status = if armed {
                    (
                        Role::Warning,
                        format!(
                            "{} · override armed: you type its name to write",
                            d.verdict.describe()
                        ),
                    )
                } else {
                    (role, text)
                };
                let main = format!(
                    "{} {}",
                    pad(&d.name, name_w),
                    pad(&about_device(d), about_w)
                );
                (mark, mark_role, main, status)
            }
            Row::File(k) => {
                let f = &st.files[k];
                let path = f.path.display().to_string();
                let main = format!("{} ({})", path, about_file(f));
                (
                    "✓",
                    Role::Ok,
                    pad(
                        &main,
                        (name_w + 1 + about_w).max(main.chars().count().min(w * 2 / 3)),
                    ),
                    (Role::Ok, "writable".into()),
                )
            }
            Row::AddFile => (
                "+",
                Role::Key,
                pad("image file…", name_w + 1 + about_w),
                (
                    Role::Dim,
                    "enter, then type the path of a card image file".into(),
                ),
            ),
        };
        let greyed = status.0 == Role::Dim && matches!(rows[i], Row::Device(_));
        let base = if greyed {
            t.style(Role::Dim)
        } else {
            t.style(Role::Text)
        };
        let row_style = if selected {
            t.style(Role::Selection)
        } else {
            Style::default()
        };
        // A separator, so a model name and a refusal never read as one phrase.
        let used = 3 + main.chars().count() + 3;
        let line = Line::from(vec![
            Span::styled(format!(" {mark} "), t.style(mark_role).patch(row_style)),
            Span::styled(main, base.patch(row_style)),
            Span::styled(" │ ", t.style(Role::Border).patch(row_style)),
            Span::styled(
                fit(&status.1, w.saturating_sub(used)),
                t.style(status.0).patch(row_style),
            ),
        ]);
        row(frame, rect, line, row_style);
    }
}

/// Role of each bar glyph: tables, raw blobs, partitions (alternating), free space.
fn glyph_role(c: char) -> Role {
    match c {
        '#' => Role::Header,
        '!' => Role::Warning,
        '.' => Role::Dim,
        '|' => Role::Border,
        c if c.is_ascii_alphanumeric() => {
            if c.to_digit(36).unwrap_or(0) % 2 == 1 {
                Role::Added
            } else {
                Role::Changed
            }
        }
        _ => Role::Text,
    }
}

/// The bar with one colour per region kind.
fn bar_line(t: &Theme, bar: &str) -> Line<'static> {
    let mut spans: Vec<Span> = Vec::new();
    let mut run = String::new();
    let mut role = None;
    for c in bar.chars() {
        let r = glyph_role(c);
        if Some(r) != role && !run.is_empty() {
            spans.push(Span::styled(
                std::mem::take(&mut run),
                t.style(role.unwrap_or(Role::Text)),
            ));
        }
        role = Some(r);
        run.push(c);
    }
    if !run.is_empty() {
        spans.push(Span::styled(run, t.style(role.unwrap_or(Role::Text))));
    }
    Line::from(spans)
}

fn render_layout(sh: &Shared, frame: &mut Frame, area: Rect) {
    let t = &sh.theme;
    let st = &sh.flash;
    let text = |role: Role, s: String| vec![Line::from(Span::styled(s, t.style(role)))];
    let (title, lines) = match stack_of(sh) {
        None => (
            " Layout ".to_string(),
            text(Role::Dim, "The stack is empty: add a board on the Layers screen (1); format and install use its layout.yaml. w writes an existing image without one.".into()),
        ),
        Some(stack) => match st.layout_for(&stack.joined()) {
            None => (" Layout ".to_string(), text(Role::Dim, "reading the layout…".into())),
            Some(Err(e)) => (" Layout ".to_string(), text(Role::Error, e.clone())),
            Some(Ok(None)) => (
                " Layout ".to_string(),
                text(Role::Dim, format!("No layer of {} has a layout.yaml: format and install need one (docs/layouts.md); w writes an existing image.", stack.joined())),
            ),
            Some(Ok(Some(f))) => layout_lines(sh, f, area),
        },
    };
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(pane(title, false, t)),
        area,
    );
}

/// The layout drawn on the selected target's size (else its image size or smallest card).
fn layout_lines(
    sh: &Shared,
    f: &super::types::FoundLayout,
    area: Rect,
) -> (String, Vec<Line<'static>>) {
    let t = &sh.theme;
    let l = &f.layout;
    let min = l.min_card_size();
    let default = l.image_size.map(|s| s.0).unwrap_or(min);
    let (on, size) = match sh.flash.selected() {
        Some(Target::Device(d)) => (Some(d.name.clone()), d.size),
        Some(Target::File(file)) => (
            Some(file.path.display().to_string()),
            file.existing_size.unwrap_or(default),
        ),
        None => (None, default),
    };
    let title = match &on {
        Some(n) if l.has_card() => {
            format!(" Layout of {} on {n} ({}) ", f.layer, human_bytes(size))
        }
        _ => format!(" Layout of {} ", f.layer),
    };
    let mut lines = Vec::new();
    let fits = size >= min;
    if l.has_card() && !fits {
        lines.push(Line::from(Span::styled(
            format!(
                "{} is too small: the layout needs {}; drawn on its smallest card",
                on.as_deref().unwrap_or("the card"),
                human_bytes(min)
            ),
            t.style(Role::Error),
        )));
    }
    let card = if fits { size } else { min };
    let width = (area.width as usize).saturating_sub(4).max(8);
    for (i, text) in l.render(card, width).lines().enumerate() {
        if l.has_card() && i == 1 {
            lines.push(bar_line(t, text));
        } else {
            let role = if i == 0 { Role::Text } else { Role::Dim };
            lines.push(Line::from(Span::styled(text.to_string(), t.style(role))));
        }
    }
    if l.has_card() {
        lines.push(Line::from(Span::styled(
            format!("Smallest card: {}", human_bytes(min)),
            t.style(Role::Dim),
        )));
    }
    if l.has_card() && fits {
        let report = l.check(Some(card));
        if let Some(e) = report.errors().next() {
            lines.insert(
                0,
                Line::from(Span::styled(
                    format!("{}: {}", e.field, e.message),
                    t.style(Role::Error),
                )),
            );
        }
    }
    (title, lines)
}

/// The names a Tab found, the one in the field highlighted (at most 12, then how many more).
fn candidates_line(t: &Theme, c: &Completion) -> Line<'static> {
    const SHOWN: usize = 12;
    let mut spans = vec![Span::styled("Tab: ", t.style(Role::Dim))];
    for (i, full) in c.candidates.iter().take(SHOWN).enumerate() {
        if i > 0 {
            spans.push(Span::styled(" · ", t.style(Role::Dim)));
        }
        let name = full.trim_end_matches('/');
        let base = name.rsplit('/').next().unwrap_or(name);
        let slash = if full.ends_with('/') { "/" } else { "" };
        let role = if c.shown == Some(i) {
            Role::Match
        } else {
            Role::Text
        };
        spans.push(Span::styled(format!("{base}{slash}"), t.style(role)));
    }
    if c.candidates.len() > SHOWN {
        spans.push(Span::styled(
            format!(" · {} more", c.candidates.len() - SHOWN),
            t.style(Role::Dim),
        ));
    }
    Line::from(spans)
}

fn render_prompt(t: &Theme, p: &Prompt, frame: &mut Frame, area: Rect) {
    let width = 76u16.min(area.width.saturating_sub(2));
    let mut lines: Vec<Line> = p
        .lines
        .iter()
        .map(|(role, text)| Line::from(Span::styled(text.clone(), t.style(*role))))
        .collect();
    lines.push(Line::default());
    lines.push(Line::from(vec![
        Span::raw(format!("{}: ", p.label)),
        Span::styled(p.text.clone(), t.style(Role::Match)),
        Span::styled("▏", t.style(Role::Key)),
    ]));
    if let Some(c) = p.completion.as_ref().filter(|c| c.candidates.len() > 1) {
        lines.push(candidates_line(t, c));
    }
    let keys = if p.completion.is_some() {
        "tab completes · enter accepts · esc cancels · ctrl-u clears"
    } else {
        "enter accepts · esc cancels · ctrl-u clears"
    };
    lines.push(Line::from(Span::styled(keys, t.style(Role::Dim))));
    let height: u16 = lines
        .iter()
        .map(|l| {
            (l.width() as u16)
                .div_ceil(width.saturating_sub(2).max(1))
                .max(1)
        })
        .sum::<u16>()
        + 2;
    let r = area.centered(
        Constraint::Length(width),
        Constraint::Length(height.min(area.height.saturating_sub(2))),
    );
    let border = if p.danger {
        Role::Danger
    } else {
        Role::BorderFocused
    };
    frame.render_widget(Clear, r);
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }).block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(t.style(border))
                .title(Span::styled(format!(" {} ", p.title), t.style(border))),
        ),
        r,
    );
}

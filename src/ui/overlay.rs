//! Modals drawn over the screens: the help overlay, confirmations, and a one-line input.

use super::keymap::{GLOBAL, Keymap};
use super::msg::Cmd;
use super::theme::{Role, Theme};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

/// A screen asking the app for a modal it cannot open itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ask {
    NewWorkspace,
}

/// A confirmation: nothing happens until the user answers yes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirm {
    pub title: String,
    pub lines: Vec<(Role, String)>,
    /// Label of the yes button, e.g. "configure".
    pub yes: String,
    /// The effect that runs on yes.
    pub cmd: Cmd,
    /// Replaces or deletes something: drawn in the danger style.
    pub danger: bool,
}

/// A one-line text prompt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    pub title: String,
    pub prompt: String,
    pub text: String,
    pub purpose: Ask,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overlay {
    /// A scrolling text: the keys of a pane, or the message history.
    Help {
        title: String,
        lines: Vec<Line<'static>>,
        scroll: u16,
    },
    Confirm(Confirm),
    Input(Input),
}

impl Overlay {
    /// The keymap pane that handles keys while this overlay is open.
    pub fn pane(&self) -> &'static str {
        match self {
            Overlay::Help { .. } => super::keymap::HELP,
            Overlay::Confirm(_) => super::keymap::CONFIRM,
            Overlay::Input(_) => "",
        }
    }
}

/// The label of a dialog's "no" button: `cancel`, unless the "yes" already cancels or stops
/// something (then "cancel" would read as the same choice).
pub fn no_label(yes: &str) -> &'static str {
    if yes.starts_with("cancel") || yes.starts_with("stop") {
        "no, keep going"
    } else {
        "cancel"
    }
}

fn popup(area: Rect, width: u16, height: u16) -> Rect {
    area.centered(
        Constraint::Length(width.min(area.width.saturating_sub(2))),
        Constraint::Length(height.min(area.height.saturating_sub(2))),
    )
}

fn frame_block<'a>(title: String, style: ratatui::style::Style) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(style)
        .title(Span::styled(title, style))
}

/// The help text of a pane: its own keys, then the keys that work everywhere.
pub fn help_lines(keymap: &Keymap, pane: &str, theme: &Theme) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    let keys_text = |keys: &[super::keys::KeySpec]| {
        keys.iter()
            .map(|k| k.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let width = [pane, GLOBAL]
        .iter()
        .flat_map(|p| keymap.grouped(p))
        .map(|(_, k)| keys_text(&k).chars().count())
        .max()
        .unwrap_or(0)
        .clamp(8, 28)
        + 2;
    let section = |name: &str, out: &mut Vec<Line<'static>>| {
        for (action, keys) in keymap.grouped(name) {
            out.push(Line::from(vec![
                Span::styled(
                    format!("  {:<width$}", keys_text(&keys)),
                    theme.style(Role::Key),
                ),
                Span::raw(action.describe()),
            ]));
        }
    };
    if pane != GLOBAL {
        section(pane, &mut out);
        if matches!(pane, "layers" | "preview") {
            out.push(Line::from(Span::styled(
                "  While typing: Enter keeps the filter, Esc clears it, ↑/↓ move, ctrl-u empties it",
                theme.style(Role::Dim),
            )));
        }
        if pane == "preview" {
            out.push(Line::from(Span::styled(
                "  Values write the tree root as <tree>; * marks a symbol a later layer changed",
                theme.style(Role::Dim),
            )));
        }
        out.push(Line::default());
        out.push(Line::from(Span::styled(
            "Everywhere",
            theme.style(Role::Header),
        )));
    }
    section(GLOBAL, &mut out);
    out.push(Line::from(vec![
        Span::styled(format!("  {:<width$}", "ctrl-c"), theme.style(Role::Key)),
        Span::raw("quit at once (exit code 130)"),
    ]));
    out.push(Line::from(Span::styled(
        "  Mouse: wheel scrolls, click selects rows and tabs",
        theme.style(Role::Dim),
    )));
    out
}

/// How far the help of `pane` can scroll in a terminal of `area`.
pub fn help_scroll_max(lines: &[Line<'static>], area: Rect) -> u16 {
    let total = lines.len() as u16;
    let visible = popup(area, 84, total + 2).height.saturating_sub(2);
    total.saturating_sub(visible)
}

/// Draw an overlay over `area`.
pub fn render(overlay: &Overlay, keymap: &Keymap, theme: &Theme, frame: &mut Frame, area: Rect) {
    match overlay {
        Overlay::Help {
            title,
            lines,
            scroll,
        } => {
            let total = lines.len() as u16;
            let r = popup(area, 84, total + 2);
            let visible = r.height.saturating_sub(2);
            let max = total.saturating_sub(visible);
            let title = if max > 0 {
                format!(
                    " {title} · ↑↓ scroll ({}/{total}) · Esc closes ",
                    (*scroll).min(max) + visible
                )
            } else {
                format!(" {title} · Esc closes ")
            };
            frame.render_widget(Clear, r);
            frame.buffer_mut().set_style(r, theme.style(Role::Text));
            frame.render_widget(
                Paragraph::new(lines.clone())
                    .block(frame_block(title, theme.style(Role::BorderFocused)))
                    .scroll(((*scroll).min(max), 0)),
                r,
            );
        }
        Overlay::Confirm(c) => {
            let border = if c.danger {
                theme.style(Role::Danger)
            } else {
                theme.style(Role::BorderFocused)
            };
            let width = 76u16.min(area.width.saturating_sub(2));
            // Wrapped here, at separators, so no layer name or path is split.
            let mut lines: Vec<Line> = c
                .lines
                .iter()
                .flat_map(|(role, text)| {
                    super::widgets::wrap_words(text, width.saturating_sub(2) as usize)
                        .into_iter()
                        .map(|l| Line::from(Span::styled(l, theme.style(*role))))
                })
                .collect();
            lines.push(Line::default());
            let yes_role = if c.danger {
                Role::Danger
            } else {
                Role::TabActive
            };
            let yes = keymap.keys_for(super::keymap::CONFIRM, super::action::Action::Confirm);
            let no = keymap.keys_for(super::keymap::CONFIRM, super::action::Action::Cancel);
            lines.push(Line::from(vec![
                Span::styled(format!(" [{yes}] {} ", c.yes), theme.style(yes_role)),
                Span::raw("   "),
                Span::styled(
                    format!(" [{no}] {} ", no_label(&c.yes)),
                    theme.style(Role::Tab),
                ),
            ]));
            let wrapped: u16 = lines
                .iter()
                .map(|l| (l.width() as u16).div_ceil(width - 2).max(1))
                .sum();
            let r = popup(area, width, wrapped + 2);
            frame.render_widget(Clear, r);
            frame.buffer_mut().set_style(r, theme.style(Role::Text));
            frame.render_widget(
                Paragraph::new(lines)
                    .block(frame_block(format!(" {} ", c.title), border))
                    .wrap(Wrap { trim: false }),
                r,
            );
        }
        Overlay::Input(i) => {
            let r = popup(area, 60, 5);
            frame.render_widget(Clear, r);
            frame.buffer_mut().set_style(r, theme.style(Role::Text));
            let lines = vec![
                Line::from(vec![
                    Span::raw(format!("{}: ", i.prompt)),
                    Span::styled(i.text.clone(), theme.style(Role::Match)),
                    Span::styled("▏", theme.style(Role::Key)),
                ]),
                Line::default(),
                Line::from(Span::styled(
                    "Enter creates · Esc cancels",
                    theme.style(Role::Dim),
                )),
            ];
            frame.render_widget(
                Paragraph::new(lines).block(frame_block(
                    format!(" {} ", i.title),
                    theme.style(Role::BorderFocused),
                )),
                r,
            );
        }
    }
}

//! The frame around the screens: tab bar, status line, overlays, and the too-small message.

use super::action::Action;
use super::app::{App, MIN_HEIGHT, MIN_WIDTH, chrome};
use super::overlay;
use super::shared::StatusLevel;
use super::theme::Role;
use super::widgets::{fit, wrap_words};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

/// Columns of the status line the hints leave at least for the left part.
const HINT_RESERVE: usize = 24;

impl App {
    /// Draw the whole app. Reads state only.
    pub fn view(&self, frame: &mut Frame) {
        let area = frame.area();
        let t = &self.shared.theme;
        if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
            let msg = vec![
                Line::from(Span::styled("Terminal too small", t.style(Role::Warning))),
                Line::from(format!(
                    "skiff needs at least {MIN_WIDTH}x{MIN_HEIGHT}; this one is {}x{}.",
                    area.width, area.height
                )),
                Line::from("Enlarge the window, or press q to quit."),
            ];
            let r = area.centered_vertically(Constraint::Length(3));
            frame.render_widget(
                Paragraph::new(msg)
                    .alignment(ratatui::layout::Alignment::Center)
                    .wrap(Wrap { trim: true }),
                r,
            );
            return;
        }
        // Every cell starts on the theme's background, so no colour depends on the terminal's.
        frame.buffer_mut().set_style(area, t.style(Role::Text));
        let (tabs, body, status) = chrome(area);
        self.tab_bar(frame, tabs);
        self.screens[self.active].render(&self.shared, frame, body);
        self.status_line(frame, status);
        if let Some(o) = &self.overlay {
            overlay::render(o, &self.shared.keymap, t, frame, area);
        }
    }

    fn tab_bar(&self, frame: &mut Frame, area: Rect) {
        frame.render_widget(self.tab_line(area.width), area);
    }

    fn status_line(&self, frame: &mut Frame, area: Rect) {
        let sh = &self.shared;
        let t = &sh.theme;
        // A message takes the whole line in its own colours; hints come back with the next key.
        if let Some(s) = &sh.status {
            let role = match s.level {
                StatusLevel::Info => Role::Text,
                StatusLevel::Ok => Role::Ok,
                StatusLevel::Warning => Role::Warning,
                StatusLevel::Error => Role::Error,
            };
            // A long message wraps upwards over the bottom of the screen (up to 6 lines),
            // never cut; the next key brings the screen back.
            let room = (area.width as usize).saturating_sub(2);
            let lines = wrap_words(&s.text, room);
            let n = (lines.len() as u16)
                .min(6)
                .min(area.y.saturating_sub(2))
                .max(1);
            let r = Rect::new(area.x, area.y + 1 - n, area.width, n);
            frame.render_widget(ratatui::widgets::Clear, r);
            frame.buffer_mut().set_style(r, t.style(role));
            let text: Vec<Line> = lines
                .into_iter()
                .take(n as usize)
                .map(|l| Line::from(format!(" {l}")))
                .collect();
            frame.render_widget(Paragraph::new(text).style(t.style(role)), r);
            return;
        }
        frame.buffer_mut().set_style(area, t.style(Role::Status));
        // What comes next (the guided path) keeps its room; the hints shorten around it.
        let next = super::guide::next_line(sh, self.active());
        let reserve = (next.chars().count() + 2).max(HINT_RESERVE);
        let hints = format!(
            "{} ",
            self.hints_reserving(area.width as usize, reserve)
                .join(" · ")
        );
        let hw = hints.chars().count();
        let room = (area.width as usize).saturating_sub(hw + 2);
        let stack = if sh.stack.typed.is_empty() {
            "(empty)".to_string()
        } else {
            sh.stack.typed.join(",")
        };
        // What comes next, then the stack as far as it fits.
        let with_stack = format!("{next} · stack: {stack}");
        let left = if room >= next.chars().count() + 20 || with_stack.chars().count() <= room {
            format!(" {}", fit(&with_stack, room))
        } else {
            format!(" {}", fit(&next, room))
        };
        let gap = (area.width as usize).saturating_sub(left.chars().count() + hw);
        let line = Line::from(format!("{left}{}{hints}", " ".repeat(gap)));
        frame.render_widget(line.style(t.style(Role::Status)), area);
    }

    /// The hints of the status line for a line `width` columns wide: the screen's own
    /// actions in order, then save, help and quit. When they do not fit beside the stack,
    /// the screen's later actions go first, then save; its main action, help and quit stay.
    pub fn hints(&self, width: usize) -> Vec<String> {
        self.hints_reserving(width, HINT_RESERVE)
    }

    /// The hints when `reserve` columns of the line are kept for the left part.
    fn hints_reserving(&self, width: usize, reserve: usize) -> Vec<String> {
        let sh = &self.shared;
        let pane = self.active().name();
        let mut actions: Vec<Action> = self.screens[self.active].hints().to_vec();
        actions.extend([Action::Save, Action::Help, Action::Quit]);
        let mut hints: Vec<(Action, String)> = actions
            .iter()
            .filter_map(|a| {
                let k = sh.keymap.first_key(pane, *a)?;
                Some((*a, format!("{k} {}", a.name())))
            })
            .collect();
        let fits = |h: &[(Action, String)]| {
            let len: usize = h.iter().map(|(_, s)| s.chars().count() + 3).sum();
            len + reserve <= width
        };
        while !fits(&hints) {
            let common = [Action::Save, Action::Help, Action::Quit];
            let own = hints.iter().filter(|(a, _)| !common.contains(a)).count();
            let drop = if own > 1 {
                own - 1
            } else if let Some(i) = hints.iter().position(|(a, _)| *a == Action::Save) {
                i
            } else {
                break;
            };
            hints.remove(drop);
        }
        hints.into_iter().map(|(_, s)| s).collect()
    }
}

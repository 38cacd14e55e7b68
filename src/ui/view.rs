//! The frame around the screens: tab bar, status line, overlays, and the too-small message.

use super::action::Action;
use super::analysis::Level;
use super::app::{App, MIN_HEIGHT, MIN_WIDTH, chrome};
use super::overlay;
use super::screen_id::ScreenId;
use super::shared::StatusLevel;
use super::theme::Role;
use super::widgets::fit;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

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
        let (tabs, body, status) = chrome(area);
        self.tab_bar(frame, tabs);
        self.screens[self.active].render(&self.shared, frame, body);
        self.status_line(frame, status);
        if let Some(o) = &self.overlay {
            overlay::render(o, &self.shared.keymap, t, frame, area);
        }
    }

    fn tab_bar(&self, frame: &mut Frame, area: Rect) {
        let sh = &self.shared;
        let t = &sh.theme;
        let mut spans = vec![Span::styled(" skiff ", t.style(Role::Title))];
        for (i, text, _, _) in self.tab_ranges() {
            let role = if i == self.active {
                Role::TabActive
            } else {
                Role::Tab
            };
            spans.push(Span::styled(text, t.style(role)));
            if self.screens[i].id() == ScreenId::Stack {
                let notes = &sh.stack.analysis.notes;
                let errors = notes.iter().filter(|n| n.level == Level::Error).count();
                if errors > 0 {
                    spans.push(Span::styled(format!("✗{errors} "), t.style(Role::Error)));
                } else if !notes.is_empty() {
                    spans.push(Span::styled(
                        format!("⚠{} ", notes.len()),
                        t.style(Role::Warning),
                    ));
                }
            }
        }
        let left: usize = spans.iter().map(|s| s.width()).sum();
        let mut right = vec![Span::styled(
            format!("workspace {}", sh.workspace),
            t.style(Role::Text),
        )];
        if sh.saving {
            right.push(Span::styled(" · configuring…", t.style(Role::Warning)));
        } else if sh.workspaces.is_some() && sh.unsaved() && !sh.stack.typed.is_empty() {
            right.push(Span::styled(" · unsaved", t.style(Role::Warning)));
        }
        right.push(Span::raw(" "));
        let rw: usize = right.iter().map(|s| s.width()).sum();
        let gap = (area.width as usize).saturating_sub(left + rw);
        if gap > 0 {
            spans.push(Span::raw(" ".repeat(gap)));
            spans.extend(right);
        }
        frame.render_widget(Line::from(spans), area);
    }

    fn status_line(&self, frame: &mut Frame, area: Rect) {
        let sh = &self.shared;
        let t = &sh.theme;
        frame.buffer_mut().set_style(area, t.style(Role::Status));
        let pane = self.active().name();
        let mut hint_actions: Vec<Action> = self.screens[self.active].hints().to_vec();
        hint_actions.extend([Action::Save, Action::Help, Action::Quit]);
        let mut hints: Vec<String> = hint_actions
            .iter()
            .filter_map(|a| {
                let k = sh.keymap.first_key(pane, *a)?;
                Some(format!("{k} {}", a.name()))
            })
            .collect();
        // Keep room for the stack on narrow terminals: drop the screen's hints first.
        while hints.len() > 1 && hints.join(" · ").chars().count() + 40 > area.width as usize {
            hints.remove(0);
        }
        // A message takes the whole line; hints come back with the next key.
        let hints = if sh.status.is_some() {
            String::new()
        } else {
            format!("{} ", hints.join(" · "))
        };
        let hw = hints.chars().count();
        let room = (area.width as usize).saturating_sub(hw + 2);
        let left = match &sh.status {
            Some(s) => {
                let role = match s.level {
                    StatusLevel::Info => Role::Text,
                    StatusLevel::Ok => Role::Ok,
                    StatusLevel::Warning => Role::Warning,
                    StatusLevel::Error => Role::Error,
                };
                Span::styled(format!(" {}", fit(&s.text, room)), t.style(role))
            }
            None => {
                let stack = if sh.stack.typed.is_empty() {
                    "(empty)".to_string()
                } else {
                    sh.stack.typed.join(",")
                };
                Span::raw(format!(" {}", fit(&format!("stack: {stack}"), room)))
            }
        };
        let lw = left.width();
        let gap = (area.width as usize).saturating_sub(lw + hw);
        let line = Line::from(vec![
            left,
            Span::raw(" ".repeat(gap)),
            Span::styled(hints, t.style(Role::Dim)),
        ]);
        frame.render_widget(line, area);
    }
}

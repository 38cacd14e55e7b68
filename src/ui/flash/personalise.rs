//! The flash screen's personalisation form (`p`): hostname template, SSH public key file,
//! one Wi-Fi network and its passphrase. Checked with the same rules as the CLI flags; the
//! result rides on every confirmed install, image write or batch until changed or cleared.

use super::types::PersonaForm;
use crate::model::personalise::{Persona, Template, Wifi};
use crate::ui::shared::{Shared, StatusLevel};
use crate::ui::text_input::Edit;
use crate::ui::theme::{Role, Theme};
use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

/// The fields, in order: label and whether the text is hidden.
pub const FIELDS: [(&str, bool); 4] = [
    ("Hostname", false),
    ("SSH key file", false),
    ("Wi-Fi SSID", false),
    ("Passphrase", true),
];

/// Opens the form with the values last typed.
pub fn open(sh: &mut Shared) {
    let form = &mut sh.flash.persona;
    form.open = true;
    form.field = 0;
    form.error = None;
}

/// Checks the typed values: `Ok(None)` when every field is empty.
pub fn check(values: &[String; 4]) -> Result<Option<Persona>, String> {
    let [hostname, key, ssid, psk] = values.clone().map(|v| v.trim().to_string());
    let mut persona = Persona::default();
    if !hostname.is_empty() {
        persona.hostname = Some(Template::parse(&hostname).map_err(|e| e.0)?);
    }
    if !key.is_empty() {
        let file = crate::flash::personalise::read_key_file(std::path::Path::new(&key));
        persona.keys.push(file.map_err(|e| e.to_string())?);
    }
    match (ssid.is_empty(), psk.is_empty()) {
        (true, true) => {}
        (true, false) => return Err("a passphrase without a Wi-Fi SSID".into()),
        (false, _) => persona
            .wifi
            .push(Wifi::new(&ssid, &values[3]).map_err(|e| e.0)?),
    }
    Ok((!persona.is_empty()).then_some(persona))
}

/// One line about what the writes carry: `robot-{n:02} · 1 key · Wi-Fi lab`.
pub fn summary(p: &Persona) -> String {
    let mut parts = Vec::new();
    if let Some(t) = &p.hostname {
        parts.push(format!("hostname {}", t.text()));
    }
    if !p.keys.is_empty() {
        parts.push(format!("SSH key {}", p.keys[0].name));
    }
    for w in &p.wifi {
        parts.push(format!("Wi-Fi {}", w.ssid));
    }
    parts.join(" · ")
}

/// A key while the form is open. Enter moves on (accepting on the last field), tab and the
/// arrows move between fields, esc closes without changing what writes carry.
pub fn key(sh: &mut Shared, key: &KeyEvent) {
    let form = &mut sh.flash.persona;
    match key.code {
        KeyCode::Tab | KeyCode::Down => {
            form.field = (form.field + 1) % FIELDS.len();
            return;
        }
        KeyCode::BackTab | KeyCode::Up => {
            form.field = (form.field + FIELDS.len() - 1) % FIELDS.len();
            return;
        }
        _ => {}
    }
    match crate::ui::text_input::edit(&mut form.values[form.field], key) {
        Edit::Changed | Edit::Ignored => {}
        Edit::Cancelled => {
            form.open = false;
            sh.set_status(StatusLevel::Info, "personalisation unchanged");
        }
        Edit::Submitted if form.field + 1 < FIELDS.len() => form.field += 1,
        Edit::Submitted => match check(&form.values) {
            Err(e) => form.error = Some(e),
            Ok(p) => {
                form.open = false;
                form.error = None;
                let text = match &p {
                    Some(p) => format!(
                        "personalisation for installs, image writes and batches: {}",
                        summary(p)
                    ),
                    None => "no personalisation".into(),
                };
                form.applied = p;
                sh.set_status(StatusLevel::Ok, text);
            }
        },
    }
}

/// Draws the form over the screen.
pub fn render(t: &Theme, form: &PersonaForm, frame: &mut Frame, area: Rect) {
    let width = 76u16.min(area.width.saturating_sub(2));
    let mut lines = vec![
        Line::from(Span::styled(
            "Written under skiff/ on persist (hostname, keys/, connections/) after an",
            t.style(Role::Dim),
        )),
        Line::from(Span::styled(
            "install, image write or each batch card; {n} is 1, or the card's number.",
            t.style(Role::Dim),
        )),
        Line::default(),
    ];
    for (i, (label, hidden)) in FIELDS.iter().enumerate() {
        let value = &form.values[i];
        let shown = if *hidden {
            "•".repeat(value.chars().count())
        } else {
            value.clone()
        };
        let focused = i == form.field;
        let mut spans = vec![
            Span::styled(
                format!("{} {label:<13}", if focused { "›" } else { " " }),
                t.style(if focused { Role::Key } else { Role::Dim }),
            ),
            Span::styled(shown, t.style(Role::Match)),
        ];
        if focused {
            spans.push(Span::styled("▏", t.style(Role::Key)));
        }
        lines.push(Line::from(spans));
    }
    lines.push(Line::default());
    if let Some(e) = &form.error {
        lines.push(Line::from(Span::styled(e.clone(), t.style(Role::Error))));
    }
    lines.push(Line::from(Span::styled(
        "enter next/accept · tab moves · esc closes · empty fields: none",
        t.style(Role::Dim),
    )));
    let inner = width.saturating_sub(2).max(1);
    let height: u16 = lines
        .iter()
        .map(|l| (l.width() as u16).div_ceil(inner).max(1))
        .sum::<u16>()
        + 2;
    let r = area.centered(
        Constraint::Length(width),
        Constraint::Length(height.min(area.height.saturating_sub(2))),
    );
    frame.render_widget(Clear, r);
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }).block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(t.style(Role::BorderFocused))
                .title(Span::styled(
                    " Personalise the card ",
                    t.style(Role::BorderFocused),
                )),
        ),
        r,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_checks_like_the_flags() {
        let v = |a: &str, b: &str, c: &str, d: &str| [a.into(), b.into(), c.into(), d.into()];
        assert_eq!(check(&v("", "", "", "")), Ok(None));
        let p = check(&v("robot-{n:02}", "", "lab", "12345678"))
            .unwrap()
            .unwrap();
        assert_eq!(summary(&p), "hostname robot-{n:02} · Wi-Fi lab");
        assert!(
            check(&v("robot_1", "", "", ""))
                .unwrap_err()
                .contains("`_`")
        );
        assert!(check(&v("", "", "", "12345678")).is_err());
        assert!(check(&v("", "/nonexistent/k.pub", "", "")).is_err());
    }
}

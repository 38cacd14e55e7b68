//! Key names: parsing `ctrl-z`-style names from data files and normalising terminal key events.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::fmt;

/// A key with the modifiers that matter for bindings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeySpec {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

const NAMED: &[(&str, KeyCode)] = &[
    ("enter", KeyCode::Enter),
    ("esc", KeyCode::Esc),
    ("tab", KeyCode::Tab),
    ("backtab", KeyCode::BackTab),
    ("space", KeyCode::Char(' ')),
    ("backspace", KeyCode::Backspace),
    ("delete", KeyCode::Delete),
    ("insert", KeyCode::Insert),
    ("up", KeyCode::Up),
    ("down", KeyCode::Down),
    ("left", KeyCode::Left),
    ("right", KeyCode::Right),
    ("home", KeyCode::Home),
    ("end", KeyCode::End),
    ("pageup", KeyCode::PageUp),
    ("pagedown", KeyCode::PageDown),
];

impl KeySpec {
    pub fn new(code: KeyCode, mods: KeyModifiers) -> KeySpec {
        KeySpec { code, mods }.normalised()
    }

    /// A key event as a binding key: Shift is part of the character (`G`), and only
    /// Ctrl, Alt and Shift count.
    pub fn from_event(ev: &KeyEvent) -> KeySpec {
        KeySpec::new(ev.code, ev.modifiers)
    }

    fn normalised(mut self) -> KeySpec {
        self.mods &= KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT;
        if matches!(self.code, KeyCode::Char(_) | KeyCode::BackTab) {
            self.mods -= KeyModifiers::SHIFT;
        }
        if let KeyCode::Char(c) = self.code
            && self.mods.contains(KeyModifiers::CONTROL)
        {
            // Terminals report ctrl-Z and ctrl-z alike.
            self.code = KeyCode::Char(c.to_ascii_lowercase());
        }
        self
    }

    /// Parse a key name such as `a`, `G`, `?`, `enter`, `ctrl-z`, `shift-up`, `f5`.
    pub fn parse(text: &str) -> Option<KeySpec> {
        let mut mods = KeyModifiers::NONE;
        let mut rest = text;
        loop {
            let lower = rest.to_ascii_lowercase();
            let (m, len) = if lower.starts_with("ctrl-") {
                (KeyModifiers::CONTROL, 5)
            } else if lower.starts_with("alt-") {
                (KeyModifiers::ALT, 4)
            } else if lower.starts_with("shift-") {
                (KeyModifiers::SHIFT, 6)
            } else {
                break;
            };
            if rest.len() == len {
                break; // a lone `-` after the prefix is not a modifier
            }
            mods |= m;
            rest = &rest[len..];
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) => KeyCode::Char(c),
            _ => {
                let lower = rest.to_ascii_lowercase();
                if let Some((_, code)) = NAMED.iter().find(|(n, _)| *n == lower) {
                    *code
                } else if let Some(n) = lower.strip_prefix('f').and_then(|n| n.parse::<u8>().ok()) {
                    if !(1..=12).contains(&n) {
                        return None;
                    }
                    KeyCode::F(n)
                } else {
                    return None;
                }
            }
        };
        Some(KeySpec::new(code, mods))
    }
}

impl fmt::Display for KeySpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mods.contains(KeyModifiers::CONTROL) {
            f.write_str("ctrl-")?;
        }
        if self.mods.contains(KeyModifiers::ALT) {
            f.write_str("alt-")?;
        }
        if self.mods.contains(KeyModifiers::SHIFT) {
            f.write_str("shift-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::F(n) => write!(f, "f{n}"),
            code => match NAMED.iter().find(|(_, c)| *c == code) {
                Some((n, _)) => f.write_str(n),
                None => write!(f, "{code:?}"),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_print() {
        for name in [
            "a", "G", "?", "enter", "ctrl-z", "shift-up", "f5", "space", "-", "ctrl--",
        ] {
            let k = KeySpec::parse(name).unwrap_or_else(|| panic!("{name}"));
            assert_eq!(k.to_string(), name);
        }
        assert_eq!(KeySpec::parse("ctrl-Z"), KeySpec::parse("ctrl-z"));
        assert_eq!(KeySpec::parse("f13"), None);
        assert_eq!(KeySpec::parse("bogus"), None);
        assert_eq!(KeySpec::parse(""), None);
    }

    #[test]
    fn shift_is_part_of_characters() {
        let ev = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(KeySpec::from_event(&ev), KeySpec::parse("G").unwrap());
        let ev = KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT);
        assert_eq!(KeySpec::from_event(&ev), KeySpec::parse("backtab").unwrap());
    }
}

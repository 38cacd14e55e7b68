//! The one-line text field every prompt and filter uses: characters, Backspace, Ctrl-U,
//! Esc and Enter, with the same meaning everywhere.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// What a key did to a text field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    /// The text changed (a character typed, Backspace, Ctrl-U clears it).
    Changed,
    /// Esc: the caller leaves the field (and clears it, or drops the prompt).
    Cancelled,
    /// Enter: the caller takes the text.
    Submitted,
    /// Not a text-editing key (arrows, function keys, Ctrl/Alt chords): the caller's.
    Ignored,
}

/// Apply one key to `text`.
pub fn edit(text: &mut String, key: &KeyEvent) -> Edit {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let alt = key.modifiers.contains(KeyModifiers::ALT);
    match key.code {
        KeyCode::Char('u') if ctrl => text.clear(),
        KeyCode::Char(c) if !ctrl && !alt => text.push(c),
        KeyCode::Backspace => {
            text.pop();
        }
        KeyCode::Esc => return Edit::Cancelled,
        KeyCode::Enter => return Edit::Submitted,
        _ => return Edit::Ignored,
    }
    Edit::Changed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
    }

    #[test]
    fn keys_edit_the_text() {
        let mut t = String::new();
        let none = KeyModifiers::NONE;
        for c in "pi/4é".chars() {
            assert_eq!(edit(&mut t, &key(KeyCode::Char(c), none)), Edit::Changed);
        }
        assert_eq!(t, "pi/4é");
        assert_eq!(edit(&mut t, &key(KeyCode::Backspace, none)), Edit::Changed);
        assert_eq!(t, "pi/4");
        let shift = KeyModifiers::SHIFT;
        assert_eq!(edit(&mut t, &key(KeyCode::Char('X'), shift)), Edit::Changed);
        assert_eq!(t, "pi/4X");
        let alt = KeyModifiers::ALT;
        assert_eq!(edit(&mut t, &key(KeyCode::Char('x'), alt)), Edit::Ignored);
        assert_eq!(edit(&mut t, &key(KeyCode::Up, none)), Edit::Ignored);
        assert_eq!(edit(&mut t, &key(KeyCode::Enter, none)), Edit::Submitted);
        assert_eq!(edit(&mut t, &key(KeyCode::Esc, none)), Edit::Cancelled);
        assert_eq!(t, "pi/4X", "Esc and Enter leave the text to the caller");
        let ctrl = KeyModifiers::CONTROL;
        assert_eq!(edit(&mut t, &key(KeyCode::Char('u'), ctrl)), Edit::Changed);
        assert_eq!(t, "");
        assert_eq!(edit(&mut t, &key(KeyCode::Backspace, none)), Edit::Changed);
        assert_eq!(edit(&mut t, &key(KeyCode::Char('c'), ctrl)), Edit::Ignored);
    }
}

//! The one-line text field every prompt and filter uses: characters, Backspace, Ctrl-U,
//! Esc and Enter, with the same meaning everywhere; and the optional Tab completion of a
//! field (path prompts list a directory's names: common prefix first, then cycling).

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::path::{Path, PathBuf};

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

/// The Tab completion of a field: the candidates of the last Tab when there were several
/// (listed under the field), and the one the field shows while Tab cycles through them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Completion {
    pub candidates: Vec<String>,
    pub shown: Option<usize>,
}

/// What a Tab's candidates did to the field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Completed {
    /// Nothing starts with the text.
    NoMatch,
    /// The only candidate is in the field.
    Unique,
    /// The field holds the candidates' longest common start; they are listed.
    Listed,
    /// The field shows one candidate of several; Tab shows the next.
    Cycling,
}

/// Is `key` the completion key (Tab without modifiers)?
pub fn is_complete_key(key: &KeyEvent) -> bool {
    key.code == KeyCode::Tab && key.modifiers.difference(KeyModifiers::SHIFT).is_empty()
}

impl Completion {
    /// Tab while cycling: the next candidate into the field. False when not cycling (the
    /// caller then asks for candidates and gives them to [`Completion::apply`]).
    pub fn cycle(&mut self, text: &mut String) -> bool {
        let Some(i) = self.shown.filter(|i| self.candidates.get(*i) == Some(text)) else {
            return false;
        };
        let next = (i + 1) % self.candidates.len();
        *text = self.candidates[next].clone();
        self.shown = Some(next);
        true
    }

    /// The candidates (whole texts that start with `text`) of a Tab: one fills the field;
    /// several extend it to their common start and are listed, or, when it already holds
    /// that, the field shows the first and Tab cycles.
    pub fn apply(&mut self, text: &mut String, mut candidates: Vec<String>) -> Completed {
        candidates.retain(|c| c.starts_with(text.as_str()));
        candidates.sort();
        candidates.dedup();
        *self = Completion::default();
        match candidates.len() {
            0 => return Completed::NoMatch,
            1 => {
                *text = candidates.remove(0);
                return Completed::Unique;
            }
            _ => {}
        }
        let common = common_start(&candidates);
        self.candidates = candidates;
        if common.chars().count() > text.chars().count() {
            *text = common;
            return Completed::Listed;
        }
        *text = self.candidates[0].clone();
        self.shown = Some(0);
        Completed::Cycling
    }
}

/// The longest start all `items` share, whole characters only.
fn common_start(items: &[String]) -> String {
    let Some(first) = items.first() else {
        return String::new();
    };
    let mut end = first.len();
    for item in &items[1..] {
        end = first
            .char_indices()
            .zip(item.chars())
            .find(|((_, a), b)| a != b)
            .map_or(end.min(item.len()), |((i, _), _)| i.min(end));
    }
    first[..end].to_string()
}

/// The completions of a typed path: the names in its directory that start with its last
/// component, each as the whole text to type, directories ending in `/`. `~/` stands for
/// `home`; a relative path is read against the current directory; names starting with a
/// dot only when the component does. Reads the directory: call it from the effects.
pub fn path_candidates(typed: &str, home: Option<&Path>) -> Vec<String> {
    let (dir_text, partial) = match typed.rfind('/') {
        Some(i) => typed.split_at(i + 1),
        None => ("", typed),
    };
    let dir: PathBuf = match (dir_text.strip_prefix("~/"), home) {
        (Some(rest), Some(home)) => home.join(rest),
        _ if dir_text.is_empty() => PathBuf::from("."),
        _ => PathBuf::from(dir_text),
    };
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut out: Vec<String> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            if !name.starts_with(partial) || (name.starts_with('.') && !partial.starts_with('.')) {
                return None;
            }
            // Follows links: a link to a directory completes as one.
            let slash = if e.path().is_dir() { "/" } else { "" };
            Some(format!("{dir_text}{name}{slash}"))
        })
        .collect();
    out.sort();
    out
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

    #[test]
    fn tab_completes_paths_from_a_directory() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().display().to_string();
        for f in ["card.img", "card-old.img", "os.img.xz", ".hidden"] {
            std::fs::write(dir.path().join(f), b"x").unwrap();
        }
        std::fs::create_dir(dir.path().join("cards")).unwrap();
        std::fs::write(dir.path().join("cards/sd.img"), b"x").unwrap();
        let list = |t: &str| path_candidates(t, None);
        let tab = |c: &mut Completion, text: &mut String| {
            let found = list(text);
            c.apply(text, found)
        };
        assert_eq!(list(&format!("{d}/o")), [format!("{d}/os.img.xz")]);
        assert_eq!(
            list(&format!("{d}/car")),
            [
                format!("{d}/card-old.img"),
                format!("{d}/card.img"),
                format!("{d}/cards/")
            ]
        );
        assert_eq!(list(&format!("{d}/")).len(), 4, "no hidden names");
        assert_eq!(list(&format!("{d}/.h")), [format!("{d}/.hidden")]);
        assert!(list(&format!("{d}/nothing")).is_empty());
        assert!(list(&format!("{d}/missing-dir/x")).is_empty());
        // ~/ stands for the home directory and stays as typed.
        assert_eq!(list("~/cards/s"), Vec::<String>::new());
        assert_eq!(
            path_candidates("~/cards/s", Some(dir.path())),
            ["~/cards/sd.img"]
        );

        // One candidate fills the field; a directory can then be completed into.
        let mut c = Completion::default();
        let mut text = format!("{d}/o");
        assert_eq!(tab(&mut c, &mut text), Completed::Unique);
        assert_eq!(text, format!("{d}/os.img.xz"));
        let mut text = format!("{d}/cards");
        assert_eq!(tab(&mut c, &mut text), Completed::Unique);
        assert_eq!(text, format!("{d}/cards/"));
        assert_eq!(tab(&mut c, &mut text), Completed::Unique);
        assert_eq!(text, format!("{d}/cards/sd.img"));
        // Several: the common start first, listed; the next Tab cycles through them.
        let mut text = format!("{d}/c");
        assert_eq!(tab(&mut c, &mut text), Completed::Listed);
        assert_eq!(text, format!("{d}/card"));
        assert_eq!(c.candidates.len(), 3);
        assert!(!c.cycle(&mut text), "not cycling before the list was shown");
        assert_eq!(tab(&mut c, &mut text), Completed::Cycling);
        assert_eq!(text, format!("{d}/card-old.img"));
        assert!(c.cycle(&mut text));
        assert_eq!(text, format!("{d}/card.img"));
        assert!(c.cycle(&mut text));
        assert!(c.cycle(&mut text));
        assert_eq!(text, format!("{d}/card-old.img"), "cycling wraps around");
        // Typing something else ends the cycle.
        text.push('x');
        assert!(!c.cycle(&mut text));
        let mut text = format!("{d}/z");
        assert_eq!(tab(&mut c, &mut text), Completed::NoMatch);
        assert_eq!(text, format!("{d}/z"));
    }

    #[test]
    fn common_start_keeps_whole_characters() {
        let v = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(common_start(&v(&["café", "cafè"])), "caf");
        assert_eq!(common_start(&v(&["abc", "ab"])), "ab");
        assert_eq!(common_start(&v(&["x"])), "x");
        assert_eq!(common_start(&[]), "");
    }
}

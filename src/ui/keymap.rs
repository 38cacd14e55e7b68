//! The keymap: `[pane]` sections of `key = action` lines, compiled-in defaults plus a user file.

use super::action::Action;
use super::keys::KeySpec;
use super::screen_id::ScreenId;

/// The default bindings, shipped in `assets/keymap.conf`.
pub const DEFAULT_KEYMAP: &str = include_str!("../../assets/keymap.conf");

/// Panes that are not screens but have their own keys.
pub const GLOBAL: &str = "global";
pub const CONFIRM: &str = "confirm";
pub const HELP: &str = "help";

/// Bindings per pane, in file order (the help overlay lists them in that order).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Keymap {
    panes: Vec<(String, Vec<(KeySpec, Action)>)>,
}

/// A problem in a keymap or theme file: where, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub source: String,
    pub line: usize,
    pub what: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.source, self.line, self.what)
    }
}

fn known_pane(name: &str) -> bool {
    [GLOBAL, CONFIRM, HELP].contains(&name) || ScreenId::every().any(|s| s.name() == name)
}

impl Keymap {
    /// The compiled-in bindings.
    pub fn defaults() -> Keymap {
        let mut k = Keymap::default();
        k.apply(DEFAULT_KEYMAP, "assets/keymap.conf");
        k
    }

    /// Apply a keymap text on top of the current bindings; bad lines are skipped and reported.
    pub fn apply(&mut self, text: &str, source: &str) -> Vec<Problem> {
        let mut problems = Vec::new();
        let mut pane: Option<String> = None;
        // After an unknown heading its lines are skipped without one problem each.
        let mut skipping = false;
        for (idx, raw) in text.lines().enumerate() {
            let problem = |what: String| Problem {
                source: source.to_string(),
                line: idx + 1,
                what,
            };
            let line = strip_comment(raw).trim();
            if line.is_empty() {
                continue;
            }
            if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                let name = name.trim().to_ascii_lowercase();
                skipping = !known_pane(&name);
                if !skipping {
                    pane = Some(name);
                } else {
                    problems.push(problem(format!(
                        "unknown pane [{name}]; panes are global, confirm, help, {}",
                        ScreenId::every()
                            .map(|s| s.name())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )));
                    pane = None;
                }
                continue;
            }
            let Some((keys, action)) = line.rsplit_once('=') else {
                problems.push(problem(
                    "expected `key = action` or a `[pane]` heading".into(),
                ));
                continue;
            };
            let Some(pane) = pane.clone() else {
                if !skipping {
                    problems.push(problem(
                        "binding before any `[pane]` heading; ignored".into(),
                    ));
                }
                continue;
            };
            let action_name = action.trim();
            let action = if action_name == "none" {
                None
            } else {
                match Action::parse(action_name) {
                    Some(a) => Some(a),
                    None => {
                        problems.push(problem(format!(
                            "unknown action `{action_name}`; see docs/tui.md for the list"
                        )));
                        continue;
                    }
                }
            };
            for key in split_keys(keys) {
                match KeySpec::parse(key) {
                    Some(k) => self.bind(&pane, k, action),
                    None => problems.push(problem(format!(
                        "unknown key `{key}`; use a character or a name like enter, ctrl-z, f1"
                    ))),
                }
            }
        }
        problems
    }

    fn bind(&mut self, pane: &str, key: KeySpec, action: Option<Action>) {
        let idx = match self.panes.iter().position(|(p, _)| p == pane) {
            Some(i) => i,
            None => {
                self.panes.push((pane.to_string(), Vec::new()));
                self.panes.len() - 1
            }
        };
        let list = &mut self.panes[idx].1;
        match (list.iter().position(|(k, _)| *k == key), action) {
            (Some(i), Some(a)) => list[i].1 = a,
            (Some(i), None) => {
                list.remove(i);
            }
            (None, Some(a)) => list.push((key, a)),
            (None, None) => {}
        }
    }

    /// The action of a key in a pane, else in the global section (unless the pane is modal).
    pub fn lookup(&self, pane: &str, key: KeySpec, with_global: bool) -> Option<Action> {
        let find = |p: &str| {
            self.bindings(p)
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, a)| *a)
        };
        find(pane).or_else(|| with_global.then(|| find(GLOBAL)).flatten())
    }

    /// The bindings of one pane, in file order.
    pub fn bindings(&self, pane: &str) -> &[(KeySpec, Action)] {
        self.panes
            .iter()
            .find(|(p, _)| p == pane)
            .map(|(_, b)| b.as_slice())
            .unwrap_or(&[])
    }

    /// Keys bound to an action in a pane (or globally), joined for hints: `s` or `d/x`.
    pub fn keys_for(&self, pane: &str, action: Action) -> String {
        let mut keys: Vec<String> = self
            .bindings(pane)
            .iter()
            .chain(self.bindings(GLOBAL))
            .filter(|(_, a)| *a == action)
            .map(|(k, _)| k.to_string())
            .collect();
        keys.dedup();
        keys.truncate(2);
        keys.join("/")
    }

    /// The first key bound to an action in a pane (or globally), for short hints.
    pub fn first_key(&self, pane: &str, action: Action) -> Option<KeySpec> {
        self.bindings(pane)
            .iter()
            .chain(self.bindings(GLOBAL))
            .find(|(_, a)| *a == action)
            .map(|(k, _)| *k)
    }

    /// Per action, its keys, for the help overlay.
    pub fn grouped(&self, pane: &str) -> Vec<(Action, Vec<KeySpec>)> {
        let mut out: Vec<(Action, Vec<KeySpec>)> = Vec::new();
        for (k, a) in self.bindings(pane) {
            match out.iter_mut().find(|(x, _)| x == a) {
                Some((_, ks)) => ks.push(*k),
                None => out.push((*a, vec![*k])),
            }
        }
        out
    }
}

/// `#` starts a comment unless it is the key itself (`# = help`).
fn strip_comment(line: &str) -> &str {
    let t = line.trim_start();
    if t.starts_with('#') && !t[1..].trim_start().starts_with('=') {
        return "";
    }
    match line.find(" #") {
        Some(i) => &line[..i],
        None => line,
    }
}

/// Split `a, b, ,` into keys; a lone `,` key is written as `comma`-free `,` at the end.
fn split_keys(keys: &str) -> Vec<&str> {
    let t = keys.trim();
    if t == "," {
        return vec![","];
    }
    t.split(", ")
        .flat_map(|part| {
            let p = part.trim();
            if p.len() > 1 && p.ends_with(',') {
                vec![p.trim_end_matches(',')]
            } else {
                vec![p]
            }
        })
        .filter(|p| !p.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_parse_cleanly() {
        let mut k = Keymap::default();
        let problems = k.apply(DEFAULT_KEYMAP, "default");
        assert!(problems.is_empty(), "{problems:?}");
        let q = KeySpec::parse("q").unwrap();
        assert_eq!(k.lookup("layers", q, true), Some(Action::Quit));
        assert_eq!(k.lookup("layers", q, false), None);
        let d = KeySpec::parse("d").unwrap();
        assert_eq!(k.lookup("stack", d, true), Some(Action::Remove));
        assert_eq!(k.lookup("preview", d, true), Some(Action::ToggleDiff));
    }

    #[test]
    fn overrides_and_problems() {
        let mut k = Keymap::defaults();
        let p = k.apply(
            "[stack]\nd = none\nr = remove\nzz = remove\n[bogus]\nx = quit\n[layers]\nw = fly\nno equals\n# = help\n, = top\n",
            "user.conf",
        );
        let d = KeySpec::parse("d").unwrap();
        let r = KeySpec::parse("r").unwrap();
        assert_eq!(k.lookup("stack", d, true), None);
        assert_eq!(k.lookup("stack", r, true), Some(Action::Remove));
        let hash = KeySpec::parse("#").unwrap();
        assert_eq!(k.lookup("layers", hash, false), Some(Action::Help));
        let comma = KeySpec::parse(",").unwrap();
        assert_eq!(k.lookup("layers", comma, false), Some(Action::Top));
        let lines: Vec<usize> = p.iter().map(|p| p.line).collect();
        assert_eq!(lines, [4, 5, 8, 9], "{p:?}");
        assert!(
            p[0].to_string()
                .starts_with("user.conf:4: unknown key `zz`")
        );
    }
}

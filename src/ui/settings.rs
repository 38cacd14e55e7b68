//! User settings: the keymap and theme override files in the XDG config directory.

use super::keymap::{Keymap, Problem};
use super::theme::{Palette, Theme};
use crate::model::error::ModelError;
use crate::model::text::read_text;
use std::path::{Path, PathBuf};

/// Keymap and theme after applying the user's files, with any problems found in them.
#[derive(Debug, Clone)]
pub struct Settings {
    pub keymap: Keymap,
    pub theme: Theme,
    pub problems: Vec<Problem>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            keymap: Keymap::defaults(),
            theme: Theme::defaults(),
            problems: Vec::new(),
        }
    }
}

/// `$XDG_CONFIG_HOME/skiff`, else `$HOME/.config/skiff`.
pub fn config_dir(var: impl Fn(&str) -> Option<String>) -> Option<PathBuf> {
    let nonempty = |k: &str| var(k).filter(|v| !v.is_empty());
    if let Some(x) = nonempty("XDG_CONFIG_HOME") {
        return Some(PathBuf::from(x).join("skiff"));
    }
    nonempty("HOME").map(|h| PathBuf::from(h).join(".config").join("skiff"))
}

/// Which built-in theme to start from: `SKIFF_THEME` (`dark`, `light` or `16`), else the
/// light one when the terminal's background is light: as `background` reports it (the
/// terminal's answer to OSC 11, asked only when no `SKIFF_THEME` decides), else as
/// `COLORFGBG` says (its last field 7 or 15); else the 16-colour one on the Linux console or
/// a `TERM` ending in `-16color`, else the dark one.
pub fn pick_palette(
    var: impl Fn(&str) -> Option<String>,
    background: impl FnOnce() -> Option<[u8; 3]>,
) -> (Palette, Option<Problem>) {
    let nonempty = |k: &str| var(k).filter(|v| !v.is_empty());
    let mut problem = None;
    if let Some(name) = nonempty("SKIFF_THEME") {
        match Palette::parse(name.trim()) {
            Some(p) => return (p, None),
            None => {
                problem = Some(Problem {
                    source: "SKIFF_THEME".into(),
                    line: 0,
                    what: format!("unknown theme `{name}`; use dark, light or 16"),
                })
            }
        }
    }
    let light_bg = background().map(super::background::is_light).or_else(|| {
        nonempty("COLORFGBG").and_then(|v| {
            v.rsplit(';')
                .next()
                .map(|b| b.trim() == "7" || b.trim() == "15")
        })
    });
    let term = nonempty("TERM").unwrap_or_default();
    let palette = if light_bg == Some(true) {
        Palette::Light
    } else if term == "linux" || term.ends_with("-16color") {
        Palette::Basic
    } else {
        Palette::Dark
    };
    (palette, problem)
}

impl Settings {
    /// Defaults, then `keymap.conf` and `theme.conf` from `dir` when they exist.
    pub fn load(dir: Option<&Path>, no_colour: bool) -> Settings {
        Settings::load_on(Palette::Dark, dir, no_colour)
    }

    /// The built-in theme `palette`, then the user's files from `dir` on top.
    pub fn load_on(palette: Palette, dir: Option<&Path>, no_colour: bool) -> Settings {
        let mut s = Settings {
            theme: Theme::builtin(palette),
            ..Settings::default()
        };
        if let Some(dir) = dir {
            for (file, is_keymap) in [("keymap.conf", true), ("theme.conf", false)] {
                let path = dir.join(file);
                let source = path.display().to_string();
                match read_text(&path) {
                    Ok(text) if is_keymap => s.problems.extend(s.keymap.apply(&text, &source)),
                    Ok(text) => s.problems.extend(s.theme.apply(&text, &source)),
                    Err(ModelError::Io { source: e, .. })
                        if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => s.problems.push(Problem {
                        source,
                        line: 0,
                        what: format!("{e}; the defaults are used"),
                    }),
                }
            }
        }
        if no_colour {
            s.theme = s.theme.without_colour();
        }
        s
    }

    /// Settings as the running program finds them: XDG directory, the theme's variables,
    /// NO_COLOR, and the terminal's background colour (OSC 11, asked with a short timeout
    /// unless NO_COLOR is set or `TERM` is `dumb` or `linux`, which do not answer).
    pub fn from_env() -> Settings {
        let var = |k: &str| std::env::var(k).ok();
        let dir = config_dir(var);
        let no_colour = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let term = var("TERM").unwrap_or_default();
        let background = || {
            (!no_colour && term != "dumb" && term != "linux")
                .then(|| super::background::query(super::background::QUERY_TIMEOUT))
                .flatten()
        };
        let (palette, problem) = pick_palette(var, background);
        let mut s = Settings::load_on(palette, dir.as_deref(), no_colour);
        s.problems.extend(problem);
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::action::Action;
    use crate::ui::keys::KeySpec;

    #[test]
    fn xdg_then_home() {
        let d = config_dir(|k| (k == "XDG_CONFIG_HOME").then(|| "/x".to_string()));
        assert_eq!(d, Some(PathBuf::from("/x/skiff")));
        let d = config_dir(|k| (k == "HOME").then(|| "/h".to_string()));
        assert_eq!(d, Some(PathBuf::from("/h/.config/skiff")));
        assert_eq!(config_dir(|_| None), None);
    }

    #[test]
    fn palette_from_variables() {
        let pick = |pairs: &[(&str, &str)]| {
            let pairs: Vec<(String, String)> = pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            pick_palette(
                move |k| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()),
                || None,
            )
        };
        assert_eq!(pick(&[]).0, Palette::Dark);
        assert_eq!(pick(&[("COLORFGBG", "0;15")]).0, Palette::Light);
        assert_eq!(pick(&[("COLORFGBG", "15;default;0")]).0, Palette::Dark);
        assert_eq!(pick(&[("TERM", "linux")]).0, Palette::Basic);
        assert_eq!(pick(&[("TERM", "xterm-256color")]).0, Palette::Dark);
        let (p, problem) = pick(&[("SKIFF_THEME", "light"), ("COLORFGBG", "15;0")]);
        assert_eq!((p, problem), (Palette::Light, None));
        assert_eq!(
            pick(&[("SKIFF_THEME", ""), ("TERM", "linux")]).0,
            Palette::Basic
        );
        let (p, problem) = pick(&[("SKIFF_THEME", "solar")]);
        assert_eq!(p, Palette::Dark);
        assert!(
            problem
                .unwrap()
                .to_string()
                .contains("unknown theme `solar`")
        );
    }

    #[test]
    fn the_terminal_background_decides_unless_a_setting_does() {
        let vars = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        let white = || Some([0xff, 0xff, 0xff]);
        let black = || Some([0, 0, 0]);
        assert_eq!(pick_palette(vars(&[]), white).0, Palette::Light);
        assert_eq!(pick_palette(vars(&[]), black).0, Palette::Dark);
        // The reply is newer than COLORFGBG (inherited, maybe from another terminal).
        assert_eq!(
            pick_palette(vars(&[("COLORFGBG", "0;15")]), black).0,
            Palette::Dark
        );
        assert_eq!(
            pick_palette(vars(&[("COLORFGBG", "15;0")]), white).0,
            Palette::Light
        );
        // No answer: COLORFGBG, then TERM.
        assert_eq!(
            pick_palette(vars(&[("COLORFGBG", "0;15")]), || None).0,
            Palette::Light
        );
        assert_eq!(
            pick_palette(vars(&[("TERM", "xterm-16color")]), black).0,
            Palette::Basic
        );
        // The setting wins, and the terminal is not even asked.
        let (p, _) = pick_palette(vars(&[("SKIFF_THEME", "dark")]), || -> Option<[u8; 3]> {
            panic!("asked the terminal although SKIFF_THEME decides")
        });
        assert_eq!(p, Palette::Dark);
    }

    #[test]
    fn user_files_override_and_report() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("keymap.conf"), "[global]\nQ = quit\nbad\n").unwrap();
        std::fs::write(dir.path().join("theme.conf"), [0u8, 1, 2]).unwrap();
        let s = Settings::load(Some(dir.path()), false);
        let q = KeySpec::parse("Q").unwrap();
        assert_eq!(s.keymap.lookup("stack", q, true), Some(Action::Quit));
        assert_eq!(s.problems.len(), 2, "{:?}", s.problems);
        assert!(s.problems[0].to_string().contains("keymap.conf:3:"));
        assert!(s.problems[1].to_string().contains("theme.conf"));
        let none = Settings::load(Some(&dir.path().join("missing")), false);
        assert!(none.problems.is_empty());
    }
}

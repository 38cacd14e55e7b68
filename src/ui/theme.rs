//! The theme: named style roles read from `role = colour on colour modifiers` data files.

use super::keymap::Problem;
use ratatui::style::{Color, Modifier, Style};

/// The default (dark) theme, shipped in `assets/theme.conf`.
pub const DEFAULT_THEME: &str = include_str!("../../assets/theme.conf");
/// The light theme, `assets/theme-light.conf`.
pub const LIGHT_THEME: &str = include_str!("../../assets/theme-light.conf");
/// The 16-colour theme, `assets/theme-16.conf`.
pub const BASIC_THEME: &str = include_str!("../../assets/theme-16.conf");

/// The built-in themes a user theme file is applied on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Palette {
    Dark,
    Light,
    Basic,
}

impl Palette {
    pub const ALL: [Palette; 3] = [Palette::Dark, Palette::Light, Palette::Basic];

    /// The name used by `SKIFF_THEME`.
    pub fn name(self) -> &'static str {
        match self {
            Palette::Dark => "dark",
            Palette::Light => "light",
            Palette::Basic => "16",
        }
    }

    pub fn parse(name: &str) -> Option<Palette> {
        Palette::ALL.into_iter().find(|p| p.name() == name)
    }

    /// The theme file's text and its name in the source tree.
    pub fn file(self) -> (&'static str, &'static str) {
        match self {
            Palette::Dark => (DEFAULT_THEME, "assets/theme.conf"),
            Palette::Light => (LIGHT_THEME, "assets/theme-light.conf"),
            Palette::Basic => (BASIC_THEME, "assets/theme-16.conf"),
        }
    }
}

/// What a style is used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Text,
    Dim,
    Title,
    Border,
    BorderFocused,
    Tab,
    TabActive,
    Selection,
    Header,
    Match,
    Key,
    Warning,
    Error,
    Danger,
    Ok,
    Inserted,
    Overridden,
    Added,
    Removed,
    Changed,
    Status,
}

/// Every role with its name in theme files.
pub const ROLES: [(Role, &str); 21] = [
    (Role::Text, "text"),
    (Role::Dim, "dim"),
    (Role::Title, "title"),
    (Role::Border, "border"),
    (Role::BorderFocused, "border-focused"),
    (Role::Tab, "tab"),
    (Role::TabActive, "tab-active"),
    (Role::Selection, "selection"),
    (Role::Header, "header"),
    (Role::Match, "match"),
    (Role::Key, "key"),
    (Role::Warning, "warning"),
    (Role::Error, "error"),
    (Role::Danger, "danger"),
    (Role::Ok, "ok"),
    (Role::Inserted, "inserted"),
    (Role::Overridden, "overridden"),
    (Role::Added, "added"),
    (Role::Removed, "removed"),
    (Role::Changed, "changed"),
    (Role::Status, "status"),
];

/// A style per role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Theme {
    styles: [Style; ROLES.len()],
}

impl Theme {
    /// The compiled-in default (dark) theme.
    pub fn defaults() -> Theme {
        Theme::builtin(Palette::Dark)
    }

    /// A compiled-in theme.
    pub fn builtin(palette: Palette) -> Theme {
        let mut t = Theme {
            styles: [Style::default(); ROLES.len()],
        };
        let (text, source) = palette.file();
        t.apply(text, source);
        t
    }

    pub fn style(&self, role: Role) -> Style {
        let i = ROLES.iter().position(|(r, _)| *r == role).unwrap_or(0);
        self.styles[i]
    }

    /// Apply a theme text; bad lines are skipped and reported.
    pub fn apply(&mut self, text: &str, source: &str) -> Vec<Problem> {
        let mut problems = Vec::new();
        for (idx, raw) in text.lines().enumerate() {
            // `#` starts a comment at the start of a line or as ` # `; `#rrggbb` is a colour.
            let line = raw.split(" # ").next().unwrap_or("").trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let problem = |what: String| Problem {
                source: source.to_string(),
                line: idx + 1,
                what,
            };
            let Some((name, spec)) = line.split_once('=') else {
                problems.push(problem("expected `role = style`".into()));
                continue;
            };
            let name = name.trim();
            let Some(i) = ROLES.iter().position(|(_, n)| *n == name) else {
                let names: Vec<&str> = ROLES.iter().map(|(_, n)| *n).collect();
                problems.push(problem(format!(
                    "unknown role `{name}`; roles are {}",
                    names.join(", ")
                )));
                continue;
            };
            match parse_style(spec) {
                Ok(s) => self.styles[i] = s,
                Err(e) => problems.push(problem(e)),
            }
        }
        problems
    }

    /// Drop colours and keep modifiers (for NO_COLOR).
    pub fn without_colour(mut self) -> Theme {
        let canvas = self.style(Role::Text).bg;
        for s in &mut self.styles {
            let mut plain = Style::default().add_modifier(s.add_modifier);
            // Reversed video stands in for a background other than the text's, so selections
            // and the status line stay visible.
            if s.bg.is_some_and(|c| c != Color::Reset) && s.bg != canvas {
                plain = plain.add_modifier(Modifier::REVERSED);
            }
            *s = plain;
        }
        self
    }
}

/// Parse `[colour] [on colour] [modifier...]`.
pub fn parse_style(spec: &str) -> Result<Style, String> {
    let mut style = Style::default();
    let mut words = spec.split_whitespace().peekable();
    let mut fg_seen = false;
    while let Some(w) = words.next() {
        let lw = w.to_ascii_lowercase();
        if lw == "on" {
            let Some(c) = words.next() else {
                return Err("`on` needs a background colour after it".into());
            };
            style = style.bg(parse_colour(c)?);
            continue;
        }
        let m = match lw.as_str() {
            "bold" => Some(Modifier::BOLD),
            "dim" => Some(Modifier::DIM),
            "italic" => Some(Modifier::ITALIC),
            "underlined" | "underline" => Some(Modifier::UNDERLINED),
            "reversed" => Some(Modifier::REVERSED),
            _ => None,
        };
        if let Some(m) = m {
            style = style.add_modifier(m);
        } else if !fg_seen {
            style = style.fg(parse_colour(w)?);
            fg_seen = true;
        } else {
            return Err(format!(
                "unexpected `{w}`; write `colour on colour` then modifiers"
            ));
        }
    }
    Ok(style)
}

fn parse_colour(w: &str) -> Result<Color, String> {
    let lw = w.to_ascii_lowercase();
    let named = [
        ("reset", Color::Reset),
        ("black", Color::Black),
        ("red", Color::Red),
        ("green", Color::Green),
        ("yellow", Color::Yellow),
        ("blue", Color::Blue),
        ("magenta", Color::Magenta),
        ("cyan", Color::Cyan),
        ("gray", Color::Gray),
        ("dark-gray", Color::DarkGray),
        ("light-red", Color::LightRed),
        ("light-green", Color::LightGreen),
        ("light-yellow", Color::LightYellow),
        ("light-blue", Color::LightBlue),
        ("light-magenta", Color::LightMagenta),
        ("light-cyan", Color::LightCyan),
        ("white", Color::White),
    ];
    if let Some((_, c)) = named.iter().find(|(n, _)| *n == lw) {
        return Ok(*c);
    }
    if let Some(hex) = lw.strip_prefix('#')
        && hex.len() == 6
        && hex.bytes().all(|b| b.is_ascii_hexdigit())
    {
        let v = u32::from_str_radix(hex, 16).map_err(|e| e.to_string())?;
        return Ok(Color::Rgb((v >> 16) as u8, (v >> 8) as u8, v as u8));
    }
    if let Ok(n) = lw.parse::<u8>() {
        return Ok(Color::Indexed(n));
    }
    Err(format!(
        "unknown colour `{w}`; use a name like cyan or dark-gray, 0-255, or #rrggbb"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtins_parse_cleanly() {
        for p in Palette::ALL {
            let mut t = Theme::builtin(p);
            assert!(t.apply(p.file().0, "d").is_empty(), "{}", p.name());
            assert_eq!(Palette::parse(p.name()), Some(p));
        }
        assert_eq!(
            Theme::defaults().style(Role::Danger).bg,
            Some(Color::Indexed(124))
        );
    }

    #[test]
    fn styles_and_problems() {
        assert_eq!(
            parse_style("#ff8000 on 17 bold").unwrap(),
            Style::default()
                .fg(Color::Rgb(255, 128, 0))
                .bg(Color::Indexed(17))
                .add_modifier(Modifier::BOLD)
        );
        assert!(parse_style("red blue").is_err());
        assert!(parse_style("red on").is_err());
        assert!(parse_style("#12345").is_err());
        let mut t = Theme::defaults();
        let p = t.apply(
            "selection = red\nnope = red\nwarning\nerror = purple\n",
            "u",
        );
        assert_eq!(t.style(Role::Selection), Style::default().fg(Color::Red));
        assert_eq!(p.iter().map(|p| p.line).collect::<Vec<_>>(), [2, 3, 4]);
    }

    #[test]
    fn no_colour_keeps_selection_visible() {
        let t = Theme::defaults().without_colour();
        let s = t.style(Role::Selection);
        assert_eq!(s.fg, None);
        assert!(s.add_modifier.contains(Modifier::REVERSED));
    }
}

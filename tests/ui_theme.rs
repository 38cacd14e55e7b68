//! Every role of every built-in theme (assets/theme*.conf) names a foreground and a
//! background with a WCAG contrast ratio of at least 4.5, and NO_COLOR keeps selections
//! visible.

use ratatui::style::{Color, Modifier};
use skiff::ui::contrast::{ratio, rgb};
use skiff::ui::theme::{Palette, ROLES, Role, Theme};

#[test]
fn every_role_of_every_theme_reads() {
    let mut failures = Vec::new();
    for palette in Palette::ALL {
        let (text, source) = palette.file();
        let mut theme = Theme::builtin(palette);
        assert!(theme.apply(text, source).is_empty(), "{source} parses");
        for (role, name) in ROLES {
            let s = theme.style(role);
            let (Some(fg), Some(bg)) = (s.fg.and_then(rgb), s.bg.and_then(rgb)) else {
                failures.push(format!("{source}: {name} needs `colour on colour`"));
                continue;
            };
            let r = ratio(fg, bg);
            if r < 4.5 {
                failures.push(format!("{source}: {name} has contrast {r:.2}, under 4.5"));
            }
        }
        if palette == Palette::Basic {
            // Only the 16 colours every terminal has.
            for (role, name) in ROLES {
                let s = theme.style(role);
                for c in [s.fg, s.bg].into_iter().flatten() {
                    let basic = !matches!(c, Color::Rgb(..) | Color::Indexed(_));
                    assert!(basic, "{source}: {name} uses {c:?}");
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_old_hint_bar_would_fail() {
    // Issue 12: hints in dark grey on the dark grey status bar.
    let mut t = Theme::defaults();
    assert!(t.apply("status = dark-gray on dark-gray", "t").is_empty());
    let s = t.style(Role::Status);
    assert!(ratio(rgb(s.fg.unwrap()).unwrap(), rgb(s.bg.unwrap()).unwrap()) < 4.5);
}

#[test]
fn light_theme_is_light_and_no_colour_keeps_modifiers() {
    let light = Theme::builtin(Palette::Light).style(Role::Text);
    let dark = Theme::defaults().style(Role::Text);
    let lum = |c: Color| skiff::ui::contrast::luminance(rgb(c).unwrap());
    assert!(lum(light.bg.unwrap()) > 0.5);
    assert!(lum(dark.bg.unwrap()) < 0.1);
    for palette in Palette::ALL {
        let t = Theme::builtin(palette).without_colour();
        for (role, name) in ROLES {
            let s = t.style(role);
            assert_eq!((s.fg, s.bg), (None, None), "{name}");
        }
        let reversed = |r: Role| t.style(r).add_modifier.contains(Modifier::REVERSED);
        assert!(reversed(Role::Selection) && reversed(Role::Danger));
        assert!(!reversed(Role::Text) && !reversed(Role::Warning) && !reversed(Role::Dim));
    }
}

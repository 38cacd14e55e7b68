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

mod ui_common;

/// Every cell of every screen is drawn on a colour of the theme (never the terminal's own),
/// with a foreground of the theme: the light and 16-colour sets.
#[test]
fn every_cell_uses_the_theme_on_every_screen() {
    for palette in Palette::ALL {
        let (_d, mut h) = ui_common::open("pi/4,odroid/xu", 100, 30);
        h.app.shared.theme = Theme::builtin(palette);
        let t = Theme::builtin(palette);
        let (bgs, fgs) = theme_colours(&t);
        // Screens, then the help, a dialog and the message history over them.
        for keys in [
            &["1"][..],
            &["2"],
            &["3"],
            &["4"],
            &["5"],
            &["6"],
            &["6", "b"],
            &["1", "?"],
            &["s"],
            &["m"],
        ] {
            let key = keys.join(" ");
            for (w, hgt) in [(100, 30), (80, 24)] {
                h.resize(w, hgt);
                for k in keys {
                    h.key(k);
                }
                assert_theme_cells(&mut h, palette, &key, &bgs, &fgs);
                h.key("esc");
            }
        }
        if palette == Palette::Light {
            h.resize(100, 30);
            h.key("1");
            ui_common::snap("light_layers_100x30", &mut h);
            h.resize(80, 24);
            ui_common::snap("light_layers_80x24", &mut h);
            h.key("2");
            ui_common::snap("light_stack_80x24", &mut h);
            h.resize(100, 30);
            ui_common::snap("light_stack_100x30", &mut h);
        }
    }
}

/// The backgrounds and foregrounds the roles of `t` use.
fn theme_colours(t: &Theme) -> (Vec<Color>, Vec<Color>) {
    let bgs = ROLES.iter().filter_map(|(r, _)| t.style(*r).bg).collect();
    let fgs = ROLES.iter().filter_map(|(r, _)| t.style(*r).fg).collect();
    (bgs, fgs)
}

/// Every cell of the frame is drawn in colours of the theme's roles.
fn assert_theme_cells(
    h: &mut ui_common::harness::Harness,
    palette: Palette,
    what: &str,
    bgs: &[Color],
    fgs: &[Color],
) {
    let text = h.render();
    let buf = h.buffer();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            let c = &buf[(x, y)];
            assert!(
                bgs.contains(&c.bg),
                "{palette:?} {what} ({x},{y}) bg {:?}\n{text}",
                c.bg
            );
            assert!(
                fgs.contains(&c.fg),
                "{palette:?} {what} ({x},{y}) fg {:?}\n{text}",
                c.fg
            );
        }
    }
}

#[test]
fn the_first_run_guide_uses_the_theme() {
    for palette in Palette::ALL {
        let t = Theme::builtin(palette);
        let (bgs, fgs) = theme_colours(&t);
        for (w, hgt) in [(100, 30), (80, 24)] {
            let (_d, mut h) = ui_common::open("", w, hgt);
            h.app.shared.theme = t.clone();
            assert!(h.render().contains("Welcome to skiff"));
            assert_theme_cells(&mut h, palette, "guide", &bgs, &fgs);
            if palette == Palette::Light {
                ui_common::snap(&format!("light_guide_{w}x{hgt}"), &mut h);
            }
        }
    }
}

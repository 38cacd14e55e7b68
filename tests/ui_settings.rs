//! Keymap and theme files: no input makes the parsers panic, and every problem names a
//! line of the file.

use proptest::prelude::*;
use skiff::ui::keymap::Keymap;
use skiff::ui::theme::Theme;

/// Lines built from the pieces these files are made of, to reach deep into the parsers.
fn line() -> impl Strategy<Value = String> {
    let piece = prop::sample::select(vec![
        "[",
        "]",
        "global",
        "layers",
        "stack",
        "=",
        ",",
        ", ",
        "#",
        " # ",
        "ctrl-",
        "alt-",
        "shift-",
        "-",
        "a",
        "G",
        "f1",
        "f99",
        "enter",
        "up",
        "none",
        "quit",
        "move-up",
        "show-stack",
        "on",
        "bold",
        "red",
        "#ff00ff",
        "#zz",
        "255",
        "256",
        "selection",
        " ",
        "é",
        "\t",
    ]);
    prop::collection::vec(piece, 0..8).prop_map(|v| v.concat())
}

proptest! {
    #[test]
    fn keymap_never_panics(lines in prop::collection::vec(line(), 0..12)) {
        let text = lines.join("\n");
        let n = text.lines().count();
        let mut k = Keymap::defaults();
        for p in k.apply(&text, "user") {
            prop_assert!(p.line >= 1 && p.line <= n, "{p}");
        }
    }

    #[test]
    fn theme_never_panics(lines in prop::collection::vec(line(), 0..12)) {
        let text = lines.join("\n");
        let n = text.lines().count();
        let mut t = Theme::defaults();
        for p in t.apply(&text, "user") {
            prop_assert!(p.line >= 1 && p.line <= n, "{p}");
        }
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
        let _ = Keymap::defaults().apply(&text, "user");
        let _ = Theme::defaults().apply(&text, "user");
    }
}

/// docs/tui.md documents every action and theme role.
#[test]
fn docs_name_every_action_and_role() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/tui.md"))
        .expect("docs/tui.md");
    for name in skiff::ui::Action::all_names() {
        assert!(
            doc.contains(&format!("`{name}`")),
            "docs/tui.md lacks action `{name}`"
        );
    }
    for line in skiff::ui::theme::DEFAULT_THEME.lines() {
        let Some((role, _)) = line.split_once('=') else {
            continue;
        };
        let role = role.trim();
        if role.starts_with('#') {
            continue;
        }
        assert!(
            doc.contains(&format!("`{role}`")),
            "docs/tui.md lacks role `{role}`"
        );
    }
}

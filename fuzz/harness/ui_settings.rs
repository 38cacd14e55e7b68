//! Fuzz body: the TUI's keymap and theme file parsers.

use skiff::ui::keymap::Keymap;
use skiff::ui::theme::Theme;
use std::path::Path;

pub fn run(data: &[u8]) {
    let Ok(text) = skiff::model::text::decode(Path::new("fuzz"), data.to_vec()) else {
        return;
    };
    let lines = text.lines().count();
    let mut k = Keymap::defaults();
    for p in k.apply(&text, "fuzz") {
        assert!(p.line >= 1 && p.line <= lines, "{p}");
    }
    let mut t = Theme::defaults();
    for p in t.apply(&text, "fuzz") {
        assert!(p.line >= 1 && p.line <= lines, "{p}");
    }
}

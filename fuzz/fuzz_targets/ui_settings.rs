//! Fuzz the TUI's keymap and theme file parsers with arbitrary text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use skiff::ui::keymap::Keymap;
use skiff::ui::theme::Theme;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = skiff::model::text::decode(Path::new("fuzz"), data.to_vec()) else { return };
    let mut k = Keymap::defaults();
    let problems = k.apply(&text, "fuzz");
    for p in &problems {
        assert!(p.line >= 1 && p.line <= text.lines().count());
    }
    let mut t = Theme::defaults();
    for p in t.apply(&text, "fuzz") {
        assert!(p.line >= 1);
    }
});

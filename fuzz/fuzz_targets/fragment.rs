//! Fuzz the fragment parser and the merge accumulator with arbitrary fragment text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use skiff::model::accumulate::{Accumulator, FileRef};
use skiff::model::fragment::{ConfigKind, classify, lint};
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = skiff::model::text::decode(Path::new("fuzz"), data.to_vec()) else { return };
    for line in text.lines() {
        let _ = classify(line);
    }
    for kind in ConfigKind::ALL {
        let _ = lint(kind, &text, Path::new("fuzz"), "fuzz/layer");
    }
    // Merge the input twice, split at its middle line, as two layers' fragments.
    let mid = text.len() / 2;
    let cut = text[..mid].rfind('\n').map(|p| p + 1).unwrap_or(0);
    let mut acc = Accumulator::default();
    for (i, part) in [&text[..cut], &text[cut..], &text[..]].iter().enumerate() {
        acc.echo("");
        acc.merge_fragment(part, FileRef { layer: format!("l{i}"), path: "f".into() });
        acc.replace("SKIFF_CONFIG_ROOT", "/root", Some(i));
    }
    let out = acc.text();
    for h in acc.provenance() {
        assert!(!h.symbol.is_empty());
    }
    assert!(out.len() <= 3 * text.len() + 64 * 3 + 16);
});

//! Fuzz body: the fragment parser and the merge accumulator on arbitrary fragment text.

use skiff::model::accumulate::{Accumulator, FileRef};
use skiff::model::fragment::{ConfigKind, classify, lint};
use std::path::Path;

/// Where the input is cut in two fragments: after the last newline of its first half, so
/// the cut is always on a character boundary (a `\n` byte is never inside a character).
pub fn cut(text: &str) -> usize {
    let half = &text.as_bytes()[..text.len() / 2];
    half.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1)
}

pub fn run(data: &[u8]) {
    let Ok(text) = skiff::model::text::decode(Path::new("fuzz"), data.to_vec()) else {
        return;
    };
    for line in text.lines() {
        let _ = classify(line);
    }
    for kind in ConfigKind::ALL {
        let _ = lint(kind, &text, Path::new("fuzz"), "fuzz/layer");
    }
    // Merge the input split at its middle line as two layers' fragments, then whole.
    let cut = cut(&text);
    let mut acc = Accumulator::default();
    for (i, part) in [&text[..cut], &text[cut..], &text[..]].iter().enumerate() {
        acc.echo("");
        acc.merge_fragment(
            part,
            FileRef {
                layer: format!("l{i}"),
                path: "f".into(),
            },
        );
        acc.replace("SKIFF_CONFIG_ROOT", "/root", Some(i));
    }
    let out = acc.text();
    for h in acc.provenance() {
        assert!(!h.symbol.is_empty());
    }
    // The merge only appends fragments, drops lines and shortens SKIFF_CONFIG_ROOT.
    assert!(out.len() <= 2 * text.len() + 3 * 2);
}

//! The user-file parsers never panic: the fuzz targets' bodies run on random input here.

use proptest::prelude::*;
use skiff::model::accumulate::{Accumulator, FileRef};
use skiff::model::fragment::{ConfigKind, classify, lint};
use skiff::model::metadata::{parse_commands, parse_dependencies};
use skiff::model::names::{split_list, workspace_name};
use std::path::Path;

fn fragmentish() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        "CONFIG_[A-Z_]{0,6}=[ymn\"a-z ]{0,4}",
        "# CONFIG_[A-Z_]{0,6} is not set",
        "BR2_[A-Z_]{0,6}=[yn]",
        "[ -~]{0,20}",
        Just(String::new()),
        "[\r\t ]*SKIFF_CONFIG_ROOT[a-z/]{0,5}",
    ];
    (proptest::collection::vec(line, 0..12), any::<bool>()).prop_map(|(lines, nl)| {
        let mut s = lines.join("\n");
        if nl {
            s.push('\n');
        }
        s
    })
}

proptest! {
    #[test]
    fn batch_reports_never_panic(raw in any::<String>(), fields in proptest::collection::vec("[a-z0-9,\"\r\n ]{0,6}", 0..40)) {
        skiff::flash::batch::report::fuzz_one(raw.as_bytes());
        let header = skiff::flash::batch::report::COLUMNS.join(",");
        let body = fields.chunks(16).map(|c| c.join(",")).collect::<Vec<_>>().join("\n");
        skiff::flash::batch::report::fuzz_one(format!("{header}\n{body}").as_bytes());
    }

    #[test]
    fn fragments_never_panic(a in fragmentish(), b in fragmentish(), raw in any::<String>()) {
        for text in [&a, &b, &raw] {
            for line in text.lines() {
                let _ = classify(line);
            }
            for kind in ConfigKind::ALL {
                let _ = lint(kind, text, Path::new("f"), "x/y");
            }
        }
        let mut acc = Accumulator::default();
        for (i, t) in [&a, &raw, &b].iter().enumerate() {
            acc.echo("");
            acc.merge_fragment(t, FileRef { layer: format!("l{i}"), path: "f".into() });
            acc.replace("SKIFF_CONFIG_ROOT", "/r", Some(i));
        }
        let text = acc.text();
        // Every effective symbol really is in the output.
        for h in acc.provenance() {
            prop_assert!(text.contains(&h.symbol), "{} missing", h.symbol);
        }
    }

    #[test]
    fn metadata_never_panics(text in any::<String>()) {
        let mut w = Vec::new();
        let _ = parse_dependencies(&text, Path::new("d"), "x/y", &mut w);
        let _ = parse_commands(&text);
        let _ = split_list(&text);
        prop_assert!(!workspace_name(&text).contains('/'));
    }
}

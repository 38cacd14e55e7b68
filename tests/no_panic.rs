//! The parsers of outside input never panic: the fuzz targets' bodies (fuzz/harness/) run here
//! on random input, on every seed of fuzz/corpus-seed/, and on every input a fuzzer crashed on.

#[path = "../fuzz/harness/mod.rs"]
mod harness;

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

/// Inputs that broke a body (found by fuzzing or by review), by target; each is replayed
/// through the same body.
const CRASHES: &[(&str, &[u8])] = &[
    // A zip central directory behind a head without the zip signature: `--member` on it is a
    // usage error (exit 2), which the content body took for a refusal (exit 1).
    ("content", b"\x50\x63\x00\x04\x0a\x00\x00\x00\x00\x00\x00\x00\x21\x5c\xf4\x59\x0d\xb1\x00\x02\x00\x00\x00\x02\x00\x00\x08\x00\x00\x00\x63\x61\x72\x64\x2e\x69\x6d\x67\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xa7\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\xff\xff\xff\xff\xff\xff\xfd\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x13\x0b\x4b\x95\x00\x00\x80\x00\x00\x00\x0c\x00\x00\x00\x00\x08\x00\x00\x00\xf8\x1f\x00\x00\x00\x00\x00\x83\x00\x00\x00\x00\x00\x20\x00\x00\x00\x08\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x55\xaa\x50\x4b\x03\x04\x0a\x00\x00\x00\x00\x00\x00\x00\x21\x5c\x27\x47\x0b\xaf\x19\x00\x00\x00\x19\x00\x00\x00\x0a\x00\x00\x00\x52\x45\x41\x44\x4d\x45\x2e\x74\x78\x74\x63\x61\x72\x64\x2e\x69\x6d\x67\x3a\x20\x61\x20\x70\x63\x44\x75\x69\x6e\x6f\x20\x63\x61\x72\x64\x0a\x50\x4b\x03\x04\x0a\x00\x00\x00\x00\x00\x00\x00\x21\x5c\x31\x0e\xc6\x75\x4b\x00\x00\x00\x4b\x00\x00\x00\x0f\x00\x00\x00\x63\x61\x72\x64\x2e\x69\x6d\x67\x2e\x73\x68\x61\x32\x35\x36\x32\x39\x33\x32\x62\x30\x39\x66\x33\x32\x37\x66\x35\x38\x63\x65\x33\x30\x62\x61\x31\x33\x34\x34\x37\x33\x64\x64\x37\x33\x31\x64\x35\x61\x30\x63\x65\x62\x32\x64\x37\x35\x37\x33\x36\x34\x34\x36\x37\x66\x30\x64\x36\x38\x35\x66\x36\x30\x66\x32\x66\x38\x36\x36\x20\x20\x63\x61\x72\x64\x2e\x69\x6d\x67\x0a\x50\x4b\x01\x02\x1e\x03\x0a\x00\x00\x00\x00\x00\x00\x00\x21\x5c\xf4\x59\x0d\xb1\x00\x02\x00\x00\x00\x02\x00\x00\x08\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xa4\x81\x00\x00\x00\x00\x63\x61\x72\x64\x2e\x69\x6d\x67\x50\x4b\x01\x02\x1e\x03\x0a\x00\x00\x00\x00\x00\x00\x00\x21\x5c\x27\x47\x0b\xaf\x19\x00\x00\x00\x19\x00\x00\x00\x0a\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xa4\x81\x26\x02\x00\x00\x52\x45\x41\x44\x4d\x45\x2e\x74\x78\x74\x50\x4b\x01\x02\x1e\x03\x0a\x00\x00\x00\x00\x00\x00\x00\x21\x5c\x31\x0e\xc6\x75\x4b\x00\x00\x00\x4b\x00\x00\x00\x0f\x00\x00\x00\x00\x00\x00\x00\x64\x64\x37\x33\x31\x64\x35\x61\x30\x63\x65\x61\x72\x64\x2e\x69\x6d\x67\x2e\x73\x68\x61\x32\x35\x36\x50\x4b\x05\x06\x00\x00\x00\x00\x03\x00\x03\x00\xab\x00\x00\x00\xdf\x02\x00\x00\x00\x00"),
    // U+0788: the fragment body cut the text at len / 2, inside the character.
    ("fragment", "\u{788}".as_bytes()),
    // A segment whose end overflows u64 saturated to the card size and was accepted.
    (
        "helper_plan",
        br#"{"version":1,"target":{"path":"c.img","device":false},"source":{"kind":"assembly","size":18446744073709551615,"segments":[{"offset":18446744073709551614,"label":"x","data":{"from":"zero","len":4}}]}}"#,
    ),
    // A helper's failure reported with exit code 0 ended skiff with success.
    (
        "helper_events",
        br#"{"event":"failed","error":"no","exit_code":0}"#,
    ),
    // A zstd frame header of 18 bytes (window byte, 4-byte dictionary id, 8-byte size) was
    // read into 14 and indexed past them.
    (
        "content",
        b"\x28\xb5\x2f\xfd\xc3\x50\x07\0\0\0\x2a\0\0\0\0\0\0\0\x01\0\0",
    ),
    // An xz index whose block sizes saturate u64: adding the stream header's 12 overflowed.
    (
        "content",
        b"\xfd7zXZ\0\0\0\0\0\0\0\0\x02\xff\xff\xff\xff\xff\xff\xff\xff\x7f\x01\xff\xff\xff\xff\xff\xff\xff\xff\x7f\x01\0\0\0\0\0\0\x05\0\0\0\0\0YZ",
    ),
];

fn body(target: &str) -> harness::Body {
    harness::TARGETS
        .iter()
        .find(|(name, _)| *name == target)
        .unwrap_or_else(|| panic!("no fuzz body named {target}"))
        .1
}

#[test]
fn crashing_inputs_replay_cleanly() {
    for (target, input) in CRASHES {
        body(target)(input);
    }
}

#[test]
fn every_seed_runs_cleanly() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus-seed");
    for (target, run) in harness::TARGETS {
        let dir = root.join(target);
        let seeds: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e} (run scripts/fuzz-seeds)", dir.display()))
            .map(|e| e.unwrap().path())
            .collect();
        assert!(!seeds.is_empty(), "{} has no seeds", dir.display());
        for seed in seeds {
            let data = std::fs::read(&seed).unwrap();
            run(&data);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn every_body_survives_random_bytes(data in proptest::collection::vec(any::<u8>(), 0..512)) {
        for (_, run) in harness::TARGETS {
            run(&data);
        }
    }
}

/// Lines that look like a skiff-core config, with the odd mistake.
fn core_yamlish() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        Just("containers:".to_string()),
        Just("users:".to_string()),
        Just("images:".to_string()),
        "  [a-z]{1,5}:",
        "    (image|container|stopSignal|restartPolicy|policy): [a-zA-Z0-9/:+.\"' -]{0,12}",
        "    (tty|privileged|copyRootKeys): (true|false|yes|[a-z]{1,3})",
        "    (mounts|entrypoint|containerShell):",
        "      - [/a-z:]{0,12}",
        "    (mounts|env): \\[[a-z/:, \"]{0,12}\\]",
        "    (pull|build|auth|tmpFs):",
        "      [a-zA-Z/]{1,8}: [a-z0-9,=]{0,8}",
        "# [ -~]{0,10}",
        "[ -~]{0,16}",
        "[&*!|>{}\\[\\]\"'-]{1,3}[ a-z]{0,4}",
    ];
    proptest::collection::vec(line, 0..16).prop_map(|lines| lines.join("\n"))
}

/// A shipped config with one random edit, so most inputs get deep into the checks.
fn shipped_edited() -> impl Strategy<Value = String> {
    let base = include_str!(
        "../configs/skiff/core/buildroot_ext/package/skiff-core-defconfig/defconfig.yaml"
    );
    (0..base.len(), "[ -~\n]{0,6}", 0usize..4).prop_map(move |(at, insert, cut)| {
        let mut at = at;
        while !base.is_char_boundary(at) {
            at -= 1;
        }
        let end = (at + cut).min(base.len());
        let end = if base.is_char_boundary(end) { end } else { at };
        format!("{}{insert}{}", &base[..at], &base[end..])
    })
}

proptest! {
    #[test]
    fn core_configs_never_panic_and_round_trip(
        a in core_yamlish(),
        b in shipped_edited(),
        raw in any::<String>(),
    ) {
        for text in [&a, &b, &raw] {
            let r = skiff::model::core_config::fuzz_one(text);
            prop_assert!(r.is_ok(), "{}\n--- input:\n{}", r.unwrap_err(), text);
        }
    }
}

fn manifestish() -> impl Strategy<Value = String> {
    let hash = "[0-9a-f]{64}|-|[0-9a-g]{3}";
    let line = prop_oneof![
        Just("skiff-push-manifest 1".to_string()),
        "pushed [0-9+]{0,5}",
        "release [ -~]{0,12}",
        (hash, hash, "[ -~\r]{0,12}").prop_map(|(a, b, p)| format!("file {a} {b} {p}")),
        "[ -~\t\r]{0,20}",
    ];
    prop::collection::vec(line, 0..6).prop_map(|l| {
        let mut t = String::from("skiff-push-manifest 1\n");
        t.push_str(&l.join("\n"));
        t
    })
}

proptest! {
    #[test]
    fn push_manifest_never_panics(text in manifestish(), raw in any::<Vec<u8>>()) {
        skiff::push::manifest::fuzz_one(text.as_bytes());
        skiff::push::manifest::fuzz_one(&raw);
    }
}

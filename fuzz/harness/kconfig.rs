//! Fuzz body: the Kconfig tree reader and expression parser (BR2_EXTERNAL trees in layers
//! are user files) and the build-output parsers (`>>>` lines, make errors, build-time.log,
//! hook lines).

use skiff::build::hook::HookCall;
use skiff::build::kconfig::expr::parse;
use skiff::build::kconfig::parse::read_tree;
use skiff::build::lines::{make_error, marker, plain};
use skiff::build::timelog::{Durations, unfinished};
use std::collections::HashMap;

pub fn run(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    for line in text.lines() {
        let _ = parse(line);
        let p = plain(line);
        let _ = marker(&p);
        let _ = make_error(&p);
        let _ = HookCall::parse(line);
    }
    let _ = Durations::parse(&text);
    let _ = unfinished(&text);
    let Ok(dir) = tempfile::tempdir() else {
        return;
    };
    if std::fs::write(dir.path().join("Config.in"), data).is_ok() {
        let _ = read_tree(dir.path(), "Config.in", &HashMap::new());
    }
}

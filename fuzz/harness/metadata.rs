//! Fuzz body: the layer metadata parsers (dependencies, commands) and stack-list splitting.

use skiff::model::metadata::{parse_commands, parse_dependencies};
use skiff::model::names::{is_well_formed_item, layer_id, split_list, workspace_name};
use std::path::Path;

pub fn run(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut warnings = Vec::new();
    for dep in parse_dependencies(text, Path::new("dependencies"), "fuzz/layer", &mut warnings) {
        assert!(is_well_formed_item(&dep), "{dep:?}");
    }
    for c in parse_commands(text) {
        assert!(!c.name.is_empty() && !c.description.is_empty());
    }
    for item in split_list(text) {
        let _ = layer_id(item);
    }
    let ws = workspace_name(text);
    assert!(!ws.is_empty() && !ws.contains('/'), "{ws:?}");
}

//! The Kconfig reader: types, prompts, dependencies (enclosing blocks included), selects,
//! choices, ranges, environment symbols in `source`, help text, and bad `source` lines.

use skiff::build::kconfig::parse::{SymKind, read_tree};
use std::collections::HashMap;

#[test]
fn reads_types_prompts_dependencies_and_choices() {
    let dir = tempfile::tempdir().unwrap();
    let top = "\
config BR2_BASE_DIR
\tstring
\toption env=\"BASE_DIR\"

source \"$BR2_BASE_DIR/extra.in\"

menu \"Things\"
\tdepends on BR2_A

config BR2_A
\tbool \"a\" if BR2_X # a comment
\tselect BR2_HIDDEN if BR2_Y
\thelp
\t  Help text with keywords:
\t  config NOT_A_SYMBOL

\t  depends on NOTHING

choice
\tprompt \"pick\"
config BR2_C1
\tbool \"one\"
if BR2_A
config BR2_C2
\tbool \"two\"
endif
endchoice

config BR2_N
\tint \"n\"
\trange 1 12 if BR2_A
endmenu

config BR2_HIDDEN
\tbool
";
    std::fs::write(dir.path().join("Config.in"), top).unwrap();
    let base = dir.path().join("base");
    std::fs::create_dir(&base).unwrap();
    std::fs::write(base.join("extra.in"), "config BR2_EXTRA\n\thex \"x\"\n").unwrap();
    let vars = HashMap::from([("BASE_DIR".to_string(), base.display().to_string())]);
    let t = read_tree(dir.path(), "Config.in", &vars).unwrap();
    assert_eq!(t.files, 2);
    assert!(t.skipped.is_empty(), "{:?}", t.skipped);
    assert!(!t.symbols.contains_key("NOT_A_SYMBOL"));
    let a = &t.symbols["BR2_A"];
    assert_eq!(a.kind, SymKind::Bool);
    let vis: Vec<String> = a.defs[0].visible_if.iter().map(|e| e.to_string()).collect();
    assert_eq!(vis, ["BR2_A", "BR2_X"]);
    let h = &t.symbols["BR2_HIDDEN"];
    assert!(!h.defs[0].prompt);
    assert_eq!(h.selected_by[0].by, "BR2_A");
    assert_eq!(t.choices[0].members, ["BR2_C1", "BR2_C2"]);
    assert_eq!(t.symbols["BR2_C2"].choice, Some(0));
    assert_eq!(t.symbols["BR2_N"].defs[0].ranges[0].hi, "12");
    assert_eq!(t.symbols["BR2_N"].choice, None);
    assert_eq!(t.symbols["BR2_EXTRA"].kind, SymKind::Hex);
    assert_eq!(t.symbols["BR2_BASE_DIR"].env.as_deref(), Some("BASE_DIR"));
}

#[test]
fn missing_source_names_the_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("Config.in"),
        "\nsource \"nope/Config.in\"\n",
    )
    .unwrap();
    let e = read_tree(dir.path(), "Config.in", &HashMap::new()).unwrap_err();
    assert!(e.to_string().contains("Config.in:2: sources"), "{e}");
    std::fs::write(dir.path().join("Config.in"), "osource \"nope\"\n").unwrap();
    assert!(read_tree(dir.path(), "Config.in", &HashMap::new()).is_ok());
    std::fs::write(dir.path().join("Config.in"), "source \"Config.in\"\n").unwrap();
    let e = read_tree(dir.path(), "Config.in", &HashMap::new()).unwrap_err();
    assert!(e.to_string().contains("sources itself"), "{e}");
}

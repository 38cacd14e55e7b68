//! Properties of the one quoting function every remote command uses: a real `sh` reads each
//! quoted value back byte for byte, alone and next to other words, whatever it holds.

use proptest::prelude::*;
use skiff::model::env::shell_quote as quote;
use std::process::Command;

fn echo_through_sh(words: &[String]) -> String {
    let script = format!(
        "printf '%s\\n' {}",
        words.iter().map(|w| quote(w)).collect::<Vec<_>>().join(" ")
    );
    let out = Command::new("sh")
        .arg("-c")
        .arg(&script)
        .output()
        .expect("sh");
    assert!(out.status.success(), "{script}");
    String::from_utf8(out.stdout).expect("utf8")
}

fn nasty() -> impl Strategy<Value = String> {
    prop_oneof![
        "[ -~]{0,24}",
        "[$`'\"\\\\;&|<>(){}*?~# \t\n!]{0,16}",
        any::<String>().prop_map(|s| s.replace(char::from(0), "")),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn sh_reads_quoted_values_back_unchanged(words in prop::collection::vec(nasty(), 1..4)) {
        let expected: String = words.iter().map(|w| format!("{w}\n")).collect();
        prop_assert_eq!(echo_through_sh(&words), expected);
    }
}

#[test]
fn quoting_defeats_injection() {
    let dir = tempfile::tempdir().expect("tempdir");
    let marker = dir.path().join("pwned");
    let evil = format!("x'; touch {} #", marker.display());
    let out = echo_through_sh(&[evil.clone(), format!("$(touch {})", marker.display())]);
    assert!(out.starts_with(&evil));
    assert!(!marker.exists());
}

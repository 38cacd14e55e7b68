//! `skiff completions` and `skiff manpages` through the binary: bash loads the script and
//! completes subcommands and values; man renders the pages.

use assert_cmd::Command;

fn skiff(args: &[&str]) -> std::process::Output {
    Command::cargo_bin("skiff")
        .unwrap()
        .args(args)
        .output()
        .unwrap()
}

/// Source the bash completion script and ask it to complete `words` (the last one is the
/// word under the cursor).
fn bash_complete(script: &std::path::Path, words: &[&str]) -> Vec<String> {
    let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    let cword = words.len() - 1;
    let prev = words[cword.saturating_sub(1)];
    let program = format!(
        "source '{}' || exit 9\n\
         complete -p skiff >/dev/null || exit 8\n\
         COMP_WORDS=({})\nCOMP_CWORD={cword}\n\
         _skiff skiff '{}' '{prev}'\n\
         printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        script.display(),
        quoted.join(" "),
        words[cword],
    );
    let out = std::process::Command::new("bash")
        .arg("--norc")
        .arg("-c")
        .arg(program)
        .output()
        .expect("bash runs");
    assert!(
        out.status.success(),
        "bash: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn bash_sources_the_completions_and_completes_commands_and_shells() {
    let out = skiff(&["completions", "bash"]);
    assert!(out.status.success());
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("skiff.bash");
    std::fs::write(&script, &out.stdout).unwrap();

    let got = bash_complete(&script, &["skiff", "conf"]);
    assert_eq!(got, ["configure", "config"]);
    let got = bash_complete(&script, &["skiff", "completions", "f"]);
    assert_eq!(got, ["fish"]);
    let got = bash_complete(&script, &["skiff", "config", "sh"]);
    assert_eq!(got, ["show"]);
}

#[test]
fn every_shell_is_accepted_and_an_unknown_one_is_a_usage_error() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = skiff(&["completions", shell]);
        assert!(out.status.success(), "{shell}");
        assert!(String::from_utf8_lossy(&out.stdout).contains("configure"));
    }
    let out = skiff(&["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn manual_pages_render_with_man() {
    let dir = tempfile::tempdir().unwrap();
    let out = skiff(&["manpages", dir.path().to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let page = dir.path().join("skiff-build.1");
    assert!(page.is_file());
    // man(1) may be absent on minimal machines; groff is what renders the page either way.
    let Ok(rendered) = std::process::Command::new("man")
        .arg("-l")
        .arg(&page)
        .env("MANWIDTH", "80")
        .env("MAN_KEEP_FORMATTING", "0")
        .output()
    else {
        return;
    };
    if rendered.status.success() {
        let text = String::from_utf8_lossy(&rendered.stdout);
        assert!(text.contains("skiff-build"), "{text}");
    }
}

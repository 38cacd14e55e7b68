//! The skiff-core config model: every YAML the bundled tree ships checks clean and survives a
//! write/read round trip; each broken config gets exactly one precise error.

use skiff::model::core_config::{self, CoreConfig, Entry, User};
use std::path::{Path, PathBuf};

fn shipped() -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("configs")];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).expect("read configs") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else if p.file_name().is_some_and(|n| n == "defconfig.yaml")
                && p.to_string_lossy().contains("skiff-core")
            {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn json(c: &CoreConfig) -> serde_json::Value {
    serde_json::to_value(c).expect("json")
}

#[test]
fn every_shipped_yaml_checks_clean_and_round_trips() {
    let files = shipped();
    assert!(files.len() >= 4, "found only {files:?}");
    for f in files {
        let c = core_config::load(&f).unwrap_or_else(|e| panic!("{e}"));
        assert!(!c.header.is_empty(), "{}: header comment lost", f.display());
        let text = core_config::to_yaml(&c);
        let again = core_config::parse(&text)
            .unwrap_or_else(|e| panic!("{}: re-read failed: {e:?}\n{text}", f.display()));
        assert_eq!(json(&c), json(&again), "{}", f.display());
        assert_eq!(c.header, again.header);
        // The text written is plain YAML any parser reads the same way.
        let generic: serde_json::Value = yaml_serde::from_str(&text).expect("yaml_serde");
        assert_eq!(
            generic["users"]["core"]["container"],
            serde_json::json!("core"),
            "{}",
            f.display()
        );
    }
}

#[test]
fn repeated_keys_keep_the_last_like_skiff_core() {
    let text = "containers:\n  core:\n    image: a:1\n    entrypoint: [\"/x\"]\n    entrypoint: [\"/init\"]\nusers:\n  core:\n    container: core\nimages:\n  a:1:\n    build:\n      source: /s\n";
    let c = core_config::parse(text).expect("accepted");
    assert_eq!(c.containers[0].value.entrypoint, vec!["/init".to_string()]);
}

#[test]
fn edits_made_in_memory_are_checked_and_written() {
    let f = shipped().into_iter().next().expect("a shipped yaml");
    let mut c = core_config::load(&f).expect("clean");
    let u = User {
        container: Some(core_config::Spanned::new("nowhere".into())),
        ..User::default()
    };
    c.users.push(Entry::new("alice", u));
    let issues = core_config::check(&c);
    assert_eq!(issues.len(), 1, "{issues:?}");
    assert!(
        issues[0]
            .to_string()
            .starts_with("users.alice.container: container `nowhere`")
    );
    let text = core_config::to_yaml(&c);
    let e = core_config::parse(&text).unwrap_err();
    assert_eq!(e.len(), 1);
    assert!(e[0].pos.line > 0, "{e:?}");
}

const BASE: &str = "containers:
  core:
    image: skiffos/core:latest
    mounts:
      - /dev:/dev
    stopSignal: RTMIN+3
    restartPolicy: always
users:
  core:
    container: core
    auth:
      copyRootKeys: true
images:
  skiffos/core:latest:
    pull:
      policy: ifnotexists
      registry: quay.io
";

/// (what, replace this, with this, expected error text).
const BROKEN: &[(&str, &str, &str, &str)] = &[
    (
        "unknown container key",
        "    stopSignal:",
        "    stopSignl:",
        "6:5: containers.core.stopSignl: unknown key `stopSignl`; did you mean `stopSignal`?",
    ),
    (
        "unknown top-level key",
        "users:",
        "user:",
        "8:1: user: unknown key `user`; did you mean `users`?",
    ),
    (
        "unknown auth key",
        "copyRootKeys",
        "copyRootKey",
        "12:7: users.core.auth.copyRootKey: unknown key `copyRootKey`; did you mean `copyRootKeys`?",
    ),
    (
        "user's container missing",
        "    container: core",
        "    container: kore",
        "10:16: users.core.container: container `kore` is not defined under containers; did you mean `core`?",
    ),
    (
        "container's image missing",
        "    image: skiffos/core:latest",
        "    image: skiffos/other:latest",
        "3:12: containers.core.image: image `skiffos/other:latest` is not defined under images; did you mean `skiffos/core:latest`?",
    ),
    (
        "mount without container path",
        "      - /dev:/dev",
        "      - /dev",
        "5:9: containers.core.mounts[0]: `/dev`: mounts are `/host/path:/container/path` with an optional `:ro` or `:rw`",
    ),
    (
        "mount with bad option",
        "      - /dev:/dev",
        "      - /dev:/dev:readonly",
        "5:9: containers.core.mounts[0]: `/dev:/dev:readonly`: `readonly` is not a mount option",
    ),
    (
        "relative mount",
        "      - /dev:/dev",
        "      - dev:/dev",
        "5:9: containers.core.mounts[0]: `dev:/dev`: both paths must be absolute",
    ),
    (
        "bad pull policy",
        "policy: ifnotexists",
        "policy: sometimes",
        "16:15: images.skiffos/core:latest.pull.policy: `sometimes` is not a pull policy; use one of always, ifnotpresent, ifnotexists, ifbuildfails",
    ),
    (
        "bad stop signal",
        "RTMIN+3",
        "RTMIN+30",
        "6:17: containers.core.stopSignal: `RTMIN+30` is not a signal",
    ),
    (
        "bad restart policy",
        "restartPolicy: always",
        "restartPolicy: never",
        "7:20: containers.core.restartPolicy: `never` is not a restart policy",
    ),
    (
        "boolean expected",
        "copyRootKeys: true",
        "copyRootKeys: maybe",
        "12:21: users.core.auth.copyRootKeys: expected true or false, found a single value",
    ),
    (
        "list expected",
        "    mounts:\n      - /dev:/dev\n",
        "    mounts: /dev:/dev\n",
        "4:13: containers.core.mounts: expected a list, found a single value",
    ),
    (
        "bad login name",
        "users:\n  core:",
        "users:\n  Core:",
        "9:3: users.Core: `Core` is not a login name",
    ),
    (
        "user without container",
        "    container: core\n",
        "",
        "9:3: users.core: the user names no container",
    ),
    (
        "YAML syntax",
        "    mounts:\n",
        "    mounts: [\n",
        "not valid YAML",
    ),
];

#[test]
fn each_broken_config_gets_one_precise_error() {
    core_config::parse(BASE).expect("the base config is clean");
    for (what, from, to, expected) in BROKEN {
        assert!(BASE.contains(from), "{what}: `{from}` not in the base");
        let text = BASE.replacen(from, to, 1);
        let issues = core_config::parse(&text).expect_err(what);
        assert_eq!(issues.len(), 1, "{what}: {issues:#?}");
        let got = issues[0].to_string();
        assert!(
            got.contains(expected),
            "{what}:\n got      {got}\n expected {expected}"
        );
    }
}

#[test]
fn file_errors_name_file_line_and_column() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("config.yaml");
    std::fs::write(&path, BASE.replace("container: core", "container: nope")).expect("write");
    let e = core_config::load(&path).unwrap_err().to_string();
    assert!(
        e.starts_with(&format!("{}:10:16: users.core.container:", path.display())),
        "{e}"
    );
}

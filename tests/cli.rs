//! The `skiff` binary: JSON shapes, exit codes, recovery and extension commands.

mod common;

use assert_cmd::Command;
use serde_json::Value;

use common::skiff;

fn json(out: &[u8]) -> Value {
    serde_json::from_slice(out).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(out)))
}

#[test]
fn layers_json_has_the_documented_fields() {
    let (_t, root) = common::fixture("upstream");
    let out = skiff(&root).args(["layers", "--json"]).output().unwrap();
    assert!(out.status.success());
    let v = json(&out.stdout);
    let arr = v.as_array().unwrap();
    assert!(arr.iter().all(|l| !l["unlisted"].as_bool().unwrap()));
    let pi4 = arr.iter().find(|l| l["name"] == "pi/4").unwrap();
    assert_eq!(pi4["description"], "Raspberry Pi 4.");
    assert_eq!(pi4["dependencies"][1], "pi/common");
    assert!(pi4["commands"].as_array().unwrap().is_empty());
    let nodesc = arr.iter().find(|l| l["name"] == "util/nodesc").unwrap();
    assert!(nodesc["description"].is_null());
    let all = json(
        &skiff(&root)
            .args(["layers", "--all", "--json"])
            .output()
            .unwrap()
            .stdout,
    );
    let common = all
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["name"] == "pi/common")
        .unwrap();
    assert_eq!(common["unlisted"], true);
    assert_eq!(common["commands"][0]["name"], "format");
}

#[test]
fn layers_text_lists_names_and_descriptions() {
    let (_t, root) = common::fixture("upstream");
    let out = skiff(&root).arg("layers").output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    insta::assert_snapshot!("layers_text", text);
}

#[test]
fn stack_resolve_json_and_unknown_layer_exit_code() {
    let (_t, root) = common::fixture("upstream");
    let out = skiff(&root)
        .args(["stack", "resolve", "apps/docker,apps/runc", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v = json(&out.stdout);
    assert_eq!(
        v["layers"],
        serde_json::json!(["apps/containerd", "apps/docker", "apps/runc"])
    );
    assert_eq!(v["warnings"][0]["kind"], "dependency-after-dependent");
    let out = skiff(&root)
        .args(["stack", "resolve", "pi/44"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("unknown layer `pi/44`") && err.contains("pi/4"),
        "{err}"
    );
}

#[test]
fn configure_then_recover_diff_and_list_workspaces() {
    let (_t, root) = common::fixture("upstream");
    skiff(&root)
        .args(["configure", "pi/4,skiff/core", "-w", "Lab"])
        .assert()
        .success();
    // SKIFF_CONFIG unset: the stack comes back from the workspace (names are lower-cased).
    let out = skiff(&root)
        .args(["stack", "resolve", "--json"])
        .env("SKIFF_WORKSPACE", "lab")
        .output()
        .unwrap();
    let v = json(&out.stdout);
    assert_eq!(v["recovered"], true);
    assert_eq!(v["layers"][3], "pi/4");
    // The stack as typed is kept beside the resolved chain and is what comes back.
    let typed = std::fs::read_to_string(root.join("workspaces/.config_lab/skiff_stack")).unwrap();
    assert_eq!(typed, "pi/4,skiff/core\n");
    assert_eq!(v["requested"], serde_json::json!(["pi/4", "skiff/core"]));
    let out = skiff(&root)
        .args(["config", "diff", "--json", "-w", "lab"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(json(&out.stdout), serde_json::json!([]));
    let out = skiff(&root)
        .args(["config", "diff", "--stack", "odroid/xu4", "-w", "lab"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("- buildroot BR2_aarch64=y"), "{text}");
    assert!(
        text.contains("- buildroot BR2_TARGET_OPTIMIZATION"),
        "{text}"
    );
    assert!(text.contains("~ buildroot BR2_ROOTFS_OVERLAY"), "{text}");
    let out = skiff(&root)
        .args(["workspaces", "--json"])
        .output()
        .unwrap();
    let v = json(&out.stdout);
    assert_eq!(v[0]["name"], "lab");
    assert!(v[0]["stack"].as_str().unwrap().ends_with("skiff/core"));
    assert_eq!(v[0]["typed"], "pi/4,skiff/core");
}

#[test]
fn config_show_and_blame() {
    let (_t, root) = common::fixture("upstream");
    let out = skiff(&root)
        .args([
            "config",
            "show",
            "--kernel",
            "--overridden",
            "--json",
            "--stack",
            "pi/4,skiff/core",
        ])
        .output()
        .unwrap();
    let v = json(&out.stdout);
    let names: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["symbol"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["CONFIG_MEMCG_SWAP_ENABLED", "CONFIG_USB_SERIAL"]);
    let out = skiff(&root)
        .args(["config", "blame", "BR2_PACKAGE_HTOP", "--stack", "pi/4"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("= n")
            && text.contains("overrides")
            && text.contains("was y")
            && text.contains("pi/common"),
        "{text}"
    );
    let out = skiff(&root)
        .args(["config", "blame", "BR2_NOPE", "--stack", "pi/4"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn cmd_runs_make_in_extensions_with_upstream_environment() {
    let (_t, root) = common::fixture("upstream");
    let out = skiff(&root)
        .args(["cmd", "pi/common/format", "DEVICE=/dev/sd z's"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("format in ") && text.contains("configs/pi/common ws=default"),
        "{text}"
    );
    assert!(
        text.contains("args=/dev/sd z's"),
        "arguments reach make untouched: {text}"
    );
    let out = skiff(&root).args(["cmd", "pi/4/format"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let out = skiff(&root).args(["cmd", "pi/format"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn a_failing_extension_command_says_make_status_and_exits_1() {
    let (_t, root) = common::fixture("upstream");
    let mk = root.join("configs/pi/common/extensions/Makefile");
    let mut text = std::fs::read_to_string(&mk).unwrap();
    text.push_str("\nneeds-sd:\n\t@test -n \"$$PI_SD\" || { echo \"set PI_SD\" >&2; exit 1; }\n");
    std::fs::write(&mk, text).unwrap();
    let out = skiff(&root)
        .env_remove("PI_SD")
        .args(["cmd", "pi/common/needs-sd"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("set PI_SD"), "{err}");
    assert!(
        err.contains("skiff: make needs-sd (in ") && err.contains(") failed with status 2"),
        "{err}"
    );
}

#[test]
fn help_documents_exit_codes() {
    let out = Command::cargo_bin("skiff")
        .unwrap()
        .args(["configure", "--help"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("Exit codes:") && text.contains("130"),
        "{text}"
    );
    let out = Command::cargo_bin("skiff")
        .unwrap()
        .args(["layers", "--bogus"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "clap usage errors");
}

#[test]
fn layer_show_lists_fragments_commands_and_readme() {
    let (_t, root) = common::fixture("upstream");
    let out = skiff(&root)
        .args(["layer", "show", "pi/common"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = common::scrub(&String::from_utf8(out.stdout).unwrap(), &root);
    insta::assert_snapshot!("layer_show_pi_common", text);
    let out = skiff(&root)
        .args(["layer", "show", "pi/4", "--json"])
        .output()
        .unwrap();
    let v = json(&out.stdout);
    assert_eq!(v["name"], "pi/4");
    assert_eq!(v["contents"]["fragments"][0][0], "kernel");
    assert_eq!(v["contents"]["hooks"][0], "hooks/post.sh");
    let out = skiff(&root)
        .args(["layer", "show", "pi/5"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn build_target_override_beats_layer_metadata() {
    let (_t, root) = common::fixture("upstream");
    let out = skiff(&root)
        .args(["stack", "resolve", "odroid/xu4", "--json"])
        .output()
        .unwrap();
    assert_eq!(json(&out.stdout)["build_target"], "odroid-image");
    let out = skiff(&root)
        .args(["stack", "resolve", "odroid/xu4", "--json"])
        .env("SKIFF_BUILD_TARGET_OVERRIDE", "sdk")
        .output()
        .unwrap();
    assert_eq!(json(&out.stdout)["build_target"], "sdk");
}

#[test]
fn two_boards_warn_on_the_cli_exactly_like_the_tui() {
    let (_t, root) = common::fixture("upstream");
    let (_, cat) = common::catalog(&root);
    let typed = vec!["pi/4".to_string(), "odroid/xu".to_string()];
    let analysis = skiff::ui::analysis::analyze(&cat, &typed, &root);
    let tui = analysis
        .notes
        .iter()
        .find(|n| n.short == "2nd board")
        .expect("the TUI warns about two boards")
        .text
        .clone();
    assert!(
        tui.contains("pi/4 and odroid/xu are both board layers"),
        "{tui}"
    );

    let stderr_of = |args: &[&str]| {
        let out = skiff(&root).args(args).output().unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stderr).unwrap()
    };
    let err = stderr_of(&["stack", "resolve", "pi/4,odroid/xu"]);
    assert!(err.contains(&tui), "{err}");

    let out = skiff(&root)
        .args(["stack", "resolve", "pi/4,odroid/xu", "--json"])
        .output()
        .unwrap();
    let v = json(&out.stdout);
    let w = v["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["kind"] == "two-boards")
        .expect("a two-boards warning");
    assert_eq!(w["message"], tui.as_str());
    assert_eq!(w["layer"], "odroid/xu");

    let err = stderr_of(&["configure", "pi/4,odroid/xu"]);
    assert!(err.contains(&tui), "{err}");

    // One board (pi/4 pulls in pi/common): no warning.
    let err = stderr_of(&["stack", "resolve", "pi/4,pi/common"]);
    assert!(!err.contains("board layers"), "{err}");
}

#[test]
fn empty_variables_count_as_unset() {
    let (_t, root) = common::fixture("upstream");
    let out = skiff(&root)
        .env("SKIFF_WORKSPACE", "")
        .env("SKIFF_CONFIG", "")
        .env("SKIFF_EXTRA_CONFIGS_PATH", "")
        .env("BR2_CCACHE_DIR", "")
        .args(["configure", "pi/4", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json(&out.stdout);
    assert_eq!(v["workspace"], "default");
    let config =
        std::fs::read_to_string(root.join("workspaces/.config_default/buildroot/config")).unwrap();
    let own = root.join("workspaces/.ccache/default");
    assert!(
        config.contains(&format!("BR2_CCACHE_DIR=\"{}\"", own.display())),
        "{config}"
    );
    // SKIFF_ROOT="" is unset too: the tree comes from --root (and would from the cwd).
    let mut c = Command::cargo_bin("skiff").unwrap();
    let out = c
        .current_dir(&root)
        .env("SKIFF_ROOT", "")
        .env_remove("SKIFF_CONFIG")
        .args(["stack", "resolve", "pi/4"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

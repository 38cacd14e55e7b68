//! `skiff layout show` and `skiff layout check` on the bundled tree: exit codes, messages naming file and field, JSON, and drawings.

use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn skiff() -> Command {
    let mut c = Command::cargo_bin("skiff").unwrap();
    c.current_dir(repo()).arg("--root").arg(".");
    for v in [
        "SKIFF_CONFIG",
        "SKIFF_WORKSPACE",
        "SKIFF_EXTRA_CONFIGS_PATH",
        "SKIFF_ROOT",
    ] {
        c.env_remove(v);
    }
    c
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn check_passes_for_a_board_stack_and_names_the_layer() {
    let out = skiff()
        .args(["layout", "check", "pi/4,skiff/core"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).starts_with("pi/common: layout fits"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn check_fails_on_a_small_card_with_file_and_field() {
    let out = skiff()
        .args(["layout", "check", "odroid/xu", "--size", "1GB"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("configs/odroid/xu/layout.yaml: partitions[1] (rootfs): ends at"),
        "{err}"
    );
    assert!(
        err.contains("card size: the layout needs at least"),
        "{err}"
    );
}

#[test]
fn bad_size_flag_is_a_usage_error() {
    let out = skiff()
        .args(["layout", "check", "pi/4", "--size", "8G"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "clap reports usage errors with 2"
    );
    assert!(
        text(&out.stderr).contains("unknown unit `G`"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn stack_without_layout_and_broken_file_are_user_errors() {
    let out = skiff()
        .args(["layout", "show", "apps/runc"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("no layer of apps/runc has a layout.yaml"),
        "{}",
        text(&out.stderr)
    );

    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("layout.yaml");
    std::fs::write(&bad, "about: x\ntable: mbr\npartitions:\n  - name: a\n    type: linux\n    size: 1MiB\n    flags: [boot]\n").unwrap();
    let out = skiff()
        .args(["layout", "check", "--file"])
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("layout.yaml: partitions[0].flags[0]: unknown variant `boot`"),
        "{err}"
    );
}

#[test]
fn check_json_reports_issues_and_kind() {
    let out = skiff()
        .args(["layout", "check", "jetson/tx2", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["kind"], "usb-recovery");
    assert_eq!(v["layer"], "jetson/tx2");
    assert_eq!(v["ok"], true);

    let out = skiff()
        .args(["layout", "check", "bananapi/m1", "--size", "1GiB", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["ok"], false);
    assert_eq!(v["layer"], "bananapi/common");
    assert!(
        v["issues"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["severity"] == "error")
    );
}

#[test]
fn show_json_lists_regions_in_order() {
    let out = skiff()
        .args([
            "layout",
            "show",
            "pine64/rockpro64",
            "--size",
            "16GiB",
            "--json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let regions = v["regions"].as_array().unwrap();
    let names: Vec<&str> = regions
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    // idbloader.img is reserved up to 8 MiB, where u-boot.itb starts: no gap between them.
    assert_eq!(
        names,
        ["table", "", "idbloader.img", "u-boot.itb", "", "persist"]
    );
    let ends: Vec<u64> = regions.iter().map(|r| r["end"].as_u64().unwrap()).collect();
    assert_eq!(ends.last(), Some(&(16u64 << 30)));
    assert_eq!(v["layout"]["raw"][0]["offset"], 32768);
}

#[test]
fn drawings_of_the_board_families() {
    for (file, size) in [
        ("configs/bananapi/common/layout.yaml", "16GiB"),
        ("configs/odroid/c4/layout.yaml", "8GiB"),
        ("configs/pcengines/apu2/layout.yaml", "32GB"),
        ("configs/intel/desktop/layout.yaml", "64GiB"),
        ("configs/jetson/nano/layout.yaml", "32GB"),
        ("configs/virt/qemu/layout.yaml", "1GiB"),
    ] {
        let out = skiff()
            .args([
                "layout", "show", "--file", file, "--size", size, "--width", "60",
            ])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{file}: {}", text(&out.stderr));
        let name = file
            .trim_start_matches("configs/")
            .trim_end_matches("/layout.yaml")
            .replace('/', "_");
        insta::with_settings!({snapshot_path => "snapshots", prepend_module_to_snapshot => true}, {
            insta::assert_snapshot!(format!("layout_show_{name}"), text(&out.stdout));
        });
    }
}

#[test]
fn boards_page_drawings_match_the_layouts() {
    let page = std::fs::read_to_string(repo().join("docs/boards.md")).unwrap();
    let lines: Vec<&str> = page.lines().collect();
    let mut checked = 0;
    for (i, line) in lines.iter().enumerate() {
        let Some(rest) = line.strip_prefix("Drawing of `") else {
            continue;
        };
        let (stack, tail) = rest.split_once('`').unwrap();
        let size = tail
            .strip_prefix(" on a ")
            .and_then(|t| t.strip_suffix(" card:"));
        assert_eq!(
            lines[i + 2],
            "```",
            "drawing of {stack} is not followed by a code block"
        );
        let end = lines[i + 3..].iter().position(|l| *l == "```").unwrap() + i + 3;
        let documented = lines[i + 3..end].join("\n");
        let mut cmd = skiff();
        cmd.args(["layout", "show", stack, "--width", "60"]);
        if let Some(s) = size {
            cmd.args(["--size", s]);
        }
        let out = cmd.output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{stack}: {}", text(&out.stderr));
        let drawn = text(&out.stdout);
        let drawn: Vec<String> = drawn
            .lines()
            .enumerate()
            .map(|(n, l)| match (n, l.split_once(" (")) {
                (0, Some((head, _))) if l.starts_with("Layout of ") => head.to_string(),
                _ => l.to_string(),
            })
            .collect();
        assert_eq!(
            documented,
            drawn.join("\n"),
            "docs/boards.md is stale for {stack}"
        );
        checked += 1;
    }
    assert!(
        checked >= 14,
        "only {checked} drawings found in docs/boards.md"
    );
}

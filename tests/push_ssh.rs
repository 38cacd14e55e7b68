//! `skiff push` end to end against a real sshd on 127.0.0.1 whose "device" is a temporary
//! directory: files land verified, unchanged files are skipped, faults leave the old set, and
//! rollback restores it.

mod common;
mod push_support;

use assert_cmd::Command;
use push_support::{Setup, Sshd, setup};
use serde_json::Value;

fn skiff(s: &Setup, sshd: &Sshd, extra: &[&str]) -> (i32, Vec<Value>, String) {
    let mut args = s.push_args(sshd);
    args.extend(extra.iter().map(|a| a.to_string()));
    run(args)
}

/// `skiff ARGS --json`: exit code, events, stderr.
fn run(mut args: Vec<String>) -> (i32, Vec<Value>, String) {
    args.push("--json".into());
    let out = Command::cargo_bin("skiff")
        .expect("binary")
        .args(&args)
        .env("SKIFF_CONFIG", "test/board")
        .env_remove("SKIFF_WORKSPACE")
        .env_remove("SKIFF_ROOT")
        .env_remove("SKIFF_EXTRA_CONFIGS_PATH")
        .output()
        .expect("run skiff");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let events: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l}: {e}")))
        .collect();
    (
        out.status.code().unwrap_or(-1),
        events,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn last(events: &[Value]) -> &Value {
    let end = events.last().expect("some events");
    let finals = events
        .iter()
        .filter(|e| e["event"] == "done" || e["event"] == "failed")
        .count();
    assert_eq!(finals, 1, "exactly one final event: {events:#?}");
    end
}

fn read(path: &std::path::Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every regular file under `dir`, relative, sorted, with its bytes.
fn snapshot(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    fn walk(base: &std::path::Path, dir: &std::path::Path, out: &mut Vec<(String, Vec<u8>)>) {
        for e in std::fs::read_dir(dir).expect("read_dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                let rel = p.strip_prefix(base).expect("prefix").display().to_string();
                out.push((rel, read(&p)));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

fn assert_pushed(s: &Setup) {
    let boot = s.boot();
    for name in ["zImage", "board.dtb", "rootfs.squashfs", "skiff-release"] {
        assert_eq!(read(&boot.join(name)), read(&s.images.join(name)), "{name}");
    }
    assert_eq!(
        read(&boot.join("skiff-init/skiff-init-squashfs")),
        read(&s.images.join("skiff-init/skiff-init-squashfs"))
    );
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(boot.join("skiff-init/skiff-init-squashfs"))
        .expect("meta")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o755, "executables stay executable");
    assert_eq!(
        read(&s.rootfs().join("modules.squashfs")),
        read(&s.images.join("rootfs_part/modules.squashfs"))
    );
}

#[test]
fn push_lands_every_file_and_a_second_push_sends_nothing() {
    let Some(sshd) = push_support::start() else {
        return;
    };
    let s = setup("x86_64");
    let (code, events, stderr) = skiff(&s, &sshd, &[]);
    assert_eq!(code, 0, "{stderr}\n{events:#?}");
    let done = last(&events);
    assert_eq!(done["event"], "done");
    assert_eq!(done["sent"], 5, "{events:#?}");
    assert_eq!(done["skipped"], 1, "board.dtb was already there");
    assert_pushed(&s);
    let boot = s.boot();
    assert_eq!(read(&boot.join("zImage.previous")), b"old kernel");
    assert!(
        !boot.join("board.dtb.previous").exists(),
        "skipped files are not touched"
    );
    assert_eq!(
        read(&boot.join("boot.scr")),
        b"device boot script",
        "boot config kept"
    );
    assert!(!boot.join("keep-me").exists() && !s.rootfs().join("keep-me").exists());
    assert!(events.iter().any(|e| e["event"] == "verified"));
    let manifest = String::from_utf8(read(&boot.join(".skiff-push-manifest"))).expect("utf8");
    assert!(
        manifest.starts_with("skiff-push-manifest 1\n"),
        "{manifest}"
    );
    assert!(manifest.contains("release 2.0"), "{manifest}");
    assert_no_temporaries(&s);

    let (code, events, stderr) = skiff(&s, &sshd, &[]);
    assert_eq!(code, 0, "{stderr}");
    let done = last(&events);
    assert_eq!(done["sent"], 0, "{events:#?}");
    assert_eq!(done["skipped"], 6);
    assert_eq!(done["bytes"], 0);
}

#[test]
fn dry_run_lists_and_changes_nothing() {
    let Some(sshd) = push_support::start() else {
        return;
    };
    let s = setup("x86_64");
    let before = snapshot(&s.device);
    let (code, events, stderr) = skiff(&s, &sshd, &["--dry-run"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(snapshot(&s.device), before);
    let files: Vec<(String, String)> = events
        .iter()
        .filter(|e| e["event"] == "file")
        .map(|e| {
            (
                e["path"]
                    .as_str()
                    .expect("path")
                    .rsplit('/')
                    .next()
                    .expect("name")
                    .to_string(),
                e["action"].as_str().expect("action").to_string(),
            )
        })
        .collect();
    assert!(
        files.contains(&("zImage".into(), "send".into())),
        "{files:?}"
    );
    assert!(
        files.contains(&("board.dtb".into(), "same".into())),
        "{files:?}"
    );
    assert_eq!(last(&events)["dry_run"], true);
}

/// The swap is the last phase the push started (it ran, or failed there).
fn assert_last_phase_is_swap(events: &[Value]) {
    let phases: Vec<&str> = events
        .iter()
        .filter(|e| e["event"] == "phase_started")
        .filter_map(|e| e["phase"].as_str())
        .collect();
    assert_eq!(phases.last(), Some(&"swap"), "{phases:?}");
}

fn assert_no_temporaries(s: &Setup) {
    let leftovers: Vec<_> = snapshot(&s.device)
        .into_iter()
        .filter(|(p, _)| p.contains(".skiff-new"))
        .map(|(p, _)| p)
        .collect();
    assert!(
        leftovers.is_empty(),
        "temporary files are removed: {leftovers:?}"
    );
}

fn assert_untouched(s: &Setup, before: &[(String, Vec<u8>)]) {
    let after: Vec<_> = snapshot(&s.device)
        .into_iter()
        .filter(|(p, _)| !p.contains(".skiff-new"))
        .collect();
    assert_eq!(after, before, "the device keeps its previous files");
}

#[test]
fn a_corrupted_upload_leaves_the_previous_set() {
    let Some(sshd) = push_support::start() else {
        return;
    };
    let s = setup("x86_64");
    let before = snapshot(&s.device);
    let (code, events, _) = skiff(&s, &sshd, &["--inject-fault", "corrupt:rootfs.squashfs"]);
    assert_eq!(code, 3);
    let failed = last(&events);
    assert_eq!(failed["event"], "failed");
    assert_eq!(failed["reason"], "hash_mismatch");
    assert_eq!(failed["phase"], "upload");
    assert_eq!(failed["exit_code"], 3);
    let message = failed["message"].as_str().expect("message");
    assert!(
        message.contains("rootfs.squashfs") && message.contains("previous"),
        "{message}"
    );
    assert_untouched(&s, &before);
    assert_no_temporaries(&s);
}

#[test]
fn a_corrupted_last_file_is_caught_on_the_device_before_the_swap() {
    let Some(sshd) = push_support::start() else {
        return;
    };
    let s = setup("x86_64");
    let before = snapshot(&s.device);
    // modules.squashfs goes last: its session checks the hash on the device, then swaps.
    let (code, events, _) = skiff(&s, &sshd, &["--inject-fault", "corrupt:modules.squashfs"]);
    let files: Vec<&str> = events
        .iter()
        .filter(|e| e["event"] == "file" && e["action"] == "send")
        .filter_map(|e| e["path"].as_str())
        .collect();
    assert!(
        files
            .last()
            .is_some_and(|p| p.ends_with("/modules.squashfs")),
        "{files:?}"
    );
    assert_eq!(code, 3);
    let failed = last(&events);
    assert_eq!(failed["reason"], "hash_mismatch");
    assert_eq!(failed["phase"], "upload");
    assert_untouched(&s, &before);
    assert_no_temporaries(&s);
}

#[test]
fn a_failing_swap_is_reported_in_the_swap_phase_with_the_way_back() {
    let Some(sshd) = push_support::start() else {
        return;
    };
    let s = setup("x86_64");
    let (code, _, stderr) = skiff(&s, &sshd, &[]);
    assert_eq!(code, 0, "{stderr}");
    // The second push sends only zImage; the swap first removes the `.previous` copies the
    // last push kept for the files it does not send. One of them is a non-empty directory
    // now, so `rm -f` fails and the swap stops there.
    push_support::write(&s.images.join("zImage"), b"kernel v3");
    let blocker = s.boot().join("rootfs.squashfs.previous");
    let _ = std::fs::remove_file(&blocker);
    push_support::write(&blocker.join("inside"), b"x");
    let (code, events, _) = skiff(&s, &sshd, &[]);
    assert_eq!(code, 3, "{events:#?}");
    let failed = last(&events);
    assert_eq!(failed["reason"], "remote", "{failed}");
    assert_eq!(failed["phase"], "swap", "{failed}");
    let message = failed["message"].as_str().expect("message");
    assert!(message.contains("--rollback"), "{message}");
    assert_last_phase_is_swap(&events);
    assert!(
        events.iter().any(|e| e["event"] == "verified"),
        "zImage was verified before the swap"
    );
}

#[test]
fn a_swap_too_long_for_one_command_line_runs_in_its_own_session() {
    let Some(sshd) = push_support::start() else {
        return;
    };
    let s = setup("x86_64");
    // Eight files 850 bytes deep: the swap script (each path four times, plus the manifest)
    // is over 16 KiB, so it does not ride on the last upload's command line.
    let deep: std::path::PathBuf = ["a", "b", "c", "d"].iter().map(|c| c.repeat(200)).collect();
    let names: Vec<String> = (0..8).map(|i| format!("module-{i}.ko")).collect();
    for name in &names {
        push_support::write(
            &s.images.join("rootfs_part").join(&deep).join(name),
            name.as_bytes(),
        );
    }
    let (code, events, stderr) = skiff(&s, &sshd, &[]);
    assert_eq!(code, 0, "{stderr}\n{events:#?}");
    assert_eq!(last(&events)["sent"], 13, "{events:#?}");
    for name in &names {
        assert_eq!(read(&s.rootfs().join(&deep).join(name)), name.as_bytes());
    }
    assert_pushed(&s);
    assert_no_temporaries(&s);
    assert_last_phase_is_swap(&events);
    let manifest = String::from_utf8(read(&s.boot().join(".skiff-push-manifest"))).expect("utf8");
    assert!(manifest.contains("module-7.ko"), "{manifest}");
}

#[test]
fn a_dropped_connection_leaves_the_previous_set() {
    let Some(sshd) = push_support::start() else {
        return;
    };
    let s = setup("x86_64");
    let before = snapshot(&s.device);
    let (code, events, _) = skiff(&s, &sshd, &["--inject-fault", "drop:4194304"]);
    assert_eq!(code, 3, "{events:#?}");
    let failed = last(&events);
    assert_eq!(failed["reason"], "connection_lost", "{failed}");
    assert!(
        failed["message"]
            .as_str()
            .expect("message")
            .contains("previous")
    );
    assert_untouched(&s, &before);
    // The next push completes over the half-written temporaries.
    let (code, _, stderr) = skiff(&s, &sshd, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_pushed(&s);
}

#[test]
fn rollback_restores_the_previous_set_and_again_reapplies() {
    let Some(sshd) = push_support::start() else {
        return;
    };
    let s = setup("x86_64");
    let (code, events, _) = skiff(&s, &sshd, &["--rollback"]);
    assert_eq!(code, 1);
    assert_eq!(last(&events)["reason"], "nothing_to_roll_back");
    let before = snapshot(&s.device);
    let (code, _, stderr) = skiff(&s, &sshd, &[]);
    assert_eq!(code, 0, "{stderr}");
    let pushed = snapshot(&s.device);
    let (code, events, stderr) = skiff(&s, &sshd, &["--rollback"]);
    assert_eq!(code, 0, "{stderr}\n{events:#?}");
    assert_eq!(read(&s.boot().join("zImage")), b"old kernel");
    assert!(
        !s.boot().join("rootfs.squashfs").exists(),
        "a file the push added is gone"
    );
    let live: Vec<_> = snapshot(&s.device)
        .into_iter()
        .filter(|(p, _)| !p.ends_with(".previous") && !p.ends_with(".skiff-push-manifest"))
        .collect();
    assert_eq!(
        live, before,
        "the device is back to its files before the push"
    );
    let (code, _, stderr) = skiff(&s, &sshd, &["--rollback"]);
    assert_eq!(code, 0, "{stderr}");
    assert_pushed(&s);
    let again: Vec<_> = snapshot(&s.device)
        .into_iter()
        .filter(|(p, _)| !p.ends_with(".skiff-push-manifest"))
        .collect();
    let pushed: Vec<_> = pushed
        .into_iter()
        .filter(|(p, _)| !p.ends_with(".skiff-push-manifest"))
        .collect();
    assert_eq!(again, pushed);
}

#[test]
fn a_device_of_another_architecture_is_refused_unless_forced() {
    let Some(sshd) = push_support::start() else {
        return;
    };
    let s = setup("aarch64");
    let before = snapshot(&s.device);
    let (code, events, _) = skiff(&s, &sshd, &[]);
    assert_eq!(code, 1);
    let failed = last(&events);
    assert_eq!(failed["reason"], "mismatch");
    assert!(
        failed["message"]
            .as_str()
            .expect("message")
            .contains("--force")
    );
    assert_eq!(snapshot(&s.device), before);
    // The device is refused before the same session goes on to mount its boot partition.
    let mounted = s.tmp.path().join("mounted");
    let mut args = s.push_args(&sshd);
    let i = args
        .iter()
        .position(|a| a == "--device-mount-cmd")
        .expect("mount option");
    args[i + 1] = format!("touch {}", mounted.display());
    let (code, events, _) = run(args);
    assert_eq!(
        (code, &last(&events)["reason"]),
        (1, &Value::from("mismatch"))
    );
    assert!(!mounted.exists(), "the mount step ran on a refused device");
    let (code, events, stderr) = skiff(&s, &sshd, &["--force"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(events.iter().any(|e| e["event"] == "warning"));
}

#[test]
fn a_device_running_another_board_is_refused() {
    let Some(sshd) = push_support::start() else {
        return;
    };
    let s = setup("x86_64");
    push_support::write(
        &s.device.join("etc/skiff-release"),
        b"VERSION=1.0\nBUILD_CONFIG=pi/4,skiff/core\n",
    );
    let (code, events, _) = skiff(&s, &sshd, &[]);
    assert_eq!(code, 1);
    let message = last(&events)["message"]
        .as_str()
        .expect("message")
        .to_string();
    assert!(
        message.contains("pi/4") && message.contains("test/board"),
        "{message}"
    );
}

#[test]
fn a_workspace_without_a_build_is_refused() {
    let Some(sshd) = push_support::start() else {
        return;
    };
    let s = setup("x86_64");
    std::fs::remove_dir_all(&s.images).expect("rm");
    let (code, events, _) = skiff(&s, &sshd, &[]);
    assert_eq!(code, 1);
    let failed = last(&events);
    assert_eq!(failed["reason"], "no_build");
    assert_eq!(failed["phase"], "plan");
}

#[test]
fn a_failed_login_is_a_connect_error() {
    let Some(sshd) = push_support::start() else {
        return;
    };
    let s = setup("x86_64");
    let mut args = s.push_args(&sshd);
    // Another key: the server refuses it.
    let other = sshd.dir.path().join("host_key");
    let at = args.iter().position(|a| a == "-i").expect("-i") + 1;
    args[at] = other.display().to_string();
    args.push("--json".into());
    let out = Command::cargo_bin("skiff")
        .expect("binary")
        .args(&args)
        .env("SKIFF_CONFIG", "test/board")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(3));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let end: Value = serde_json::from_str(stdout.lines().last().expect("line")).expect("json");
    assert_eq!(end["reason"], "connect");
}

#[test]
fn a_device_that_does_not_come_back_after_reboot_times_out() {
    let Some(sshd) = push_support::start() else {
        return;
    };
    let s = setup("x86_64");
    let (code, events, _) = skiff(
        &s,
        &sshd,
        &[
            "--reboot",
            "--reboot-timeout",
            "3",
            "--device-reboot-cmd",
            "true",
        ],
    );
    assert_eq!(code, 3);
    let failed = last(&events);
    assert_eq!(failed["reason"], "reboot_timeout", "{failed}");
    assert_eq!(failed["phase"], "reboot");
    assert!(
        failed["message"]
            .as_str()
            .expect("message")
            .contains("new files are in place")
    );
    assert_pushed(&s);
}

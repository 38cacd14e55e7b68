//! `skiff build`, `br`, `legal-info` and `clean` end to end, with the fake make on PATH.

mod common;
use common::copy_dir;

use assert_cmd::Command;
use skiff::build::WorkspaceLock;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

struct Setup {
    _dir: tempfile::TempDir,
    root: PathBuf,
    bin: PathBuf,
    br: PathBuf,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("skiffos");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/build/tree"),
        &root,
    );
    let bin = dir.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::os::unix::fs::symlink(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/build/fake-make"),
        bin.join("make"),
    )
    .unwrap();
    // Buildroot's host tools this machine lacks get stand-ins, so skiff's check passes.
    let path = std::env::var_os("PATH").unwrap_or_default();
    for t in skiff::build::hostdeps::missing(skiff::build::hostdeps::BUILDROOT_HOST_TOOLS, &path) {
        stub(&bin, t.program);
    }
    let br = dir.path().join("buildroot");
    std::fs::create_dir_all(&br).unwrap();
    std::fs::write(
        br.join("Makefile"),
        "# stand-in; the fake make never reads it\n",
    )
    .unwrap();
    Setup {
        _dir: dir,
        root,
        bin,
        br,
    }
}

/// An executable `name` in `dir` that does nothing.
fn stub(dir: &Path, name: &str) {
    use std::os::unix::fs::PermissionsExt;
    let p = dir.join(name);
    if !p.exists() {
        std::fs::write(&p, "#!/bin/sh\nexit 0\n").unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
}

impl Setup {
    fn skiff(&self, args: &[&str]) -> Command {
        Command::from_std(self.std_cmd(args))
    }

    fn std_cmd(&self, args: &[&str]) -> std::process::Command {
        let mut c = std::process::Command::new(assert_cmd::cargo::cargo_bin("skiff"));
        let path = format!("{}:{}", self.bin.display(), std::env::var("PATH").unwrap());
        c.current_dir(&self.root)
            .env("PATH", path)
            .env_remove("SKIFF_CONFIG")
            .env_remove("SKIFF_WORKSPACE")
            .env_remove("SKIFF_EXTRA_CONFIGS_PATH")
            .env_remove("SKIFF_FORCE_RECONFIG")
            .env_remove("SKIFF_NO_INTERACTIVE")
            .env_remove("BR2_CCACHE_DIR")
            .env("SKIFF_BUILDROOT", &self.br)
            .arg("--root")
            .arg(&self.root)
            .args(args);
        c
    }

    fn ws(&self, name: &str) -> PathBuf {
        self.root.join("workspaces").join(name)
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn build_configures_once_then_skips_and_notices_layer_edits() {
    let s = setup();
    let out = s.skiff(&["build", "test/board,test/app"]).output().unwrap();
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains(
            "configured workspace default (workspace `default` has not been configured yet)"
        ),
        "{err}"
    );
    assert!(err.contains(">>> busybox 1.36.1 Building"), "{err}");
    assert!(
        !err.contains("  CC  "),
        "compiler noise only with --verbose"
    );
    assert!(err.contains("build finished in"), "{err}");
    assert!(err.contains("6/6 packages done"), "{err}");
    let ws = s.ws("default");
    assert!(ws.join("images/rootfs.ext2").is_file());
    assert_eq!(
        std::fs::read_link(ws.join("output")).unwrap(),
        Path::new(".")
    );
    let config = std::fs::read_to_string(ws.join(".config")).unwrap();
    assert!(config.contains("BR2_PACKAGE_HTOP=y"));

    // Same stack, same files: no configure; the stack is recovered from the workspace.
    let out = s.skiff(&["build"]).output().unwrap();
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("skipping configure"), "{err}");
    let calls = std::fs::read_to_string(ws.join(".fake-make-calls")).unwrap();
    assert_eq!(
        calls.lines().filter(|l| l.starts_with("defconfig")).count(),
        1,
        "{calls}"
    );

    // A new fragment in the overrides changes the merged text: configure again.
    let ov = s.root.join("overrides/buildroot");
    std::fs::create_dir_all(&ov).unwrap();
    std::fs::write(ov.join("extra"), "BR2_PACKAGE_NANO=y\n").unwrap();
    let out = s.skiff(&["build"]).output().unwrap();
    let err = text(&out.stderr);
    assert!(
        err.contains("layer files changed (buildroot/config differs)"),
        "{err}"
    );
}

#[test]
fn json_lines_on_stdout() {
    let s = setup();
    let out = s
        .skiff(&["build", "--json", "test/board"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let events: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert!(
        events
            .iter()
            .any(|e| e["event"] == "progress" && e["total"] == 6)
    );
    assert!(events.iter().any(|e| e["event"] == "output"));
    let last = events.last().unwrap();
    assert_eq!(last["event"], "finished");
    assert_eq!(last["status"], "succeeded");
    assert_eq!(last["progress"]["done"], 6);
}

#[test]
fn failing_package_is_diagnosed() {
    let s = setup();
    let out = s
        .skiff(&["build", "test/board"])
        .env("FAKE_MAKE_FAIL", "linux")
        .output()
        .unwrap();
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("build failed after"), "{err}");
    assert!(err.contains("package linux failed at step build"), "{err}");
    assert!(
        err.contains("| src/main.c:3:5: error: 'undefined_thing' undeclared"),
        "{err}"
    );
    assert!(err.contains("make exit status 2"), "{err}");
    assert!(err.contains("full log: "), "{err}");
}

#[test]
fn ctrl_c_interrupts_make_and_exits_130() {
    let s = setup();
    let mut child = s
        .std_cmd(&["build", "test/board"])
        .env("FAKE_MAKE_HANG", "busybox")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let marker = s.ws("default").join(".fake-make-hanging");
    let deadline = Instant::now() + Duration::from_secs(60);
    while !marker.exists() {
        assert!(
            Instant::now() < deadline,
            "the build never reached the hang"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // Like a terminal's Ctrl-C, but to skiff alone: it must forward it to make's group.
    let pid = rustix::process::Pid::from_child(&child);
    rustix::process::kill_process(pid, rustix::process::Signal::INT).unwrap();
    let status = child.wait().unwrap();
    let mut err = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
    assert_eq!(status.code(), Some(130), "{err}");
    assert!(err.contains("interrupting make"), "{err}");
    assert!(err.contains("build cancelled after"), "{err}");
}

#[test]
fn missing_buildroot_says_how_to_fetch_it() {
    let s = setup();
    let out = s
        .skiff(&["build", "test/board"])
        .arg("--buildroot")
        .arg(s.root.join("buildroot"))
        .output()
        .unwrap();
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("git submodule update --init buildroot"),
        "{err}"
    );
    assert!(
        !s.ws("default").exists(),
        "nothing is set up without Buildroot"
    );
}

#[test]
fn a_locked_workspace_is_refused() {
    let s = setup();
    let _held = WorkspaceLock::acquire(&s.root.join("workspaces"), "default", "test").unwrap();
    let out = s.skiff(&["build", "test/board"]).output().unwrap();
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("workspace `default` is busy: skiff test (pid"),
        "{err}"
    );
    let other = s
        .skiff(&["--workspace", "other", "build", "test/board"])
        .output()
        .unwrap();
    assert_eq!(other.status.code(), Some(0), "{}", text(&other.stderr));
}

#[test]
fn menuconfig_changes_become_a_workspace_override() {
    let s = setup();
    let out = s
        .skiff(&["br", "menuconfig"])
        .env("SKIFF_CONFIG", "test/board")
        .env(
            "FAKE_MAKE_MENUCONFIG",
            "BR2_PACKAGE_HTOP=y BR2_PACKAGE_BUSYBOX=n BR2_JLEVEL=4",
        )
        .output()
        .unwrap();
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    let delta = s
        .root
        .join("overrides/workspaces/default/buildroot/zz-buildroot-menuconfig-delta");
    assert_eq!(
        std::fs::read_to_string(&delta).unwrap(),
        "BR2_JLEVEL=4\n# BR2_PACKAGE_BUSYBOX is not set\nBR2_PACKAGE_HTOP=y\n"
    );
    assert!(
        err.contains("saved 3 Buildroot configuration change(s)"),
        "{err}"
    );
    // The delta is part of the merge now: the next build configures again and keeps it.
    let out = s.skiff(&["build"]).output().unwrap();
    let err = text(&out.stderr);
    assert!(err.contains("layer files changed"), "{err}");
    let config = std::fs::read_to_string(s.ws("default").join(".config")).unwrap();
    assert!(config.contains("BR2_JLEVEL=4"));
    // A session without edits saves nothing and keeps the earlier changes.
    let out = s.skiff(&["br", "menuconfig"]).output().unwrap();
    let err = text(&out.stderr);
    assert!(
        err.contains("no Buildroot configuration changes to save"),
        "{err}"
    );
    assert!(
        std::fs::read_to_string(&delta)
            .unwrap()
            .contains("BR2_JLEVEL=4")
    );
    // A later session adds to the file instead of replacing it.
    let out = s
        .skiff(&["br", "nconfig"])
        .env("FAKE_MAKE_MENUCONFIG", "BR2_JLEVEL=8")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        std::fs::read_to_string(&delta).unwrap(),
        "BR2_JLEVEL=8\n# BR2_PACKAGE_BUSYBOX is not set\nBR2_PACKAGE_HTOP=y\n"
    );
}

#[test]
fn br_passes_make_status_through_and_legal_info_runs() {
    let s = setup();
    let out = s
        .skiff(&["br", "no-such-target"])
        .env("SKIFF_CONFIG", "test/board")
        .output()
        .unwrap();
    // make's own status 2 is not skiff's internal error: said, and exit 1.
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("No rule to make target 'no-such-target'"),
        "{err}"
    );
    assert!(
        err.contains("skiff: make no-such-target failed with status 2"),
        "{err}"
    );
    let out = s.skiff(&["legal-info"]).output().unwrap();
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains(">>> htop 3.3.0 Collecting legal info"),
        "{err}"
    );
    assert!(s.ws("default").join("legal-info/manifest.csv").is_file());
}

/// menuconfig owns the terminal: under a pseudo-terminal (where skiff's spinner would be
/// drawn), nothing of skiff is drawn between menuconfig's start and its end.
#[test]
fn nothing_of_skiff_draws_while_menuconfig_runs() {
    let s = setup();
    let mut cmd = s.std_cmd(&["br", "menuconfig"]);
    cmd.env("SKIFF_CONFIG", "test/board")
        .env("FAKE_MAKE_MENUCONFIG_SECS", "1.5")
        .env("FAKE_MAKE_MENUCONFIG", "BR2_JLEVEL=3");
    // `script` gives skiff a terminal on stdin, stdout and stderr and copies what it draws.
    let line = format!("{cmd:?}");
    let out = std::process::Command::new("script")
        .args(["-qefc", &line, "/dev/null"])
        .output()
        .unwrap();
    let screen = text(&out.stdout);
    assert!(out.status.success(), "{screen}");
    let start = screen
        .find("MENUCONFIG SCREEN START")
        .unwrap_or_else(|| panic!("{screen}"));
    let end = screen
        .find("*** End of the configuration.")
        .unwrap_or_else(|| panic!("{screen}"));
    let during = &screen[start..end];
    // The spinner line is `<spinner> [00:00:01] <message>`; a redraw starts with `\r` or
    // an escape sequence.
    assert!(
        !during.contains("[00:0") && !during.contains('\u{1b}'),
        "skiff drew over menuconfig: {during:?}"
    );
    assert!(
        screen.contains("saved 1 Buildroot configuration change"),
        "{screen}"
    );
}

/// Under `umask 027` the saved menuconfig delta, the configured directory and its hook
/// scripts come out 0640, 0750 and 0750 (not 0600 and 0755).
#[test]
fn files_skiff_writes_honour_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    let s = setup();
    let under_umask = |args: &[&str]| {
        let mut cmd = s.std_cmd(args);
        cmd.env("SKIFF_CONFIG", "test/board")
            .env("FAKE_MAKE_MENUCONFIG", "BR2_JLEVEL=3");
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg("umask 027; exec \"$0\" \"$@\"")
            .arg(cmd.get_program())
            .args(cmd.get_args())
            .envs(cmd.get_envs().filter_map(|(k, v)| v.map(|v| (k, v))))
            .env_remove("SKIFF_WORKSPACE")
            .env_remove("BR2_CCACHE_DIR")
            .current_dir(&s.root)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
    };
    under_umask(&["br", "menuconfig"]);
    under_umask(&["build"]);
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let delta = s
        .root
        .join("overrides/workspaces/default/buildroot/zz-buildroot-menuconfig-delta");
    assert_eq!(mode(&delta), 0o640, "{}", delta.display());
    let fin = s.root.join("workspaces/.config_default");
    assert_eq!(mode(&fin), 0o750);
    assert_eq!(mode(&fin.join("pre_build.sh")), 0o750);
    assert_eq!(mode(&s.ws("default").join(".skiff/instrument.sh")), 0o750);
}

#[test]
fn clean_asks_and_never_touches_a_shared_ccache() {
    let s = setup();
    let shared = s.root.join("shared-ccache");
    std::fs::create_dir_all(&shared).unwrap();
    let out = s
        .skiff(&["build", "test/board"])
        .env("BR2_CCACHE_DIR", &shared)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = s.skiff(&["clean"]).write_stdin("n\n").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("nothing deleted"));
    assert!(s.ws("default").is_dir());
    let out = s.skiff(&["clean", "--yes", "--ccache"]).output().unwrap();
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains(&format!(
            "keeping the shared compiler cache {}",
            shared.display()
        )),
        "{err}"
    );
    assert!(!s.ws("default").exists());
    assert!(!s.root.join("workspaces/.config_default").exists());
    assert!(shared.is_dir());
    let out = s.skiff(&["clean", "--yes"]).output().unwrap();
    assert!(text(&out.stderr).contains("nothing to clean"));
}

#[test]
fn an_empty_ccache_variable_means_unset_and_never_forces_a_reconfigure() {
    let s = setup();
    let run = || {
        let mut c = s.std_cmd(&["build", "test/board,test/app"]);
        c.env("BR2_CCACHE_DIR", "");
        c.output().unwrap()
    };
    let out = run();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = run();
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("skipping configure"), "{err}");
    let config =
        std::fs::read_to_string(s.root.join("workspaces/.config_default/buildroot/config"))
            .unwrap();
    let default_ccache = s.root.join("workspaces/.ccache/default");
    assert!(
        config.contains(&format!("BR2_CCACHE_DIR=\"{}\"", default_ccache.display())),
        "{config}"
    );
}

#[test]
fn missing_host_tools_are_all_listed_before_make_runs() {
    let s = setup();
    // A PATH with the fake make and every host tool but cpio and rsync.
    let only = s._dir.path().join("only");
    std::fs::create_dir_all(&only).unwrap();
    std::os::unix::fs::symlink(s.bin.join("make"), only.join("make")).unwrap();
    for t in skiff::build::hostdeps::BUILDROOT_HOST_TOOLS {
        if !["cpio", "rsync", "make"].contains(&t.program) {
            stub(&only, t.program);
        }
    }
    let out = s
        .skiff(&["build", "test/board"])
        .env("PATH", &only)
        .output()
        .unwrap();
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("Buildroot needs these host programs, which are not on PATH: cpio, rsync;"),
        "{err}"
    );
    assert!(err.contains("`sudo apt-get install cpio rsync`"), "{err}");
    assert!(err.contains("scripts/deps --build"), "{err}");
    // make never ran, not even for configure's defconfig.
    assert!(!s.ws("default").join(".fake-make-calls").exists());
    let out = s
        .skiff(&["source", "test/board"])
        .env("PATH", &only)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn a_failed_download_names_package_url_and_the_offline_ways() {
    let s = setup();
    let out = s
        .skiff(&["build", "test/board"])
        .env("FAKE_MAKE_DOWNLOAD_FAIL", "htop")
        .output()
        .unwrap();
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("build failed after") && err.contains("package htop failed at step download"),
        "{err}"
    );
    assert!(
        err.contains("htop could not be downloaded from https://example.org/releases/htop-3.3.0.tar.gz (also tried http://sources.buildroot.net/htop/htop-3.3.0.tar.gz)"),
        "{err}"
    );
    for want in [
        "--dl-dir DIR",
        "BR2_DL_DIR",
        "BR2_PRIMARY_SITE",
        "skiff source",
    ] {
        assert!(err.contains(want), "{want}: {err}");
    }
    // JSON carries the hint too.
    let out = s
        .skiff(&["build", "--json", "test/board"])
        .env("FAKE_MAKE_DOWNLOAD_FAIL", "htop")
        .output()
        .unwrap();
    let last = text(&out.stdout).lines().last().unwrap().to_string();
    let v: serde_json::Value = serde_json::from_str(&last).unwrap();
    assert_eq!(v["event"], "finished");
    assert_eq!(v["failure"]["step"], "download");
    assert!(v["failure"]["hint"].as_str().unwrap().contains("--dl-dir"));
}

#[test]
fn source_fills_a_download_dir_and_build_uses_it() {
    let s = setup();
    let dl = s._dir.path().join("dl");
    let out = s
        .skiff(&["source", "test/board", "--dl-dir"])
        .arg(&dl)
        .output()
        .unwrap();
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    let calls = std::fs::read_to_string(s.ws("default").join(".fake-make-calls")).unwrap();
    assert!(calls.lines().any(|l| l.starts_with("source ")), "{calls}");
    let canon = std::fs::canonicalize(&dl).unwrap();
    let dl_dirs = std::fs::read_to_string(s.ws("default").join(".fake-make-dl-dir")).unwrap();
    assert_eq!(dl_dirs.lines().last(), Some(canon.to_str().unwrap()));
    assert!(
        err.contains(&format!("source archives are in {}", canon.display())),
        "{err}"
    );
    let out = s
        .skiff(&["build", "test/board", "--dl-dir"])
        .arg(&dl)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let dl_dirs = std::fs::read_to_string(s.ws("default").join(".fake-make-dl-dir")).unwrap();
    assert_eq!(dl_dirs.lines().last(), Some(canon.to_str().unwrap()));
}

/// Ctrl-C while make computes the build order (about ten seconds with Buildroot) stops
/// that make within a second, and make's build never starts.
#[test]
fn ctrl_c_during_the_build_order_stops_make_at_once() {
    let s = setup();
    let mut child = s
        .std_cmd(&["build", "test/board"])
        .env("FAKE_MAKE_ORDER_SECS", "30")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let marker = s.ws("default").join(".fake-make-order-pid");
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::fs::read_to_string(&marker).map_or(true, |t| t.trim().is_empty()) {
        assert!(Instant::now() < deadline, "never reached show-build-order");
        std::thread::sleep(Duration::from_millis(20));
    }
    let make_pid: i32 = std::fs::read_to_string(&marker)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let t0 = Instant::now();
    let pid = rustix::process::Pid::from_child(&child);
    rustix::process::kill_process(pid, rustix::process::Signal::INT).unwrap();
    let status = child.wait().unwrap();
    let took = t0.elapsed();
    let mut err = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
    assert_eq!(status.code(), Some(130), "{err}");
    assert!(took < Duration::from_secs(1), "took {took:?}: {err}");
    // The order's make is gone, and the build never started.
    let gone = rustix::process::Pid::from_raw(make_pid)
        .map(|p| rustix::process::test_kill_process(p).is_err())
        .unwrap_or(true);
    assert!(gone, "make show-build-order ({make_pid}) still runs");
    let calls = std::fs::read_to_string(s.ws("default").join(".fake-make-calls")).unwrap();
    assert!(!calls.lines().any(|l| l.starts_with("all ")), "{calls}");
}

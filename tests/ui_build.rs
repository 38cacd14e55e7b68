//! The build screen: events recorded from the runner driving the fake make, fed to the app;
//! log pane (colours, carriage returns, follow, scrollback, search), progress header,
//! failure summary, tabs per workspace, start/cancel/quit confirmations, and the TUI's
//! build jobs streaming into a channel.

#[path = "ui_common/harness.rs"]
#[allow(dead_code)]
mod harness;

mod common;

use crossbeam_channel::unbounded;
use harness::{Harness, open_tree};
use ratatui::style::{Color, Modifier};
use skiff::build::runner::{BuildRequest, collect, start};
use skiff::build::{BuildEvent, Status};
use skiff::model::{ResolvedStack, resolve_text};
use skiff::ui::build_jobs::{BuildJobs, JobContext};
use skiff::ui::{Cmd, Msg, WorkerEvent};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/build")
}

/// A copy of the build fixture tree and the app on it.
fn app(width: u16, height: u16) -> (tempfile::TempDir, Harness) {
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(&fixtures().join("tree"), dir.path());
    let h = Harness::open(dir.path(), "default", "test/board,test/app", width, height).unwrap();
    (dir, h)
}

/// Events of a real runner run of the fake make, with times and paths made fixed so
/// frames can be compared. The hook is off: its events arrive at times of their own,
/// which would make the frames differ from run to run (the runner tests cover it).
fn recorded(env: &[(&str, &str)]) -> Vec<BuildEvent> {
    let mut env = env.to_vec();
    env.push(("FAKE_MAKE_NO_HOOK", "1"));
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    std::fs::create_dir_all(&ws).unwrap();
    std::fs::write(ws.join(".config"), "BR2_HAVE_DOT_CONFIG=y\n").unwrap();
    let (tx, rx) = unbounded();
    let req = BuildRequest {
        make: fixtures().join("fake-make"),
        buildroot: ws.clone(),
        workspace: ws.clone(),
        targets: vec![],
        make_args: vec![],
        env: env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        query_order: true,
        label: "build".into(),
    };
    start(req, tx).wait();
    // The scratch workspace path changes every run: write it as a fixed one.
    let scratch = ws.display().to_string();
    let fixed = |s: &str| s.replace(&scratch, "<tree>/workspaces/default");
    let log = PathBuf::from("workspaces/default/logs/build-20260824T183130.123Z.log");
    collect(&rx)
        .into_iter()
        .map(|e| match e {
            BuildEvent::Progress(mut p) => {
                p.elapsed_secs = 754.0;
                p.remaining_secs = Some(1234.0);
                BuildEvent::Progress(p)
            }
            BuildEvent::Started { targets, pid, .. } => BuildEvent::Started {
                targets,
                pid,
                log: log.clone(),
            },
            BuildEvent::Finished(mut o) => {
                o.progress.elapsed_secs = 754.0;
                o.log = log.clone();
                if let Some(f) = &mut o.failure {
                    f.error_line = f.error_line.as_deref().map(fixed);
                    f.last_lines = f.last_lines.iter().map(|l| fixed(l)).collect();
                }
                BuildEvent::Finished(o)
            }
            BuildEvent::Output { line } => BuildEvent::Output { line: fixed(&line) },
            other => other,
        })
        .collect()
}

fn feed(h: &mut Harness, ws: &str, events: impl IntoIterator<Item = BuildEvent>) {
    for event in events {
        h.send(Msg::Worker(WorkerEvent::Build {
            workspace: ws.to_string(),
            event: Box::new(event),
        }));
    }
}

/// Events up to (and including) the output line containing `marker`.
fn until(events: &[BuildEvent], marker: &str) -> usize {
    events
        .iter()
        .position(|e| matches!(e, BuildEvent::Output { line } if line.contains(marker)))
        .unwrap_or_else(|| panic!("{marker} not in the recorded output"))
        + 1
}

fn snap(name: &str, h: &mut Harness) {
    let text = h.render();
    insta::with_settings!({snapshot_path => "snapshots", prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!(name, text);
    });
}

#[test]
fn empty_screen_says_how_to_start() {
    let (_d, mut h) = app(100, 30);
    h.key("5");
    let text = h.render();
    assert!(
        text.contains("Press b to build workspace default"),
        "{text}"
    );
    snap("build_empty", &mut h);
}

#[test]
fn start_asks_first_and_then_shows_the_build() {
    let (_d, mut h) = app(100, 30);
    h.key("5");
    assert!(
        h.key("b").is_empty(),
        "nothing starts before the confirmation"
    );
    snap("build_start_confirm", &mut h);
    let cmds = h.key("y");
    let [Cmd::StartBuild { workspace, stack }] = cmds.as_slice() else {
        panic!("expected a build, got {cmds:?}");
    };
    assert_eq!(workspace, "default");
    assert_eq!(stack.joined(), "test/board,test/app");
    let v = h.app.shared.builds.current().unwrap();
    assert_eq!(v.workspace, "default");
    assert!(v.running());
}

#[test]
fn live_log_progress_and_failure_summary() {
    let events = recorded(&[("FAKE_MAKE_FAIL", "linux")]);
    let (_d, mut h) = app(100, 30);
    h.key("5");
    h.app.shared.builds.begin("default", "test/board,test/app");
    let mid = until(&events, ">>> busybox 1.36.1 Building");
    feed(&mut h, "default", events[..mid + 1].iter().cloned());
    let text = h.render();
    assert!(text.contains("2/6 packages"), "{text}");
    assert!(text.contains("busybox 1.36.1: Building"), "{text}");
    assert!(
        text.contains("elapsed 12m34s · about 20m34s left"),
        "{text}"
    );
    // Buildroot's >>> lines keep their reverse video; compiler noise keeps its colour.
    let (x, y) = h.find(">>> busybox 1.36.1 Building").unwrap();
    assert!(
        h.buffer()[(x, y)]
            .style()
            .add_modifier
            .contains(Modifier::REVERSED)
    );
    let (x, y) = h.find("CC").unwrap();
    assert_eq!(h.buffer()[(x, y)].style().fg, Some(Color::Indexed(2)));
    snap("build_running", &mut h);

    feed(&mut h, "default", events[mid + 1..].iter().cloned());
    let text = h.render();
    assert!(
        text.contains("✗ package linux failed at step build"),
        "{text}"
    );
    assert!(
        text.contains("│ src/main.c:3:5: error: 'undefined_thing' undeclared"),
        "{text}"
    );
    assert!(
        text.contains("full log: workspaces/default/logs/"),
        "{text}"
    );
    assert!(text.contains("build of default failed: package linux failed at step build"));
    // The progress bar's carriage-return line shows its final state only.
    assert!(text.contains("100%") && !text.contains("60%"), "{text}");
    snap("build_failed", &mut h);
    h.resize(80, 24);
    snap("build_failed_80x24", &mut h);
}

#[test]
fn scrollback_follow_and_search() {
    let events = recorded(&[]);
    let (_d, mut h) = app(100, 30);
    h.key("5");
    h.app.shared.builds.begin("default", "test/board,test/app");
    feed(&mut h, "default", events);
    assert!(h.app.shared.builds.current().unwrap().log.follow);
    h.keys("k k k");
    let log = &h.app.shared.builds.current().unwrap().log;
    assert!(!log.follow);
    assert_eq!(log.offset, 3);
    assert!(h.render().contains("held · f follows"));
    h.key("f");
    assert!(h.app.shared.builds.current().unwrap().log.follow);
    h.key("/");
    h.type_text("host-fakeroot 1.36 conf");
    assert!(h.render().contains("/host-fakeroot 1.36 conf▌"));
    h.key("enter");
    let text = h.render();
    assert!(
        text.contains(">>> host-fakeroot 1.36 Configuring"),
        "{text}"
    );
    let (x, y) = h.find("host-fakeroot 1.36 Conf").unwrap();
    let hl = skiff::ui::theme::Theme::defaults().style(skiff::ui::theme::Role::Match);
    let cell = h.buffer()[(x, y)].style();
    assert_eq!(cell.fg, hl.fg);
    assert!(cell.add_modifier.contains(hl.add_modifier));
    let (x, y) = h.find("Extracting").unwrap();
    assert_ne!(
        h.buffer()[(x, y)].style().fg,
        hl.fg,
        "only matches are marked"
    );
    snap("build_search", &mut h);
    // No older line has that text.
    h.key("N");
    assert!(h.render().contains("no older match"));
    h.key("esc");
    assert!(h.app.shared.builds.current().unwrap().log.query.is_empty());
    h.key("G");
    assert!(h.app.shared.builds.current().unwrap().log.follow);
}

#[test]
fn several_workspaces_are_tabs() {
    let ok = recorded(&[]);
    let (_d, mut h) = app(100, 30);
    h.key("5");
    h.app.shared.builds.begin("default", "test/board,test/app");
    feed(&mut h, "default", ok.clone());
    h.app.shared.builds.begin("board2", "test/board");
    let mid = until(&ok, ">>> linux 6.1.44 Building");
    feed(&mut h, "board2", ok[..mid].iter().cloned());
    let text = h.render();
    assert!(text.contains(" default ✓ done"), "{text}");
    assert!(text.contains(" board2 running"), "{text}");
    assert!(text.contains("Workspace board2"), "{text}");
    snap("build_tabs", &mut h);
    h.key("]");
    let text = h.render();
    assert!(text.contains("Workspace default"), "{text}");
    assert!(text.contains("✓ finished in 12m34s"), "{text}");
    assert_eq!(h.app.shared.builds.running(), ["board2"]);
}

#[test]
fn cancel_and_quit_ask_while_building() {
    let events = recorded(&[]);
    let (_d, mut h) = app(100, 30);
    h.key("5");
    h.app.shared.builds.begin("default", "test/board,test/app");
    let upto = until(&events, ">>> host-skeleton  Patching");
    feed(&mut h, "default", events[..upto + 1].iter().cloned());
    assert!(h.key("c").is_empty());
    snap("build_cancel_confirm", &mut h);
    assert!(h.render().contains("[n/esc] no, keep going"));
    h.resize(80, 24);
    assert!(h.render().contains("[n/esc] no, keep going"));
    snap("build_cancel_confirm_80x24", &mut h);
    h.resize(100, 30);
    let cmds = h.key("y");
    assert_eq!(
        cmds,
        [Cmd::CancelBuild {
            workspace: "default".into()
        }]
    );
    assert!(h.app.shared.builds.current().unwrap().cancelling);
    assert!(h.render().contains("cancelling"));
    // Quitting while a build runs asks first; no keeps the app.
    assert!(h.key("q").is_empty());
    assert!(h.render().contains("Quit while building?"));
    h.key("n");
    assert!(h.app.overlay.is_none());
    assert_eq!(h.key("q"), []);
    assert_eq!(h.key("y"), [Cmd::Quit { code: 0 }]);
}

/// A `make` that is the fake make with extra environment.
fn make_with(dir: &Path, env: &str) -> PathBuf {
    let p = dir.join("make-wrapper");
    std::fs::write(
        &p,
        format!(
            "#!/bin/sh\n{env} exec '{}' \"$@\"\n",
            fixtures().join("fake-make").display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    p
}

#[test]
fn jobs_stream_events_and_cancel_reaches_make() {
    let (dir, root, br) = configured_tree();
    let (base, stack) = job_context(&root, &br, PathBuf::new(), None);
    let ctx = |make: PathBuf| JobContext {
        make,
        ..base.clone()
    };
    let jobs = BuildJobs::default();
    let (tx, rx) = unbounded::<Msg>();
    jobs.set_sink(tx);
    let first = jobs.start(ctx(make_with(dir.path(), "")), "default", stack.clone());
    assert!(matches!(first, WorkerEvent::Build { .. }));
    let finished = wait_finished(&rx);
    assert_eq!(finished, Status::Succeeded);

    let hang = make_with(dir.path(), "FAKE_MAKE_HANG=busybox");
    std::fs::remove_dir_all(root.join("workspaces/default/build")).unwrap();
    jobs.start(ctx(hang), "default", stack);
    let marker = root.join("workspaces/default/.fake-make-hanging");
    let t0 = std::time::Instant::now();
    while !marker.exists() {
        assert!(
            t0.elapsed() < Duration::from_secs(60),
            "never reached the hang"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(jobs.is_running("default"));
    assert!(jobs.cancel("default"));
    assert_eq!(wait_finished(&rx), Status::Cancelled);
}

fn wait_finished(rx: &crossbeam_channel::Receiver<Msg>) -> Status {
    wait_outcome(rx).status
}

/// A configured copy of the build fixture tree with a stand-in Buildroot; returns
/// (tempdir, tree root, buildroot dir).
fn configured_tree() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("tree");
    common::copy_dir(&fixtures().join("tree"), &root);
    let br = dir.path().join("buildroot");
    std::fs::create_dir_all(&br).unwrap();
    std::fs::write(br.join("Makefile"), "# stand-in\n").unwrap();
    let bin = dir.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::os::unix::fs::symlink(fixtures().join("fake-make"), bin.join("make")).unwrap();
    let st = std::process::Command::new(env!("CARGO_BIN_EXE_skiff"))
        .env(
            "PATH",
            format!("{}:{}", bin.display(), std::env::var("PATH").unwrap()),
        )
        .env_remove("BR2_CCACHE_DIR")
        .env_remove("SKIFF_CONFIG")
        .args(["--root", root.to_str().unwrap(), "configure", "test/board"])
        .arg("--buildroot")
        .arg(&br)
        .output()
        .unwrap();
    assert!(
        st.status.success(),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
    (dir, root, br)
}

fn wait_outcome(rx: &crossbeam_channel::Receiver<Msg>) -> skiff::build::Outcome {
    loop {
        match rx
            .recv_timeout(Duration::from_secs(60))
            .expect("build events")
        {
            Msg::Worker(WorkerEvent::Build { event, .. }) => {
                if let BuildEvent::Finished(o) = *event {
                    return o;
                }
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}

/// A job context for the configured fixture tree at `root`.
fn job_context(
    root: &Path,
    br: &Path,
    make: PathBuf,
    host_path: Option<std::ffi::OsString>,
) -> (JobContext, ResolvedStack) {
    let (tree, catalog) = open_tree(root).unwrap();
    let stack = resolve_text(&catalog, "test/board").unwrap();
    let ctx = JobContext {
        host_path,
        tree,
        catalog: Arc::new(catalog),
        env: skiff::model::configure::ConfigureEnv {
            buildroot: Some(br.to_path_buf()),
            ..Default::default()
        },
        make,
    };
    (ctx, stack)
}

/// Cancelling (or quitting) while make computes the build order ends that make within a
/// second; the build itself never starts.
#[test]
fn cancel_during_the_build_order_is_immediate() {
    let (dir, root, br) = configured_tree();
    let make = make_with(dir.path(), "FAKE_MAKE_ORDER_SECS=30");
    let (ctx, stack) = job_context(&root, &br, make, None);
    let jobs = BuildJobs::default();
    let (tx, rx) = unbounded::<Msg>();
    jobs.set_sink(tx);
    for quit in [false, true] {
        let marker = root.join("workspaces/default/.fake-make-order-pid");
        let _ = std::fs::remove_file(&marker);
        // The previous job's thread ends just after its Finished event.
        while jobs.is_running("default") {
            std::thread::sleep(Duration::from_millis(10));
        }
        jobs.start(ctx.clone(), "default", stack.clone());
        let t0 = std::time::Instant::now();
        while std::fs::read_to_string(&marker).map_or(true, |t| t.trim().is_empty()) {
            assert!(
                t0.elapsed() < Duration::from_secs(60),
                "no show-build-order"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        let t0 = std::time::Instant::now();
        if quit {
            jobs.shutdown(Duration::from_secs(5));
        } else {
            assert!(jobs.cancel("default"));
        }
        let o = wait_outcome(&rx);
        assert_eq!(o.status, Status::Cancelled);
        assert!(
            t0.elapsed() < Duration::from_secs(1),
            "took {:?}",
            t0.elapsed()
        );
    }
    let calls = std::fs::read_to_string(root.join("workspaces/default/.fake-make-calls")).unwrap();
    assert!(!calls.lines().any(|l| l.starts_with("all ")), "{calls}");
}

#[test]
fn a_build_without_buildroot_host_tools_says_which_before_anything_runs() {
    let (_dir, root, br) = configured_tree();
    let empty = tempfile::tempdir().unwrap();
    let host_path = Some(empty.path().as_os_str().to_owned());
    let (ctx, stack) = job_context(&root, &br, fixtures().join("fake-make"), host_path);
    let jobs = BuildJobs::default();
    let (tx, rx) = unbounded::<Msg>();
    jobs.set_sink(tx);
    let calls = root.join("workspaces/default/.fake-make-calls");
    let before = std::fs::read_to_string(&calls).unwrap_or_default();
    jobs.start(ctx, "default", stack);
    let o = wait_outcome(&rx);
    assert_eq!(o.status, Status::Failed);
    let why = o.failure.unwrap().error_line.unwrap();
    assert!(
        why.contains("cpio") && why.contains("sudo apt-get install"),
        "{why}"
    );
    assert_eq!(std::fs::read_to_string(&calls).unwrap_or_default(), before);
}

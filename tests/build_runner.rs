//! The build runner against the fake make: progress, stamps, estimates, failure and cancel.

use crossbeam_channel::unbounded;
use skiff::build::runner::{BuildRequest, collect, start};
use skiff::build::{BuildEvent, Outcome, Progress, Status};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn fake_make() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/build/fake-make")
}

fn request(ws: &Path, env: &[(&str, &str)]) -> BuildRequest {
    std::fs::create_dir_all(ws).unwrap();
    if !ws.join(".config").exists() {
        std::fs::write(ws.join(".config"), "BR2_HAVE_DOT_CONFIG=y\n").unwrap();
    }
    BuildRequest {
        make: fake_make(),
        buildroot: ws.join("no-buildroot-needed"),
        workspace: ws.to_path_buf(),
        targets: vec![],
        make_args: vec![],
        env: env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        query_order: true,
        label: "build".into(),
    }
}

fn run(req: BuildRequest) -> (Outcome, Vec<BuildEvent>) {
    let (tx, rx) = unbounded();
    let outcome = start(req, tx).wait();
    (outcome, collect(&rx))
}

fn progresses(events: &[BuildEvent]) -> Vec<&Progress> {
    events
        .iter()
        .filter_map(|e| match e {
            BuildEvent::Progress(p) => Some(p),
            _ => None,
        })
        .collect()
}

#[test]
fn successful_build_reports_every_package_and_logs_with_timestamps() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    let (outcome, events) = run(request(&ws, &[]));
    assert_eq!(outcome.status, Status::Succeeded, "{outcome:?}");
    assert_eq!(outcome.exit_code, Some(0));
    assert_eq!(outcome.progress.total, Some(6));
    assert_eq!(outcome.progress.done, 6);
    assert!(matches!(events.first(), Some(BuildEvent::Phase { .. })));
    assert!(matches!(events.last(), Some(BuildEvent::Finished(_))));
    let p = progresses(&events);
    assert_eq!(p.first().unwrap().done, 0);
    // done rises one package at a time, never skipping back.
    let dones: Vec<usize> = p.iter().map(|p| p.done).collect();
    assert!(dones.windows(2).all(|w| w[0] <= w[1]), "{dones:?}");
    assert!(dones.contains(&3));
    // Steps from the hook and from >>> lines read the same.
    assert!(
        p.iter().any(|p| p
            .current
            .iter()
            .any(|c| c.package == "linux" && c.step == "Building")),
        "no linux build step seen"
    );
    assert!(
        p.iter()
            .any(|p| p.global.as_deref() == Some("Generating filesystem image rootfs.ext2"))
    );
    let outputs: Vec<&String> = events
        .iter()
        .filter_map(|e| match e {
            BuildEvent::Output { line } => Some(line),
            _ => None,
        })
        .collect();
    assert!(
        outputs
            .iter()
            .any(|l| l.starts_with("\x1b[7m>>> busybox 1.36.1 Building"))
    );
    assert!(
        outputs.iter().any(|l| l.contains('\r')),
        "carriage returns kept"
    );
    assert_eq!(outcome.progress.lines as usize, outputs.len());
    let log = std::fs::read_to_string(&outcome.log).unwrap();
    assert!(outcome.log.starts_with(ws.join("logs")));
    let body: Vec<&str> = log.lines().filter(|l| !l.contains(" # skiff: ")).collect();
    assert_eq!(body.len(), outputs.len());
    for l in &body {
        let (ts, _) = l.split_once(' ').unwrap();
        assert!(
            ts.len() == 24 && ts.ends_with('Z') && ts.as_bytes()[10] == b'T',
            "{l}"
        );
    }
    let steps = std::fs::read_to_string(outcome.log.with_extension("steps")).unwrap();
    assert!(
        steps
            .lines()
            .any(|l| l.ends_with(" end install-target htop"))
    );
}

#[test]
fn stamps_count_as_done_and_the_order_is_cached() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    let (first, _) = run(request(&ws, &[]));
    assert_eq!(first.status, Status::Succeeded);
    // Forget linux only; the previous build-time.log says it took 100 s.
    std::fs::remove_dir_all(ws.join("build/linux-6.1.44")).unwrap();
    std::fs::write(
        ws.join("build/build-time.log"),
        "1000.0:start:build               : linux\n1100.0:end  :build               : linux\n",
    )
    .unwrap();
    let (second, events) = run(request(&ws, &[]));
    assert_eq!(second.status, Status::Succeeded);
    let p = progresses(&events);
    assert_eq!((p[0].total, p[0].done), (Some(6), 5));
    assert_eq!(p[0].remaining_secs, Some(100.0));
    assert!(!events.iter().any(|e| matches!(e, BuildEvent::Phase { .. })));
    let calls = std::fs::read_to_string(ws.join(".fake-make-order-calls")).unwrap();
    assert_eq!(
        calls.lines().count(),
        1,
        "build order must come from the cache"
    );
    let outputs = events
        .iter()
        .filter(|e| matches!(e, BuildEvent::Output { line } if line.contains(">>> busybox")))
        .count();
    assert_eq!(outputs, 0, "done packages are not rebuilt");
}

#[test]
fn failure_names_the_package_step_and_last_lines() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    let (outcome, _) = run(request(&ws, &[("FAKE_MAKE_FAIL", "linux")]));
    assert_eq!(outcome.status, Status::Failed);
    assert_eq!(outcome.exit_code, Some(2));
    let f = outcome.failure.unwrap();
    assert_eq!(f.package.as_deref(), Some("linux"));
    assert_eq!(f.step.as_deref(), Some("build"));
    assert_eq!(f.headline(), "package linux failed at step build");
    let host = skiff::build::Failure {
        step: Some("dependencies".into()),
        ..Default::default()
    };
    assert!(host.headline().starts_with("host tools missing"));
    assert!(
        f.error_line
            .unwrap()
            .contains("build/linux-6.1.44/.stamp_built] Error 2")
    );
    assert!(
        f.last_lines
            .iter()
            .any(|l| l.contains("error: 'undefined_thing'"))
    );
    assert!(f.last_lines.iter().all(|l| !l.contains("linux-firmware")));
    assert!(
        f.last_lines.iter().all(|l| !l.contains('\x1b')),
        "summary is plain text"
    );
    assert_eq!(outcome.progress.done, 4);
    let log = std::fs::read_to_string(&outcome.log).unwrap();
    assert!(log.contains("make exited with status 2"));
}

#[test]
fn cancel_interrupts_the_process_group() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    let (tx, rx) = unbounded();
    let handle = start(request(&ws, &[("FAKE_MAKE_HANG", "busybox")]), tx);
    let deadline = Instant::now() + Duration::from_secs(30);
    while !ws.join(".fake-make-hanging").exists() {
        assert!(
            Instant::now() < deadline,
            "fake make never reached the hang"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    handle.cancel();
    let outcome = handle.wait();
    assert_eq!(outcome.status, Status::Cancelled);
    assert_eq!(outcome.exit_code, Some(130));
    assert!(outcome.failure.is_none());
    let events = collect(&rx);
    assert!(
        events
            .iter()
            .any(|e| matches!(e, BuildEvent::Output { line } if line.contains("Interrupt")))
    );
}

#[test]
fn missing_make_is_a_failure_that_names_the_program() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    let mut req = request(&ws, &[]);
    req.make = dir.path().join("no-such-make");
    req.query_order = false;
    let (outcome, _) = run(req);
    assert_eq!(outcome.status, Status::Failed);
    let line = outcome.failure.unwrap().error_line.unwrap();
    assert!(line.contains("no-such-make"), "{line}");
}

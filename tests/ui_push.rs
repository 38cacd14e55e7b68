//! The push screen: readiness of the build, the host prompt, the dry-run preview, the typed
//! confirmation, progress, results and rollback, drawn from engine events (snapshots at
//! 100x30 and 80x24), and one push end to end against a real sshd on 127.0.0.1.

mod common;
mod push_support;
// The shared harness, without the rest of ui_common (which loads tests/common again).
#[path = "ui_common/harness.rs"]
#[allow(dead_code)]
mod harness;

use harness::Harness;
use push_support::{Setup, Sshd, setup};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use skiff::push::event::FileLine;
use skiff::push::{FailReason, Outcome, PushError, PushEvent, PushPhase, PushRequest};
use skiff::ui::push::jobs::{PushJobs, parse_host, save_host};
use skiff::ui::push::types::{PushCmd, PushMode, PushReport};
use skiff::ui::{Cmd, Msg, WorkerEvent};
use std::sync::Arc;
use std::time::Duration;

const HOST: &str = "root@pi.lan";

/// The app on the push test tree (board test/board, a build in workspaces/default), on the
/// push screen.
fn open(s: &Setup, width: u16, height: u16) -> Harness {
    let mut h = Harness::open(&s.root, "default", "test/board", width, height).expect("open");
    h.key("7");
    h
}

/// Snapshot the current frame under `name` (tests/snapshots).
fn snap(name: &str, h: &mut Harness) {
    let text = h.render();
    insta::with_settings!({snapshot_path => "snapshots", prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!(name, text);
    });
}

/// Snapshot the frame at 100x30 and at 80x24.
fn snap_both(h: &mut Harness, name: &str) {
    snap(&format!("push_{name}_100x30"), h);
    h.resize(80, 24);
    snap(&format!("push_{name}_80x24"), h);
    h.resize(100, 30);
}

/// A key through the app only: its effects are returned, not run (no real push starts).
fn press(h: &mut Harness, code: KeyCode) -> Vec<Cmd> {
    h.app
        .update(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn type_text(h: &mut Harness, text: &str) {
    for c in text.chars() {
        press(h, KeyCode::Char(c));
    }
}

fn feed(h: &mut Harness, r: PushReport) {
    h.app.update(Msg::Worker(WorkerEvent::Push(Box::new(r))));
}

fn started(cmds: &[Cmd]) -> (u64, PushMode, String) {
    match cmds {
        [Cmd::Push(PushCmd::Start { id, mode, host, .. })] => (*id, *mode, host.clone()),
        other => panic!("expected one push start, got {other:?}"),
    }
}

fn file(path: &str, size: u64, action: &'static str) -> FileLine {
    FileLine {
        path: path.into(),
        from: path.rsplit('/').next().unwrap_or(path).into(),
        size,
        action,
    }
}

fn events(h: &mut Harness, id: u64, events: Vec<PushEvent>) {
    for event in events {
        feed(h, PushReport::Event { id, event });
    }
}

fn device_events(h: &mut Harness, id: u64) {
    events(
        h,
        id,
        vec![
            PushEvent::PhaseStarted {
                phase: PushPhase::Plan,
            },
            PushEvent::PhaseStarted {
                phase: PushPhase::Connect,
            },
            PushEvent::Device {
                arch: "armv7l".into(),
                release: Some("1.0".into()),
                board: Some("test/board".into()),
            },
            PushEvent::PhaseStarted {
                phase: PushPhase::Compare,
            },
            PushEvent::File(file("/mnt/boot/zImage", 3 << 20, "send")),
            PushEvent::File(file("/mnt/boot/board.dtb", 6, "same")),
            PushEvent::File(file("/mnt/boot/rootfs.squashfs", 5 << 20, "send")),
            PushEvent::File(file("/mnt/rootfs/modules.squashfs", 1 << 20, "send")),
            PushEvent::File(file("/mnt/boot/skiff-release", 70, "send")),
        ],
    );
}

#[test]
fn a_ready_build_asks_for_the_host_then_previews_pushes_and_rolls_back() {
    let s = setup("arm");
    let mut h = open(&s, 100, 30);
    let text = h.render();
    assert!(
        text.contains("ready 6 files, 9.0 MiB in workspaces/default/images"),
        "{text}"
    );
    assert!(text.contains("none yet: enter types [USER@]HOST"), "{text}");
    snap_both(&mut h, "ready");

    // p before any preview says what to do first; nothing starts.
    assert!(press(&mut h, KeyCode::Char('p')).is_empty());
    assert!(h.render().contains("preview first"), "{}", h.render());

    press(&mut h, KeyCode::Enter);
    type_text(&mut h, HOST);
    snap_both(&mut h, "host_prompt");
    let (id, mode, host) = started(&press(&mut h, KeyCode::Enter));
    assert_eq!((mode, host.as_str()), (PushMode::Preview, HOST));
    feed(
        &mut h,
        PushReport::Event {
            id,
            event: PushEvent::Started {
                target: HOST.into(),
                rollback: false,
            },
        },
    );
    device_events(&mut h, id);
    let outcome = Outcome {
        sent: 4,
        skipped: 1,
        ..Outcome::default()
    };
    feed(
        &mut h,
        PushReport::Finished {
            id,
            result: Ok(outcome),
        },
    );
    let text = h.render();
    assert!(text.contains("4 to send (9.0 MiB), 1 the same:"), "{text}");
    assert!(
        text.contains("device armv7l, release 1.0, board test/board"),
        "{text}"
    );
    snap_both(&mut h, "preview");

    // The typed confirmation: a wrong host does nothing, the right one starts the push.
    press(&mut h, KeyCode::Char('p'));
    type_text(&mut h, "root@pi");
    snap_both(&mut h, "confirm");
    assert!(press(&mut h, KeyCode::Enter).is_empty());
    assert!(
        h.render()
            .contains("typed `root@pi`, not `root@pi.lan`: no push"),
        "{}",
        h.render()
    );
    press(&mut h, KeyCode::Char('p'));
    type_text(&mut h, HOST);
    let (id, mode, _) = started(&press(&mut h, KeyCode::Enter));
    assert_eq!(mode, PushMode::Push);
    device_events(&mut h, id);
    events(
        &mut h,
        id,
        vec![
            PushEvent::PhaseStarted {
                phase: PushPhase::Upload,
            },
            PushEvent::Progress {
                bytes: 5 << 20,
                total: 9 << 20,
                rate: 12.5 * 1048576.0,
                file: "/mnt/boot/rootfs.squashfs".into(),
            },
        ],
    );
    let text = h.render();
    assert!(
        text.contains("sending and verifying… /mnt/boot/rootfs.squashfs"),
        "{text}"
    );
    assert!(
        text.contains("5.0 MiB / 9.0 MiB at 12.5 MiB/s (56%)"),
        "{text}"
    );
    snap_both(&mut h, "progress");
    // c asks the effects to cancel this push.
    assert_eq!(
        press(&mut h, KeyCode::Char('c')),
        [Cmd::Push(PushCmd::Cancel { id })]
    );
    // The engine's last progress event reaches the total.
    events(
        &mut h,
        id,
        vec![PushEvent::Progress {
            bytes: 9 << 20,
            total: 9 << 20,
            rate: 11.0 * 1048576.0,
            file: "/mnt/boot/skiff-release".into(),
        }],
    );
    let done = Outcome {
        sent: 4,
        skipped: 1,
        bytes: 9 << 20,
        release: None,
    };
    feed(
        &mut h,
        PushReport::Finished {
            id,
            result: Ok(done),
        },
    );
    let text = h.render();
    assert!(
        text.contains("pushed 4 files (9.0 MiB) to root@pi.lan, verified"),
        "{text}"
    );
    snap_both(&mut h, "done");

    // A rollback asks for the host again.
    press(&mut h, KeyCode::Char('R'));
    snap_both(&mut h, "rollback_confirm");
    type_text(&mut h, HOST);
    let (id, mode, _) = started(&press(&mut h, KeyCode::Enter));
    assert_eq!(mode, PushMode::Rollback);
    let result = Err(PushError::new(
        FailReason::NothingToRollBack,
        PushPhase::Rollback,
        "root@pi.lan has no push manifest at /mnt/boot/.skiff-push-manifest; nothing to roll back",
    ));
    feed(&mut h, PushReport::Finished { id, result });
    let text = h.render();
    assert!(
        text.contains("rollback on root@pi.lan failed (nothing_to_roll_back)"),
        "{text}"
    );
    snap_both(&mut h, "rollback_failed");
}

#[test]
fn a_failed_push_shows_its_reason_and_the_device_keeps_its_files() {
    let s = setup("arm");
    let mut h = open(&s, 100, 30);
    h.app.shared.push.host = Some(HOST.into());
    h.app.shared.push.previewed = Some((HOST.into(), 4, 9 << 20));
    press(&mut h, KeyCode::Char('p'));
    type_text(&mut h, HOST);
    let (id, _, _) = started(&press(&mut h, KeyCode::Enter));
    device_events(&mut h, id);
    let result = Err(PushError::new(
        FailReason::HashMismatch,
        PushPhase::Upload,
        "/mnt/boot/rootfs.squashfs arrived damaged on root@pi.lan: SHA-256 0f3a on the device, \
         9c1e here; the device keeps its previous files",
    ));
    feed(&mut h, PushReport::Finished { id, result });
    let text = h.render();
    assert!(text.contains("failed (hash_mismatch)"), "{text}");
    assert!(
        text.contains("the device keeps its previous files"),
        "{text}"
    );
    snap_both(&mut h, "failed");
    // After a failure a push needs a new preview.
    press(&mut h, KeyCode::Char('p'));
    assert!(h.app.shared.push.prompt.is_none());
}

#[test]
fn without_a_build_the_screen_says_build_first_and_asks_nothing() {
    let s = setup("arm");
    std::fs::remove_dir_all(&s.images).unwrap();
    let mut h = open(&s, 100, 30);
    let text = h.render();
    assert!(text.contains("build first:"), "{text}");
    snap_both(&mut h, "no_build");
    assert!(press(&mut h, KeyCode::Enter).is_empty());
    assert!(h.app.shared.push.prompt.is_none());
    assert!(h.render().contains("build first"), "{}", h.render());
}

#[test]
fn the_last_host_is_remembered_in_the_settings_directory() {
    let dir = tempfile::tempdir().unwrap();
    save_host(dir.path(), "pi@10.0.0.7").unwrap();
    let text = std::fs::read_to_string(dir.path().join("push.conf")).unwrap();
    assert_eq!(parse_host(&text).as_deref(), Some("pi@10.0.0.7"));
    assert_eq!(parse_host("# nothing\nhost =\n"), None);
    let s = setup("arm");
    let mut h = Harness::open(&s.root, "default", "test/board", 100, 30).expect("open");
    h.effects.push = Arc::new(PushJobs::new(
        PushRequest::new(Default::default()),
        Some(dir.path().to_path_buf()),
    ));
    h.key("7");
    assert_eq!(h.app.shared.push.host.as_deref(), Some("pi@10.0.0.7"));
    press(&mut h, KeyCode::Enter);
    assert_eq!(
        h.app.shared.push.prompt.as_ref().map(|p| p.text.as_str()),
        Some("pi@10.0.0.7")
    );
}

/// Feeds the push thread's messages to the app until the run with `id` has finished.
fn run_to_end(h: &mut Harness, rx: &crossbeam_channel::Receiver<Msg>) {
    let id = h.app.shared.push.run.as_ref().expect("a run").id;
    loop {
        let msg = rx
            .recv_timeout(Duration::from_secs(120))
            .expect("events of the push");
        let last = matches!(&msg, Msg::Worker(WorkerEvent::Push(r))
            if matches!(r.as_ref(), PushReport::Finished { id: i, .. } if *i == id));
        h.send(msg);
        if last {
            return;
        }
    }
}

fn jobs_for(s: &Setup, sshd: &Sshd, settings: &std::path::Path) -> PushJobs {
    let mut req = PushRequest::new(skiff::push::ssh::SshTarget {
        destination: String::new(),
        port: Some(sshd.port),
        identity: Some(sshd.key()),
        options: vec![
            format!(
                "UserKnownHostsFile={}",
                sshd.dir.path().join("known_hosts").display()
            ),
            "StrictHostKeyChecking=accept-new".into(),
        ],
        program: None,
    });
    req.dirs.boot = s.boot().display().to_string();
    req.dirs.rootfs = s.rootfs().display().to_string();
    req.release_file = s.device.join("etc/skiff-release").display().to_string();
    req.commands.mount_boot = Some("true".into());
    PushJobs::new(req, Some(settings.to_path_buf()))
}

#[test]
fn previews_pushes_and_rolls_back_through_a_real_sshd() {
    let Some(sshd) = push_support::start() else {
        return;
    };
    let s = setup("x86_64");
    let settings = tempfile::tempdir().unwrap();
    let mut h = open(&s, 100, 30);
    h.effects.push = Arc::new(jobs_for(&s, &sshd, settings.path()));
    let (tx, rx) = crossbeam_channel::unbounded();
    h.effects.push.set_sink(tx);
    let dest = sshd.destination();

    h.key("enter");
    h.type_text(&dest);
    h.key("enter");
    run_to_end(&mut h, &rx);
    let text = h.render();
    assert!(text.contains("5 to send"), "{text}");
    assert!(text.contains("1 the same"), "{text}");
    assert!(text.contains("p pushes (asks first)"), "{text}");
    assert_eq!(
        std::fs::read(s.boot().join("zImage")).unwrap(),
        b"old kernel"
    );
    let remembered = std::fs::read_to_string(settings.path().join("push.conf")).unwrap();
    assert_eq!(parse_host(&remembered), Some(dest.clone()));

    h.key("p");
    h.type_text(&dest);
    h.key("enter");
    run_to_end(&mut h, &rx);
    let text = h.render();
    assert!(text.contains("pushed 5 files"), "{text}");
    assert!(text.contains("verified"), "{text}");
    assert_eq!(
        std::fs::read(s.boot().join("zImage")).unwrap(),
        std::fs::read(s.images.join("zImage")).unwrap()
    );
    assert_eq!(
        std::fs::read(s.rootfs().join("modules.squashfs")).unwrap(),
        std::fs::read(s.images.join("rootfs_part/modules.squashfs")).unwrap()
    );

    h.key("R");
    h.type_text(&dest);
    h.key("enter");
    run_to_end(&mut h, &rx);
    let text = h.render();
    assert!(text.contains("rolled back"), "{text}");
    assert_eq!(
        std::fs::read(s.boot().join("zImage")).unwrap(),
        b"old kernel"
    );
}

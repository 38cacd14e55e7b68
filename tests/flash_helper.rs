//! The helper protocol (plan line in, JSON Lines out, `cancel` line) and the helper client with an
//! escalation command.

mod fake_system;

use std::io::{BufReader, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};

use fake_system::{FakeDisk, FakeSystem};
use skiff::flash::helper::serve;
use skiff::flash::plan::PLAN_VERSION;
use skiff::flash::{
    CancelToken, Environment, FileMode, FlashError, FlashEvent, FlashPlan, Helper, QuietHelper,
    SourceSpec, TargetSpec, Writer,
};

fn env(root: &Path) -> Environment {
    fake_system::fake_env(root, 64 * 1024, 2)
}

fn plan(src: &Path, out: &Path, device: bool) -> FlashPlan {
    FlashPlan {
        version: PLAN_VERSION,
        target: TargetSpec {
            path: out.to_path_buf(),
            device,
            expect: None,
            file_mode: FileMode::Replace,
            force_unsafe: None,
        },
        source: SourceSpec::Image {
            path: src.to_path_buf(),
            bmap: None,
            member: None,
            raw: true,
        },
        verify: true,
        wipe_ends: true,
        expect_partitions: vec![],
        post: vec![],
    }
}

fn events(output: &[u8]) -> Vec<FlashEvent> {
    String::from_utf8_lossy(output)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not an event: {l}: {e}")))
        .collect()
}

fn serve_text(input: String, env: &Environment) -> (i32, Vec<FlashEvent>) {
    let mut out = Vec::new();
    let code = serve(
        std::io::Cursor::new(input.into_bytes()),
        &mut out,
        env,
        CancelToken::new(),
    );
    (code, events(&out))
}

#[test]
fn serves_a_plan_and_streams_json_lines() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("os.img");
    std::fs::write(&src, vec![0x5au8; 3 << 20]).unwrap();
    let out = dir.path().join("card.img");
    let line = serde_json::to_string(&plan(&src, &out, false)).unwrap();
    let (code, events) = serve_text(format!("{line}\n"), &env(dir.path()));
    assert_eq!(code, 0);
    assert!(matches!(
        events.first(),
        Some(FlashEvent::Started { version: 1, .. })
    ));
    assert!(
        matches!(events.last(), Some(FlashEvent::Done { image_len, .. }) if *image_len == 3 << 20)
    );
    assert_eq!(std::fs::read(&out).unwrap(), vec![0x5au8; 3 << 20]);
}

#[test]
fn bad_plans_fail_with_a_reason_and_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let (code, events) = serve_text("{not json\n".into(), &env(dir.path()));
    assert_eq!(code, 1);
    assert!(
        matches!(&events[..], [FlashEvent::Failed { message, .. }] if message.contains("not JSON"))
    );

    let (code, events) = serve_text(String::new(), &env(dir.path()));
    assert_eq!(code, 1);
    assert!(
        matches!(&events[..], [FlashEvent::Failed { message, .. }] if message.contains("no plan"))
    );

    let src = dir.path().join("os.img");
    std::fs::write(&src, [1u8; 4096]).unwrap();
    let mut old = serde_json::to_value(plan(&src, &dir.path().join("o.img"), false)).unwrap();
    old["version"] = 0.into();
    let (code, events) = serve_text(format!("{old}\n"), &env(dir.path()));
    assert_eq!(code, 1);
    assert!(
        matches!(&events[..], [FlashEvent::Failed { message, .. }] if message.contains("version 0"))
    );
}

#[test]
fn the_helper_refuses_a_mounted_card_itself() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root");
    let mut sys = FakeSystem::new(&root);
    let mut card = FakeDisk::usb_card("sdb", 16, 64 << 20, "2-1");
    card.partitions = vec![16 << 20];
    sys.disk(card).mount(8, 17, "/run/media/card", "/dev/sdb1");
    let view = sys.write().unwrap();
    let src = dir.path().join("os.img");
    std::fs::write(&src, vec![1u8; 1 << 20]).unwrap();
    let line = serde_json::to_string(&plan(&src, &view.dev.join("sdb"), true)).unwrap();
    let (code, events) = serve_text(format!("{line}\n"), &env(&root));
    assert_eq!(code, 3);
    match events.last() {
        Some(FlashEvent::Failed {
            message: error,
            exit_code: 3,
            ..
        }) => {
            assert!(
                error.contains("sdb1 is mounted on /run/media/card"),
                "{error}"
            )
        }
        other => panic!("{other:?}"),
    }
    assert!(
        std::fs::read(view.dev.join("sdb"))
            .unwrap()
            .iter()
            .all(|b| *b == 0)
    );
}

/// Output that sends `cancel` to the helper's input as soon as the write phase starts.
struct CancelOnWrite {
    seen: Arc<Mutex<Vec<u8>>>,
    control: Option<std::io::PipeWriter>,
}

impl Write for CancelOnWrite {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut seen) = self.seen.lock() {
            seen.extend_from_slice(buf);
            if String::from_utf8_lossy(&seen).contains("\"phase\":\"write\"")
                && let Some(mut control) = self.control.take()
            {
                control.write_all(b"cancel\n")?;
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_cancel_line_stops_the_helper() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("os.img");
    std::fs::write(&src, vec![7u8; 64 << 20]).unwrap();
    let out = dir.path().join("card.img");
    let (reader, mut writer) = std::io::pipe().unwrap();
    let line = serde_json::to_string(&plan(&src, &out, false)).unwrap();
    writeln!(writer, "{line}").unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let output = CancelOnWrite {
        seen: Arc::clone(&seen),
        control: Some(writer),
    };
    let code = serve(
        BufReader::new(reader),
        output,
        &env(dir.path()),
        CancelToken::new(),
    );
    assert_eq!(code, 130);
    let events = events(&seen.lock().unwrap());
    assert!(matches!(
        events.last(),
        Some(FlashEvent::Failed { exit_code: 130, .. })
    ));
    assert!(!out.exists());
}

fn script(path: &Path, body: &str) {
    std::fs::write(path, format!("#!/bin/sh\n{body}\n")).unwrap();
    let mut perms = std::fs::metadata(path).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
    std::fs::set_permissions(path, perms).unwrap();
}

#[test]
fn the_client_escalates_and_relays_events() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("escalation.log");
    let escalate = dir.path().join("fake-sudo");
    script(
        &escalate,
        &format!("echo \"$@\" > {}\nexec \"$@\"", log.display()),
    );
    let helper = dir.path().join("fake-skiff");
    script(
        &helper,
        r#"read plan
echo '{"event":"started","version":1,"target":"sdz","source":"os.img","total":10,"verify":true}'
echo 'a stray line from a tool'
echo '{"event":"done","written":10,"verified":10,"image_len":10,"secs":0.5}'"#,
    );
    let client = Helper {
        program: helper.clone(),
        escalation: vec![escalate.display().to_string()],
    };
    let mut seen = Vec::new();
    let mut sink = |e: FlashEvent| seen.push(e);
    let p = plan(Path::new("os.img"), Path::new("/dev/sdz"), true);
    let summary = client.run(&p, &mut sink, &CancelToken::new()).unwrap();
    assert_eq!(summary.written, 10);
    assert!(
        matches!(&seen[0], FlashEvent::Notice { message } if message.contains("asking fake-sudo"))
    );
    assert!(seen.iter().any(
        |e| matches!(e, FlashEvent::Notice { message } if message == "a stray line from a tool")
    ));
    let args = std::fs::read_to_string(&log).unwrap();
    assert_eq!(args.trim(), format!("{} __flash-helper", helper.display()));
}

#[test]
fn a_refused_escalation_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let escalate = dir.path().join("fake-sudo");
    script(&escalate, "echo 'Sorry, try again.' >&2\nexit 1");
    let client = Helper {
        program: dir.path().join("skiff"),
        escalation: vec![escalate.display().to_string()],
    };
    let mut seen = Vec::new();
    let mut sink = |e: FlashEvent| seen.push(e);
    let p = plan(Path::new("os.img"), Path::new("/dev/sdz"), true);
    let err = client.run(&p, &mut sink, &CancelToken::new()).unwrap_err();
    assert!(matches!(err, FlashError::Escalation { .. }), "{err}");
    assert_eq!(err.exit_code(), 3);
    assert!(matches!(seen.last(), Some(FlashEvent::Failed { .. })));
}

#[test]
fn a_quiet_helper_relays_what_the_escalation_tool_says() {
    let dir = tempfile::tempdir().unwrap();
    let escalate = dir.path().join("fake-sudo");
    script(&escalate, "echo 'sudo: a password is required' >&2\nexit 1");
    let client = QuietHelper(Helper {
        program: dir.path().join("skiff"),
        escalation: vec![escalate.display().to_string()],
    });
    let mut seen = Vec::new();
    let mut sink = |e: FlashEvent| seen.push(e);
    let p = plan(Path::new("os.img"), Path::new("/dev/sdz"), true);
    let err = client.run(&p, &mut sink, &CancelToken::new()).unwrap_err();
    assert!(matches!(err, FlashError::Escalation { .. }), "{err}");
    assert!(
        err.to_string()
            .ends_with("it said: sudo: a password is required"),
        "{err}"
    );
    assert!(seen.iter().any(
        |e| matches!(e, FlashEvent::Notice { message } if message == "sudo: a password is required")
    ));
    assert!(matches!(seen.last(), Some(FlashEvent::Failed { .. })));
}

#[test]
fn helper_failures_keep_their_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let helper = dir.path().join("fake-skiff");
    script(
        &helper,
        r#"read plan
echo '{"event":"failed","error":"sdz: refused: not a removable disk","exit_code":3}'
exit 3"#,
    );
    let client = Helper {
        program: helper,
        escalation: vec![],
    };
    let mut sink = |_: FlashEvent| {};
    let p = plan(Path::new("os.img"), Path::new("/dev/sdz"), true);
    let err = client.run(&p, &mut sink, &CancelToken::new()).unwrap_err();
    assert_eq!(err.exit_code(), 3);
    assert!(err.to_string().contains("not a removable disk"));
}

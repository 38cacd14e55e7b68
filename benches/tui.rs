//! TUI benchmarks: the whole `skiff tui` process up to its first frame on a generated
//! 180-layer tree (in a pseudo-terminal), and one filter keystroke plus one frame on a
//! 1,000-layer tree.

mod gen_tree;
#[path = "../tests/ui_common/harness.rs"]
#[allow(dead_code)]
mod harness;

use criterion::{Criterion, criterion_group, criterion_main};
use harness::open_tree;
use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use skiff::model::names::split_list;
use skiff::ui::{Action, App, Msg, Shared};
use std::io::{Read, Write};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// Run `skiff tui --exit-after-first-frame` in a 100x30 pseudo-terminal and wait for it;
/// what it wrote to the terminal.
fn first_frame_process(root: &Path, stack: &str, xdg: &Path) -> Vec<u8> {
    let pty = native_pty_system()
        .openpty(PtySize {
            rows: 30,
            cols: 100,
            pixel_width: 0,
            pixel_height: 0,
        })
        .expect("openpty");
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_skiff"));
    cmd.args(["tui", "--exit-after-first-frame", "--root"]);
    cmd.arg(root);
    cmd.env("SKIFF_CONFIG", stack);
    cmd.env("XDG_CONFIG_HOME", xdg);
    cmd.env("TERM", "xterm-256color");
    let mut child = pty.slave.spawn_command(cmd).expect("spawn skiff");
    drop(pty.slave);
    let mut reader = pty.master.try_clone_reader().expect("pty reader");
    let mut writer = pty.master.take_writer().expect("pty writer");
    // Drain the frame so the child never blocks on a full pty buffer, and answer the
    // background query at start-up as a terminal does (a dark background, then the device
    // attributes), so the start-up time includes that round trip and not its timeout.
    let drain = std::thread::spawn(move || {
        let mut out = Vec::new();
        let mut buf = [0u8; 16384];
        let mut answered = false;
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            out.extend_from_slice(&buf[..n]);
            if !answered && out.windows(3).any(|w| w == b"\x1b[c") {
                answered = true;
                let _ = writer.write_all(b"\x1b]11;rgb:1c1c/1c1c/1c1c\x1b\\\x1b[?62;22c");
                let _ = writer.flush();
            }
        }
        out
    });
    let status = child.wait().expect("wait");
    assert!(status.success(), "skiff tui failed: {status:?}");
    drop(pty.master);
    drain.join().unwrap_or_default()
}

fn first_frame(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let stack = gen_tree::generate(dir.path(), &gen_tree::TreeShape::default()).expect("tree");
    let xdg = dir.path().join("xdg");
    // The process really draws a frame: the tab bar and the generated layers are in it.
    let out = String::from_utf8_lossy(&first_frame_process(dir.path(), &stack, &xdg)).into_owned();
    assert!(
        out.contains("Layers") && out.contains("cat01/layer"),
        "no frame drawn"
    );
    let mut g = c.benchmark_group("tui_start");
    g.measurement_time(Duration::from_secs(10));
    g.sample_size(40);
    g.bench_function("process_first_frame_180_layers", |b| {
        b.iter(|| first_frame_process(dir.path(), &stack, &xdg))
    });
    // The same start-up in process, without spawning: discovery, state, one frame.
    g.bench_function("in_process_first_frame_180_layers", |b| {
        b.iter(|| {
            let (tree, catalog) = open_tree(dir.path()).expect("open");
            let typed = split_list(&stack).into_iter().map(str::to_string).collect();
            let shared = Shared::new(Arc::new(catalog), tree.root.clone(), "b".into(), typed);
            let mut app = App::new(shared, 100, 30);
            let _ = app.init();
            let mut term = Terminal::new(TestBackend::new(100, 30)).expect("terminal");
            term.draw(|f| app.view(f)).expect("draw");
        })
    });
    g.finish();
}

fn key(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

fn backspace() -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Backspace, KeyModifiers::NONE))
}

fn filter_keystroke(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let shape = gen_tree::TreeShape {
        categories: 100,
        layers_per_category: 10,
        files_per_kind: 0,
        lines_per_file: 0,
    };
    gen_tree::generate(dir.path(), &shape).expect("tree");
    let (tree, catalog) = open_tree(dir.path()).expect("open");
    assert_eq!(catalog.layers.len(), 1000);
    let mut g = c.benchmark_group("tui_filter_1000_layers");
    g.measurement_time(Duration::from_secs(8));
    // Each iteration is one keystroke (typing the last letter, or deleting it again) and
    // one frame; the filter runs over all 1,000 layers every time.
    for (name, base, extra) in [
        ("keystroke_and_frame_broad", "lay", 'e'),
        ("keystroke_and_frame_narrow", "cat4", '7'),
    ] {
        let shared = Shared::new(
            Arc::new(catalog.clone()),
            tree.root.clone(),
            "b".into(),
            vec![],
        );
        let mut app = App::new(shared, 100, 30);
        let _ = app.init();
        let _ = app.action(Action::ToggleUnlisted);
        let _ = app.action(Action::Filter);
        for ch in base.chars() {
            let _ = app.update(key(ch));
        }
        let mut term = Terminal::new(TestBackend::new(100, 30)).expect("terminal");
        let mut typed = false;
        g.bench_function(name, |b| {
            b.iter(|| {
                let msg = if typed { backspace() } else { key(extra) };
                typed = !typed;
                let cmds = app.update(msg);
                term.draw(|f| app.view(f)).expect("draw");
                cmds
            })
        });
    }
    g.finish();
}

criterion_group!(benches, first_frame, filter_keystroke);
criterion_main!(benches);

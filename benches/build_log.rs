//! Benchmarks of build output handling: how many lines per second the runner takes in
//! (pipe, timestamped log file, progress tracking, event channel) and how fast the TUI's
//! build screen ingests lines and draws frames. Each run also checks no line was lost.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use crossbeam_channel::unbounded;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use skiff::build::BuildEvent;
use skiff::build::runner::{BuildRequest, start};
#[path = "../tests/ui_common/harness.rs"]
#[allow(dead_code)]
mod harness;
use harness::Harness;
use skiff::ui::{Msg, WorkerEvent};
use std::path::Path;
use std::time::Duration;

const LINES: usize = 100_000;

/// A stand-in for make that prints `LINES` lines as fast as awk can: compiler-style
/// lines with colours, a `>>>` step line every 100 lines and a carriage-return progress
/// line every 50.
fn producer(dir: &Path) -> std::path::PathBuf {
    let p = dir.join("flood-make");
    let script = format!(
        "#!/bin/sh\nexec awk 'BEGIN {{ for (i = 0; i < {LINES}; i++) {{ \
         if (i % 100 == 0) printf \"\\033[7m>>> pkg%d 1.0 Building\\033[27m\\n\", i / 100; \
         else if (i % 50 == 0) printf \" 10%%\\r 50%%\\r100%%\\n\"; \
         else printf \"\\033[32m  CC\\033[0m      src/dir%d/file%d.o\\n\", i % 7, i }} }}'\n"
    );
    std::fs::write(&p, script).expect("write producer");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    p
}

fn runner(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let make = producer(dir.path());
    let ws = dir.path().join("ws");
    std::fs::create_dir_all(&ws).expect("ws");
    let mut g = c.benchmark_group("build_output");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(20));
    g.throughput(Throughput::Elements(LINES as u64));
    g.bench_function("runner_100k_lines", |b| {
        b.iter(|| {
            let (tx, rx) = unbounded();
            let req = BuildRequest {
                make: make.clone(),
                buildroot: ws.clone(),
                workspace: ws.clone(),
                targets: vec![],
                make_args: vec![],
                env: vec![],
                query_order: false,
                label: "bench".into(),
            };
            let outcome = start(req, tx).wait();
            let lines = rx
                .try_iter()
                .filter(|e| matches!(e, BuildEvent::Output { .. }))
                .count();
            assert_eq!(lines, LINES, "lines were lost");
            assert_eq!(outcome.progress.lines as usize, LINES);
        })
    });
    g.finish();
}

/// Ingest 10,000 lines into the app's build screen through `update`, drawing a 120x40
/// frame every 333 lines (30 frames for a second's worth of output at 10,000 lines/s).
fn tui(c: &mut Criterion) {
    const N: usize = 10_000;
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    for (rel, text) in [
        ("configs/bench/board/metadata/description", "Bench board\n"),
        ("configs/bench/board/buildroot/x", "BR2_PACKAGE_HTOP=y\n"),
    ] {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }
    let lines: Vec<String> = (0..N)
        .map(|i| match i % 100 {
            0 => format!("\x1b[7m>>> pkg{} 1.0 Building\x1b[27m", i / 100),
            50 => " 10%\r 50%\r100%".to_string(),
            _ => format!("\x1b[32m  CC\x1b[0m      src/dir{}/file{i}.o", i % 7),
        })
        .collect();
    let mut g = c.benchmark_group("build_screen");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(15));
    g.throughput(Throughput::Elements(N as u64));
    g.bench_function("ingest_10k_lines_draw_30_frames", |b| {
        b.iter(|| {
            let mut h = Harness::open(root, "default", "bench/board", 120, 40).expect("app");
            h.key("5");
            h.app.shared.builds.begin("default", "bench/board");
            let mut term = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
            for (i, line) in lines.iter().enumerate() {
                h.app.update(Msg::Worker(WorkerEvent::Build {
                    workspace: "default".into(),
                    event: Box::new(BuildEvent::Output { line: line.clone() }),
                }));
                if i % 333 == 332 {
                    term.draw(|f| h.app.view(f)).expect("draw");
                }
            }
            let v = h.app.shared.builds.current().expect("build view");
            assert_eq!(v.log.total() as usize, N, "lines were lost");
        })
    });
    g.finish();
}

criterion_group!(benches, runner, tui);
criterion_main!(benches);

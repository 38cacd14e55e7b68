//! Running make in a workspace: output streamed as events, logged, tracked, and cancellable.

use super::error::BuildError;
use super::event::{BuildEvent, Failure, Outcome, Progress, Status};
use super::hook::{EVENTS_VAR, HookCall, follow, write_script};
use super::log::{KEEP, LogWriter};
use super::order;
use super::timelog::Durations;
use super::tracker::Tracker;
use crossbeam_channel::{Receiver, RecvTimeoutError, Sender, unbounded};
use std::io::{BufRead, BufReader, Read};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime};

/// Longest line passed on in one piece; longer output is split so memory stays bounded.
pub const MAX_LINE: usize = 64 * 1024;

/// Progress is sent at least this often while make runs, even when nothing changes.
pub const HEARTBEAT: Duration = Duration::from_secs(1);

/// What to run.
#[derive(Debug, Clone)]
pub struct BuildRequest {
    /// The make program (`make`, or a stand-in in tests).
    pub make: PathBuf,
    /// The Buildroot tree (`make -C`).
    pub buildroot: PathBuf,
    /// The workspace, Buildroot's output directory (`O=`).
    pub workspace: PathBuf,
    /// Make targets; empty means Buildroot's default (`all`).
    pub targets: Vec<String>,
    /// Extra make arguments (`VAR=value`), passed as separate words, never through a shell.
    pub make_args: Vec<String>,
    /// Extra environment for make.
    pub env: Vec<(String, String)>,
    /// Ask Buildroot for the build order first (cached per `.config`).
    pub query_order: bool,
    /// Log file name prefix (`build`, `legal-info`...).
    pub label: String,
}

impl BuildRequest {
    pub fn logs_dir(&self) -> PathBuf {
        self.workspace.join("logs")
    }
    pub fn state_dir(&self) -> PathBuf {
        self.workspace.join(".skiff")
    }
}

#[derive(Default)]
struct Shared {
    pid: AtomicI32,
    cancelled: AtomicBool,
}

/// A running build.
pub struct BuildHandle {
    shared: Arc<Shared>,
    thread: JoinHandle<Outcome>,
}

impl BuildHandle {
    /// Interrupt make like Ctrl-C would: SIGINT to its whole process group.
    pub fn cancel(&self) {
        self.signal(rustix::process::Signal::INT);
    }

    /// Stop make at once (SIGKILL to the group), for a second cancel that make ignores.
    pub fn kill(&self) {
        self.signal(rustix::process::Signal::KILL);
    }

    fn signal(&self, sig: rustix::process::Signal) {
        // SeqCst pairs with build_order's store of the pid and load of the flag: one of
        // the two sides always sees the other's write.
        self.shared.cancelled.store(true, Ordering::SeqCst);
        let pid = self.shared.pid.load(Ordering::SeqCst);
        if let Some(pid) = rustix::process::Pid::from_raw(pid) {
            let _ = rustix::process::kill_process_group(pid, sig);
        }
    }

    pub fn is_finished(&self) -> bool {
        self.thread.is_finished()
    }

    /// Wait for the end of the build.
    pub fn wait(self) -> Outcome {
        self.thread.join().unwrap_or_else(|_| Outcome {
            status: Status::Failed,
            exit_code: None,
            log: PathBuf::new(),
            progress: Progress::default(),
            failure: Some(Failure {
                error_line: Some("internal error: the build thread stopped".into()),
                ..Failure::default()
            }),
        })
    }
}

enum Msg {
    Line(Vec<u8>, SystemTime),
    Hook(HookCall),
    Eof,
}

/// Start a build on its own thread; events arrive on `events`, ending with `Finished`.
pub fn start(req: BuildRequest, events: Sender<BuildEvent>) -> BuildHandle {
    let shared = Arc::new(Shared::default());
    let s = shared.clone();
    let thread = std::thread::spawn(move || run(&req, &events, &s));
    BuildHandle { shared, thread }
}

/// Start a build and wait for it, for callers without a UI loop.
pub fn run_blocking(req: BuildRequest, events: Sender<BuildEvent>) -> Outcome {
    start(req, events).wait()
}

fn early_failure(log: PathBuf, why: String, status: Status) -> Outcome {
    Outcome {
        status,
        exit_code: None,
        log,
        progress: Progress::default(),
        failure: (status == Status::Failed).then(|| Failure {
            error_line: Some(why),
            ..Failure::default()
        }),
    }
}

fn run(req: &BuildRequest, events: &Sender<BuildEvent>, shared: &Shared) -> Outcome {
    let send = |e: BuildEvent| {
        let _ = events.send(e);
    };
    let finish = |o: Outcome| {
        send(BuildEvent::Finished(o.clone()));
        o
    };
    let mut tracker = new_tracker(req, &send, shared);
    let mut log = match LogWriter::create(&req.logs_dir(), &req.label, KEEP) {
        Ok(l) => l,
        Err(e) => return finish(early_failure(PathBuf::new(), e.to_string(), Status::Failed)),
    };
    let log_path = log.path().to_path_buf();
    if shared.cancelled.load(Ordering::Acquire) {
        return finish(early_failure(log_path, String::new(), Status::Cancelled));
    }
    let steps = log_path.with_extension("steps");
    let spawned = write_script(&req.state_dir()).and_then(|script| {
        std::fs::write(&steps, "").map_err(|e| BuildError::io(&steps, e))?;
        spawn(req, &script, &steps)
    });
    let (mut child, reader) = match spawned {
        Ok(x) => x,
        Err(e) => {
            let _ = log.note(&e.to_string());
            let _ = log.flush();
            return finish(early_failure(log_path, e.to_string(), Status::Failed));
        }
    };
    shared.pid.store(child.id() as i32, Ordering::Release);
    if shared.cancelled.load(Ordering::Acquire) {
        let _ = rustix::process::kill_process_group(
            rustix::process::Pid::from_child(&child),
            rustix::process::Signal::INT,
        );
    }
    let _ = log.note(&describe(req));
    send(BuildEvent::Started {
        targets: req.targets.clone(),
        log: log_path.clone(),
        pid: child.id(),
    });
    let t0 = Instant::now();
    send(BuildEvent::Progress(tracker.progress(0.0)));
    let (tx, rx) = unbounded::<Msg>();
    let line_tx = tx.clone();
    let read_thread = std::thread::spawn(move || read_lines(reader, &line_tx));
    let stop = Arc::new(AtomicBool::new(false));
    let stop2 = stop.clone();
    let hook_tx = tx.clone();
    let steps2 = steps.clone();
    let follow_thread = std::thread::spawn(move || {
        follow(&steps2, stop2, |c| {
            let _ = hook_tx.send(Msg::Hook(c));
        })
    });
    drop(tx);
    let mut run = Running {
        tracker: &mut tracker,
        log: &mut log,
        send: &send,
        t0,
    };
    // A quiet second still sends progress, so elapsed time moves on in every view.
    loop {
        match rx.recv_timeout(HEARTBEAT) {
            Ok(m) => {
                if !run.handle(m, rx.is_empty()) {
                    break;
                }
            }
            Err(RecvTimeoutError::Timeout) => run.heartbeat(),
            Err(RecvTimeoutError::Disconnected) => break,
        }
    }
    let status = child.wait();
    let _ = read_thread.join();
    stop.store(true, Ordering::Release);
    let _ = follow_thread.join();
    while let Ok(m) = rx.try_recv() {
        run.handle(m, rx.is_empty());
    }
    let (exit_code, signal) = match &status {
        Ok(s) => (s.code(), s.signal()),
        Err(_) => (None, None),
    };
    let cancelled = shared.cancelled.load(Ordering::Acquire);
    finish(run.outcome(exit_code, signal, cancelled, log_path))
}

/// The progress tracker, with the durations of the previous build and, when asked for,
/// Buildroot's build order and the packages already built.
fn new_tracker(req: &BuildRequest, send: &dyn Fn(BuildEvent), shared: &Shared) -> Tracker {
    let build_dir = req.workspace.join("build");
    let durations = std::fs::read_to_string(build_dir.join("build-time.log"))
        .map(|t| Durations::parse(&t))
        .unwrap_or_default();
    let mut tracker = Tracker::new(Some(build_dir.clone()), durations);
    if req.query_order
        && let Some(order) = build_order(req, send, shared)
    {
        let done = order::done_packages(&build_dir, &order);
        tracker.set_order(order, done);
    }
    tracker
}

/// A running make: what each of its output lines and step-hook calls does.
struct Running<'a> {
    tracker: &'a mut Tracker,
    log: &'a mut LogWriter,
    send: &'a dyn Fn(BuildEvent),
    t0: Instant,
}

impl Running<'_> {
    /// Log and track one message, sending output and progress; false at the end of output.
    /// `idle`: nothing else is queued, so the log is flushed.
    fn handle(&mut self, m: Msg, idle: bool) -> bool {
        let now = self.t0.elapsed().as_secs_f64();
        match m {
            Msg::Line(bytes, at) => {
                let _ = self.log.line(at, &bytes);
                let line = String::from_utf8_lossy(&bytes).into_owned();
                let changed = self.tracker.line(&line, now);
                (self.send)(BuildEvent::Output { line });
                if changed {
                    (self.send)(BuildEvent::Progress(self.tracker.progress(now)));
                }
            }
            Msg::Hook(c) => {
                if self.tracker.hook(&c, now) {
                    (self.send)(BuildEvent::Progress(self.tracker.progress(now)));
                }
            }
            Msg::Eof => return false,
        }
        if idle {
            let _ = self.log.flush();
        }
        true
    }

    fn heartbeat(&mut self) {
        let now = self.t0.elapsed().as_secs_f64();
        (self.send)(BuildEvent::Progress(self.tracker.progress(now)));
    }

    /// How the build ended, noted in the log, with a diagnosis when it failed.
    fn outcome(
        &mut self,
        exit_code: Option<i32>,
        signal: Option<i32>,
        cancelled: bool,
        log_path: PathBuf,
    ) -> Outcome {
        self.tracker.rescan();
        let now = self.t0.elapsed().as_secs_f64();
        let status = if exit_code == Some(0) {
            Status::Succeeded
        } else if cancelled {
            Status::Cancelled
        } else {
            Status::Failed
        };
        let failure = (status == Status::Failed).then(|| self.tracker.diagnose());
        let _ = self.log.note(&match (exit_code, signal) {
            (Some(c), _) => format!("make exited with status {c} after {now:.1}s"),
            (None, Some(s)) => format!("make was stopped by signal {s} after {now:.1}s"),
            _ => format!("make ended after {now:.1}s"),
        });
        let _ = self.log.flush();
        let mut progress = self.tracker.progress(now);
        progress.current.clear();
        Outcome {
            status,
            exit_code,
            log: log_path,
            progress,
            failure,
        }
    }
}

fn describe(req: &BuildRequest) -> String {
    let targets = if req.targets.is_empty() {
        "all".to_string()
    } else {
        req.targets.join(" ")
    };
    format!(
        "make -C {} O={} {targets} (started by skiff)",
        req.buildroot.display(),
        req.workspace.display()
    )
}

/// The order from the cache, else from Buildroot; failures only lose the total. While the
/// query runs, its make is the one a cancel signals; a cancel ends it at once.
fn build_order(
    req: &BuildRequest,
    send: &dyn Fn(BuildEvent),
    shared: &Shared,
) -> Option<Vec<String>> {
    let config = std::fs::read_to_string(req.workspace.join(".config")).ok()?;
    if let Some(o) = order::cached(&req.state_dir(), &config) {
        return Some(o);
    }
    send(BuildEvent::Phase {
        message: "reading Buildroot's build order (make show-build-order)".into(),
    });
    if shared.cancelled.load(Ordering::Acquire) {
        return None;
    }
    let result = order::query_with(&req.make, &req.buildroot, &req.workspace, |pid| {
        shared.pid.store(pid as i32, Ordering::SeqCst);
        // A cancel between the check above and this store found no pid: signal it here.
        if shared.cancelled.load(Ordering::SeqCst)
            && let Some(p) = rustix::process::Pid::from_raw(pid as i32)
        {
            let _ = rustix::process::kill_process_group(p, rustix::process::Signal::INT);
        }
    });
    shared.pid.store(0, Ordering::Release);
    if shared.cancelled.load(Ordering::Acquire) {
        return None;
    }
    match result {
        Ok(o) if !o.is_empty() => {
            let _ = order::store(&req.state_dir(), &config, &o);
            Some(o)
        }
        Ok(_) => None,
        Err(e) => {
            send(BuildEvent::Phase {
                message: format!("no package count: {e}"),
            });
            None
        }
    }
}

fn spawn(
    req: &BuildRequest,
    script: &Path,
    steps: &Path,
) -> Result<(std::process::Child, std::io::PipeReader), BuildError> {
    let (reader, writer) = std::io::pipe().map_err(|e| BuildError::io(&req.workspace, e))?;
    let writer2 = writer
        .try_clone()
        .map_err(|e| BuildError::io(&req.workspace, e))?;
    let mut cmd = Command::new(&req.make);
    cmd.arg("-C")
        .arg(&req.buildroot)
        .arg(format!("O={}", req.workspace.display()))
        .arg(format!("BR2_INSTRUMENTATION_SCRIPTS={}", script.display()))
        .args(&req.make_args)
        .args(&req.targets)
        .env(EVENTS_VAR, steps)
        .envs(req.env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(writer)
        .stderr(writer2)
        .process_group(0);
    let child = cmd.spawn().map_err(|e| BuildError::Spawn {
        program: req.make.display().to_string(),
        source: e,
    })?;
    // The Command holds the pipe's write ends; drop them so EOF arrives when make exits.
    drop(cmd);
    Ok((child, reader))
}

fn read_lines(reader: impl Read, tx: &Sender<Msg>) {
    let mut r = BufReader::with_capacity(64 * 1024, reader);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        let n = match (&mut r).take(MAX_LINE as u64).read_until(b'\n', &mut buf) {
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => 0,
        };
        if n == 0 {
            let _ = tx.send(Msg::Eof);
            return;
        }
        if buf.last() == Some(&b'\n') {
            buf.pop();
        }
        if tx.send(Msg::Line(buf.clone(), SystemTime::now())).is_err() {
            return;
        }
    }
}

/// Drain a receiver into a vector (tests and simple callers).
pub fn collect(rx: &Receiver<BuildEvent>) -> Vec<BuildEvent> {
    rx.try_iter().collect()
}

//! The effect side of TUI builds: each build runs on its own thread (prepare, then make)
//! and streams its events into the app's message channel; cancel reaches it from any effect.

use super::msg::{Msg, WorkerEvent};
use crate::build::runner::{BuildRequest, start};
use crate::build::{BuildEvent, BuildHandle, Failure, Outcome, PrepareRequest, Status, prepare};
use crate::model::configure::{ConfigureEnv, ConfigureRequest};
use crate::model::{Catalog, ResolvedStack, Tree};
use crossbeam_channel::Sender;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// What a build needs besides the workspace and stack.
#[derive(Clone)]
pub struct JobContext {
    pub tree: Tree,
    pub catalog: Arc<Catalog>,
    /// What configure takes from the environment (its Buildroot tree is always set).
    pub env: ConfigureEnv,
    /// The make program (`make`; tests use a stand-in).
    pub make: PathBuf,
    /// PATH to check Buildroot's host tools against before anything runs; `None` skips it.
    pub host_path: Option<std::ffi::OsString>,
}

struct Job {
    cancelled: Arc<AtomicBool>,
    handle: Arc<Mutex<Option<BuildHandle>>>,
    thread: JoinHandle<()>,
}

/// The builds started from the TUI.
#[derive(Default)]
pub struct BuildJobs {
    sink: Mutex<Option<Sender<Msg>>>,
    jobs: Mutex<HashMap<String, Job>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn ended(status: Status, why: Option<String>) -> BuildEvent {
    BuildEvent::Finished(Outcome {
        status,
        exit_code: None,
        log: PathBuf::new(),
        progress: Default::default(),
        failure: why.map(|w| Failure {
            error_line: Some(w),
            ..Failure::default()
        }),
    })
}

impl BuildJobs {
    /// Where build events go: the app's message channel.
    pub fn set_sink(&self, tx: Sender<Msg>) {
        *lock(&self.sink) = Some(tx);
    }

    pub fn is_running(&self, ws: &str) -> bool {
        lock(&self.jobs)
            .get(ws)
            .is_some_and(|j| !j.thread.is_finished())
    }

    /// Start a build of `ws` with `stack` on a thread of its own; a build already running
    /// in that workspace is reported instead of started twice.
    pub fn start(&self, ctx: JobContext, ws: &str, stack: ResolvedStack) -> WorkerEvent {
        if self.is_running(ws) {
            return WorkerEvent::Build {
                workspace: ws.to_string(),
                event: Box::new(BuildEvent::Phase {
                    message: format!("a build of workspace {ws} is already running"),
                }),
            };
        }
        let sink = lock(&self.sink).clone();
        let cancelled = Arc::new(AtomicBool::new(false));
        let handle: Arc<Mutex<Option<BuildHandle>>> = Arc::default();
        let (c2, h2, ws2) = (cancelled.clone(), handle.clone(), ws.to_string());
        let thread = std::thread::spawn(move || {
            let send = |event: BuildEvent| {
                if let Some(tx) = &sink {
                    let _ = tx.send(Msg::Worker(WorkerEvent::Build {
                        workspace: ws2.clone(),
                        event: Box::new(event),
                    }));
                }
            };
            run_job(&ctx, &ws2, &stack, &c2, &h2, &send);
        });
        lock(&self.jobs).insert(
            ws.to_string(),
            Job {
                cancelled,
                handle,
                thread,
            },
        );
        WorkerEvent::Build {
            workspace: ws.to_string(),
            event: Box::new(BuildEvent::Phase {
                message: format!("build of workspace {ws} queued"),
            }),
        }
    }

    /// Interrupt a build (SIGINT to make's process group); before make starts, the build
    /// stops after preparing.
    pub fn cancel(&self, ws: &str) -> bool {
        let jobs = lock(&self.jobs);
        let Some(job) = jobs.get(ws).filter(|j| !j.thread.is_finished()) else {
            return false;
        };
        job.cancelled.store(true, Ordering::Release);
        if let Some(h) = lock(&job.handle).as_ref() {
            h.cancel();
        }
        true
    }

    /// Cancel every build and wait up to `timeout` for them to end (when the app quits).
    pub fn shutdown(&self, timeout: Duration) {
        let names: Vec<String> = lock(&self.jobs).keys().cloned().collect();
        for n in &names {
            self.cancel(n);
        }
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline && names.iter().any(|n| self.is_running(n)) {
            std::thread::sleep(Duration::from_millis(20));
        }
        for n in names.iter().filter(|n| self.is_running(n)) {
            if let Some(h) = lock(&self.jobs).get(n).and_then(|j| lock(&j.handle).take()) {
                h.kill();
            }
        }
    }
}

fn run_job(
    ctx: &JobContext,
    ws: &str,
    stack: &ResolvedStack,
    cancelled: &AtomicBool,
    slot: &Mutex<Option<BuildHandle>>,
    send: &dyn Fn(BuildEvent),
) {
    if let Some(Err(e)) = ctx.host_path.as_deref().map(crate::build::hostdeps::check) {
        return send(ended(Status::Failed, Some(e.to_string())));
    }
    send(BuildEvent::Phase {
        message: "locking and configuring the workspace".into(),
    });
    let env = ConfigureEnv {
        force: false,
        ..ctx.env.clone()
    };
    let prepared = prepare(&PrepareRequest {
        configure: ConfigureRequest {
            tree: &ctx.tree,
            catalog: &ctx.catalog,
            stack,
            workspace: ws,
            env: &env,
        },
        purpose: "build (TUI)",
    });
    let prepared = match prepared {
        Ok(p) => p,
        Err(e) => return send(ended(Status::Failed, Some(e.to_string()))),
    };
    if let Some(why) = &prepared.reconfigured {
        send(BuildEvent::Phase {
            message: format!("configured ({why})"),
        });
    }
    if cancelled.load(Ordering::Acquire) {
        return send(ended(Status::Cancelled, None));
    }
    let (tx, rx) = crossbeam_channel::unbounded();
    let handle = start(
        BuildRequest {
            make: ctx.make.clone(),
            buildroot: prepared.buildroot.dir.clone(),
            workspace: prepared.workspace_dir.clone(),
            targets: stack
                .build_target
                .as_deref()
                .map(|t| t.split_whitespace().map(str::to_string).collect())
                .unwrap_or_default(),
            make_args: Vec::new(),
            env: Vec::new(),
            query_order: true,
            label: "build".into(),
        },
        tx,
    );
    *lock(slot) = Some(handle);
    if cancelled.load(Ordering::Acquire)
        && let Some(h) = lock(slot).as_ref()
    {
        h.cancel();
    }
    for ev in rx {
        let last = matches!(ev, BuildEvent::Finished(_));
        send(ev);
        if last {
            break;
        }
    }
    if let Some(h) = lock(slot).take() {
        h.wait();
    }
    drop(prepared);
}

//! The effect side of the batch screen: recognising the source, and running a batch on a
//! thread of its own (the source made and decoded once, then a station with a pipeline per
//! card, fed by image file targets or by hotplug events), its reports sent to the app's
//! channel. Nothing here blocks the UI thread.

use super::types::{BatchCmd, BatchReport, BatchRequest, BatchSource, BatchTargets};
use crate::flash::batch::hotplug::{CardWatcher, SysfsPoll};
use crate::flash::batch::intake::{Intake, ReaderFilter};
use crate::flash::batch::persona::{BatchPersona, identity_of};
use crate::flash::batch::watch::watch;
use crate::flash::batch::{BatchEvent, CardJob, SharedImage, Station};
use crate::flash::card::{CardMode, SystemTools};
use crate::flash::engine::EngineConfig;
use crate::flash::event::FlashEvent;
use crate::flash::job::{CardJobRequest, plan_card};
use crate::flash::system::default_properties;
use crate::flash::{
    CancelToken, Environment, FileMode, FlashError, ImageFile, SystemView, Target, TargetSpec,
};
use crate::model::{Catalog, Tree};
use crate::ui::job_slot::{JobSlot, lock};
use crate::ui::msg::{Msg, WorkerEvent};
use crossbeam_channel::Sender;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

fn report(r: BatchReport) -> WorkerEvent {
    WorkerEvent::Batch(Box::new(r))
}

/// The batch started from the TUI (one at a time) and where its cards are found.
pub struct BatchJobs {
    /// Where readers' disks are discovered and checked (`SKIFF_SYSROOT` or the host).
    pub view: SystemView,
    /// How long the sysfs poll waits between looks.
    pub poll: Duration,
    /// A watcher to use instead of sysfs polling for the next batch (tests inject events).
    pub watcher: Mutex<Option<Box<dyn CardWatcher>>>,
    slot: JobSlot,
}

impl Default for BatchJobs {
    fn default() -> BatchJobs {
        BatchJobs::new(SystemView::from_env())
    }
}

/// Sends reports to the app's channel, each stamped with the seconds since the start.
#[derive(Clone)]
struct Reporter {
    id: u64,
    started: Instant,
    tx: Option<Sender<Msg>>,
}

impl Reporter {
    fn at(&self) -> f64 {
        self.started.elapsed().as_secs_f64()
    }
    fn send(&self, make: impl FnOnce(u64, f64) -> BatchReport) -> bool {
        match &self.tx {
            Some(tx) => tx
                .send(Msg::Worker(report(make(self.id, self.at()))))
                .is_ok(),
            None => false,
        }
    }
}

impl BatchJobs {
    pub fn new(view: SystemView) -> BatchJobs {
        BatchJobs {
            view,
            poll: Duration::from_millis(500),
            watcher: Mutex::new(None),
            slot: JobSlot::default(),
        }
    }

    /// Where batch reports go: the app's message channel.
    pub fn set_sink(&self, tx: Sender<Msg>) {
        self.slot.set_sink(tx);
    }

    pub fn is_running(&self) -> bool {
        self.slot.is_running()
    }

    /// Runs one command; a batch starts a thread and returns at once.
    pub fn perform(&self, cmd: &BatchCmd, tree: &Tree, catalog: &Catalog) -> WorkerEvent {
        match cmd {
            BatchCmd::Inspect(path) => {
                let path = crate::ui::flash::jobs::expand(path);
                report(BatchReport::Source {
                    result: crate::ui::flash::jobs::inspect(&path),
                    path,
                })
            }
            BatchCmd::Start(req) => self.start(req, tree, catalog),
            BatchCmd::Stop { id } => {
                self.slot.cancel(*id);
                report(BatchReport::Tick { id: *id, at: 0.0 })
            }
        }
    }

    fn start(&self, req: &BatchRequest, tree: &Tree, catalog: &Catalog) -> WorkerEvent {
        if self.is_running() {
            return report(BatchReport::Ended {
                id: req.id,
                at: 0.0,
                result: Err("another batch is running; stop it first".into()),
            });
        }
        // Cards in readers are written by this process (no privileged helper per card).
        let readers = matches!(req.targets, BatchTargets::Readers(_));
        if readers && self.view.is_host() && !rustix::process::geteuid().is_root() {
            return report(BatchReport::Ended {
                id: req.id,
                at: 0.0,
                result: Err("writing cards in readers from the batch screen needs root: start the TUI as root (sudo skiff tui) or run skiff batch from a shell; image file targets work as any user".into()),
            });
        }
        let reporter = Reporter {
            id: req.id,
            started: Instant::now(),
            tx: self.slot.sink(),
        };
        let cancel = CancelToken::new();
        let ctx = RunContext {
            req: req.clone(),
            workspace: tree.workspace_dir(&req.workspace),
            layers: req
                .stack
                .layers
                .iter()
                .filter_map(|n| catalog.lookup(n).map(|l| l.dir.clone()))
                .collect(),
            view: self.view.clone(),
            poll: self.poll,
            watcher: lock(&self.watcher).take(),
        };
        let token = cancel.clone();
        self.slot.start(
            req.id,
            cancel,
            move || {
                let result = run(ctx, &reporter, &token).map_err(|e| e.to_string());
                (reporter, result)
            },
            |(reporter, result)| {
                reporter.send(|id, at| BatchReport::Ended { id, at, result });
            },
        );
        report(BatchReport::Preparing {
            id: req.id,
            at: 0.0,
            event: FlashEvent::Notice {
                message: "preparing the source".into(),
            },
        })
    }

    /// Stops a running batch and waits up to `timeout` for its cards to end (on quit).
    pub fn shutdown(&self, timeout: Duration) {
        self.slot.shutdown(timeout);
    }
}

/// What a batch thread needs.
struct RunContext {
    req: BatchRequest,
    workspace: PathBuf,
    layers: Vec<PathBuf>,
    view: SystemView,
    poll: Duration,
    watcher: Option<Box<dyn CardWatcher>>,
}

fn environment(view: &SystemView) -> Environment {
    Environment {
        props: default_properties(view),
        view: view.clone(),
        config: EngineConfig::default(),
        tools: Box::new(SystemTools),
    }
}

/// Where the decoded image (and a built one) goes: the workspace, else the temp directory.
fn work_dir(workspace: &Path) -> PathBuf {
    if std::fs::create_dir_all(workspace).is_ok() {
        workspace.to_path_buf()
    } else {
        std::env::temp_dir()
    }
}

/// The whole batch: the source, the station, the cards; returns how many cards started.
fn run(ctx: RunContext, rep: &Reporter, cancel: &CancelToken) -> Result<u32, FlashError> {
    let env = Arc::new(environment(&ctx.view));
    let work = work_dir(&ctx.workspace);
    let mut preparing = |event: FlashEvent| {
        rep.send(|id, at| BatchReport::Preparing { id, at, event });
    };
    // A built image lives in `_built` until the batch ends.
    let (_built, source) = match &ctx.req.source {
        BatchSource::Image(path) => (None, crate::ui::flash::jobs::expand(path)),
        BatchSource::Workspace => {
            let (dir, path) = build_image(&ctx, &work, &env, &mut preparing, cancel)?;
            (Some(dir), path)
        }
    };
    let image = Arc::new(SharedImage::decode(
        &source,
        &work,
        &env,
        &mut preparing,
        cancel,
    )?);
    // The persist partition is found in the decoded image before any card starts.
    let persona = match &ctx.req.persona {
        Some(p) => Some(BatchPersona::new(p.clone(), &image.path)?),
        None => None,
    };
    let personalise = |job: &mut CardJob| match &persona {
        Some(p) => p.apply(job, &identity_of(job)),
        None => Ok(()),
    };
    let (tx, rx) = crossbeam_channel::unbounded::<BatchEvent>();
    let forward = forwarder(rx, rep.clone());
    let mut station = Station::new(Arc::clone(&image), Arc::clone(&env), tx, cancel.clone());
    let started = match &ctx.req.targets {
        BatchTargets::Files(files) => {
            for (i, path) in files.iter().enumerate() {
                let mut job = file_job(i as u32 + 1, path);
                let ready = personalise(&mut job);
                rep.send(|id, at| BatchReport::Card {
                    id,
                    at,
                    job: job.clone(),
                });
                match ready {
                    Ok(()) => station.start(job),
                    Err(e) => station.fail(job, &e),
                }
            }
            station.join();
            files.len() as u32
        }
        BatchTargets::Readers(patterns) => {
            let mut intake = Intake::new(
                ctx.view.clone(),
                default_properties(&ctx.view),
                ReaderFilter {
                    patterns: patterns.clone(),
                },
                image.image_len,
                1,
            );
            let mut watcher: Box<dyn CardWatcher> = match ctx.watcher {
                Some(w) => w,
                None => Box::new(SysfsPoll::new(ctx.view.clone(), ctx.poll)),
            };
            let mut announce = |job: &mut CardJob| {
                let ready = personalise(job);
                rep.send(|id, at| BatchReport::Card {
                    id,
                    at,
                    job: job.clone(),
                });
                ready
            };
            watch(
                watcher.as_mut(),
                &mut intake,
                &mut station,
                None,
                cancel,
                &mut announce,
            )
        }
    };
    drop(station);
    let _ = forward.join();
    Ok(started)
}

/// Passes the station's events on, in order, and a tick once a second, until every sender
/// of the station's channel is gone.
fn forwarder(rx: crossbeam_channel::Receiver<BatchEvent>, rep: Reporter) -> JoinHandle<()> {
    std::thread::spawn(move || {
        loop {
            match rx.recv_timeout(Duration::from_secs(1)) {
                Ok(event) => {
                    let event = Box::new(event);
                    rep.send(|id, at| BatchReport::Event { id, at, event });
                }
                Err(crossbeam_channel::RecvTimeoutError::Timeout) => {
                    rep.send(|id, at| BatchReport::Tick { id, at });
                }
                Err(crossbeam_channel::RecvTimeoutError::Disconnected) => return,
            }
        }
    })
}

/// An image file target: its own slot (its path), written as `flash` writes a file.
pub fn file_job(number: u32, path: &Path) -> CardJob {
    let path = crate::ui::flash::jobs::expand(path);
    CardJob {
        number,
        slot: path.display().to_string(),
        target: TargetSpec {
            path,
            device: false,
            expect: None,
            file_mode: FileMode::Replace,
            force_unsafe: None,
        },
        reader_model: String::new(),
        reader_serial: String::new(),
        card_size: 0,
        identity: String::new(),
        post: Vec::new(),
    }
}

/// The workspace's build as one card image (format and install of the stack's layout, as
/// `skiff image build`), in a private directory under `work`.
fn build_image(
    ctx: &RunContext,
    work: &Path,
    env: &Environment,
    progress: &mut dyn FnMut(FlashEvent),
    cancel: &CancelToken,
) -> Result<(tempfile::TempDir, PathBuf), FlashError> {
    let dir = tempfile::Builder::new()
        .prefix(".skiff-batch-build-")
        .tempdir_in(work)
        .map_err(|e| FlashError::io(work, "create a work directory", e))?;
    let path = dir.path().join("card.img");
    let req = CardJobRequest {
        stack: ctx.req.stack.joined(),
        layers: ctx.layers.clone(),
        workspace: ctx.workspace.clone(),
        images: None,
        arch: None,
        mode: CardMode::Build,
        size: None,
        verify: false,
    };
    let target = Target::File(ImageFile {
        path: path.clone(),
        existing_size: None,
    });
    let spec = TargetSpec {
        path: path.clone(),
        device: false,
        expect: None,
        file_mode: FileMode::Replace,
        force_unsafe: None,
    };
    let job = plan_card(&req, &target, spec, &SystemTools, progress)?;
    crate::flash::execute::execute(&job.plan, env, &mut |e| progress(e), cancel)?;
    Ok((dir, path))
}

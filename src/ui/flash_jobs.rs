//! The effect side of the flash screen: device discovery, target and image look-ups, the
//! stack's layout, and writes, each write on a thread of its own streaming engine events into
//! the app's channel. Devices are written only through the privileged helper.

use super::msg::{Msg, WorkerEvent};
use crate::flash::bmap::find_beside;
use crate::flash::card::{
    CardMode, CardRequest, SystemTools, arch_from_config, assemble, flash_plan, read_head,
};
use crate::flash::engine::EngineConfig;
use crate::flash::event::{FlashEvent, Phase};
use crate::flash::plan::PLAN_VERSION;
use crate::flash::source::PreparedSource;
use crate::flash::system::default_properties;
use crate::flash::target::resolve;
use crate::flash::writer::escalation;
use crate::flash::{
    BlockDevice, CancelToken, DeviceIdentity, Environment, FileMode, FlashError, FlashPlan, Helper,
    InProcess, QuietHelper, SourceSpec, Summary, SystemView, Target, TargetSpec, Writer,
};
use crate::model::layout::Layout;
use crate::model::{Catalog, ResolvedStack, Tree};
use crossbeam_channel::Sender;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// What the flash screen asks of the effects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FlashCmd {
    /// List the whole disks with their verdicts, and how a device write gets root.
    ListDevices,
    /// Resolve a path the user typed: an image file (existing or new) or a device node.
    Resolve(PathBuf),
    /// The layout of the stack: the one of the last layer of the chain that has one.
    LoadLayout(ResolvedStack),
    /// Measure an image to write (size, compression, block map beside it).
    InspectImage(PathBuf),
    /// Plan and run a write. Only a confirmation produces this.
    Start(Box<FlashRequest>),
    /// Stop the write with this id between blocks.
    Cancel { id: u64 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlashAction {
    Format,
    Install,
    WriteImage,
}

impl FlashAction {
    pub fn verb(self) -> &'static str {
        match self {
            FlashAction::Format => "format",
            FlashAction::Install => "install",
            FlashAction::WriteImage => "write",
        }
    }
}

/// A write the user confirmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlashRequest {
    pub id: u64,
    pub action: FlashAction,
    /// The target as chosen: a device node or an image file.
    pub target: PathBuf,
    pub device: bool,
    /// The device as shown in the confirmation; a different card in the slot is refused.
    pub expect: Option<DeviceIdentity>,
    /// The device name typed back to override a refusal that may be overridden.
    pub force_unsafe: Option<String>,
    /// The image to write (write image only).
    pub image: Option<PathBuf>,
    pub workspace: String,
    pub stack: ResolvedStack,
}

/// The layout a stack uses and the layer it comes from.
#[derive(Debug, Clone)]
pub struct FoundLayout {
    pub layer: String,
    pub layout: Box<Layout>,
}

/// What an image to write holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageInfo {
    pub path: PathBuf,
    /// Bytes it spans on the target, when known before writing.
    pub size: Option<u64>,
    pub compression: &'static str,
    pub bmap: Option<PathBuf>,
}

/// Why a write ended without success.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub error: String,
    pub exit_code: i32,
    pub cancelled: bool,
}

/// Results of flash effects, and the events of a running write.
#[derive(Debug)]
pub enum FlashReport {
    Devices {
        result: Result<Vec<BlockDevice>, String>,
        /// The command that gives the helper root (empty when root), or why there is none.
        escalation: Result<Vec<String>, String>,
    },
    Resolved {
        path: PathBuf,
        result: Result<Target, String>,
    },
    Layout {
        stack: String,
        result: Result<Option<FoundLayout>, String>,
    },
    Image {
        path: PathBuf,
        result: Result<ImageInfo, String>,
    },
    Event {
        id: u64,
        event: FlashEvent,
    },
    Finished {
        id: u64,
        result: Result<Summary, Failure>,
    },
}

fn report(r: FlashReport) -> WorkerEvent {
    WorkerEvent::Flash(Box::new(r))
}

struct Job {
    id: u64,
    cancel: CancelToken,
    thread: JoinHandle<()>,
}

/// Writes started from the TUI (one at a time) and how devices are reached.
pub struct FlashJobs {
    /// Where devices are discovered and re-checked (`SKIFF_SYSROOT` or the host).
    pub view: SystemView,
    /// The program run as `__flash-helper` (default: this executable).
    pub helper_program: Option<PathBuf>,
    /// The escalation command (default: pkexec, sudo or doas, never prompting on the terminal).
    pub escalation: Option<Vec<String>>,
    sink: Mutex<Option<Sender<Msg>>>,
    job: Mutex<Option<Job>>,
}

impl Default for FlashJobs {
    fn default() -> FlashJobs {
        FlashJobs::new(SystemView::from_env())
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The tool's file name: `/usr/bin/sudo` → `sudo`.
fn tool(path: &str) -> String {
    Path::new(path)
        .file_name()
        .map_or(path.to_string(), |n| n.to_string_lossy().into_owned())
}

/// Escalation for a full-screen app: the TUI owns the terminal, so sudo and doas must not
/// prompt there (`-n`), and pkexec may only use a graphical agent.
pub fn tui_escalation() -> Result<Vec<String>, FlashError> {
    let mut e = escalation()?;
    if let Some(first) = e.first() {
        match tool(first).as_str() {
            "sudo" | "doas" => e.push("-n".into()),
            "pkexec" => e.push("--disable-internal-agent".into()),
            _ => {}
        }
    }
    Ok(e)
}

/// `~/x` → `$HOME/x`; relative paths against the current directory.
fn expand(path: &Path) -> PathBuf {
    let text = path.to_string_lossy();
    let path = match (text.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => path.to_path_buf(),
    };
    std::path::absolute(&path).unwrap_or(path)
}

impl FlashJobs {
    pub fn new(view: SystemView) -> FlashJobs {
        FlashJobs {
            view,
            helper_program: None,
            escalation: None,
            sink: Mutex::new(None),
            job: Mutex::new(None),
        }
    }

    /// Where write events go: the app's message channel.
    pub fn set_sink(&self, tx: Sender<Msg>) {
        *lock(&self.sink) = Some(tx);
    }

    pub fn is_running(&self) -> bool {
        lock(&self.job)
            .as_ref()
            .is_some_and(|j| !j.thread.is_finished())
    }

    fn escalation(&self) -> Result<Vec<String>, String> {
        match &self.escalation {
            Some(e) => Ok(e.clone()),
            None => tui_escalation().map_err(|e| e.to_string()),
        }
    }

    /// Run one flash command; a write starts a thread and returns at once.
    pub fn perform(&self, cmd: &FlashCmd, tree: &Tree, catalog: &Catalog) -> WorkerEvent {
        let props = default_properties(&self.view);
        match cmd {
            FlashCmd::ListDevices => report(FlashReport::Devices {
                result: crate::flash::discover(&self.view, props.as_ref())
                    .map_err(|e| e.to_string()),
                escalation: self.escalation(),
            }),
            FlashCmd::Resolve(path) => report(FlashReport::Resolved {
                path: path.clone(),
                result: resolve(&self.view, props.as_ref(), &expand(path))
                    .map_err(|e| e.to_string()),
            }),
            FlashCmd::LoadLayout(stack) => report(FlashReport::Layout {
                stack: stack.joined(),
                result: find_layout(catalog, stack),
            }),
            FlashCmd::InspectImage(path) => report(FlashReport::Image {
                path: path.clone(),
                result: inspect(&expand(path)),
            }),
            FlashCmd::Start(req) => self.start(req, tree, catalog),
            FlashCmd::Cancel { id } => {
                let job = lock(&self.job);
                let message = match job.as_ref() {
                    Some(j) if j.id == *id && !j.thread.is_finished() => {
                        j.cancel.cancel();
                        "cancelling: the write stops after the block in flight"
                    }
                    _ => "this write is not running any more",
                };
                report(FlashReport::Event {
                    id: *id,
                    event: FlashEvent::Notice {
                        message: message.into(),
                    },
                })
            }
        }
    }

    fn start(&self, req: &FlashRequest, tree: &Tree, catalog: &Catalog) -> WorkerEvent {
        if self.is_running() {
            return report(FlashReport::Finished {
                id: req.id,
                result: Err(Failure {
                    error: "another write is running; wait for it or cancel it first".into(),
                    exit_code: 1,
                    cancelled: false,
                }),
            });
        }
        let sink = lock(&self.sink).clone();
        let cancel = CancelToken::new();
        let ctx = JobContext {
            req: req.clone(),
            tree: tree.clone(),
            layers: req
                .stack
                .layers
                .iter()
                .filter_map(|n| catalog.lookup(n).map(|l| (l.name.clone(), l.dir.clone())))
                .collect(),
            view: self.view.clone(),
            helper_program: self.helper_program.clone(),
            escalation: self.escalation(),
        };
        let (id, token) = (req.id, cancel.clone());
        let thread = std::thread::spawn(move || {
            let send = |r: FlashReport| {
                if let Some(tx) = &sink {
                    let _ = tx.send(Msg::Worker(report(r)));
                }
            };
            let result = run_job(&ctx, &token, &send);
            send(FlashReport::Finished { id, result });
        });
        *lock(&self.job) = Some(Job { id, cancel, thread });
        report(FlashReport::Event {
            id,
            event: FlashEvent::Notice {
                message: "planning the write".into(),
            },
        })
    }

    /// Cancel a running write and wait up to `timeout` for it to stop (when the app quits).
    pub fn shutdown(&self, timeout: Duration) {
        let Some(job) = lock(&self.job).take() else {
            return;
        };
        job.cancel.cancel();
        let deadline = Instant::now() + timeout;
        while !job.thread.is_finished() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        if job.thread.is_finished() {
            let _ = job.thread.join();
        }
    }
}

/// The layout of the last layer of the chain that has a layout.yaml.
fn find_layout(catalog: &Catalog, stack: &ResolvedStack) -> Result<Option<FoundLayout>, String> {
    for name in stack.layers.iter().rev() {
        let Some(layer) = catalog.lookup(name) else {
            continue;
        };
        if let Some(path) = Layout::file_of(&layer.dir) {
            return Layout::load(&path)
                .map(|layout| {
                    Some(FoundLayout {
                        layer: layer.name.clone(),
                        layout: Box::new(layout),
                    })
                })
                .map_err(|e| e.to_string());
        }
    }
    Ok(None)
}

fn inspect(path: &Path) -> Result<ImageInfo, String> {
    let bmap = find_beside(path);
    let source = PreparedSource::prepare(&SourceSpec::Image {
        path: path.to_path_buf(),
        bmap: bmap.clone(),
    })
    .map_err(|e| e.to_string())?;
    use crate::flash::source::Compression as C;
    Ok(ImageInfo {
        path: path.to_path_buf(),
        size: source.image_size,
        compression: match source.compression {
            C::None => "raw",
            C::Gzip => "gzip",
            C::Xz => "xz",
            C::Zstd => "zstd",
            C::Bzip2 => "bzip2",
        },
        bmap,
    })
}

/// What a write thread needs.
struct JobContext {
    req: FlashRequest,
    tree: Tree,
    /// The stack's layers (name, directory), in chain order.
    layers: Vec<(String, PathBuf)>,
    view: SystemView,
    helper_program: Option<PathBuf>,
    escalation: Result<Vec<String>, String>,
}

fn failure(e: &FlashError) -> Failure {
    Failure {
        error: e.to_string(),
        exit_code: e.exit_code(),
        cancelled: matches!(e, FlashError::Cancelled),
    }
}

/// Plan the write, then run it: image files in process, devices through the helper.
fn run_job(
    ctx: &JobContext,
    cancel: &CancelToken,
    send: &dyn Fn(FlashReport),
) -> Result<Summary, Failure> {
    let id = ctx.req.id;
    let mut sink = |event: FlashEvent| match event {
        // The outcome comes from the writer's result, once.
        FlashEvent::Done { .. } | FlashEvent::Failed { .. } => {}
        event => send(FlashReport::Event { id, event }),
    };
    // Kept until the write ends: file system images of format and install live in it.
    let mut work = None;
    let plan = plan(ctx, &mut work, &mut sink).map_err(|e| failure(&e))?;
    if cancel.is_cancelled() {
        return Err(failure(&FlashError::Cancelled));
    }
    let writer: Box<dyn Writer> = if plan.target.device {
        let escalation = ctx.escalation.clone().map_err(|error| Failure {
            error,
            exit_code: 3,
            cancelled: false,
        })?;
        let program = match &ctx.helper_program {
            Some(p) => p.clone(),
            None => std::env::current_exe().map_err(|e| {
                failure(&FlashError::io(
                    "/proc/self/exe",
                    "find skiff's own program",
                    e,
                ))
            })?,
        };
        Box::new(QuietHelper(Helper {
            program,
            escalation,
        }))
    } else {
        Box::new(InProcess {
            env: Environment {
                props: default_properties(&ctx.view),
                view: ctx.view.clone(),
                config: EngineConfig::default(),
                tools: Box::new(SystemTools),
            },
        })
    };
    let result = writer.run(&plan, &mut sink, cancel);
    drop(work);
    result.map_err(|e| {
        let mut f = failure(&e);
        if let (FlashError::Escalation { .. }, Ok(esc)) = (&e, &ctx.escalation)
            && esc.iter().any(|a| a == "-n")
        {
            f.error.push_str(&format!(
                " ({} cannot ask for a password inside the TUI: run `{} -v` in this terminal first, or use skiff format/install/flash from a shell)",
                tool(&esc[0]),
                tool(&esc[0])
            ));
        }
        if e.exit_code() == 130 {
            f.cancelled = true;
        }
        f
    })
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// The plan for a request, after checking the target is still the one the user chose.
fn plan(
    ctx: &JobContext,
    work: &mut Option<tempfile::TempDir>,
    sink: &mut dyn FnMut(FlashEvent),
) -> Result<FlashPlan, FlashError> {
    let req = &ctx.req;
    let props = default_properties(&ctx.view);
    let target = resolve(&ctx.view, props.as_ref(), &req.target)?;
    let (existing_len, path) = match &target {
        Target::Device(d) => {
            if !req.device || req.expect.as_ref().is_some_and(|x| *x != d.identity()) {
                return Err(FlashError::IdentityChanged {
                    device: d.name.clone(),
                    detail:
                        "the device is not the one confirmed; look again (r) and choose it anew"
                            .into(),
                });
            }
            (None, d.path.clone())
        }
        Target::File(f) => {
            if req.device {
                return Err(FlashError::Plan {
                    detail: format!(
                        "{} is no longer a block device; refresh the list (r)",
                        f.path.display()
                    ),
                });
            }
            (f.existing_size, absolute(&f.path))
        }
    };
    let file_mode = if existing_len.is_some() && req.action != FlashAction::WriteImage {
        FileMode::InPlace
    } else {
        FileMode::Replace
    };
    let spec = TargetSpec {
        path,
        device: req.device,
        expect: req.expect.clone(),
        file_mode,
        force_unsafe: req.force_unsafe.clone(),
    };
    if req.action == FlashAction::WriteImage {
        let image = absolute(req.image.as_deref().unwrap_or(Path::new("")));
        return Ok(FlashPlan {
            version: PLAN_VERSION,
            target: spec,
            source: SourceSpec::Image {
                bmap: find_beside(&image),
                path: image,
            },
            verify: true,
            wipe_ends: true,
            expect_partitions: Vec::new(),
            post: Vec::new(),
        });
    }
    card_plan(ctx, &target, existing_len, spec, work, sink)
}

/// Format and install: the layout assembled for this card into a plan.
fn card_plan(
    ctx: &JobContext,
    target: &Target,
    existing_len: Option<u64>,
    spec: TargetSpec,
    work: &mut Option<tempfile::TempDir>,
    sink: &mut dyn FnMut(FlashEvent),
) -> Result<FlashPlan, FlashError> {
    let req = &ctx.req;
    let dirs: Vec<&PathBuf> = ctx.layers.iter().map(|(_, d)| d).collect();
    let layout = Layout::for_chain(&dirs)
        .map_err(|e| FlashError::Layout {
            detail: e.to_string(),
        })?
        .ok_or_else(|| FlashError::Layout {
            detail: format!(
                "no layer of the stack {} has a layout.yaml",
                req.stack.joined()
            ),
        })?;
    let mode = match req.action {
        FlashAction::Install => CardMode::Install,
        _ => CardMode::Format,
    };
    let card_size = match (target, existing_len) {
        (Target::Device(d), _) => d.size,
        (Target::File(_), Some(len)) => len,
        (Target::File(f), None) if mode == CardMode::Install => {
            return Err(FlashError::Plan {
                detail: format!(
                    "{}: does not exist; install writes into a formatted card or image (format it first)",
                    f.path.display()
                ),
            });
        }
        (Target::File(_), None) => new_file_size(&layout),
    };
    let existing = if mode == CardMode::Install {
        read_head(&spec.path).and_then(|h| crate::flash::card::table::read(&h))
    } else {
        None
    };
    let ws = ctx.tree.workspace_dir(&req.workspace);
    let images = ws.join("images");
    let arch = arch_from_config(&ws.join(".config")).unwrap_or_default();
    let near = match target {
        Target::File(f) => f.path.parent().map(Path::to_path_buf),
        Target::Device(_) => Some(ws.clone()),
    }
    .filter(|d| d.is_dir())
    .unwrap_or_else(std::env::temp_dir);
    let dir = tempfile::Builder::new()
        .prefix(".skiff-card-")
        .tempdir_in(&near)
        .map_err(|e| FlashError::io(&near, "create a work directory", e))?;
    sink(FlashEvent::PhaseStarted {
        phase: Phase::Assemble,
        total: None,
    });
    let started = Instant::now();
    let card = assemble(
        &CardRequest {
            layout: &layout,
            card_size,
            images: &images,
            layers: &ctx
                .layers
                .iter()
                .map(|(_, d)| d.clone())
                .collect::<Vec<_>>(),
            arch: &arch,
            mode,
            work: dir.path(),
            existing,
        },
        &SystemTools,
    )?;
    let secs = started.elapsed().as_secs_f64();
    sink(FlashEvent::PhaseDone {
        phase: Phase::Assemble,
        bytes: card.segments.iter().map(|s| s.len()).sum(),
        secs,
        rate: 0.0,
    });
    for message in &card.warnings {
        sink(FlashEvent::Warning {
            message: message.clone(),
        });
    }
    *work = Some(dir);
    Ok(flash_plan(&card, spec, true))
}

/// Size of a new image file formatted from a layout: its `image_size`, else its smallest card.
pub fn new_file_size(layout: &Layout) -> u64 {
    layout
        .image_size
        .map(|s| s.0)
        .unwrap_or_else(|| layout.min_card_size().div_ceil(1 << 20) * (1 << 20))
}

//! The effect side of the flash screen: device discovery, target and image look-ups, the
//! stack's layout, and writes, each write on a thread of its own streaming engine events into
//! the app's channel. Devices are written only through the privileged helper.

use super::msg::{Msg, WorkerEvent};
use crate::flash::bmap::find_beside;
use crate::flash::event::{FlashEvent, Phase};
use crate::flash::reason::FailReason;
use crate::flash::source::PreparedSource;
use crate::flash::system::default_properties;
use crate::flash::target::resolve;
use crate::flash::writer::escalation;
use crate::flash::{
    BlockDevice, CancelToken, DeviceIdentity, FlashError, SourceSpec, Summary, SystemView, Target,
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

/// Why a write ended without success, typed until it is drawn: the message, the stable
/// reason code and the phase it failed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub error: String,
    pub exit_code: i32,
    pub reason: FailReason,
    pub phase: Phase,
}

impl Failure {
    /// The failure of `e`, raised while `phase` ran (a helper's error keeps the phase it sent).
    pub fn of(e: &FlashError, phase: Phase) -> Failure {
        match e.to_event(phase) {
            FlashEvent::Failed {
                message: error,
                exit_code,
                reason,
                phase,
            } => Failure {
                error,
                exit_code,
                reason,
                phase,
            },
            _ => Failure {
                error: e.to_string(),
                exit_code: e.exit_code(),
                reason: e.reason(),
                phase,
            },
        }
    }

    /// Stopped by the user rather than failed.
    pub fn cancelled(&self) -> bool {
        self.reason == FailReason::Cancelled
    }
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
pub(super) fn tool(path: &str) -> String {
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
                    reason: FailReason::BadPlan,
                    phase: Phase::Prepare,
                }),
            });
        }
        let sink = lock(&self.sink).clone();
        let cancel = CancelToken::new();
        let ctx = super::flash_write::JobContext {
            req: req.clone(),
            tree: tree.clone(),
            layers: stack_layers(catalog, &req.stack),
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
            let result = super::flash_write::run_job(&ctx, &token, &send);
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

/// The stack's layers (name, directory), in chain order.
fn stack_layers(catalog: &Catalog, stack: &ResolvedStack) -> Vec<(String, PathBuf)> {
    stack
        .layers
        .iter()
        .filter_map(|n| catalog.lookup(n).map(|l| (l.name.clone(), l.dir.clone())))
        .collect()
}

/// The card-job planner's request for a format or install confirmed on the flash screen
/// (what a write thread plans with; public so tests can compare it with the CLI's).
pub fn card_job_request(
    tree: &Tree,
    catalog: &Catalog,
    req: &FlashRequest,
) -> crate::flash::job::CardJobRequest {
    let layers: Vec<PathBuf> = stack_layers(catalog, &req.stack)
        .into_iter()
        .map(|(_, d)| d)
        .collect();
    super::flash_write::job_request(tree, &layers, req)
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
        member: None,
        raw: false,
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
            C::Zip => "zip",
        },
        bmap,
    })
}

//! The effect side of the flash screen: device discovery, target and image look-ups, the
//! stack's layout, and writes, each write on a thread of its own streaming engine events into
//! the app's channel. Devices are written only through the privileged helper.

use super::write::tool;
use crate::flash::bmap::find_beside;
use crate::flash::card::CardMode;
use crate::flash::event::{FlashEvent, Phase};
use crate::flash::job::missing_inputs;
use crate::flash::reason::FailReason;
use crate::flash::source::PreparedSource;
use crate::flash::system::default_properties;
use crate::flash::target::resolve;
use crate::flash::writer::escalation;
use crate::flash::{CancelToken, FlashError, SourceSpec, SystemView};
use crate::model::layout::Layout;
use crate::model::{Catalog, ResolvedStack, Tree};
use crate::ui::job_slot::JobSlot;
use crate::ui::msg::{Msg, WorkerEvent};
use crossbeam_channel::Sender;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use super::types::*;

fn report(r: FlashReport) -> WorkerEvent {
    WorkerEvent::Flash(Box::new(r))
}

/// Writes started from the TUI (one at a time) and how devices are reached.
pub struct FlashJobs {
    /// Where devices are discovered and re-checked (`SKIFF_SYSROOT` or the host).
    pub view: SystemView,
    /// The program run as `__flash-helper` (default: this executable).
    pub helper_program: Option<PathBuf>,
    /// The escalation command (default: pkexec, sudo or doas, never prompting on the terminal).
    pub escalation: Option<Vec<String>>,
    slot: JobSlot,
}

impl Default for FlashJobs {
    fn default() -> FlashJobs {
        FlashJobs::new(SystemView::from_env())
    }
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
pub fn expand(path: &Path) -> PathBuf {
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
            slot: JobSlot::default(),
        }
    }

    /// Where write events go: the app's message channel.
    pub fn set_sink(&self, tx: Sender<Msg>) {
        self.slot.set_sink(tx);
    }

    pub fn is_running(&self) -> bool {
        self.slot.is_running()
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
            FlashCmd::CheckInputs { workspace, stack } => report(FlashReport::Inputs(
                check_inputs(tree, catalog, workspace, stack),
            )),
            FlashCmd::Complete(typed) => report(FlashReport::Completions {
                typed: typed.clone(),
                candidates: crate::ui::text_input::path_candidates(
                    typed,
                    std::env::var_os("HOME").map(PathBuf::from).as_deref(),
                ),
            }),
            FlashCmd::Start(req) => self.start(req, tree, catalog),
            FlashCmd::Cancel { id } => {
                let message = if self.slot.cancel(*id) {
                    "cancelling: the write stops after the block in flight"
                } else {
                    "this write is not running any more"
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
        let sink = self.slot.sink();
        let send = move |r: FlashReport| {
            if let Some(tx) = &sink {
                let _ = tx.send(Msg::Worker(report(r)));
            }
        };
        let cancel = CancelToken::new();
        let ctx = super::write::JobContext {
            req: req.clone(),
            tree: tree.clone(),
            layers: stack_layers(catalog, &req.stack),
            view: self.view.clone(),
            helper_program: self.helper_program.clone(),
            escalation: self.escalation(),
        };
        let (id, token, last) = (req.id, cancel.clone(), send.clone());
        self.slot.start(
            id,
            cancel,
            move || super::write::run_job(&ctx, &token, &send),
            move |result| last(FlashReport::Finished { id, result }),
        );
        report(FlashReport::Event {
            id,
            event: FlashEvent::Notice {
                message: "planning the write".into(),
            },
        })
    }

    /// Cancel a running write and wait up to `timeout` for it to stop (when the app quits).
    pub fn shutdown(&self, timeout: Duration) {
        self.slot.shutdown(timeout);
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
    super::write::job_request(tree, &layers, req)
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

/// What format and install of the stack's layout lack in the workspace's images/.
fn check_inputs(
    tree: &Tree,
    catalog: &Catalog,
    workspace: &str,
    stack: &ResolvedStack,
) -> BuildInputs {
    let images = std::path::absolute(tree.workspace_dir(workspace).join("images"))
        .unwrap_or_else(|_| tree.workspace_dir(workspace).join("images"));
    let layout = find_layout(catalog, stack).ok().flatten();
    let check = |mode| {
        layout
            .as_ref()
            .filter(|f| f.layout.has_card())
            .and_then(|f| missing_inputs(&f.layout, &images, mode))
    };
    BuildInputs {
        workspace: workspace.to_string(),
        stack: stack.joined(),
        format: check(CardMode::Format),
        install: check(CardMode::Install),
        images,
    }
}

/// What an image file holds, recognised as `flash` does (also the batch screen's source).
pub fn inspect(path: &Path) -> Result<ImageInfo, String> {
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

//! The effect side of the push screen: readiness of the build, the remembered host (a file in
//! the settings directory), and pushes, each on a thread of its own streaming engine events
//! into the app's channel.

use super::types::{PushCmd, PushMode, PushReport, Readiness, ready_key};
use crate::flash::CancelToken;
use crate::model::{Catalog, ResolvedStack, Tree};
use crate::push::engine::Build;
use crate::push::{PushError, PushEvent, PushRequest};
use crate::ui::job_slot::JobSlot;
use crate::ui::msg::{Msg, WorkerEvent};
use crossbeam_channel::Sender;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// File of the settings directory that holds the last host pushed to.
pub const HOST_FILE: &str = "push.conf";

fn report(r: PushReport) -> WorkerEvent {
    WorkerEvent::Push(Box::new(r))
}

/// Pushes started from the TUI (one at a time) and how devices are reached.
pub struct PushJobs {
    /// Everything but the destination: port, key and `-o` options (empty: ~/.ssh/config
    /// decides), device directories and commands. Tests point it at their sshd.
    pub template: PushRequest,
    /// Where the last host is remembered (`None`: not remembered).
    pub settings_dir: Option<PathBuf>,
    slot: JobSlot,
}

impl Default for PushJobs {
    fn default() -> PushJobs {
        PushJobs::new(PushRequest::new(Default::default()), None)
    }
}

/// The host in `push.conf` (`host = USER@HOST`).
pub fn parse_host(text: &str) -> Option<String> {
    text.lines()
        .filter_map(|l| l.split_once('='))
        .find(|(k, _)| k.trim() == "host")
        .map(|(_, v)| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// Writes `push.conf` through a temporary file and a rename.
pub fn save_host(dir: &Path, host: &str) -> Result<(), String> {
    let path = dir.join(HOST_FILE);
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let text = format!("# the last host skiff's push screen pushed to\nhost = {host}\n");
    crate::model::files::write_atomic(&path, text.as_bytes())
        .map_err(|e| format!("{}: {e}", path.display()))
}

impl PushJobs {
    pub fn new(template: PushRequest, settings_dir: Option<PathBuf>) -> PushJobs {
        PushJobs {
            template,
            settings_dir,
            slot: JobSlot::default(),
        }
    }

    /// Where push events go: the app's message channel.
    pub fn set_sink(&self, tx: Sender<Msg>) {
        self.slot.set_sink(tx);
    }

    pub fn is_running(&self) -> bool {
        self.slot.is_running()
    }

    /// Run one push command; a push starts a thread and returns at once.
    pub fn perform(&self, cmd: &PushCmd, tree: &Tree, catalog: &Catalog) -> WorkerEvent {
        match cmd {
            PushCmd::LoadHost => report(PushReport::Host(
                self.settings_dir
                    .as_ref()
                    .and_then(|d| std::fs::read_to_string(d.join(HOST_FILE)).ok())
                    .and_then(|t| parse_host(&t)),
            )),
            PushCmd::Check { workspace, stack } => report(PushReport::Ready {
                key: ready_key(workspace, stack),
                result: readiness(tree, catalog, workspace, stack, &self.template),
            }),
            PushCmd::Start {
                id,
                mode,
                host,
                workspace,
                stack,
            } => self.start(*id, *mode, host, build_for(tree, catalog, workspace, stack)),
            PushCmd::Cancel { id } => {
                let message = if self.slot.cancel(*id) {
                    "cancelling: the device keeps its previous files"
                } else {
                    "this push is not running any more"
                };
                report(PushReport::Event {
                    id: *id,
                    event: PushEvent::Notice {
                        message: message.into(),
                    },
                })
            }
        }
    }

    fn start(
        &self,
        id: u64,
        mode: PushMode,
        host: &str,
        build: Result<Build, PushError>,
    ) -> WorkerEvent {
        let finished = |result| report(PushReport::Finished { id, result });
        if self.is_running() {
            return finished(Err(PushError::new(
                crate::push::FailReason::Usage,
                crate::push::PushPhase::Plan,
                "another push is running; wait for it or cancel it first",
            )));
        }
        let mut req = self.template.clone();
        req.target.destination = host.to_string();
        req.dry_run = mode == PushMode::Preview;
        req.cancel = CancelToken::new();
        let mut warning = None;
        if let Some(dir) = &self.settings_dir
            && let Err(e) = save_host(dir, host)
        {
            warning = Some(format!("the host is not remembered: {e}"));
        }
        let sink = self.slot.sink();
        let send = move |r: PushReport| {
            if let Some(tx) = &sink {
                let _ = tx.send(Msg::Worker(report(r)));
            }
        };
        let (cancel, last) = (req.cancel.clone(), send.clone());
        self.slot.start(
            id,
            cancel,
            move || {
                let mut events = |event: PushEvent| send(PushReport::Event { id, event });
                if let Some(message) = warning {
                    events(PushEvent::Warning { message });
                }
                match mode {
                    PushMode::Rollback => crate::push::rollback(&req, &mut events),
                    _ => build.and_then(|b| crate::push::push(&req, &b, &mut events)),
                }
            },
            move |result| last(PushReport::Finished { id, result }),
        );
        report(PushReport::Event {
            id,
            event: PushEvent::Started {
                target: host.to_string(),
                rollback: mode == PushMode::Rollback,
            },
        })
    }

    /// Cancel a running push and wait up to `timeout` for it to stop (when the app quits).
    pub fn shutdown(&self, timeout: Duration) {
        self.slot.shutdown(timeout);
    }
}

/// The build of the workspace for the stack (the same as `skiff push` finds).
fn build_for(
    tree: &Tree,
    catalog: &Catalog,
    workspace: &str,
    stack: &ResolvedStack,
) -> Result<Build, PushError> {
    let layers: Vec<PathBuf> = stack
        .layers
        .iter()
        .filter_map(|n| catalog.lookup(n).map(|l| l.dir.clone()))
        .collect();
    crate::push::workspace::build_of(
        &layers,
        &stack.joined(),
        &tree.workspace_dir(workspace),
        None,
        None,
    )
}

/// What would be pushed, without connecting: the files the layout maps and their size.
fn readiness(
    tree: &Tree,
    catalog: &Catalog,
    workspace: &str,
    stack: &ResolvedStack,
    template: &PushRequest,
) -> Result<Readiness, String> {
    // Paths of the tree print relative to it (the screen names the workspace already).
    let root = format!("{}/", tree.root.display());
    let relative = |e: PushError| e.message.replace(&root, "");
    let build = build_for(tree, catalog, workspace, stack).map_err(relative)?;
    let sel = crate::push::plan::select(&build.layout, &build.images, &template.dirs)
        .map_err(relative)?;
    Ok(Readiness {
        files: sel.files.len(),
        bytes: sel.files.iter().map(|f| f.size).sum(),
        images: build
            .images
            .strip_prefix(&tree.root)
            .unwrap_or(&build.images)
            .display()
            .to_string(),
    })
}

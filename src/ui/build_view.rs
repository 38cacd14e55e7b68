//! What the TUI knows about builds: one entry per workspace built this session, fed by
//! the runner's events (log, progress, outcome).

use super::log_pane::LogPane;
use crate::build::{BuildEvent, Outcome, Progress, Status};
use std::path::PathBuf;

/// One workspace's build as the build screen shows it.
#[derive(Debug, Clone)]
pub struct BuildView {
    pub workspace: String,
    pub stack: String,
    pub log: LogPane,
    pub progress: Progress,
    /// What happens before make runs (configure, build order), until make starts.
    pub phase: Option<String>,
    pub log_path: Option<PathBuf>,
    pub outcome: Option<Outcome>,
    /// A cancel was confirmed and sent; make has not ended yet.
    pub cancelling: bool,
}

impl BuildView {
    pub fn new(workspace: &str, stack: &str) -> BuildView {
        BuildView {
            workspace: workspace.to_string(),
            stack: stack.to_string(),
            log: LogPane::default(),
            progress: Progress::default(),
            phase: Some("preparing the workspace".into()),
            log_path: None,
            outcome: None,
            cancelling: false,
        }
    }

    pub fn running(&self) -> bool {
        self.outcome.is_none()
    }

    /// Apply one event of the runner.
    pub fn apply(&mut self, ev: BuildEvent) {
        match ev {
            BuildEvent::Started { log, .. } => {
                self.phase = None;
                self.log_path = Some(log);
            }
            BuildEvent::Phase { message } => {
                self.log.push(format!("\x1b[2m# skiff: {message}\x1b[0m"));
                if self.log_path.is_none() {
                    self.phase = Some(message);
                }
            }
            BuildEvent::Output { line } => self.log.push(line),
            BuildEvent::Progress(p) => self.progress = p,
            BuildEvent::Finished(o) => {
                self.phase = None;
                self.cancelling = false;
                self.progress = o.progress.clone();
                if !o.log.as_os_str().is_empty() {
                    self.log_path = Some(o.log.clone());
                }
                self.outcome = Some(o);
            }
        }
    }
}

/// Every build of the session, in the order they were started, and the one on screen.
#[derive(Debug, Clone, Default)]
pub struct Builds {
    pub views: Vec<BuildView>,
    pub active: usize,
    /// A confirmation the build screen wants opened (start, cancel); the app opens it.
    pub confirm: Option<super::overlay::Confirm>,
}

impl Builds {
    /// A new build of `ws` replaces its previous entry and comes on screen.
    pub fn begin(&mut self, ws: &str, stack: &str) {
        let view = BuildView::new(ws, stack);
        match self.views.iter().position(|v| v.workspace == ws) {
            Some(i) => {
                self.views[i] = view;
                self.active = i;
            }
            None => {
                self.views.push(view);
                self.active = self.views.len() - 1;
            }
        }
    }

    /// Route an event to its workspace's entry (creating one for a build started elsewhere).
    /// Returns the outcome when this event ended the build.
    pub fn apply(&mut self, ws: &str, ev: BuildEvent) -> Option<Outcome> {
        let i = match self.views.iter().position(|v| v.workspace == ws) {
            Some(i) => i,
            None => {
                self.views.push(BuildView::new(ws, ""));
                self.views.len() - 1
            }
        };
        let done = match &ev {
            BuildEvent::Finished(o) => Some(o.clone()),
            _ => None,
        };
        self.views[i].apply(ev);
        done
    }

    pub fn get(&self, ws: &str) -> Option<&BuildView> {
        self.views.iter().find(|v| v.workspace == ws)
    }

    pub fn get_mut(&mut self, ws: &str) -> Option<&mut BuildView> {
        self.views.iter_mut().find(|v| v.workspace == ws)
    }

    pub fn current(&self) -> Option<&BuildView> {
        self.views.get(self.active)
    }

    pub fn current_mut(&mut self) -> Option<&mut BuildView> {
        self.views.get_mut(self.active)
    }

    /// Workspaces with a build in progress.
    pub fn running(&self) -> Vec<&str> {
        self.views
            .iter()
            .filter(|v| v.running())
            .map(|v| v.workspace.as_str())
            .collect()
    }

    /// Show the next (or previous) build.
    pub fn cycle(&mut self, forward: bool) {
        let n = self.views.len();
        if n > 0 {
            self.active = if forward {
                (self.active + 1) % n
            } else {
                (self.active + n - 1) % n
            };
        }
    }
}

/// A short label for a build's state: `running`, `✓ done`, `✗ failed`, `cancelled`.
pub fn state_label(v: &BuildView) -> &'static str {
    match v.outcome.as_ref().map(|o| o.status) {
        None if v.cancelling => "cancelling",
        None => "running",
        Some(Status::Succeeded) => "✓ done",
        Some(Status::Failed) => "✗ failed",
        Some(Status::Cancelled) => "cancelled",
    }
}

//! Data every screen reads: the catalog, the stack being composed, the merge preview,
//! workspaces, loaded layer contents, settings and the status line.

use super::analysis::{StackAnalysis, analyze};
use super::keymap::Keymap;
use super::msg::{Cmd, PreviewData};
pub use super::overlay::Ask;
use super::theme::Theme;
use crate::model::Catalog;
use crate::model::contents::LayerContents;
use crate::model::workspace::WorkspaceInfo;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

/// How many messages the history (`m`) keeps.
pub const HISTORY: usize = 50;

/// How far back undo goes.
const UNDO_DEPTH: usize = 200;

/// Severity of the status line message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusLevel {
    Info,
    Ok,
    Warning,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub level: StatusLevel,
    pub text: String,
}

/// What going from stack `from` to stack `to` does, for undo and redo messages:
/// "pi/4 back", "core/fedora removed", or the whole new stack for a reorder or a switch.
fn change_text(to: &[String], from: &[String]) -> String {
    let added: Vec<&str> = to
        .iter()
        .filter(|l| !from.contains(l))
        .map(|s| s.as_str())
        .collect();
    let removed: Vec<&str> = from
        .iter()
        .filter(|l| !to.contains(l))
        .map(|s| s.as_str())
        .collect();
    match (added.as_slice(), removed.as_slice()) {
        ([], []) => format!("order now {}", to.join(",")),
        (a, []) => format!("{} back in the stack", a.join(", ")),
        ([], r) => format!("{} out of the stack", r.join(", ")),
        _ => format!(
            "stack now {}",
            if to.is_empty() {
                "(empty)".to_string()
            } else {
                to.join(",")
            }
        ),
    }
}

/// One step of the path from board to card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// `✓`
    Done,
    /// `✗`
    Missing,
    /// `—`: nothing tried yet.
    NotYet,
}

impl Step {
    pub fn mark(self) -> &'static str {
        match self {
            Step::Done => "✓",
            Step::Missing => "✗",
            Step::NotYet => "—",
        }
    }
}

/// The stack as typed, its analysis, and the edit history.
#[derive(Debug, Clone, Default)]
pub struct StackEdit {
    pub typed: Vec<String>,
    pub analysis: StackAnalysis,
    undo: Vec<Vec<String>>,
    redo: Vec<Vec<String>>,
}

impl StackEdit {
    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }
    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }
}

/// The merged configuration of the current stack, as last computed by a worker.
#[derive(Debug, Clone, Default)]
pub struct PreviewState {
    /// Bumped on every stack or workspace change; older merge results are dropped.
    pub generation: u64,
    pub data: Option<Box<PreviewData>>,
    pub error: Option<String>,
    pub pending: bool,
}

/// State shared by all screens.
pub struct Shared {
    pub catalog: Arc<Catalog>,
    /// Tree root, to show paths relative to it.
    pub root: PathBuf,
    pub keymap: Keymap,
    pub theme: Theme,
    pub workspace: String,
    pub stack: StackEdit,
    pub preview: PreviewState,
    /// None until the first listing arrives.
    pub workspaces: Option<Vec<WorkspaceInfo>>,
    pub contents: HashMap<String, LayerContents>,
    pub status: Option<Status>,
    /// The last `HISTORY` messages, oldest first.
    pub history: std::collections::VecDeque<Status>,
    /// Seconds since the epoch, from the last workspace listing.
    pub now: u64,
    /// A configure is running.
    pub saving: bool,
    /// The last fingerprint of the workspaces on disk (`Cmd::Stamp`).
    pub stamp: Option<u64>,
    /// Set by a screen to have the app open a modal after the update.
    pub ask: Option<Ask>,
    /// Builds started this session, one per workspace.
    pub builds: super::build_view::Builds,
    /// Targets, layout and the write of the flash screen.
    pub flash: super::flash::state::FlashState,
    /// The push screen.
    pub push: super::push::state::PushState,
    /// The skiff-core editor of the Stack screen.
    pub core: super::core_edit::CoreState,
    /// The first-run guide is on (the app opened with an empty stack); esc on the Layers
    /// screen or the help leaves it.
    pub guide: bool,
    /// Source, targets and the running batch of the batch screen.
    pub batch: super::batch::state::BatchState,
}

impl Shared {
    pub fn new(
        catalog: Arc<Catalog>,
        root: PathBuf,
        workspace: String,
        typed: Vec<String>,
    ) -> Shared {
        let analysis = analyze(&catalog, &typed, &root);
        let guide = typed.is_empty();
        Shared {
            catalog,
            root,
            keymap: Keymap::defaults(),
            theme: Theme::defaults(),
            workspace,
            stack: StackEdit {
                typed,
                analysis,
                ..Default::default()
            },
            preview: PreviewState::default(),
            workspaces: None,
            contents: HashMap::new(),
            status: None,
            history: Default::default(),
            now: 0,
            saving: false,
            stamp: None,
            ask: None,
            builds: Default::default(),
            flash: Default::default(),
            push: Default::default(),
            core: Default::default(),
            guide,
            batch: Default::default(),
        }
    }

    /// Replace the typed stack (recording undo) and ask for a new merge.
    pub fn set_stack(&mut self, typed: Vec<String>) -> Vec<Cmd> {
        if typed == self.stack.typed {
            return Vec::new();
        }
        let old = std::mem::replace(&mut self.stack.typed, typed);
        self.stack.undo.push(old);
        if self.stack.undo.len() > UNDO_DEPTH {
            self.stack.undo.remove(0);
        }
        self.stack.redo.clear();
        self.reanalyze()
    }

    pub fn undo(&mut self) -> Vec<Cmd> {
        let Some(prev) = self.stack.undo.pop() else {
            self.set_status(StatusLevel::Info, "nothing to undo");
            return Vec::new();
        };
        let text = format!(
            "undid a stack change: {}",
            change_text(&prev, &self.stack.typed)
        );
        let cur = std::mem::replace(&mut self.stack.typed, prev);
        self.stack.redo.push(cur);
        self.set_status(StatusLevel::Info, text);
        self.reanalyze()
    }

    pub fn redo(&mut self) -> Vec<Cmd> {
        let Some(next) = self.stack.redo.pop() else {
            self.set_status(StatusLevel::Info, "nothing to redo");
            return Vec::new();
        };
        let text = format!(
            "redid a stack change: {}",
            change_text(&next, &self.stack.typed)
        );
        let cur = std::mem::replace(&mut self.stack.typed, next);
        self.stack.undo.push(cur);
        self.set_status(StatusLevel::Info, text);
        self.reanalyze()
    }

    fn reanalyze(&mut self) -> Vec<Cmd> {
        self.stack.analysis = analyze(&self.catalog, &self.stack.typed, &self.root);
        self.merge_cmd()
    }

    /// A merge of the current stack for the preview (nothing to merge: the preview empties).
    pub fn merge_cmd(&mut self) -> Vec<Cmd> {
        self.preview.generation += 1;
        self.preview.error = None;
        match &self.stack.analysis.resolved {
            Some(r) if !r.layers.is_empty() => {
                self.preview.pending = true;
                vec![Cmd::Merge {
                    generation: self.preview.generation,
                    workspace: self.workspace.clone(),
                    stack: r.clone(),
                }]
            }
            _ => {
                self.preview.pending = false;
                self.preview.data = None;
                Vec::new()
            }
        }
    }

    pub fn set_status(&mut self, level: StatusLevel, text: impl Into<String>) {
        let status = Status {
            level,
            text: text.into(),
        };
        if self.history.len() == HISTORY {
            self.history.pop_front();
        }
        self.history.push_back(status.clone());
        self.status = Some(status);
    }

    /// `text` with the tree root written as `<tree>`, so paths in values fit on screen.
    pub fn short(&self, text: &str) -> String {
        let r = self.root.display().to_string();
        if r.len() < 2 {
            return text.to_string();
        }
        text.replace(&r, "<tree>")
    }

    /// The stack the current workspace was last configured with.
    pub fn configured_stack(&self) -> Option<&str> {
        self.workspaces
            .as_ref()?
            .iter()
            .find(|w| w.name == self.workspace)?
            .stack
            .as_deref()
    }

    /// True when the resolved stack differs from the workspace's last configure.
    pub fn unsaved(&self) -> bool {
        let now = self
            .stack
            .analysis
            .resolved
            .as_ref()
            .map(|r| r.joined())
            .unwrap_or_default();
        self.configured_stack().unwrap_or("") != now
    }

    /// The steps from board to card, for the status strip of the tab bar: whether the typed
    /// stack has a board and a distribution, the workspace is saved with it, built, and a
    /// card or image was written this session from this workspace.
    pub fn progress(&self) -> [(&'static str, Step); 5] {
        use crate::model::board::is_board;
        let typed = &self.stack.typed;
        let yes = |b: bool| if b { Step::Done } else { Step::Missing };
        let board = typed.iter().any(|l| is_board(l));
        let distro = typed
            .iter()
            .any(|l| l.starts_with("core/") || l == "skiff/core");
        let info = self
            .workspaces
            .as_ref()
            .and_then(|ws| ws.iter().find(|w| w.name == self.workspace));
        let saved = info.is_some_and(|w| w.configured_at.is_some()) && !self.unsaved();
        let built = info.is_some_and(|w| w.has_images);
        let card = match self
            .flash
            .run_of(&self.workspace)
            .and_then(|r| r.outcome.as_ref())
        {
            Some(Ok(_)) => Step::Done,
            Some(Err(_)) => Step::Missing,
            None => Step::NotYet,
        };
        [
            ("board", yes(board)),
            ("distro", yes(distro)),
            ("saved", yes(saved)),
            ("built", yes(built)),
            ("card", card),
        ]
    }

    /// Where a layer stands in the stack: typed position, or the layer that pulled it in.
    pub fn stack_role(&self, name: &str) -> Option<StackRole> {
        if let Some(i) = self
            .stack
            .typed
            .iter()
            .position(|t| t.eq_ignore_ascii_case(name))
        {
            return Some(StackRole::Typed(i));
        }
        let r = self.stack.analysis.resolved.as_ref()?;
        r.inserted
            .iter()
            .find(|(d, _)| d == name)
            .map(|(_, by)| StackRole::Inserted(by.clone()))
    }
}

/// A layer's place in the stack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StackRole {
    Typed(usize),
    Inserted(String),
}

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
    /// Seconds since the epoch, from the last workspace listing.
    pub now: u64,
    /// A configure is running.
    pub saving: bool,
    /// Set by a screen to have the app open a modal after the update.
    pub ask: Option<Ask>,
    /// Builds started this session, one per workspace.
    pub builds: super::build_view::Builds,
    /// Targets, layout and the write of the flash screen.
    pub flash: super::flash::state::FlashState,
}

impl Shared {
    pub fn new(
        catalog: Arc<Catalog>,
        root: PathBuf,
        workspace: String,
        typed: Vec<String>,
    ) -> Shared {
        let analysis = analyze(&catalog, &typed, &root);
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
            now: 0,
            saving: false,
            ask: None,
            builds: Default::default(),
            flash: Default::default(),
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
        let cur = std::mem::replace(&mut self.stack.typed, prev);
        self.stack.redo.push(cur);
        self.set_status(StatusLevel::Info, "undone");
        self.reanalyze()
    }

    pub fn redo(&mut self) -> Vec<Cmd> {
        let Some(next) = self.stack.redo.pop() else {
            self.set_status(StatusLevel::Info, "nothing to redo");
            return Vec::new();
        };
        let cur = std::mem::replace(&mut self.stack.typed, next);
        self.stack.undo.push(cur);
        self.set_status(StatusLevel::Info, "redone");
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
        self.status = Some(Status {
            level,
            text: text.into(),
        });
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

//! What the push screen asks the effects for, and what comes back.

use crate::model::ResolvedStack;
use crate::push::{Outcome, PushError, PushEvent};

/// What a push thread does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PushMode {
    /// `--dry-run`: connect, compare, list what would be sent.
    Preview,
    Push,
    Rollback,
}

impl PushMode {
    pub fn verb(self) -> &'static str {
        match self {
            PushMode::Preview => "preview",
            PushMode::Push => "push",
            PushMode::Rollback => "rollback",
        }
    }

    /// `push to HOST`, `rollback on HOST`.
    pub fn on(self, host: &str) -> String {
        match self {
            PushMode::Rollback => format!("rollback on {host}"),
            _ => format!("{} to {host}", self.verb()),
        }
    }
}

/// Effects of the push screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushCmd {
    /// Read the last host from the settings directory.
    LoadHost,
    /// Is there a build to push for this workspace and stack?
    Check {
        workspace: String,
        stack: ResolvedStack,
    },
    /// Start a preview, a push or a rollback on a thread of its own (a push or a rollback
    /// only out of a typed confirmation). The host is remembered first.
    Start {
        id: u64,
        mode: PushMode,
        host: String,
        workspace: String,
        stack: ResolvedStack,
    },
    /// Stop the running push (the device keeps its previous files until the swap).
    Cancel { id: u64 },
}

/// The build a push would send, before connecting.
#[derive(Debug, Clone, PartialEq)]
pub struct Readiness {
    /// Files the layout maps to the device.
    pub files: usize,
    pub bytes: u64,
    /// The build's images/ directory.
    pub images: String,
}

/// Results of the push effects.
#[derive(Debug)]
pub enum PushReport {
    Host(Option<String>),
    Ready {
        /// `<workspace>:<stack>` the answer is for.
        key: String,
        result: Result<Readiness, String>,
    },
    Event {
        id: u64,
        event: PushEvent,
    },
    Finished {
        id: u64,
        result: Result<Outcome, PushError>,
    },
}

/// The key readiness answers are matched with.
pub fn ready_key(workspace: &str, stack: &ResolvedStack) -> String {
    format!("{workspace}:{}", stack.joined())
}

//! Buildroot runner: workspace setup, make invocation, build events and cancellation.

pub mod buildroot;
pub mod error;
pub mod event;
pub mod hook;
pub mod lines;
pub mod lock;
pub mod log;
pub mod order;
pub mod runner;
pub mod setup;
pub mod timelog;
pub mod tracker;

pub use buildroot::Buildroot;
pub use error::{BuildError, Result};
pub use event::{BuildEvent, CurrentStep, Failure, Outcome, Progress, Status};
pub use lock::WorkspaceLock;
pub use runner::{BuildHandle, BuildRequest, start};

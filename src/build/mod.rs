//! Buildroot side effects: configuring a workspace on disk, the tree's git version,
//! workspace setup, make invocation, build events and cancellation.

pub mod buildroot;
pub mod clean;
pub mod delta;
pub mod download;
pub mod error;
pub mod event;
pub mod hook;
pub mod hostdeps;
pub mod kconfig;
pub mod lines;
pub mod lock;
pub mod log;
pub mod order;
pub mod prepare;
pub mod runner;
pub mod setup;
pub mod timelog;
pub mod tracker;
pub mod version;
pub mod workspace;

pub use buildroot::Buildroot;
pub use error::{BuildError, Result};
pub use event::{BuildEvent, CurrentStep, Failure, Outcome, Progress, Status};
pub use lock::WorkspaceLock;
pub use prepare::{PrepareRequest, Prepared, prepare};
pub use runner::{BuildHandle, BuildRequest, start};

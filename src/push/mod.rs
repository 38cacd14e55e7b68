//! Over-the-air updates: `skiff push` sends a build's boot and root files to a running device
//! over SSH, verified on the device, swapped in atomically, with rollback to the previous set.
//!
//! A UI drives it with [`push`] or [`rollback`] and a [`PushSink`] (e.g. [`ChannelSink`]);
//! cancel through `PushRequest::cancel`. See `docs/push.md`.

pub mod device;
pub mod engine;
pub mod event;
pub mod manifest;
pub mod plan;
pub mod rollback;
pub mod run;
pub mod script;
pub mod ssh;

pub use engine::{Build, DeviceCommands, Fault, Outcome, PushRequest};
pub use event::{ChannelSink, FailReason, PushError, PushEvent, PushPhase, PushSink};
pub use run::{push, rollback};

//! Block-device discovery and safety, partition tables, filesystems, image writing and verify.
//!
//! Dependencies point one way: this module uses `model` and never the UI. A UI or CLI lists
//! devices with [`discover`], makes a [`FlashPlan`], runs it with [`execute`] (in process) or
//! through the privileged helper, and consumes the [`FlashEvent`] stream; a [`CancelToken`]
//! stops a run between blocks.

#![warn(clippy::too_many_lines)]

pub mod aligned;
pub mod batch;
pub mod blocks;
pub mod bmap;
pub mod cancel;
pub mod card;
pub mod checksum;
pub mod chunker;
pub mod config;
pub mod content;
pub mod declared;
pub mod device;
pub mod discover;
pub mod engine;
pub mod environment;
pub mod error;
pub mod event;
pub mod execute;
pub mod helper;
pub mod helper_reply;
pub mod identify;
pub mod job;
pub mod mounts;
pub mod persist;
pub mod personalise;
pub mod plan;
pub mod range_check;
pub mod reason;
pub mod rules;
pub mod source;
pub mod sparse;
pub mod system;
pub mod target;
pub mod target_io;
pub mod units;
pub mod verdict;
pub mod writer;
pub mod xml;
pub mod zip;

pub use cancel::CancelToken;
pub use device::{BlockDevice, Bus, DeviceIdentity, PartitionInfo};
pub use discover::discover;
pub use engine::{EngineConfig, Summary};
pub use environment::Environment;
pub use error::FlashError;
pub use event::{EventSink, FlashEvent, Phase};
pub use execute::execute;
pub use plan::{FileMode, FlashPlan, SourceSpec, TargetSpec};
pub use system::SystemView;
pub use target::{ImageFile, Target};
pub use verdict::{Refusal, Verdict};
pub use writer::{Helper, InProcess, QuietHelper, Writer, writer_for};

//! Block-device discovery and safety, partition tables, filesystems, image writing and verify.
//!
//! Dependencies point one way: this module uses `model` and never the UI. A UI or CLI lists
//! devices with [`discover`], makes a plan, runs it through a writer and
//! consumes the event stream.

pub mod device;
pub mod discover;
pub mod error;
pub mod mounts;
pub mod system;
pub mod target;
pub mod testing;
pub mod verdict;

pub use device::{BlockDevice, Bus, DeviceIdentity, PartitionInfo};
pub use discover::discover;
pub use error::FlashError;
pub use system::SystemView;
pub use target::{ImageFile, Target};
pub use verdict::{Refusal, Verdict};

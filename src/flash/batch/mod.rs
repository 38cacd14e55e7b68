//! The batch station's engine: one shared decode of the source, then an independent pipeline
//! (a thread) per card, each reported on its own; see docs/batch.md.
//!
//! [`SharedImage::decode`] turns the source (any format `flash` reads) into a sparse raw file
//! once; [`Station`] starts a card's pipeline as soon as the card is known and never waits for
//! another card: a slow, failing or pulled card only ends its own pipeline.

pub mod card;
pub mod hotplug;
pub mod intake;
pub mod persona;
pub mod report;
pub mod shared;
pub mod station;
pub mod uevent;
pub mod watch;

pub use card::{CardJob, CardOutcome, CardResult, PlanRunner};
pub use shared::{DecodeOptions, SharedImage};
pub use station::{BatchEvent, Station};

//! The batch screen (issue 13): one source written to many cards at once, one row per slot.
//! Reached from the flash screen (`b`). Imports point one way: `types` (plain data) <-
//! `state` <- `screen`/`draw`; `jobs` runs the batch engine of `flash::batch` off the UI thread.

pub mod draw;
pub mod jobs;
pub mod screen;
pub mod state;
pub mod types;

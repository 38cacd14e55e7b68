//! The flash screen, grouped: its state, the flow of keys to confirmations and requests, the
//! drawing, and the effects that look devices up and run writes. Imports point one way:
//! `types` (plain data) <- `state` <- `flow`/`confirm` <- `screen`; `write` <- `jobs`.

pub mod confirm;
pub mod draw;
pub mod flow;
pub mod jobs;
pub mod personalise;
pub mod run_draw;
pub mod screen;
pub mod state;
pub mod types;
mod write;

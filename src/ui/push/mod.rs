//! The push screen: a device's boot and root files replaced over SSH from the TUI, with the
//! engine of `src/push/`. Imports point one way: `types` (plain data) <- `state` <- `screen`
//! and `draw`; `jobs` (the effects: readiness, the remembered host, push threads) <- `types`.

pub mod draw;
pub mod jobs;
pub mod screen;
pub mod state;
pub mod types;

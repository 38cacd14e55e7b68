//! The terminal UI: app state, messages, update, keymap, runtime and one file per screen.
//!
//! Shape (Elm-style): `Msg` in, `App::update` changes state and returns `Cmd`s (effects),
//! `App::view` draws from state only, `Effects::perform` does the blocking work on a
//! worker thread. docs/tui.md describes the screens, keys and how to add a screen.

pub mod action;
pub mod analysis;
pub mod app;
pub mod background;
pub mod batch;
pub mod build_jobs;
pub mod build_view;
pub mod contrast;
pub mod core_edit;
pub mod core_jobs;
pub mod effects;
pub mod filter;
pub mod flash;
pub mod guide;
pub mod job_slot;
pub mod keymap;
pub mod keys;
pub mod log_pane;
pub mod msg;
pub mod overlay;
pub mod push;
pub mod runtime;
pub mod save;
pub mod screen;
pub mod screen_id;
pub mod screen_list;
pub mod screens;
pub mod settings;
pub mod shared;
pub mod tab_bar;
pub mod text_input;
pub mod theme;
pub mod view;
pub mod widgets;

pub use action::Action;
pub use app::App;
pub use effects::Effects;
pub use msg::{Cmd, Msg, WorkerEvent};
pub use screen::{Screen, ScreenId};
pub use shared::Shared;

//! One file per screen; each implements `ui::screen::Screen`.

pub mod build;
mod build_draw;
pub mod core_editor;
mod core_editor_draw;
pub mod flash;
mod flash_confirm;
mod flash_draw;
mod flash_flow;
mod flash_run_draw;
pub mod flash_state;
pub mod layer_detail;
pub mod layers;
pub mod preview;
pub mod stack;
pub mod workspaces;

//! One file per screen; each implements `ui::screen::Screen`.

pub mod build;
mod build_draw;
pub mod core_editor;
mod core_editor_draw;
pub mod layer_detail;
pub mod layers;
pub mod preview;
pub mod stack;
pub mod workspaces;

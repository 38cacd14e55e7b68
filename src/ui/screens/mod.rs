//! One file per screen; each implements `ui::screen::Screen`.

pub mod build;
mod build_draw;
pub mod layer_detail;
pub mod layer_rows;
pub mod layers;
pub mod preview;
pub mod preview_lines;
pub mod stack;
pub mod workspaces;

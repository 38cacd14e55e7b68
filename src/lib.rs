//! skiff: the SkiffOS layer engine, builder and card writer as a library; the binary is a thin shell.

pub mod build;
pub mod cli;
pub mod flash;
pub mod model;
pub mod push;
pub mod ui;

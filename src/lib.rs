//! skiff: the SkiffOS layer engine, builder and card writer as a library; the binary is a thin shell.

#![forbid(unsafe_code)]

pub mod build;
pub mod cli;
pub mod flash;
pub mod model;
pub mod push;
pub mod ui;

//! Fuzz target `ui_settings`: the TUI's keymap and theme files.
//! The body lives in fuzz/harness/ui_settings.rs, which tests/no_panic.rs also runs.
#![no_main]

#[path = "../harness/ui_settings.rs"]
mod body;

libfuzzer_sys::fuzz_target!(|data: &[u8]| body::run(data));

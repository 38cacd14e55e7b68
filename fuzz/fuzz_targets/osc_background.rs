//! Fuzz target `osc_background`: the terminal's answer to the background colour query.
//! The body lives in fuzz/harness/osc_background.rs, which tests/no_panic.rs also runs.
#![no_main]

#[path = "../harness/osc_background.rs"]
mod body;

libfuzzer_sys::fuzz_target!(|data: &[u8]| body::run(data));

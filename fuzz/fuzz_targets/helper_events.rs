//! Fuzz target `helper_events`: skiff reading the privileged helper's events.
//! The body lives in fuzz/harness/helper_events.rs, which tests/no_panic.rs also runs.
#![no_main]

#[path = "../harness/helper_events.rs"]
mod body;

libfuzzer_sys::fuzz_target!(|data: &[u8]| body::run(data));

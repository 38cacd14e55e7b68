//! Fuzz target `metadata`: layer metadata (dependencies, commands) and stack lists.
//! The body lives in fuzz/harness/metadata.rs, which tests/no_panic.rs also runs.
#![no_main]

#[path = "../harness/metadata.rs"]
mod body;

libfuzzer_sys::fuzz_target!(|data: &[u8]| body::run(data));

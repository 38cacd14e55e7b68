//! Fuzz target `core_config`: the skiff-core config parser and checker.
//! The body lives in fuzz/harness/core_config.rs, which tests/no_panic.rs also runs.
#![no_main]

#[path = "../harness/core_config.rs"]
mod body;

libfuzzer_sys::fuzz_target!(|data: &[u8]| body::run(data));

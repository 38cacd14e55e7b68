//! Fuzz target `flash_inputs`: block maps, mount and swap tables, partition tables.
//! The body lives in fuzz/harness/flash_inputs.rs, which tests/no_panic.rs also runs.
#![no_main]

#[path = "../harness/flash_inputs.rs"]
mod body;

libfuzzer_sys::fuzz_target!(|data: &[u8]| body::run(data));

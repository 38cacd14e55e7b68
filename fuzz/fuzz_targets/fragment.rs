//! Fuzz target `fragment`: fragment lines and the merge accumulator.
//! The body lives in fuzz/harness/fragment.rs, which tests/no_panic.rs also runs.
#![no_main]

#[path = "../harness/fragment.rs"]
mod body;

libfuzzer_sys::fuzz_target!(|data: &[u8]| body::run(data));

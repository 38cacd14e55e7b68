//! Fuzz target `push_manifest`: the push manifest and device probe parsers.
//! The body lives in fuzz/harness/push_manifest.rs, which tests/no_panic.rs also runs.
#![no_main]

#[path = "../harness/push_manifest.rs"]
mod body;

libfuzzer_sys::fuzz_target!(|data: &[u8]| body::run(data));

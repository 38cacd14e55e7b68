//! Fuzz target `personalise`: hostname templates, SSH public keys, Wi-Fi keyfiles.
//! The body lives in fuzz/harness/personalise.rs, which tests/no_panic.rs also runs.
#![no_main]

#[path = "../harness/personalise.rs"]
mod body;

libfuzzer_sys::fuzz_target!(|data: &[u8]| body::run(data));

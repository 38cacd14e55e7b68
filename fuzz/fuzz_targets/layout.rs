//! Fuzz target `layout`: board layouts (layout.yaml): parse, check, render.
//! The body lives in fuzz/harness/layout.rs, which tests/no_panic.rs also runs.
#![no_main]

#[path = "../harness/layout.rs"]
mod body;

libfuzzer_sys::fuzz_target!(|data: &[u8]| body::run(data));

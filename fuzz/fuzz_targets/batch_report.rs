//! Fuzz target `batch_report`: the batch report `--resume` reads. The body lives in
//! fuzz/harness/batch_report.rs, which tests/no_panic.rs also runs.
#![no_main]

#[path = "../harness/batch_report.rs"]
mod body;

libfuzzer_sys::fuzz_target!(|data: &[u8]| body::run(data));

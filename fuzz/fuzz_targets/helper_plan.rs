//! Fuzz target `helper_plan`: the privileged helper reading a plan from an unprivileged process.
//! The body lives in fuzz/harness/helper_plan.rs, which tests/no_panic.rs also runs.
#![no_main]

#[path = "../harness/helper_plan.rs"]
mod body;

libfuzzer_sys::fuzz_target!(|data: &[u8]| body::run(data));

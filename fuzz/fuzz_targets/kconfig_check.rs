//! Fuzz target `kconfig_check`: `skiff check` reading the final .config, and the menuconfig delta.
//! The body lives in fuzz/harness/kconfig_check.rs, which tests/no_panic.rs also runs.
#![no_main]

#[path = "../harness/kconfig_check.rs"]
mod body;

libfuzzer_sys::fuzz_target!(|data: &[u8]| body::run(data));

//! Fuzz target `kconfig`: Kconfig trees and expressions, build output lines and logs.
//! The body lives in fuzz/harness/kconfig.rs, which tests/no_panic.rs also runs.
#![no_main]

#[path = "../harness/kconfig.rs"]
mod body;

libfuzzer_sys::fuzz_target!(|data: &[u8]| body::run(data));

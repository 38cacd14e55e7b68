//! Fuzz target: the skiff-core config parser never panics, and what it accepts is written back
//! to text that reads as the same config.
#![no_main]

use libfuzzer_sys::fuzz_target;
use skiff::model::core_config::fuzz_one;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Err(e) = fuzz_one(&text) {
        panic!("{e}");
    }
});

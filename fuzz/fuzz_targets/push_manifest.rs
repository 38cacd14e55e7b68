//! Fuzz the push manifest parser (read back from a device) and the device probe parser.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    skiff::push::manifest::fuzz_one(data);
});

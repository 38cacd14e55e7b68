//! Fuzz the batch report parser `--resume` reads: never panics, and what parses round-trips.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    skiff::flash::batch::report::fuzz_one(data);
});

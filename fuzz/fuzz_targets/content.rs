//! Fuzz target `content`: recognising a card image by content (containers, declared sizes,
//! partition-table sniffing). The body lives in fuzz/harness/content.rs, which
//! tests/no_panic.rs also runs.
#![no_main]

#[path = "../harness/content.rs"]
mod body;

libfuzzer_sys::fuzz_target!(|data: &[u8]| body::run(data));

//! Fuzz body: the skiff-core config parser and checker never panic, and a config that checks
//! clean is written back to text that reads as the same config.

pub fn run(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Err(e) = skiff::model::core_config::fuzz_one(&text) {
        panic!("{e}");
    }
}

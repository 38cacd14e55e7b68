//! Fuzz body: the board layout parser, validator and renderer.

use skiff::model::layout::Layout;

pub fn run(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(layout) = Layout::parse(text, "fuzz/layout.yaml") else {
        return;
    };
    let min = layout.min_card_size();
    for size in [
        None,
        Some(min),
        Some(min.saturating_sub(512)),
        Some(8 << 30),
        Some(u64::MAX),
    ] {
        let _ = layout.check(size);
    }
    let _ = layout.render(min.max(1 << 20), 60);
    let _ = layout.render(u64::MAX, 3);
    for r in &layout.raw {
        let _ = r.bytes_to_write(4096);
    }
}

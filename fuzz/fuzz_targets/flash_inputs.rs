//! Fuzz the flash engine's parsers of outside input: block maps, flash plans (the privileged
//! helper reads them from stdin), mount and swap tables, and partition tables read from a card.
#![no_main]

use libfuzzer_sys::fuzz_target;
use skiff::flash::bmap::Bmap;
use skiff::flash::card::table;
use skiff::flash::mounts::{parse_mountinfo, parse_swaps};
use skiff::flash::FlashPlan;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(map) = Bmap::parse(&text, Path::new("fuzz.bmap")) {
        assert!(map.mapped_bytes() <= map.image_size);
        let again = Bmap::parse(&map.to_xml(), Path::new("again.bmap")).expect("own output parses");
        let spans = |m: &Bmap| m.ranges.iter().map(|r| (r.first, r.last)).collect::<Vec<_>>();
        assert_eq!(spans(&again), spans(&map));
    }
    let _ = FlashPlan::from_json(&text);
    let _ = parse_mountinfo(&text, Path::new("mountinfo"));
    let _ = parse_swaps(&text);
    if let Some(parts) = table::read(data) {
        for p in parts {
            assert!(p.number >= 1);
        }
    }
});

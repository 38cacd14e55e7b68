//! Fuzz body: the flash engine's parsers of files and system tables: block maps, mount and
//! swap tables, and partition tables read from a card. (Plans: `helper_plan`.)

use skiff::flash::bmap::Bmap;
use skiff::flash::card::table;
use skiff::flash::mounts::{parse_mountinfo, parse_swaps};
use std::path::Path;

pub fn run(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok(map) = Bmap::parse(&text, Path::new("fuzz.bmap")) {
        assert!(map.mapped_bytes() <= map.image_size);
        let again = Bmap::parse(&map.to_xml(), Path::new("again.bmap")).expect("own output parses");
        let spans = |m: &Bmap| {
            m.ranges
                .iter()
                .map(|r| (r.first, r.last))
                .collect::<Vec<_>>()
        };
        assert_eq!(spans(&again), spans(&map));
    }
    let _ = parse_mountinfo(&text, Path::new("mountinfo"));
    let _ = parse_swaps(&text);
    if let Some(parts) = table::read(data) {
        for p in parts {
            assert!(p.number >= 1);
        }
    }
}

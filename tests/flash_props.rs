//! Properties: the flash parsers never panic on arbitrary input, block maps round-trip, and the
//! chunk pipeline reproduces any set of pieces exactly.

mod fake_system;

use std::path::Path;

use fake_system::MemTarget;
use proptest::prelude::*;
use skiff::flash::bmap::{Bmap, BmapRange, ChecksumKind};
use skiff::flash::card::table;
use skiff::flash::engine::{EngineConfig, RunOptions, run_on};
use skiff::flash::mounts::{parse_mountinfo, parse_swaps};
use skiff::flash::plan::{Segment, SegmentData, SourceSpec};
use skiff::flash::source::PreparedSource;
use skiff::flash::{CancelToken, FlashEvent, FlashPlan};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn parsers_never_panic(data in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let text = String::from_utf8_lossy(&data);
        let _ = Bmap::parse(&text, Path::new("p.bmap"));
        let _ = FlashPlan::from_json(&text);
        let _ = parse_mountinfo(&text, Path::new("mi"));
        let _ = parse_swaps(&text);
        let _ = table::read(&data);
        let mut sector = data.clone();
        sector.resize(1 << 15, 0);
        sector[510] = 0x55;
        sector[511] = 0xaa;
        let _ = table::read(&sector);
    }

    #[test]
    fn bmaps_round_trip(spans in proptest::collection::vec((0u64..50, 0u64..5), 0..12), tail in 1u64..4096) {
        let mut ranges = Vec::new();
        let mut next = 0;
        for (gap, len) in spans {
            let first = next + gap;
            ranges.push(BmapRange { first, last: first + len, sha256: Some([first as u8; 32]) });
            next = first + len + 1;
        }
        let blocks = next + 1;
        let map = Bmap {
            version: "2.0".into(),
            image_size: (blocks - 1) * 4096 + tail,
            block_size: 4096,
            blocks_count: blocks,
            mapped_blocks: ranges.iter().map(|r| r.last - r.first + 1).sum(),
            checksum: ChecksumKind::Sha256,
            ranges,
        };
        prop_assert_eq!(Bmap::parse(&map.to_xml(), Path::new("x")).unwrap(), map);
    }

    #[test]
    fn assemblies_land_byte_for_byte(pieces in proptest::collection::vec((0u64..300_000, 1usize..20_000), 1..8)) {
        let mut segments = Vec::new();
        let mut end = 0u64;
        for (i, (gap, len)) in pieces.into_iter().enumerate() {
            let offset = end + gap;
            let bytes: Vec<u8> = (0..len).map(|b| (b as u8).wrapping_mul(31).wrapping_add(i as u8 + 1)).collect();
            end = offset + len as u64;
            segments.push(Segment { offset, label: format!("p{i}"), data: SegmentData::Bytes { bytes } });
        }
        let size = (end + (1 << 20)).div_ceil(4096) * 4096;
        let spec = SourceSpec::Assembly { size, segments: segments.clone() };
        let mut card = MemTarget::new(size as usize, 0xAB);
        let config = EngineConfig { chunk_size: 64 * 1024, ring: 2 };
        let options = RunOptions { verify: true, wipe_ends: false, keep_uncovered: true };
        let mut sink = |_: FlashEvent| {};
        run_on(&mut card, PreparedSource::prepare(&spec).unwrap(), options, &config, &mut sink, &CancelToken::new(), &mut |_| Ok(())).unwrap();
        let data = card.snapshot();
        let mut expected = vec![0xABu8; size as usize];
        for s in &segments {
            if let SegmentData::Bytes { bytes } = &s.data {
                expected[s.offset as usize..s.offset as usize + bytes.len()].copy_from_slice(bytes);
            }
        }
        prop_assert!(data == expected, "bytes outside the pieces changed or pieces missing");
    }
}

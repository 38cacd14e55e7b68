//! CPU-side benchmarks of the flash engine, side by side with the hand-written code the crates
//! replaced (kept under benches/flash_baseline/ only for this): the read-back checksum of one
//! 4 MiB block (what the writer and the verifier hash per block), SHA-256 of the same block (a
//! block map's range checksums), and reading a block map with 20 000 ranges.
//! Run: `cargo bench --bench flash_cpu`.

#[path = "flash_baseline/xml.rs"]
mod baseline_xml;
#[path = "flash_baseline/xxh64.rs"]
mod baseline_xxh64;
#[path = "../tests/flash_support/mod.rs"]
mod flash_support;

use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use skiff::flash::bmap::{Bmap, BmapRange, ChecksumKind};

const BLOCK: usize = 4 << 20;

fn block() -> Vec<u8> {
    flash_support::noise(BLOCK, 0x2545_F491_4F6C_DD1D)
}

fn checksum(c: &mut Criterion) {
    let data = block();
    let mut g = c.benchmark_group("checksum");
    g.throughput(Throughput::Bytes(BLOCK as u64));
    g.bench_function("hand_xxh64_4MiB", |b| {
        b.iter(|| baseline_xxh64::xxh64(std::hint::black_box(&data), 0))
    });
    g.bench_function("crate_xxh64_4MiB", |b| {
        b.iter(|| xxhash_rust::xxh64::xxh64(std::hint::black_box(&data), 0))
    });
    g.bench_function("crate_xxh3_4MiB (block_checksum)", |b| {
        b.iter(|| skiff::flash::checksum::block_checksum(std::hint::black_box(&data)))
    });
    g.bench_function("sha256_4MiB (block-map range check)", |b| {
        b.iter(|| <sha2::Sha256 as sha2::Digest>::digest(std::hint::black_box(&data)))
    });
    g.finish();
}

/// A map of 1 000 ranges with SHA-256 checksums, as bmaptool writes for a fragmented image.
fn big_map() -> String {
    let ranges: Vec<BmapRange> = (0..1_000u64)
        .map(|i| BmapRange {
            first: i * 10,
            last: i * 10 + 4,
            sha256: Some([(i % 251) as u8; 32]),
        })
        .collect();
    Bmap {
        version: "2.0".into(),
        image_size: 10_000 * 4096,
        block_size: 4096,
        blocks_count: 10_000,
        mapped_blocks: 5_000,
        checksum: ChecksumKind::Sha256,
        ranges,
    }
    .to_xml()
}

fn bmap(c: &mut Criterion) {
    let text = big_map();
    let mut g = c.benchmark_group("bmap");
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.bench_function("hand_xml_elements", |b| {
        b.iter(|| {
            baseline_xml::elements(std::hint::black_box(&text))
                .unwrap()
                .len()
        })
    });
    g.bench_function("roxmltree_elements", |b| {
        b.iter(|| {
            skiff::flash::xml::elements(std::hint::black_box(&text))
                .unwrap()
                .len()
        })
    });
    g.bench_function("parse_1000_ranges (roxmltree)", |b| {
        b.iter(|| Bmap::parse(std::hint::black_box(&text), Path::new("x.bmap")).unwrap())
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(std::time::Duration::from_secs(4));
    targets = checksum, bmap
}
criterion_main!(benches);

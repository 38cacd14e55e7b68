//! The read-back checksum of each block: XXH3-64 from the xxhash-rust crate, computed when a
//! block is written and again when it is read back, in the same process, so the function can
//! change between releases. Several GB/s on one core (benches/flash_cpu.rs), so verifying is
//! never slower than the disk. SHA-256 stays for block-map ranges, whose checksums come from
//! outside.

/// The checksum of one block as written and as read back.
pub fn block_checksum(data: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(data)
}

#[cfg(test)]
mod tests {
    use super::block_checksum;

    #[test]
    fn reference_values_and_sensitivity() {
        // XXH3-64 reference values (seed 0).
        assert_eq!(block_checksum(b""), 0x2D06_8005_38D3_94C2);
        let long: Vec<u8> = (0..100u8).collect();
        assert_ne!(block_checksum(&long), block_checksum(&long[..99]));
        let mut flipped = long.clone();
        flipped[50] ^= 1;
        assert_ne!(block_checksum(&long), block_checksum(&flipped));
    }
}

//! Block-map range checksums, checked on the pipeline's middle stage: the reader tags the bytes
//! it copies with their range, and this stage hashes the tagged pieces of each chunk in order,
//! so the reader only reads and SHA-256 runs beside it. The bytes hashed are the bytes written.

use std::path::PathBuf;

use sha2::{Digest, Sha256};

use super::bmap::Bmap;
use super::chunker::Chunk;
use super::error::FlashError;

/// The running check over a block map's ranges, fed chunk after chunk in target order.
pub struct RangeCheck {
    path: PathBuf,
    /// First block, last block and expected SHA-256 of each range, in the map's order.
    ranges: Vec<(u64, u64, Option<[u8; 32]>)>,
    /// The next range to finish, and the hash of its bytes so far.
    next: usize,
    hasher: Sha256,
}

impl RangeCheck {
    /// A check for `bmap`'s ranges, or None when none of them carries a checksum.
    pub fn new(path: PathBuf, bmap: &Bmap) -> Option<RangeCheck> {
        if bmap.ranges.iter().all(|r| r.sha256.is_none()) {
            return None;
        }
        Some(RangeCheck {
            path,
            ranges: bmap
                .ranges
                .iter()
                .map(|r| (r.first, r.last, r.sha256))
                .collect(),
            next: 0,
            hasher: Sha256::new(),
        })
    }

    /// Compares the finished range `next` and moves to the one after it.
    fn close(&mut self) -> Result<(), FlashError> {
        let hasher = std::mem::take(&mut self.hasher);
        let Some(&(first, last, expected)) = self.ranges.get(self.next) else {
            return Ok(());
        };
        self.next += 1;
        match expected {
            Some(expected) if <[u8; 32]>::from(hasher.finalize()) != expected => {
                Err(FlashError::BmapChecksum {
                    path: self.path.clone(),
                    first,
                    last,
                })
            }
            _ => Ok(()),
        }
    }

    /// Hashes the chunk's pieces; a range is compared once a later range's bytes arrive.
    pub fn update(&mut self, chunk: &Chunk) -> Result<(), FlashError> {
        for piece in &chunk.pieces {
            if piece.range < self.next {
                return Err(FlashError::Internal {
                    detail: format!("block-map range {} came back after its end", piece.range),
                });
            }
            while self.next < piece.range {
                self.close()?;
            }
            let bytes = chunk
                .buf
                .as_slice()
                .get(piece.start..piece.end)
                .ok_or_else(|| FlashError::Internal {
                    detail: format!(
                        "a block-map piece {}..{} lies outside its chunk",
                        piece.start, piece.end
                    ),
                })?;
            self.hasher.update(bytes);
        }
        Ok(())
    }

    /// Compares the ranges still open once the reader finished (a range with no bytes hashes
    /// as empty, as it did when the reader hashed).
    pub fn finish(&mut self) -> Result<(), FlashError> {
        while self.next < self.ranges.len() {
            self.close()?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flash::aligned::AlignedBuf;
    use crate::flash::bmap::{BmapRange, ChecksumKind};
    use crate::flash::chunker::Piece;

    fn map(ranges: &[(u64, u64, &[u8])]) -> Bmap {
        Bmap {
            version: "2.0".into(),
            image_size: 1 << 20,
            block_size: 4096,
            blocks_count: 256,
            mapped_blocks: 0,
            checksum: ChecksumKind::Sha256,
            ranges: ranges
                .iter()
                .map(|(first, last, bytes)| BmapRange {
                    first: *first,
                    last: *last,
                    sha256: Some(Sha256::digest(bytes).into()),
                })
                .collect(),
        }
    }

    fn chunk(data: &[u8], pieces: Vec<Piece>) -> Chunk {
        let mut buf = AlignedBuf::new(4096);
        buf.as_mut_slice()[..data.len()].copy_from_slice(data);
        Chunk {
            offset: 0,
            buf,
            len: 4096,
            data_len: data.len(),
            digest: 0,
            gaps: Vec::new(),
            pieces,
        }
    }

    fn piece(range: usize, start: usize, end: usize) -> Piece {
        Piece { range, start, end }
    }

    #[test]
    fn ranges_split_across_chunks_and_sharing_one_check_out() {
        let bmap = map(&[(0, 0, b"abcdef"), (1, 1, b"gh"), (2, 2, b"")]);
        let mut check = RangeCheck::new("img".into(), &bmap).expect("has checksums");
        check
            .update(&chunk(b"abcd", vec![piece(0, 0, 4)]))
            .expect("first part");
        check
            .update(&chunk(b"efgh", vec![piece(0, 0, 2), piece(1, 2, 4)]))
            .expect("second part");
        check
            .finish()
            .expect("every range matches, the empty one too");
    }

    #[test]
    fn a_wrong_range_names_its_blocks() {
        let bmap = map(&[(0, 3, b"abcd"), (8, 9, b"xy")]);
        let mut check = RangeCheck::new("img".into(), &bmap).expect("has checksums");
        check
            .update(&chunk(b"abcdxz", vec![piece(0, 0, 4), piece(1, 4, 6)]))
            .expect("range 0 is closed only when range 1 starts");
        let err = check.finish().expect_err("xz is not xy");
        assert!(
            matches!(
                err,
                FlashError::BmapChecksum {
                    first: 8,
                    last: 9,
                    ..
                }
            ),
            "{err}"
        );
    }

    #[test]
    fn a_range_with_no_bytes_is_checked_when_a_later_one_starts() {
        let bmap = map(&[(0, 0, b"never sent"), (1, 1, b"b")]);
        let mut check = RangeCheck::new("img".into(), &bmap).expect("has checksums");
        let err = check
            .update(&chunk(b"b", vec![piece(1, 0, 1)]))
            .expect_err("range 0 got no bytes");
        assert!(
            matches!(err, FlashError::BmapChecksum { first: 0, .. }),
            "{err}"
        );
    }

    #[test]
    fn maps_without_checksums_need_no_check() {
        let mut bmap = map(&[(0, 0, b"a")]);
        bmap.ranges[0].sha256 = None;
        assert!(RangeCheck::new("img".into(), &bmap).is_none());
    }
}

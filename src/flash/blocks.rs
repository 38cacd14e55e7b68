//! Block-level work of the engine: writing one chunk (clipped, hole-preserving, gap-merging),
//! wiping the ends of a card, and the read-back verify with a read-ahead thread.

use crossbeam_channel::bounded;

use super::aligned::{ALIGN, AlignedBuf, fill_pool};
use super::cancel::CancelToken;
use super::checksum::block_checksum;
use super::chunker::Chunk;
use super::config::{EngineConfig, WIPE, cancelled, write_failed};
use super::error::FlashError;
use super::event::{EventSink, Meter};
use super::target_io::BlockTarget;

/// What was written where, with the digest to compare against on read-back.
#[derive(Clone, Debug)]
pub(crate) struct Written {
    pub offset: u64,
    pub len: usize,
    pub data_len: usize,
    pub digest: u64,
}

/// Fills a chunk's uncovered bytes with what the target holds now, so a write never changes
/// bytes outside the plan (install keeps the card's table between bootloader pieces).
fn merge_gaps(target: &dyn BlockTarget, chunk: &mut Chunk) -> Result<(), FlashError> {
    let mut current = AlignedBuf::new(chunk.len);
    let got = target
        .read_at(&mut current.as_mut_slice()[..chunk.len], chunk.offset)
        .map_err(|source| FlashError::ReadBackFailed {
            device: target.name().to_string(),
            offset: chunk.offset,
            source,
        })?;
    for &(start, end) in &chunk.gaps {
        let end = end.min(got);
        if start < end {
            chunk.buf.as_mut_slice()[start..end].copy_from_slice(&current.as_slice()[start..end]);
        }
    }
    chunk.digest = block_checksum(&chunk.buf.as_slice()[..chunk.data_len]);
    Ok(())
}

/// Writes one chunk, clipped to the capacity; on a new file, all-zero blocks stay holes.
pub(crate) fn write_chunk(
    target: &dyn BlockTarget,
    chunk: &mut Chunk,
    needed: Option<u64>,
    keep_uncovered: bool,
) -> Result<Written, FlashError> {
    if keep_uncovered && target.capacity().is_some() && !chunk.gaps.is_empty() {
        merge_gaps(target, chunk)?;
    }
    let mut len = chunk.len;
    if let Some(cap) = target.capacity() {
        let end = chunk.offset + chunk.len as u64;
        if end > cap {
            let data_end = chunk.offset + chunk.data_len as u64;
            if data_end > cap {
                return Err(FlashError::TooSmall {
                    device: target.name().to_string(),
                    needed: needed.unwrap_or(data_end).max(data_end),
                    size: cap,
                });
            }
            len = chunk.data_len;
        }
    }
    let data = &chunk.buf.as_slice()[..len];
    if target.holes_read_as_zero() {
        let mut run_start: Option<usize> = None;
        let mut pos = 0;
        while pos <= data.len() {
            let block_end = (pos + ALIGN).min(data.len());
            let zero = pos == data.len() || data[pos..block_end].iter().all(|b| *b == 0);
            match (zero, run_start) {
                (false, None) => run_start = Some(pos),
                (true, Some(start)) => {
                    let offset = chunk.offset + start as u64;
                    target
                        .write_at(&data[start..pos], offset)
                        .map_err(|e| write_failed(target, offset, e))?;
                    run_start = None;
                }
                _ => {}
            }
            pos += ALIGN;
        }
        if let Some(start) = run_start {
            let offset = chunk.offset + start as u64;
            target
                .write_at(&data[start..], offset)
                .map_err(|e| write_failed(target, offset, e))?;
        }
    } else {
        target
            .write_at(data, chunk.offset)
            .map_err(|e| write_failed(target, chunk.offset, e))?;
    }
    Ok(Written {
        offset: chunk.offset,
        len,
        data_len: chunk.data_len,
        digest: chunk.digest,
    })
}

/// Zeroes the first and last `WIPE` bytes of a fixed-size target.
pub(crate) fn wipe(target: &dyn BlockTarget, capacity: u64) -> Result<(), FlashError> {
    let zeros = AlignedBuf::new(WIPE as usize);
    let head = WIPE.min(capacity);
    let mut ranges = vec![(0, head)];
    if capacity > WIPE {
        let tail_start = capacity.saturating_sub(WIPE).max(head) / 512 * 512;
        ranges.push((tail_start, capacity));
    }
    for (start, end) in ranges {
        let len = (end - start) as usize;
        target
            .write_at(&zeros.as_slice()[..len], start)
            .map_err(|e| write_failed(target, start, e))?;
    }
    target.sync().map_err(|e| write_failed(target, 0, e))
}

/// Concurrent read-back requests.
const READ_AHEAD_THREADS: usize = 2;

/// Reads back `records` (reader threads fill buffers while this thread hashes) and compares.
pub(crate) fn verify(
    target: &dyn BlockTarget,
    records: &[Written],
    config: &EngineConfig,
    meter: &mut Meter,
    sink: &mut dyn EventSink,
    cancel: &CancelToken,
) -> Result<u64, FlashError> {
    let (pool_tx, pool_rx) = bounded::<AlignedBuf>(config.ring);
    // One buffer for each reader to start with; the rest are faulted in once they run.
    let first = READ_AHEAD_THREADS.min(config.ring);
    for _ in 0..first {
        let _ = pool_tx.send(AlignedBuf::new(config.chunk_size));
    }
    let (full_tx, full_rx) = bounded::<(usize, AlignedBuf, std::io::Result<usize>)>(config.ring);
    std::thread::scope(|scope| {
        // Two reads in flight keep a disk's queue busy (one at a time leaves it idle between
        // requests); each reader takes every other record.
        for first in 0..READ_AHEAD_THREADS {
            let pool_rx = pool_rx.clone();
            let full_tx = full_tx.clone();
            scope.spawn(move || {
                for (i, record) in records
                    .iter()
                    .enumerate()
                    .skip(first)
                    .step_by(READ_AHEAD_THREADS)
                {
                    let Ok(mut buf) = pool_rx.recv() else { return };
                    if !target.direct() {
                        target.drop_cache(record.offset, record.len as u64);
                    }
                    let got = target.read_at(&mut buf.as_mut_slice()[..record.len], record.offset);
                    if full_tx.send((i, buf, got)).is_err() {
                        return;
                    }
                }
            });
        }
        drop(full_tx);
        drop(pool_rx);
        fill_pool(&pool_tx, config.ring - first, config.chunk_size);
        let mut verified = 0u64;
        for (i, buf, got) in full_rx.iter() {
            cancelled(cancel)?;
            let record = &records[i];
            let got = got.map_err(|source| FlashError::ReadBackFailed {
                device: target.name().to_string(),
                offset: record.offset,
                source,
            })?;
            if got < record.data_len {
                return Err(FlashError::ReadBackFailed {
                    device: target.name().to_string(),
                    offset: record.offset + got as u64,
                    source: std::io::Error::new(
                        std::io::ErrorKind::UnexpectedEof,
                        "the target ended early",
                    ),
                });
            }
            let digest = block_checksum(&buf.as_slice()[..record.data_len]);
            if digest != record.digest {
                return Err(FlashError::VerifyMismatch {
                    device: target.name().to_string(),
                    offset: record.offset,
                    len: record.data_len as u64,
                });
            }
            verified += record.data_len as u64;
            meter.add(record.data_len as u64, sink);
            let _ = pool_tx.send(buf);
        }
        drop(pool_tx);
        Ok(verified)
    })
}

//! The write engine: wipe stale tables, stream chunks from a reader thread into the target with the
//! first megabyte held back, read everything back with the cache bypassed, then write the first
//! megabyte last, so an interrupted or failed run never leaves a valid partition table.

use crossbeam_channel::{Receiver, bounded};

use super::aligned::{AlignedBuf, fill_pool};
use super::blocks::{Written, verify, wipe, write_chunk};
use super::cancel::CancelToken;
use super::checksum::block_checksum;
use super::chunker::{Chunk, ChunkBuilder, Stop};
use super::error::FlashError;
use super::event::{EVENT_VERSION, EventSink, FlashEvent, Meter, Phase};
use super::range_check::RangeCheck;
use super::source::PreparedSource;
use super::target_io::BlockTarget;

pub use super::config::{EngineConfig, HOLD, WIPE};
use super::config::{cancelled, write_failed};

#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    pub written: u64,
    pub verified: u64,
    pub image_len: u64,
    pub secs: f64,
}

/// The pipeline's middle stage, when the run verifies or the source's block map has range
/// checksums: computes each chunk's read-back checksum and checks the ranges on its own thread,
/// so the reader (a decoder, for a compressed source) only reads and the writer only writes. A
/// run with neither skips the stage. The thread's result is the range check's verdict.
fn middle_stage<'scope, 'env>(
    scope: &'scope std::thread::Scope<'scope, 'env>,
    chunks: Receiver<Chunk>,
    depth: usize,
    verify: bool,
    mut ranges: Option<RangeCheck>,
) -> (
    Receiver<Chunk>,
    std::thread::ScopedJoinHandle<'scope, Result<(), FlashError>>,
) {
    let (tx, rx) = bounded::<Chunk>(depth);
    let stage = scope.spawn(move || {
        for mut chunk in chunks.iter() {
            if let Some(check) = ranges.as_mut() {
                check.update(&chunk)?;
            }
            if verify {
                chunk.digest = block_checksum(&chunk.buf.as_slice()[..chunk.data_len]);
            }
            if tx.send(chunk).is_err() {
                // The writer stopped: dropping `chunks` stops the reader in turn.
                return Ok(());
            }
        }
        // The reader is done: the ranges it did not reach are its failure's to explain.
        ranges.as_mut().map_or(Ok(()), RangeCheck::finish)
    });
    (rx, stage)
}

/// Streams the source into the target. Returns the records of what was written, the held-back
/// first-megabyte chunks, and the image length (the source's end when it is a stream).
fn write_phase(
    target: &dyn BlockTarget,
    source: PreparedSource,
    options: RunOptions,
    config: &EngineConfig,
    meter: &mut Meter,
    sink: &mut dyn EventSink,
    cancel: &CancelToken,
) -> Result<(Vec<Written>, Vec<Chunk>, u64), FlashError> {
    let needed = source.image_size;
    let progress = source.compressed_progress.clone();
    // At least one slot: the reader's first buffer goes in before anyone receives.
    let (pool_tx, pool_rx) = bounded::<AlignedBuf>(config.ring.max(1));
    // The reader's first buffer; the rest are faulted in below while it fills this one.
    let _ = pool_tx.send(AlignedBuf::new(config.chunk_size));
    let (chunk_tx, chunk_rx) = bounded::<Chunk>(config.ring);
    let ranges = source.range_check();
    std::thread::scope(|scope| {
        let reader = scope.spawn(move || {
            let mut builder = ChunkBuilder::new(pool_rx, chunk_tx, config.chunk_size, HOLD);
            source.feed(&mut builder, cancel)?;
            builder.finish()
        });
        let (chunk_rx, stage) = if options.verify || ranges.is_some() {
            let (rx, stage) = middle_stage(scope, chunk_rx, config.ring, options.verify, ranges);
            (rx, Some(stage))
        } else {
            (chunk_rx, None)
        };
        fill_pool(&pool_tx, config.ring.saturating_sub(1), config.chunk_size);
        let mut records = Vec::new();
        let mut held = Vec::new();
        let mut failure = None;
        for mut chunk in chunk_rx.iter() {
            if let Err(e) = cancelled(cancel) {
                failure = Some(e);
                break;
            }
            if chunk.offset < HOLD {
                let mut copy = AlignedBuf::new(chunk.len);
                copy.as_mut_slice()[..chunk.len]
                    .copy_from_slice(&chunk.buf.as_slice()[..chunk.len]);
                let _ = pool_tx.send(chunk.buf);
                held.push(Chunk {
                    offset: chunk.offset,
                    buf: copy,
                    len: chunk.len,
                    data_len: chunk.data_len,
                    digest: chunk.digest,
                    gaps: chunk.gaps,
                    pieces: Vec::new(),
                });
                continue;
            }
            match write_chunk(target, &mut chunk, needed, options.keep_uncovered) {
                Ok(record) => {
                    meter.add(record.data_len as u64, sink);
                    if let Some((total, count)) = &progress
                        && *total > 0
                    {
                        meter.set_fraction(
                            count.load(std::sync::atomic::Ordering::Relaxed) as f64 / *total as f64,
                        );
                    }
                    records.push(record);
                    let _ = pool_tx.send(chunk.buf);
                }
                Err(e) => {
                    failure = Some(e);
                    break;
                }
            }
        }
        drop(chunk_rx);
        drop(pool_tx);
        let read = reader.join();
        let checked = stage.map_or(Ok(Ok(())), |s| s.join());
        if let Some(e) = failure {
            return Err(e);
        }
        // The reader's own failure explains a range it could not finish; a range that did not
        // match stops the reader (its chunks have nowhere to go).
        match (read, checked) {
            (Ok(Err(Stop::Failed(e))), _) | (_, Ok(Err(e))) => Err(e),
            (Ok(Ok(end)), Ok(Ok(()))) => Ok((records, held, end)),
            (Ok(Err(Stop::WriterGone)), Ok(Ok(()))) => Err(FlashError::Internal {
                detail: "the writer stopped without an error".into(),
            }),
            (Err(_), _) | (_, Err(_)) => Err(FlashError::Internal {
                detail: "a pipeline thread panicked".into(),
            }),
        }
    })
}

/// What a run does besides writing.
#[derive(Clone, Copy, Debug)]
pub struct RunOptions {
    /// Read back and compare.
    pub verify: bool,
    /// Zero the first and last MiB of a fixed-size target first.
    pub wipe_ends: bool,
    /// Never change bytes the plan does not cover (install): partially covered blocks are
    /// completed with the target's current bytes.
    pub keep_uncovered: bool,
}

impl Default for RunOptions {
    fn default() -> RunOptions {
        RunOptions {
            verify: true,
            wipe_ends: true,
            keep_uncovered: false,
        }
    }
}

/// Work between verify and finalize (install's copy into the kept persist partition).
pub type BeforeFinalize<'a> = &'a mut dyn FnMut(&mut dyn EventSink) -> Result<(), FlashError>;

/// The `Started` event and the source's warnings, then the checks that need no writing: the
/// target is large enough, and a note when direct I/O is not available.
fn announce(
    target: &dyn BlockTarget,
    source: &PreparedSource,
    options: RunOptions,
    sink: &mut dyn EventSink,
) -> Result<(), FlashError> {
    sink.emit(FlashEvent::Started {
        version: EVENT_VERSION,
        target: target.name().to_string(),
        source: source.describe.clone(),
        total: source.write_total,
        verify: options.verify,
    });
    for message in &source.warnings {
        sink.emit(FlashEvent::Warning {
            message: message.clone(),
        });
    }
    if let (Some(needed), Some(size)) = (source.image_size, target.capacity())
        && needed > size
    {
        return Err(FlashError::TooSmall {
            device: target.name().to_string(),
            needed,
            size,
        });
    }
    if !target.direct() {
        sink.emit(FlashEvent::Warning {
            message: format!(
                "{}: direct I/O is not available here; writing through the page cache and dropping it before read-back",
                target.name()
            ),
        });
    }
    Ok(())
}

/// Writes the held-back first blocks (the partition table) last, syncs, and verifies them.
/// Returns the bytes written and verified, and the phase's meter. Once the table is being
/// written the card is whole, so a cancel that comes now is not taken: the phase lasts a few
/// milliseconds, and stopping in it would report a complete card as cancelled.
fn finalize(
    target: &mut dyn BlockTarget,
    held: &mut [Chunk],
    known_size: Option<u64>,
    options: RunOptions,
    config: &EngineConfig,
    sink: &mut dyn EventSink,
) -> Result<(u64, u64, Meter), FlashError> {
    let held_bytes: u64 = held.iter().map(|c| c.len as u64).sum();
    sink.emit(FlashEvent::PhaseStarted {
        phase: Phase::Finalize,
        total: Some(held_bytes),
    });
    let mut meter = Meter::new(Phase::Finalize, Some(held_bytes));
    let mut written = 0;
    let mut held_records = Vec::new();
    for chunk in held.iter_mut() {
        let record = write_chunk(target, chunk, known_size, options.keep_uncovered)?;
        meter.add(record.data_len as u64, sink);
        written += record.data_len as u64;
        held_records.push(record);
    }
    target.sync().map_err(|e| write_failed(target, 0, e))?;
    let mut verified = 0;
    if options.verify {
        let mut quiet = |_: FlashEvent| {};
        let mut inner = Meter::new(Phase::Finalize, None);
        verified = verify(
            target,
            &held_records,
            config,
            &mut inner,
            &mut quiet,
            &CancelToken::new(),
        )?;
    }
    Ok((written, verified, meter))
}

/// Runs a prepared source into an opened target, emitting events. Does not emit `Failed`:
/// the caller reports errors.
pub fn run_on(
    target: &mut dyn BlockTarget,
    source: PreparedSource,
    options: RunOptions,
    config: &EngineConfig,
    sink: &mut dyn EventSink,
    cancel: &CancelToken,
    before_finalize: BeforeFinalize<'_>,
) -> Result<Summary, FlashError> {
    let verify_after = options.verify;
    let started = std::time::Instant::now();
    announce(target, &source, options, sink)?;
    let known_size = source.image_size;
    let mut meter = Meter::new(Phase::Prepare, None);
    sink.emit(FlashEvent::PhaseStarted {
        phase: Phase::Prepare,
        total: None,
    });
    if options.wipe_ends
        && let Some(capacity) = target.capacity()
    {
        wipe(target, capacity)?;
    }
    sink.emit(meter.done());

    let total = source.write_total;
    sink.emit(FlashEvent::PhaseStarted {
        phase: Phase::Write,
        total,
    });
    meter = Meter::new(Phase::Write, total);
    let (records, mut held, end) =
        write_phase(target, source, options, config, &mut meter, sink, cancel)?;
    let image_len = known_size.unwrap_or(end);
    target
        .sync()
        .map_err(|e| write_failed(target, image_len, e))?;
    if target.holes_read_as_zero() {
        target
            .set_image_len(image_len)
            .map_err(|e| write_failed(target, image_len, e))?;
    }
    let mut written = meter.bytes();
    sink.emit(meter.done());
    cancelled(cancel)?;

    let mut verified = 0;
    if verify_after {
        let total: u64 = records.iter().map(|r| r.data_len as u64).sum();
        sink.emit(FlashEvent::PhaseStarted {
            phase: Phase::Verify,
            total: Some(total),
        });
        meter = Meter::new(Phase::Verify, Some(total));
        verified = verify(target, &records, config, &mut meter, sink, cancel)?;
        sink.emit(meter.done());
    }

    cancelled(cancel)?;
    before_finalize(sink)?;
    cancelled(cancel)?;
    let (held_written, held_verified, meter) =
        finalize(target, &mut held, known_size, options, config, sink)?;
    written += held_written;
    verified += held_verified;
    target
        .commit(image_len)
        .map_err(|e| write_failed(target, image_len, e))?;
    sink.emit(meter.done());
    let secs = started.elapsed().as_secs_f64();
    sink.emit(FlashEvent::Done {
        written,
        verified,
        image_len,
        secs,
    });
    Ok(Summary {
        written,
        verified,
        image_len,
        secs,
    })
}

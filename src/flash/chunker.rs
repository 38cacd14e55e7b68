//! The reader side of the pipeline: packs source bytes at target offsets into aligned chunks
//! taken from a small pool of buffers and sends them to the writer over a bounded channel.

use std::io::Read;

use crossbeam_channel::{Receiver, Sender};

use super::aligned::{ALIGN, AlignedBuf, round_down, round_up};
use super::error::FlashError;

/// Gaps smaller than this between two pieces are filled with zeros inside one chunk rather than
/// splitting it: fewer, larger requests; only bytes nobody uses are written.
pub const MERGE_GAP: u64 = 128 * 1024;

/// Bytes of one chunk that belong to one block-map range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Piece {
    /// Index into the map's ranges.
    pub range: usize,
    /// Byte span inside the chunk's buffer.
    pub start: usize,
    pub end: usize,
}

/// One aligned block of the target to write.
pub struct Chunk {
    pub offset: u64,
    pub buf: AlignedBuf,
    /// Bytes to write from `offset`, a multiple of `ALIGN` (zero-padded).
    pub len: usize,
    /// Meaningful bytes; the rest of `len` is padding past the end of the image.
    pub data_len: usize,
    /// XXH3-64 of `buf[..data_len]`, compared against the read-back. The builder leaves it 0;
    /// the engine's digest stage fills it when the run verifies.
    pub digest: u64,
    /// Byte ranges of `buf[..len]` that no piece covered (zero-filled). A run that must not
    /// change bytes outside the plan (install) fills them from the target before writing.
    pub gaps: Vec<(usize, usize)>,
    /// Spans of `buf` that belong to a block-map range, checked by `range_check`.
    pub pieces: Vec<Piece>,
}

/// Why the reader stopped early: the writer went away (its error wins) or the source failed.
pub enum Stop {
    WriterGone,
    Failed(FlashError),
}

impl From<FlashError> for Stop {
    fn from(e: FlashError) -> Stop {
        Stop::Failed(e)
    }
}

struct Open {
    offset: u64,
    buf: AlignedBuf,
    cap: usize,
    filled: usize,
    gaps: Vec<(usize, usize)>,
    pieces: Vec<Piece>,
}

pub struct ChunkBuilder {
    pool: Receiver<AlignedBuf>,
    out: Sender<Chunk>,
    chunk_size: usize,
    /// Chunks starting below this offset end at or before it, so the writer can hold them back.
    hold: u64,
    cur: Option<Open>,
    /// Highest offset written so far: the image length when the source is a stream.
    end: u64,
    /// A pool buffer taken but not used (an empty chunk); reused before taking another.
    spare: Option<AlignedBuf>,
}

impl ChunkBuilder {
    pub fn new(
        pool: Receiver<AlignedBuf>,
        out: Sender<Chunk>,
        chunk_size: usize,
        hold: u64,
    ) -> ChunkBuilder {
        ChunkBuilder {
            pool,
            out,
            chunk_size,
            hold,
            cur: None,
            end: 0,
            spare: None,
        }
    }

    pub fn end(&self) -> u64 {
        self.end
    }

    /// Makes the current chunk cover `offset`, flushing and opening chunks as needed.
    fn position(&mut self, offset: u64) -> Result<(), Stop> {
        if let Some(cur) = &mut self.cur {
            let data_end = cur.offset + cur.filled as u64;
            if offset < data_end {
                return Err(Stop::Failed(FlashError::Plan {
                    detail: format!("source pieces overlap or go backwards at byte {offset}"),
                }));
            }
            let rel = offset - cur.offset;
            if rel < cur.cap as u64 && offset - data_end < MERGE_GAP {
                let rel = rel as usize;
                cur.buf.as_mut_slice()[cur.filled..rel].fill(0);
                if rel > cur.filled {
                    cur.gaps.push((cur.filled, rel));
                }
                cur.filled = rel;
                return Ok(());
            }
            self.flush()?;
        }
        let start = round_down(offset, ALIGN as u64);
        let mut cap = self.chunk_size;
        if start < self.hold {
            cap = cap.min((self.hold - start) as usize);
        }
        let mut buf = match self.spare.take() {
            Some(buf) => buf,
            None => self.pool.recv().map_err(|_| Stop::WriterGone)?,
        };
        let head = (offset - start) as usize;
        buf.as_mut_slice()[..head].fill(0);
        self.cur = Some(Open {
            offset: start,
            buf,
            cap: cap.min(self.chunk_size),
            filled: head,
            gaps: if head > 0 {
                vec![(0, head)]
            } else {
                Vec::new()
            },
            pieces: Vec::new(),
        });
        Ok(())
    }

    /// Sends the current chunk, padded with zeros to the alignment.
    pub fn flush(&mut self) -> Result<(), Stop> {
        let Some(mut cur) = self.cur.take() else {
            return Ok(());
        };
        if cur.filled == 0 {
            self.spare = Some(cur.buf);
            return Ok(());
        }
        let len = round_up(cur.filled as u64, ALIGN as u64) as usize;
        cur.buf.as_mut_slice()[cur.filled..len].fill(0);
        if len > cur.filled {
            cur.gaps.push((cur.filled, len));
        }
        self.out
            .send(Chunk {
                offset: cur.offset,
                buf: cur.buf,
                len,
                data_len: cur.filled,
                digest: 0,
                gaps: cur.gaps,
                pieces: cur.pieces,
            })
            .map_err(|_| Stop::WriterGone)
    }

    /// Copies `len` bytes (or everything up to end of stream when `len` is `None`) from `reader`
    /// to the target at `offset`, tagging them as block-map range `range` when given. Returns the
    /// number of bytes copied.
    pub fn copy_from(
        &mut self,
        offset: u64,
        reader: &mut dyn Read,
        len: Option<u64>,
        range: Option<usize>,
        what: &dyn Fn() -> String,
    ) -> Result<u64, Stop> {
        let mut done = 0u64;
        loop {
            let remaining = len.map(|l| l - done);
            if remaining == Some(0) {
                break;
            }
            self.position(offset + done)?;
            let full = {
                let cur = self.cur.as_mut().ok_or(Stop::WriterGone)?;
                let space = cur.cap - cur.filled;
                let want =
                    remaining.map_or(space, |r| space.min(r.min(usize::MAX as u64) as usize));
                let slot = &mut cur.buf.as_mut_slice()[cur.filled..cur.filled + want];
                let mut got = 0;
                while got < want {
                    match reader.read(&mut slot[got..]) {
                        Ok(0) => break,
                        Ok(n) => got += n,
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                        Err(e) => {
                            return Err(Stop::Failed(FlashError::Source {
                                path: what().into(),
                                detail: format!(
                                    "reading failed at image byte {}: {e}",
                                    offset + done + got as u64
                                ),
                            }));
                        }
                    }
                }
                if let Some(range) = range
                    && got > 0
                {
                    let (start, end) = (cur.filled, cur.filled + got);
                    match cur.pieces.last_mut() {
                        Some(p) if p.range == range && p.end == start => p.end = end,
                        _ => cur.pieces.push(Piece { range, start, end }),
                    }
                }
                cur.filled += got;
                done += got as u64;
                self.end = self.end.max(offset + done);
                if got < want {
                    if let Some(total) = len {
                        return Err(Stop::Failed(FlashError::Source {
                            path: what().into(),
                            detail: format!(
                                "ended early: {} bytes expected at image byte {offset}, only {done} present (truncated download?)",
                                total
                            ),
                        }));
                    }
                    break;
                }
                cur.filled == cur.cap
            };
            if full {
                self.flush()?;
            }
        }
        Ok(done)
    }

    /// Literal bytes at `offset`.
    pub fn put(&mut self, offset: u64, mut data: &[u8], what: &str) -> Result<(), Stop> {
        let len = data.len() as u64;
        self.copy_from(offset, &mut data, Some(len), None, &|| what.to_string())?;
        Ok(())
    }

    pub fn finish(mut self) -> Result<u64, Stop> {
        self.flush()?;
        Ok(self.end)
    }
}

//! Sources: raw (sparse-aware), compressed (.gz .xz .zst .bz2, detected from magic bytes) and
//! block-mapped images, and assemblies of segments; each feeds the chunk builder in offset order.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use super::bmap::{Bmap, ChecksumKind};
use super::cancel::CancelToken;
use super::chunker::{ChunkBuilder, Stop};
pub use super::content::Compression;
use super::content::{self, Recognised, recognise};
use super::error::FlashError;
use super::plan::{Segment, SegmentData, SourceSpec};
use super::range_check::RangeCheck;
use super::sparse::{data_extents, extent_bytes};

/// Counts compressed bytes consumed, for progress on streams of unknown decoded size.
struct Counting<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

impl<R: Seek> Seek for Counting<R> {
    fn seek(&mut self, pos: SeekFrom) -> std::io::Result<u64> {
        self.inner.seek(pos)
    }
}

enum Feed {
    Raw {
        file: File,
        extents: Vec<(u64, u64)>,
    },
    RawMapped {
        file: File,
        bmap: Bmap,
    },
    Stream {
        decoder: Box<dyn Read + Send>,
        bmap: Option<Bmap>,
    },
    Assembly {
        segments: Vec<Segment>,
    },
}

/// A source opened and measured, ready to feed the pipeline from the reader thread.
pub struct PreparedSource {
    pub describe: String,
    pub path: PathBuf,
    pub compression: Compression,
    /// Bytes the image spans on the target, when known before writing.
    pub image_size: Option<u64>,
    /// Bytes the write phase transfers, when known before writing.
    pub write_total: Option<u64>,
    /// For compressed streams: file size and a counter of compressed bytes consumed so far.
    pub compressed_progress: Option<(u64, Arc<AtomicU64>)>,
    pub warnings: Vec<String>,
    feed: Feed,
}

fn open(path: &Path, what: &'static str) -> Result<File, FlashError> {
    File::open(path).map_err(|source| FlashError::source_io(path, what, source))
}

fn file_len(file: &File, path: &Path) -> Result<u64, FlashError> {
    file.metadata()
        .map(|m| m.len())
        .map_err(|source| FlashError::source_io(path, "measure the image", source))
}

impl PreparedSource {
    pub fn prepare(spec: &SourceSpec) -> Result<PreparedSource, FlashError> {
        match spec {
            SourceSpec::Image {
                path,
                bmap,
                member,
                raw,
            } => Self::image(path, bmap.as_deref(), member.as_deref(), *raw),
            SourceSpec::Assembly { size, segments } => Self::assembly(*size, segments),
        }
    }

    fn image(
        path: &Path,
        bmap_path: Option<&Path>,
        member: Option<&str>,
        raw: bool,
    ) -> Result<PreparedSource, FlashError> {
        let recognised = recognise(path, member)?;
        if !raw && !recognised.is_disk_image() {
            return Err(FlashError::NotADiskImage {
                path: path.to_path_buf(),
                looks_like: recognised.description,
            });
        }
        let compression = recognised.compression;
        let file = open(path, "open the image")?;
        let bmap = bmap_path.map(Bmap::load).transpose()?;
        let len = file_len(&file, path)?;
        let mut warnings = Vec::new();
        if let Some(map) = &bmap
            && map.checksum == ChecksumKind::Sha1
        {
            warnings.push(format!(
                "{}: SHA-1 range checksums are not checked; the read-back is still verified",
                bmap_path
                    .map(|p| p.display().to_string())
                    .unwrap_or_default()
            ));
        }
        let describe = path.display().to_string();
        if compression == Compression::None {
            return Self::raw(file, path, len, bmap, describe, warnings);
        }
        Self::compressed(file, path, len, bmap, describe, warnings, &recognised)
    }

    /// A raw image: its data extents (holes skipped), or the ranges its block map names.
    fn raw(
        file: File,
        path: &Path,
        len: u64,
        bmap: Option<Bmap>,
        describe: String,
        warnings: Vec<String>,
    ) -> Result<PreparedSource, FlashError> {
        let compression = Compression::None;
        if len == 0 {
            return Err(FlashError::Source {
                path: path.to_path_buf(),
                detail: "the image is empty".into(),
            });
        }
        Ok(match bmap {
            Some(map) => {
                if map.image_size != len {
                    return Err(FlashError::Source {
                        path: path.to_path_buf(),
                        detail: format!(
                            "is {len} bytes but its block map describes {} bytes; use the matching .bmap",
                            map.image_size
                        ),
                    });
                }
                PreparedSource {
                    describe,
                    path: path.to_path_buf(),
                    compression,
                    image_size: Some(map.image_size),
                    write_total: Some(map.mapped_bytes()),
                    compressed_progress: None,
                    warnings,
                    feed: Feed::RawMapped { file, bmap: map },
                }
            }
            None => {
                let extents = data_extents(&file, 0, len).map_err(|source| {
                    FlashError::source_io(path, "map the image's data", source)
                })?;
                PreparedSource {
                    describe,
                    path: path.to_path_buf(),
                    compression,
                    image_size: Some(len),
                    write_total: Some(extent_bytes(&extents)),
                    compressed_progress: None,
                    warnings,
                    feed: Feed::Raw { file, extents },
                }
            }
        })
    }

    /// A compressed image, decoded as a stream on the reader thread.
    fn compressed(
        file: File,
        path: &Path,
        len: u64,
        bmap: Option<Bmap>,
        describe: String,
        warnings: Vec<String>,
        recognised: &Recognised,
    ) -> Result<PreparedSource, FlashError> {
        let compression = recognised.compression;
        if let (Some(map), Some(declared)) = (&bmap, recognised.declared_size)
            && map.image_size != declared
        {
            return Err(FlashError::Source {
                path: path.to_path_buf(),
                detail: format!(
                    "declares {declared} bytes but its block map describes {} bytes; use the matching .bmap",
                    map.image_size
                ),
            });
        }
        let count = Arc::new(AtomicU64::new(0));
        let counted = Counting {
            inner: file,
            count: Arc::clone(&count),
        };
        let decoder =
            content::decoder(counted, compression, recognised.member.as_ref()).map_err(|e| {
                FlashError::Source {
                    path: path.to_path_buf(),
                    detail: format!("cannot start decoding: {e}"),
                }
            })?;
        let image_size = bmap
            .as_ref()
            .map(|m| m.image_size)
            .or(recognised.declared_size);
        Ok(PreparedSource {
            describe,
            path: path.to_path_buf(),
            compression,
            image_size,
            write_total: bmap
                .as_ref()
                .map(Bmap::mapped_bytes)
                .or(recognised.declared_size),
            compressed_progress: Some((len, count)),
            warnings,
            feed: Feed::Stream { decoder, bmap },
        })
    }

    fn assembly(size: u64, segments: &[Segment]) -> Result<PreparedSource, FlashError> {
        let mut total = 0u64;
        for segment in segments {
            total += match &segment.data {
                SegmentData::Bytes { bytes } => bytes.len() as u64,
                SegmentData::Zero { len } => *len,
                SegmentData::File { path, offset, len } => {
                    let file = open(path, "open a piece of the card image")?;
                    let have = file_len(&file, path)?;
                    if offset.saturating_add(*len) > have {
                        return Err(FlashError::Source {
                            path: path.clone(),
                            detail: format!(
                                "{}: needs bytes {offset}..{} but the file has {have}",
                                segment.label,
                                offset.saturating_add(*len)
                            ),
                        });
                    }
                    let extents = data_extents(&file, *offset, offset + len).map_err(|source| {
                        FlashError::source_io(path, "map the file's data", source)
                    })?;
                    extent_bytes(&extents)
                }
            };
        }
        Ok(PreparedSource {
            describe: format!("card assembly of {} pieces", segments.len()),
            path: PathBuf::from("assembly"),
            compression: Compression::None,
            image_size: Some(size),
            write_total: Some(total),
            compressed_progress: None,
            warnings: Vec::new(),
            feed: Feed::Assembly {
                segments: segments.to_vec(),
            },
        })
    }

    /// The check of the block map's range checksums, for the pipeline's middle stage (the
    /// reader tags each range's bytes; see `range_check`).
    pub fn range_check(&self) -> Option<RangeCheck> {
        match &self.feed {
            Feed::RawMapped { bmap, .. }
            | Feed::Stream {
                bmap: Some(bmap), ..
            } => RangeCheck::new(self.path.clone(), bmap),
            _ => None,
        }
    }

    /// Runs in the reader thread: pushes every byte to write through the builder.
    pub fn feed(self, builder: &mut ChunkBuilder, cancel: &CancelToken) -> Result<(), Stop> {
        let path = self.path.clone();
        let name = || path.display().to_string();
        let stop_if_cancelled = || {
            if cancel.is_cancelled() {
                Err(Stop::Failed(FlashError::Cancelled))
            } else {
                Ok(())
            }
        };
        match self.feed {
            Feed::Raw { mut file, extents } => {
                for (start, end) in extents {
                    stop_if_cancelled()?;
                    seek_to(&mut file, start, &path)?;
                    builder.copy_from(start, &mut file, Some(end - start), None, &name)?;
                }
            }
            Feed::RawMapped { mut file, bmap } => {
                for (i, range) in bmap.ranges.iter().enumerate() {
                    stop_if_cancelled()?;
                    let (start, end) = bmap.byte_range(range);
                    seek_to(&mut file, start, &path)?;
                    builder.copy_from(start, &mut file, Some(end - start), Some(i), &name)?;
                }
            }
            Feed::Stream { mut decoder, bmap } => match bmap {
                None => {
                    builder.copy_from(0, &mut decoder, None, None, &name)?;
                }
                Some(bmap) => {
                    let mut position = 0u64;
                    for (i, range) in bmap.ranges.iter().enumerate() {
                        stop_if_cancelled()?;
                        let (start, end) = bmap.byte_range(range);
                        skip(&mut decoder, start - position, &path, position)?;
                        builder.copy_from(
                            start,
                            &mut decoder,
                            Some(end - start),
                            Some(i),
                            &name,
                        )?;
                        position = end;
                    }
                }
            },
            Feed::Assembly { segments } => {
                for segment in segments {
                    stop_if_cancelled()?;
                    match &segment.data {
                        SegmentData::Bytes { bytes } => {
                            builder.put(segment.offset, bytes, &segment.label)?
                        }
                        SegmentData::Zero { len } => {
                            let mut zeros = std::io::repeat(0).take(*len);
                            let label = || segment.label.clone();
                            builder.copy_from(
                                segment.offset,
                                &mut zeros,
                                Some(*len),
                                None,
                                &label,
                            )?;
                        }
                        SegmentData::File { path, offset, len } => {
                            let mut file = open(path, "open a piece of the card image")?;
                            let extents =
                                data_extents(&file, *offset, offset + len).map_err(|source| {
                                    FlashError::source_io(path, "map the file's data", source)
                                })?;
                            let piece = || format!("{} ({})", path.display(), segment.label);
                            for (start, end) in extents {
                                stop_if_cancelled()?;
                                seek_to(&mut file, start, path)?;
                                builder.copy_from(
                                    segment.offset + (start - offset),
                                    &mut file,
                                    Some(end - start),
                                    None,
                                    &piece,
                                )?;
                            }
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

fn seek_to(file: &mut File, offset: u64, path: &Path) -> Result<(), Stop> {
    file.seek(SeekFrom::Start(offset))
        .map(|_| ())
        .map_err(|source| Stop::Failed(FlashError::source_io(path, "seek in the image", source)))
}

/// Decodes and discards `count` bytes (unmapped ranges of a compressed, block-mapped image).
fn skip(reader: &mut dyn Read, count: u64, path: &Path, at: u64) -> Result<(), Stop> {
    let copied = std::io::copy(&mut reader.take(count), &mut std::io::sink()).map_err(|e| {
        Stop::Failed(FlashError::Source {
            path: path.to_path_buf(),
            detail: format!("decoding failed near image byte {at}: {e}"),
        })
    })?;
    if copied < count {
        return Err(Stop::Failed(FlashError::Source {
            path: path.to_path_buf(),
            detail: format!(
                "ended at image byte {} but its block map goes further",
                at + copied
            ),
        }));
    }
    Ok(())
}

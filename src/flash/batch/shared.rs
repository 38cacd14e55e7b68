//! The one decode of a batch's source: a sparse raw file in a private temporary directory, and
//! the card plan that writes it (data ranges from the file, zero ranges as zeros).

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::flash::cancel::CancelToken;
use crate::flash::environment::Environment;
use crate::flash::error::FlashError;
use crate::flash::event::EventSink;
use crate::flash::execute::execute;
use crate::flash::plan::{
    FileMode, FlashPlan, PLAN_VERSION, Segment, SegmentData, SourceSpec, TargetSpec,
};
use crate::flash::sparse::data_extents;

/// How the source is read, as `flash` reads it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DecodeOptions {
    /// A zip's card image (`--member`).
    pub member: Option<String>,
    /// Write a file that is not recognised as a card image (`--raw`).
    pub raw: bool,
}

/// A source decoded once for every card of a batch.
pub struct SharedImage {
    /// The file name of the source, for reports.
    pub name: String,
    /// SHA-256 (hex) of the source file as given (compressed or not).
    pub sha256: String,
    /// Length of the decoded image.
    pub image_len: u64,
    /// The decoded image's pieces: its data ranges and its zero ranges.
    pub segments: Vec<Segment>,
    /// The decoded raw file (sparse: zero blocks are holes).
    pub path: PathBuf,
    _dir: tempfile::TempDir,
}

fn hash_file(path: &Path) -> Result<String, FlashError> {
    let mut file = std::fs::File::open(path)
        .map_err(|source| FlashError::source_io(path, "open the image", source))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        match std::io::Read::read(&mut file, &mut buf) {
            Ok(0) => break,
            Ok(n) => hasher.update(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(source) => return Err(FlashError::source_io(path, "read the image", source)),
        }
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// The pieces of a decoded file of `len` bytes: a file segment per data extent, a zero
/// segment per hole (a card must read zeros there, as after `skiff flash` of the source).
fn segments_of(path: &Path, len: u64) -> Result<Vec<Segment>, FlashError> {
    let file = std::fs::File::open(path)
        .map_err(|source| FlashError::source_io(path, "open the decoded image", source))?;
    let extents = data_extents(&file, 0, len)
        .map_err(|source| FlashError::source_io(path, "map the decoded image", source))?;
    let mut segments = Vec::new();
    let mut pos = 0;
    for (start, end) in extents.into_iter().chain(std::iter::once((len, len))) {
        if start > pos {
            segments.push(Segment {
                offset: pos,
                label: "zeros".into(),
                data: SegmentData::Zero { len: start - pos },
            });
        }
        if end > start {
            segments.push(Segment {
                offset: start,
                label: "image".into(),
                data: SegmentData::File {
                    path: path.to_path_buf(),
                    offset: start,
                    len: end - start,
                },
            });
        }
        pos = pos.max(end);
    }
    Ok(segments)
}

impl SharedImage {
    /// Decodes `source` into a sparse file under `work` (a private directory removed on drop).
    /// Opening and recognising the source happens here and only here.
    pub fn decode(
        source: &Path,
        work: &Path,
        env: &Environment,
        sink: &mut dyn EventSink,
        cancel: &CancelToken,
    ) -> Result<SharedImage, FlashError> {
        let options = DecodeOptions::default();
        SharedImage::decode_with(source, &options, work, env, sink, cancel)
    }

    /// [`SharedImage::decode`] with `flash`'s `--member` and `--raw`.
    pub fn decode_with(
        source: &Path,
        options: &DecodeOptions,
        work: &Path,
        env: &Environment,
        sink: &mut dyn EventSink,
        cancel: &CancelToken,
    ) -> Result<SharedImage, FlashError> {
        let sha256 = hash_file(source)?;
        let dir = tempfile::Builder::new()
            .prefix(".skiff-batch-")
            .tempdir_in(work)
            .map_err(|e| FlashError::source_io(work, "create the decode directory", e))?;
        let path = dir.path().join("image.raw");
        let plan = FlashPlan {
            version: PLAN_VERSION,
            target: TargetSpec {
                path: path.clone(),
                device: false,
                expect: None,
                file_mode: FileMode::Replace,
                force_unsafe: None,
            },
            source: SourceSpec::Image {
                path: source.to_path_buf(),
                bmap: None,
                member: options.member.clone(),
                raw: options.raw,
            },
            verify: false,
            wipe_ends: false,
            expect_partitions: vec![],
            post: vec![],
        };
        let summary = execute(&plan, env, sink, cancel)?;
        let segments = segments_of(&path, summary.image_len)?;
        Ok(SharedImage {
            name: source
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| source.display().to_string()),
            sha256,
            image_len: summary.image_len,
            segments,
            path,
            _dir: dir,
        })
    }

    /// The plan that writes this image onto one card (every byte, verified).
    pub fn plan_for(&self, target: TargetSpec) -> FlashPlan {
        FlashPlan {
            version: PLAN_VERSION,
            target,
            source: SourceSpec::Assembly {
                size: self.image_len,
                segments: self.segments.clone(),
            },
            verify: true,
            wipe_ends: true,
            expect_partitions: vec![],
            post: vec![],
        }
    }
}

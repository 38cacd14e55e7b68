//! The versioned plan: what to write where. Made by the unprivileged side, executed (and re-checked)
//! by the in-process writer or the privileged helper, which reads it as JSON on stdin.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::device::DeviceIdentity;
use super::error::FlashError;

pub const PLAN_VERSION: u32 = 1;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlashPlan {
    pub version: u32,
    pub target: TargetSpec,
    pub source: SourceSpec,
    /// Read back and compare after writing (on by default).
    #[serde(default = "default_true")]
    pub verify: bool,
    /// Zero the first and last MiB of a fixed-size target before writing (kills stale tables).
    /// Off for install, which keeps the card's table and its persist partition.
    #[serde(default = "default_true")]
    pub wipe_ends: bool,
    /// Partitions the target's current table must have before anything is written (install).
    #[serde(default)]
    pub expect_partitions: Vec<ExpectedPartition>,
    /// Steps run after the write is verified and before the first MiB is written.
    #[serde(default)]
    pub post: Vec<PostStep>,
}

/// A partition the card must already have: number (1-based), byte start and length.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpectedPartition {
    pub number: u32,
    pub name: String,
    pub start: u64,
    pub size: u64,
}

/// Work done on the target by file system tools after the bytes are written and verified.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum PostStep {
    /// Copy the contents of `dir` into the existing file system of the partition at `offset`,
    /// without mounting it (debugfs for ext4, mtools for vfat). Existing files are replaced,
    /// everything else is kept.
    CopyIn {
        partition: String,
        fs: CopyFs,
        offset: u64,
        size: u64,
        dir: PathBuf,
    },
    /// Put these files into the existing ext4 file system of the partition at `offset` without
    /// mounting it (debugfs), creating missing directories; each replaces a file of its path.
    WriteFiles {
        partition: String,
        offset: u64,
        files: Vec<crate::flash::persist::PersistFile>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CopyFs {
    Ext4,
    Vfat,
}

fn default_true() -> bool {
    true
}

/// How an image-file target is written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileMode {
    /// Write a new file beside the target and rename it over the target at the end; the result is
    /// exactly the image (holes stay holes). Used by `flash` and `image build`.
    #[default]
    Replace,
    /// Write inside the existing file like a card of that size (format, install).
    InPlace,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetSpec {
    pub path: PathBuf,
    /// `true` for a block device; the helper refuses a device plan whose path is not one, and the reverse.
    pub device: bool,
    /// The device as the user saw it when choosing; a different card in the slot is refused.
    #[serde(default)]
    pub expect: Option<DeviceIdentity>,
    #[serde(default)]
    pub file_mode: FileMode,
    /// The device name typed by the user to override an overridable refusal (not removable).
    #[serde(default)]
    pub force_unsafe: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SourceSpec {
    /// An existing image: raw (sparse-aware) or .gz/.xz/.zst/.bz2 (detected from its first bytes),
    /// optionally with a block map naming the ranges that matter.
    Image {
        path: PathBuf,
        #[serde(default)]
        bmap: Option<PathBuf>,
        /// For a zip: the member to write (needed when the zip holds several files).
        #[serde(default)]
        member: Option<String>,
        /// Write the file even when its first sectors are not a disk image.
        #[serde(default)]
        raw: bool,
    },
    /// Pieces placed at offsets of a card of `size` bytes (partition tables, file system images,
    /// bootloader blobs). Bytes not covered are left alone on a card and are holes in a new file.
    Assembly { size: u64, segments: Vec<Segment> },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Segment {
    /// Byte offset on the target.
    pub offset: u64,
    /// What it is, for messages: `gpt`, `partition boot`, `u-boot-sunxi-with-spl.bin`.
    pub label: String,
    pub data: SegmentData,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "from", rename_all = "snake_case")]
pub enum SegmentData {
    /// Literal bytes, hex-encoded on the wire.
    Bytes {
        #[serde(with = "hex")]
        bytes: Vec<u8>,
    },
    /// `len` bytes of a file from `offset`; holes in the file are skipped.
    File {
        path: PathBuf,
        offset: u64,
        len: u64,
    },
    /// `len` zero bytes (stale bootloader areas to clear).
    Zero { len: u64 },
}

impl Segment {
    pub fn len(&self) -> u64 {
        match &self.data {
            SegmentData::Bytes { bytes } => bytes.len() as u64,
            SegmentData::File { len, .. } | SegmentData::Zero { len } => *len,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn end(&self) -> u64 {
        self.offset.saturating_add(self.len())
    }
}

impl FlashPlan {
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|_| String::from("{}"))
    }

    /// Parses a plan and checks the version and the internal consistency of an assembly.
    pub fn from_json(text: &str) -> Result<FlashPlan, FlashError> {
        let version = serde_json::from_str::<serde_json::Value>(text)
            .map_err(|e| FlashError::Plan {
                detail: format!("not JSON: {e}"),
            })?
            .get("version")
            .and_then(serde_json::Value::as_u64);
        if version != Some(u64::from(PLAN_VERSION)) {
            return Err(FlashError::Plan {
                detail: format!(
                    "version {} is not supported; this skiff reads version {PLAN_VERSION} (run the same skiff for planning and writing)",
                    version.map_or_else(|| "missing".to_string(), |v| v.to_string())
                ),
            });
        }
        let plan: FlashPlan = serde_json::from_str(text).map_err(|e| FlashError::Plan {
            detail: format!("line {} column {}: {e}", e.line(), e.column()),
        })?;
        plan.check()?;
        Ok(plan)
    }

    /// Segments must be in ascending order, must not overlap and must fit the assembly size.
    /// (Post steps of a new image file run on its partial file, before the rename.)
    pub fn check(&self) -> Result<(), FlashError> {
        if let SourceSpec::Assembly { size, segments } = &self.source {
            let mut end = 0u64;
            let mut previous = "start of the card";
            for segment in segments {
                if segment.offset < end {
                    return Err(FlashError::Plan {
                        detail: format!(
                            "{} at byte {} overlaps {previous} (which ends at {end})",
                            segment.label, segment.offset
                        ),
                    });
                }
                // Checked: an end past u64::MAX must not saturate into "fits".
                let Some(segment_end) = segment
                    .offset
                    .checked_add(segment.len())
                    .filter(|e| e <= size)
                else {
                    return Err(FlashError::Plan {
                        detail: format!(
                            "{} at byte {} ({} bytes) ends beyond the card size {size}",
                            segment.label,
                            segment.offset,
                            segment.len()
                        ),
                    });
                };
                end = segment_end;
                previous = &segment.label;
            }
        }
        Ok(())
    }
}

mod hex {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        let mut text = String::with_capacity(bytes.len() * 2);
        for b in bytes {
            text.push_str(&format!("{b:02x}"));
        }
        s.serialize_str(&text)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        if !text.len().is_multiple_of(2) {
            return Err(serde::de::Error::custom("hex string of odd length"));
        }
        (0..text.len())
            .step_by(2)
            .map(|i| {
                text.get(i..i + 2)
                    .and_then(|pair| u8::from_str_radix(pair, 16).ok())
                    .ok_or_else(|| serde::de::Error::custom(format!("bad hex at {i}")))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(segments: Vec<Segment>) -> FlashPlan {
        FlashPlan {
            version: PLAN_VERSION,
            target: TargetSpec {
                path: "card.img".into(),
                device: false,
                expect: None,
                file_mode: FileMode::Replace,
                force_unsafe: None,
            },
            source: SourceSpec::Assembly {
                size: 1 << 20,
                segments,
            },
            verify: true,
            wipe_ends: true,
            expect_partitions: vec![],
            post: vec![],
        }
    }

    #[test]
    fn round_trips_with_hex_bytes() {
        let p = plan(vec![Segment {
            offset: 0,
            label: "mbr".into(),
            data: SegmentData::Bytes {
                bytes: vec![0x55, 0xaa, 0],
            },
        }]);
        let json = p.to_json();
        assert!(json.contains("\"55aa00\""), "{json}");
        assert_eq!(FlashPlan::from_json(&json).unwrap(), p);
    }

    #[test]
    fn rejects_other_versions_and_overlaps() {
        let mut p = plan(vec![]);
        p.version = 9;
        let err = FlashPlan::from_json(&p.to_json()).unwrap_err();
        assert!(
            err.to_string().contains("version 9 is not supported"),
            "{err}"
        );
        let p = plan(vec![
            Segment {
                offset: 0,
                label: "mbr".into(),
                data: SegmentData::Bytes {
                    bytes: vec![0; 512],
                },
            },
            Segment {
                offset: 256,
                label: "spl".into(),
                data: SegmentData::Bytes { bytes: vec![1; 4] },
            },
        ]);
        let err = FlashPlan::from_json(&p.to_json()).unwrap_err();
        assert!(
            err.to_string().contains("spl at byte 256 overlaps mbr"),
            "{err}"
        );
        assert!(FlashPlan::from_json("[1,2").is_err());
    }

    #[test]
    fn rejects_a_segment_whose_end_overflows() {
        let mut p = plan(vec![]);
        p.source = SourceSpec::Assembly {
            size: u64::MAX,
            segments: vec![Segment {
                offset: u64::MAX - 1,
                label: "blob".into(),
                data: SegmentData::Zero { len: 4 },
            }],
        };
        let err = FlashPlan::from_json(&p.to_json()).unwrap_err();
        assert!(err.to_string().contains("blob at byte"), "{err}");
    }
}

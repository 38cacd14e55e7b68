//! Turns a board layout, a card size and a build's images/ into a write plan: table bytes,
//! file system images, bootloader blobs, zeroed stale areas, and install's post steps.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::fs::{make_ext4, make_vfat};
use super::stage::{StageInput, stage};
use super::table::{FoundPartition, build};
use super::tools::ToolRunner;
use crate::flash::engine::HOLD;
use crate::flash::error::FlashError;
use crate::flash::plan::{CopyFs, ExpectedPartition, PostStep, Segment, SegmentData};
use crate::model::layout::{Filesystem, Kind, Layout};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CardMode {
    /// New table, empty file systems, bootloader blobs.
    Format,
    /// Keep the table and the persist partition; rebuild the other file systems with the
    /// build's files, write the blobs, add files to persist.
    Install,
    /// Format and install in one pass (an image file): every file system built with its files.
    Build,
}

pub struct CardRequest<'a> {
    pub layout: &'a Layout,
    pub card_size: u64,
    pub images: &'a Path,
    pub layers: &'a [PathBuf],
    pub arch: &'a str,
    pub mode: CardMode,
    /// A directory for file system images and staging trees; must outlive the write.
    pub work: &'a Path,
    /// The card's current table, when it could be read (install needs it for PARTUUIDs).
    pub existing: Option<Vec<FoundPartition>>,
}

/// What happens to one partition, for previews and reports.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PartitionAction {
    pub number: u32,
    pub name: String,
    pub start: u64,
    pub size: u64,
    pub fs: Option<String>,
    pub action: &'static str,
}

pub struct CardPlan {
    pub size: u64,
    pub segments: Vec<Segment>,
    pub post: Vec<PostStep>,
    pub expect: Vec<ExpectedPartition>,
    pub wipe_ends: bool,
    pub partitions: Vec<PartitionAction>,
    pub warnings: Vec<String>,
}

fn layout_error(detail: String) -> FlashError {
    FlashError::Layout { detail }
}

/// Validates the layout for this card and builds everything to write.
pub fn assemble(req: &CardRequest<'_>, tools: &dyn ToolRunner) -> Result<CardPlan, FlashError> {
    let layout = req.layout;
    if layout.kind != Kind::Card {
        return Err(layout_error(format!(
            "{}: this board's layout is of kind {}, which skiff does not write to a card: {}",
            layout.origin,
            layout.kind.as_str(),
            layout
                .flash_with
                .as_deref()
                .unwrap_or("see the layout's description")
        )));
    }
    let report = layout.check(Some(req.card_size));
    if !report.is_ok() {
        return Err(layout_error(format!(
            "the layout does not fit this card of {} bytes:\n{report}",
            req.card_size
        )));
    }
    let warnings: Vec<String> = report
        .warnings()
        .map(|w| format!("{}: {}: {}", layout.origin, w.field, w.message))
        .collect();
    let placed = layout.place(Some(req.card_size));
    let persist = layout.install.as_ref().map(|i| i.persist.clone());
    let mut segments = Vec::new();
    let mut partuuids = HashMap::new();
    let mut expect = Vec::new();

    match req.mode {
        CardMode::Format | CardMode::Build => {
            let table = build(layout, &placed, req.card_size)?;
            segments.extend(table.segments);
            for (p, uuid) in placed.iter().zip(table.partuuids) {
                partuuids.insert(layout.partitions[p.index].name.clone(), uuid);
            }
        }
        CardMode::Install => {
            for (slot, p) in placed.iter().enumerate() {
                let name = layout.partitions[p.index].name.clone();
                expect.push(ExpectedPartition {
                    number: slot as u32 + 1,
                    name: name.clone(),
                    start: p.start,
                    size: p.len(),
                });
                if let Some(found) = req
                    .existing
                    .iter()
                    .flatten()
                    .find(|f| f.number == slot as u32 + 1)
                {
                    partuuids.insert(name, found.partuuid.clone());
                }
            }
        }
    }

    let staged = match req.mode {
        CardMode::Format => None,
        CardMode::Install | CardMode::Build => Some(stage(&StageInput {
            layout,
            images: req.images,
            layers: req.layers,
            arch: req.arch,
            partuuids: &partuuids,
            work: req.work,
        })?),
    };

    let mut post = Vec::new();
    let mut actions = Vec::new();
    for (slot, p) in placed.iter().enumerate() {
        let part = &layout.partitions[p.index];
        let content = staged
            .as_ref()
            .and_then(|s| s.get(&part.name))
            .map(PathBuf::as_path);
        let keep = req.mode == CardMode::Install && persist.as_deref() == Some(part.name.as_str());
        let action = match (part.fs, keep) {
            (None, _) => "left raw",
            (Some(fs), true) => {
                if let Some(dir) = content.filter(|d| dir_has_entries(d)) {
                    post.push(PostStep::CopyIn {
                        partition: part.name.clone(),
                        fs: match fs {
                            Filesystem::Ext4 => CopyFs::Ext4,
                            Filesystem::Vfat => CopyFs::Vfat,
                        },
                        offset: p.start,
                        size: p.len(),
                        dir: dir.to_path_buf(),
                    });
                    "kept, files added"
                } else {
                    "kept"
                }
            }
            (Some(fs), false) => {
                let image = req.work.join(format!("part{}-{}.img", slot + 1, part.name));
                match fs {
                    Filesystem::Vfat => make_vfat(
                        tools,
                        &image,
                        p.len(),
                        p.start,
                        part.label.as_deref(),
                        &part.mkfs,
                        content,
                    )?,
                    Filesystem::Ext4 => make_ext4(
                        tools,
                        &image,
                        p.len(),
                        part.label.as_deref(),
                        &part.mkfs,
                        content,
                    )?,
                }
                segments.push(Segment {
                    offset: p.start,
                    label: format!("partition {} ({})", slot + 1, part.name),
                    data: SegmentData::File {
                        path: image,
                        offset: 0,
                        len: p.len(),
                    },
                });
                if content.is_some() {
                    "built with files"
                } else {
                    "formatted empty"
                }
            }
        };
        actions.push(PartitionAction {
            number: slot as u32 + 1,
            name: part.name.clone(),
            start: p.start,
            size: p.len(),
            fs: part.fs.map(|f| format!("{f:?}").to_lowercase()),
            action,
        });
    }

    for (i, raw) in layout.raw.iter().enumerate() {
        let path = req.images.join(&raw.file);
        let len = match std::fs::metadata(&path) {
            Ok(m) => m.len(),
            Err(_) if raw.optional => continue,
            Err(e) => {
                return Err(FlashError::io(
                    &path,
                    "read the bootloader for raw[] (build it first, or mark it optional)",
                    e,
                ));
            }
        };
        let n = raw
            .bytes_to_write(len)
            .map_err(|m| layout_error(format!("{}: raw[{i}]: {m}", layout.origin)))?;
        segments.push(Segment {
            offset: raw.offset.0,
            label: raw.file.clone(),
            data: SegmentData::File {
                path,
                offset: raw.skip.0,
                len: n,
            },
        });
    }

    if req.mode != CardMode::Install
        && let Some(wipe) = layout.wipe
    {
        // The engine zeroes the first MiB; clear the rest of the layout's wipe area where no
        // partition or other write lands.
        let mut busy: Vec<(u64, u64)> = segments.iter().map(|s| (s.offset, s.end())).collect();
        busy.extend(placed.iter().map(|p| (p.start, p.end)));
        busy.sort();
        let mut cursor = HOLD;
        for (s, e) in busy.into_iter().chain([(wipe.0, wipe.0)]) {
            if s > cursor && cursor < wipe.0 {
                let end = s.min(wipe.0);
                segments.push(Segment {
                    offset: cursor,
                    label: "wipe".into(),
                    data: SegmentData::Zero { len: end - cursor },
                });
            }
            cursor = cursor.max(e);
        }
    }
    segments.sort_by_key(|s| s.offset);
    Ok(CardPlan {
        size: req.card_size,
        segments,
        post,
        expect,
        wipe_ends: req.mode != CardMode::Install,
        partitions: actions,
        warnings,
    })
}

fn dir_has_entries(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|mut r| r.next().is_some())
}

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
use crate::model::layout::{Filesystem, Kind, Layout, Placed};

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
    let warnings = check(req)?;
    let placed = layout.place(Some(req.card_size));
    let (mut segments, partuuids, expect) = table(req, &placed)?;
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
        let content = staged
            .as_ref()
            .and_then(|s| s.get(&layout.partitions[p.index].name))
            .map(PathBuf::as_path);
        let (action, write) = partition(req, tools, slot, p, content, &mut post)?;
        segments.extend(write);
        let part = &layout.partitions[p.index];
        actions.push(PartitionAction {
            number: slot as u32 + 1,
            name: part.name.clone(),
            start: p.start,
            size: p.len(),
            fs: part.fs.map(|f| format!("{f:?}").to_lowercase()),
            action,
        });
    }
    segments.extend(raw_writes(req)?);
    if req.mode != CardMode::Install {
        let wipe = wipe_writes(layout, &segments, &placed);
        segments.extend(wipe);
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

/// The layout must be a card layout and fit this card; returns its warnings.
fn check(req: &CardRequest<'_>) -> Result<Vec<String>, FlashError> {
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
    Ok(report
        .warnings()
        .map(|w| format!("{}: {}: {}", layout.origin, w.field, w.message))
        .collect())
}

/// Format and build write a new table (and know its PARTUUIDs); install expects the card's
/// table to hold the layout's partitions and takes their PARTUUIDs from it.
fn table(
    req: &CardRequest<'_>,
    placed: &[Placed],
) -> Result<(Vec<Segment>, PartUuids, Vec<ExpectedPartition>), FlashError> {
    let layout = req.layout;
    let mut partuuids = HashMap::new();
    let mut expect = Vec::new();
    if req.mode != CardMode::Install {
        let table = build(layout, placed, req.card_size)?;
        for (p, uuid) in placed.iter().zip(table.partuuids) {
            partuuids.insert(layout.partitions[p.index].name.clone(), uuid);
        }
        return Ok((table.segments, partuuids, expect));
    }
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
    Ok((Vec::new(), partuuids, expect))
}

type PartUuids = HashMap<String, String>;

/// One partition: left raw, kept (install's persist, files added by a post step), or a file
/// system built into an image file that becomes a write.
fn partition(
    req: &CardRequest<'_>,
    tools: &dyn ToolRunner,
    slot: usize,
    p: &Placed,
    content: Option<&Path>,
    post: &mut Vec<PostStep>,
) -> Result<(&'static str, Option<Segment>), FlashError> {
    let part = &req.layout.partitions[p.index];
    let persist = req.layout.install.as_ref().map(|i| i.persist.as_str());
    let keep = req.mode == CardMode::Install && persist == Some(part.name.as_str());
    let Some(fs) = part.fs else {
        return Ok(("left raw", None));
    };
    if keep {
        let Some(dir) = content.filter(|d| dir_has_entries(d)) else {
            return Ok(("kept", None));
        };
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
        return Ok(("kept, files added", None));
    }
    let image = req.work.join(format!("part{}-{}.img", slot + 1, part.name));
    let label = part.label.as_deref();
    match fs {
        Filesystem::Vfat => make_vfat(tools, &image, p.len(), p.start, label, &part.mkfs, content)?,
        Filesystem::Ext4 => make_ext4(tools, &image, p.len(), label, &part.mkfs, content)?,
    }
    let write = Segment {
        offset: p.start,
        label: format!("partition {} ({})", slot + 1, part.name),
        data: SegmentData::File {
            path: image,
            offset: 0,
            len: p.len(),
        },
    };
    let action = if content.is_some() {
        "built with files"
    } else {
        "formatted empty"
    };
    Ok((action, Some(write)))
}

/// Raw bootloader files at their byte offsets; optional ones that were not built are skipped.
fn raw_writes(req: &CardRequest<'_>) -> Result<Vec<Segment>, FlashError> {
    let layout = req.layout;
    let mut out = Vec::new();
    for (i, raw) in layout.raw.iter().enumerate() {
        let path = req.images.join(&raw.file);
        let len = match std::fs::metadata(&path) {
            Ok(m) => m.len(),
            Err(_) if raw.optional => continue,
            Err(e) => {
                return Err(FlashError::io(
                    &path,
                    "read this bootloader file the layout writes to the card (build the workspace first, or mark it optional in layout.yaml)",
                    e,
                ));
            }
        };
        let n = raw
            .bytes_to_write(len)
            .map_err(|m| layout_error(format!("{}: raw[{i}]: {m}", layout.origin)))?;
        out.push(Segment {
            offset: raw.offset.0,
            label: raw.file.clone(),
            data: SegmentData::File {
                path,
                offset: raw.skip.0,
                len: n,
            },
        });
    }
    Ok(out)
}

/// The bootloader files the layout writes and `images` does not hold (optional ones left out),
/// as the layout names them: what a format or install would fail to read.
pub fn missing_bootloaders(layout: &Layout, images: &Path) -> Vec<String> {
    layout
        .raw
        .iter()
        .filter(|r| !r.optional && std::fs::metadata(images.join(&r.file)).is_err())
        .map(|r| r.file.clone())
        .collect()
}

/// Zeros for the layout's `wipe` area where no partition or other write lands (the engine
/// zeroes the first MiB itself).
fn wipe_writes(layout: &Layout, segments: &[Segment], placed: &[Placed]) -> Vec<Segment> {
    let Some(wipe) = layout.wipe else {
        return Vec::new();
    };
    let mut busy: Vec<(u64, u64)> = segments.iter().map(|s| (s.offset, s.end())).collect();
    busy.extend(placed.iter().map(|p| (p.start, p.end)));
    busy.sort();
    let mut out = Vec::new();
    let mut cursor = HOLD;
    for (s, e) in busy.into_iter().chain([(wipe.0, wipe.0)]) {
        if s > cursor && cursor < wipe.0 {
            let end = s.min(wipe.0);
            out.push(Segment {
                offset: cursor,
                label: "wipe".into(),
                data: SegmentData::Zero { len: end - cursor },
            });
        }
        cursor = cursor.max(e);
    }
    out
}

pub(crate) fn dir_has_entries(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|mut r| r.next().is_some())
}

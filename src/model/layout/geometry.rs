//! Where a layout's partitions, raw writes and partition-table structures land on a card of a given size.

use super::units::{SECTOR, align_up};
use super::{Kind, Layout, PartSize, TableType};

/// End of the MBR bootstrap code area: raw bootloader heads may be written below this offset.
pub const MBR_CODE_END: u64 = 446;
/// End of the primary GPT (protective MBR, header, 128 entries): 34 sectors.
pub const GPT_PRIMARY_END: u64 = 34 * SECTOR;
/// Size of the backup GPT at the end of the card (entries plus header): 33 sectors.
pub const GPT_BACKUP_LEN: u64 = 33 * SECTOR;
/// Smallest size of a `size: rest` partition when the layout gives no `min`.
pub const DEFAULT_REST_MIN: u64 = 1024 * 1024;

/// A partition placed on a card: byte range `start..end` (end exclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placed {
    /// Index into `Layout::partitions`.
    pub index: usize,
    pub start: u64,
    pub end: u64,
}

impl Placed {
    pub fn len(&self) -> u64 {
        self.end.saturating_sub(self.start)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// What occupies a region of the card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegionKind {
    /// Partition-table bytes a raw write must not touch (MBR entries, primary GPT).
    Table,
    /// The backup GPT at the end of the card.
    BackupTable,
    /// `Layout::raw[i]`.
    Raw(usize),
    /// `Layout::partitions[i]`.
    Partition(usize),
    /// Unused space.
    Free,
}

/// A byte range of the card and what it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region {
    pub kind: RegionKind,
    pub start: u64,
    pub end: u64,
}

impl Layout {
    /// Byte ranges holding partition-table structures for a card of `card` bytes. For MBR the
    /// bootstrap-code area (0..446) is left out: bootloaders such as Amlogic's BL1 live there.
    pub fn table_regions(&self, card: u64) -> Vec<Region> {
        match self.table {
            Some(TableType::Mbr) => vec![Region {
                kind: RegionKind::Table,
                start: MBR_CODE_END,
                end: SECTOR,
            }],
            Some(TableType::Gpt) => vec![
                Region {
                    kind: RegionKind::Table,
                    start: MBR_CODE_END,
                    end: GPT_PRIMARY_END,
                },
                Region {
                    kind: RegionKind::BackupTable,
                    start: card.saturating_sub(GPT_BACKUP_LEN),
                    end: card,
                },
            ],
            None => Vec::new(),
        }
    }

    /// First byte a partition may use.
    pub fn first_usable(&self) -> u64 {
        match self.table {
            Some(TableType::Gpt) => GPT_PRIMARY_END,
            _ => SECTOR,
        }
    }

    /// End (exclusive) of the space partitions may use on a card of `card` bytes.
    pub fn usable_end(&self, card: u64) -> u64 {
        match self.table {
            Some(TableType::Gpt) => card.saturating_sub(GPT_BACKUP_LEN),
            _ => card,
        }
    }

    /// Places every partition. Without a card size a `rest` partition gets its minimum size.
    /// Vendor-card and card-less layouts place nothing.
    pub fn place(&self, card: Option<u64>) -> Vec<Placed> {
        if self.kind != Kind::Card {
            return Vec::new();
        }
        let align = self.alignment();
        let mut cursor = self.first_usable();
        let mut out = Vec::with_capacity(self.partitions.len());
        for (index, p) in self.partitions.iter().enumerate() {
            let start = p.start.map_or_else(|| align_up(cursor, align), |s| s.0);
            let end = match (p.end, p.size) {
                (Some(e), _) => e.0,
                (None, Some(PartSize::Bytes(n))) => start.saturating_add(n),
                (None, Some(PartSize::Rest)) => match card {
                    Some(c) => self.usable_end(c).max(start),
                    None => start.saturating_add(p.min.map_or(DEFAULT_REST_MIN, |m| m.0)),
                },
                (None, None) => start,
            };
            out.push(Placed { index, start, end });
            cursor = end;
        }
        out
    }

    /// Byte range `offset..offset+reserved` of raw write `i`.
    pub fn raw_span(&self, i: usize) -> Option<(u64, u64)> {
        let r = self.raw.get(i)?;
        Some((r.offset.0, r.offset.0.saturating_add(r.reserved())))
    }

    /// The smallest card this layout fits on (0 for layouts without a card).
    pub fn min_card_size(&self) -> u64 {
        if self.kind != Kind::Card {
            return 0;
        }
        let parts = self.place(None).iter().map(|p| p.end).max().unwrap_or(0);
        let raws = (0..self.raw.len())
            .filter_map(|i| self.raw_span(i).map(|s| s.1))
            .max()
            .unwrap_or(0);
        let body = parts.max(raws).max(self.first_usable());
        let tail = if self.table == Some(TableType::Gpt) {
            GPT_BACKUP_LEN
        } else {
            0
        };
        align_up(body.saturating_add(tail), SECTOR)
    }

    /// Every region of a card of `card` bytes in offset order, with free gaps filled in; used
    /// for drawing. Overlapping regions are kept as they are (the checker reports them).
    pub fn regions(&self, card: u64) -> Vec<Region> {
        let mut used: Vec<Region> = self.table_regions(card);
        if self.table.is_some() {
            // Show the whole first sector as table in drawings.
            used[0].start = 0;
        }
        for i in 0..self.raw.len() {
            if let Some((start, end)) = self.raw_span(i) {
                used.push(Region {
                    kind: RegionKind::Raw(i),
                    start,
                    end,
                });
            }
        }
        for p in self.place(Some(card)) {
            used.push(Region {
                kind: RegionKind::Partition(p.index),
                start: p.start,
                end: p.end,
            });
        }
        used.sort_by_key(|r| (r.start, r.end));
        let mut out = Vec::with_capacity(used.len() * 2);
        let mut cursor = 0;
        for r in used {
            if r.start > cursor {
                out.push(Region {
                    kind: RegionKind::Free,
                    start: cursor,
                    end: r.start,
                });
            }
            cursor = cursor.max(r.end);
            out.push(r);
        }
        if cursor < card {
            out.push(Region {
                kind: RegionKind::Free,
                start: cursor,
                end: card,
            });
        }
        out
    }
}

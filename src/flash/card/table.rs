//! Partition tables as bytes: MBR (mbrman) and GPT with its protective MBR (gpt), built on a
//! virtual disk of the card's size and returned as the byte ranges to write.

use std::collections::BTreeMap;
use std::hash::{BuildHasher, Hasher};
use std::io::{Read, Seek, SeekFrom, Write};

use crate::flash::error::FlashError;
use crate::flash::plan::{Segment, SegmentData};
use crate::model::layout::{Layout, Placed, TableType};

const SECTOR: u64 = 512;

/// A disk of any size that keeps only the sectors written to it (reads elsewhere return zeros).
#[derive(Debug)]
pub struct VirtualDisk {
    size: u64,
    pos: u64,
    sectors: BTreeMap<u64, [u8; 512]>,
}

impl VirtualDisk {
    pub fn new(size: u64) -> VirtualDisk {
        VirtualDisk {
            size,
            pos: 0,
            sectors: BTreeMap::new(),
        }
    }

    /// Written sectors merged into contiguous byte runs.
    pub fn runs(&self) -> Vec<(u64, Vec<u8>)> {
        let mut runs: Vec<(u64, Vec<u8>)> = Vec::new();
        for (sector, data) in &self.sectors {
            let offset = sector * SECTOR;
            match runs.last_mut() {
                Some((start, bytes)) if *start + bytes.len() as u64 == offset => {
                    bytes.extend_from_slice(data)
                }
                _ => runs.push((offset, data.to_vec())),
            }
        }
        runs
    }
}

impl Read for VirtualDisk {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = (buf.len() as u64).min(self.size.saturating_sub(self.pos)) as usize;
        for (i, byte) in buf[..n].iter_mut().enumerate() {
            let at = self.pos + i as u64;
            *byte = self
                .sectors
                .get(&(at / SECTOR))
                .map_or(0, |s| s[(at % SECTOR) as usize]);
        }
        self.pos += n as u64;
        Ok(n)
    }
}

impl Write for VirtualDisk {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.pos + buf.len() as u64 > self.size {
            return Err(std::io::Error::other("write past the end of the card"));
        }
        for (i, byte) in buf.iter().enumerate() {
            let at = self.pos + i as u64;
            self.sectors.entry(at / SECTOR).or_insert([0; 512])[(at % SECTOR) as usize] = *byte;
        }
        self.pos += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Seek for VirtualDisk {
    fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
        let next = match to {
            SeekFrom::Start(n) => Some(n),
            SeekFrom::End(d) => self.size.checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        };
        self.pos = next.ok_or_else(|| std::io::Error::other("seek out of range"))?;
        Ok(self.pos)
    }
}

/// A fresh random 32-bit value (MBR disk signature) from the standard library's hasher keys.
fn random_u32() -> u32 {
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(std::process::id() as u64);
    h.finish() as u32
}

/// The table's bytes and the PARTUUID of each partition (`PARTUUID=` syntax of the kernel).
pub struct BuiltTable {
    pub segments: Vec<Segment>,
    pub partuuids: Vec<String>,
}

fn table_error(detail: String) -> FlashError {
    FlashError::Layout { detail }
}

/// Builds the table for `placed` partitions on a card of `card` bytes. For MBR only bytes
/// 440..512 (disk signature, entries, boot signature) are returned, or 446..512 when a raw
/// bootloader occupies the boot-code area; for GPT the protective MBR entries, primary header
/// and entries, and the backup entries and header.
pub fn build(layout: &Layout, placed: &[Placed], card: u64) -> Result<BuiltTable, FlashError> {
    let code_area_used = layout.raw.iter().any(|r| r.offset.0 < 446);
    match layout.table {
        Some(TableType::Mbr) => build_mbr(layout, placed, card, code_area_used),
        Some(TableType::Gpt) => build_gpt(layout, placed, card),
        None => Err(table_error(format!(
            "{}: the layout has no table type",
            layout.origin
        ))),
    }
}

fn build_mbr(
    layout: &Layout,
    placed: &[Placed],
    card: u64,
    code_area_used: bool,
) -> Result<BuiltTable, FlashError> {
    let mut disk = VirtualDisk::new(card);
    let signature = random_u32();
    let mut mbr = mbrman::MBR::new_from(&mut disk, SECTOR as u32, signature.to_le_bytes())
        .map_err(|e| table_error(format!("cannot create an MBR for {card} bytes: {e}")))?;
    let mut partuuids = Vec::new();
    for (slot, place) in placed.iter().enumerate() {
        let part = &layout.partitions[place.index];
        let sys = part
            .mbr_type()
            .ok_or_else(|| table_error(format!("partition {} has no MBR type", part.name)))?;
        let start = u32::try_from(place.start / SECTOR)
            .map_err(|_| table_error(format!("partition {} starts beyond 2 TiB", part.name)))?;
        let sectors = u32::try_from(place.len() / SECTOR)
            .map_err(|_| table_error(format!("partition {} is larger than 2 TiB", part.name)))?;
        let entry = mbr
            .get_mut(slot + 1)
            .ok_or_else(|| table_error("more than 4 partitions in an MBR table".into()))?;
        *entry = mbrman::MBRPartitionEntry {
            boot: if part.bootable() {
                mbrman::BOOT_ACTIVE
            } else {
                mbrman::BOOT_INACTIVE
            },
            first_chs: mbrman::CHS::empty(),
            sys,
            last_chs: mbrman::CHS::empty(),
            starting_lba: start,
            sectors,
        };
        partuuids.push(format!("{signature:08x}-{:02x}", slot + 1));
    }
    mbr.write_into(&mut disk)
        .map_err(|e| table_error(format!("cannot write the MBR: {e}")))?;
    let sector0 = disk
        .runs()
        .into_iter()
        .next()
        .map(|(_, b)| b)
        .unwrap_or_default();
    let from = if code_area_used { 446 } else { 440 };
    let bytes = sector0
        .get(from..512)
        .ok_or_else(|| table_error("the MBR was not written".into()))?
        .to_vec();
    Ok(BuiltTable {
        segments: vec![Segment {
            offset: from as u64,
            label: "MBR partition table".into(),
            data: SegmentData::Bytes { bytes },
        }],
        partuuids,
    })
}

fn build_gpt(layout: &Layout, placed: &[Placed], card: u64) -> Result<BuiltTable, FlashError> {
    let disk = VirtualDisk::new(card);
    let mut gpt = gpt::GptConfig::new()
        .writable(true)
        .logical_block_size(gpt::disk::LogicalBlockSize::Lb512)
        .change_partition_count(true)
        .create_from_device(disk, None)
        .map_err(|e| table_error(format!("cannot create a GPT for {card} bytes: {e}")))?;
    for (slot, place) in placed.iter().enumerate() {
        let part = &layout.partitions[place.index];
        let guid = part
            .gpt_type()
            .ok_or_else(|| table_error(format!("partition {} has no GPT type", part.name)))?;
        let kind: gpt::partition_types::Type = guid
            .parse()
            .map_err(|e| table_error(format!("partition {}: type {guid}: {e}", part.name)))?;
        let flags = if part.bootable() { 1 << 2 } else { 0 };
        if place.len() < SECTOR {
            return Err(table_error(format!("partition {} is empty", part.name)));
        }
        gpt.add_partition_at(
            &part.name,
            slot as u32 + 1,
            place.start / SECTOR,
            place.len() / SECTOR,
            kind,
            flags,
        )
        .map_err(|e| table_error(format!("partition {} does not fit the GPT: {e}", part.name)))?;
    }
    let partuuids = gpt
        .partitions()
        .values()
        .map(|p| p.part_guid.to_string().to_ascii_lowercase())
        .collect();
    let mut disk = gpt
        .write()
        .map_err(|e| table_error(format!("cannot write the GPT: {e}")))?;
    let last_lba = card / SECTOR - 1;
    let pmbr = gpt::mbr::ProtectiveMBR::with_lb_size(u32::try_from(last_lba).unwrap_or(u32::MAX));
    pmbr.overwrite_lba0(&mut disk)
        .map_err(|e| table_error(format!("cannot write the protective MBR: {e}")))?;
    let mut segments = Vec::new();
    for (offset, mut bytes) in disk.runs() {
        let mut offset = offset;
        if offset == 0 {
            // Leave the boot-code area to raw writes; the entries and signature start at 446.
            bytes.drain(..446);
            offset = 446;
        }
        let label = if offset < card / 2 {
            "GPT (protective MBR, header, entries)"
        } else {
            "backup GPT"
        };
        segments.push(Segment {
            offset,
            label: label.into(),
            data: SegmentData::Bytes { bytes },
        });
    }
    Ok(BuiltTable {
        segments,
        partuuids,
    })
}

/// A partition as found in a card's current table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FoundPartition {
    pub number: u32,
    pub start: u64,
    pub size: u64,
    pub partuuid: String,
}

fn le_u32(b: &[u8], at: usize) -> u64 {
    b.get(at..at + 4).map_or(0, |s| {
        u64::from(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
    })
}

fn le_u64(b: &[u8], at: usize) -> u64 {
    b.get(at..at + 8).map_or(0, |s| {
        let mut a = [0u8; 8];
        a.copy_from_slice(s);
        u64::from_le_bytes(a)
    })
}

fn guid_text(b: &[u8]) -> String {
    if b.len() < 16 {
        return String::new();
    }
    format!(
        "{:08x}-{:04x}-{:04x}-{:02x}{:02x}-{}",
        le_u32(b, 0),
        u16::from_le_bytes([b[4], b[5]]),
        u16::from_le_bytes([b[6], b[7]]),
        b[8],
        b[9],
        b[10..16]
            .iter()
            .map(|x| format!("{x:02x}"))
            .collect::<String>()
    )
}

/// Reads the partitions of an MBR or GPT table from the first bytes of a card (`head` must
/// hold at least 34 sectors for GPT). Returns `None` when there is no valid table.
pub fn read(head: &[u8]) -> Option<Vec<FoundPartition>> {
    if head.len() < 512 || head[510] != 0x55 || head[511] != 0xaa {
        return None;
    }
    let signature = le_u32(head, 440);
    let entries: Vec<(u8, u64, u64)> = (0..4)
        .map(|i| {
            let e = 446 + i * 16;
            (head[e + 4], le_u32(head, e + 8), le_u32(head, e + 12))
        })
        .collect();
    if entries.iter().any(|(t, _, _)| *t == 0xee) {
        let header = head.get(512..1024)?;
        if &header[..8] != b"EFI PART" {
            return None;
        }
        let table_lba = le_u64(header, 72);
        let count = le_u32(header, 80).min(256) as usize;
        let size = le_u32(header, 84) as usize;
        if !(128..=4096).contains(&size) {
            return None;
        }
        let mut out = Vec::new();
        for i in 0..count {
            let at = (table_lba as usize)
                .checked_mul(512)?
                .checked_add(i * size)?;
            let entry = head.get(at..at.checked_add(size)?)?;
            if entry[..16].iter().all(|b| *b == 0) {
                continue;
            }
            let first = le_u64(entry, 32);
            let last = le_u64(entry, 40);
            if last < first {
                return None;
            }
            out.push(FoundPartition {
                number: i as u32 + 1,
                start: first * 512,
                size: (last - first + 1) * 512,
                partuuid: guid_text(&entry[16..32]),
            });
        }
        return Some(out);
    }
    Some(
        entries
            .into_iter()
            .enumerate()
            .filter(|(_, (t, _, n))| *t != 0 && *n != 0)
            .map(|(i, (_, start, sectors))| FoundPartition {
                number: i as u32 + 1,
                start: start * 512,
                size: sectors * 512,
                partuuid: format!("{signature:08x}-{:02x}", i + 1),
            })
            .collect(),
    )
}

//! Zip archives that carry a card image: the member list from the central directory (zip64
//! included), and one stored, deflated, bzip2 or zstd member streamed from its local header
//! with its CRC-32 checked at the end (no temporary file).

use std::io::{Read, Seek, SeekFrom};

/// The signature every zip starts with (a local file header), or an empty archive's end record.
pub fn is_zip(head: &[u8]) -> bool {
    head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06")
}

/// One file of the archive, as its central directory describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    pub name: String,
    /// 0 stored, 8 deflate, 12 bzip2, 93 zstd; others are refused when opened.
    pub method: u16,
    pub encrypted: bool,
    pub compressed_size: u64,
    /// The declared decoded size.
    pub size: u64,
    pub crc32: u32,
    local_offset: u64,
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

fn bad(detail: impl Into<String>) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, detail.into())
}

fn read_at(file: &mut (impl Read + Seek), at: u64, len: usize) -> std::io::Result<Vec<u8>> {
    file.seek(SeekFrom::Start(at))?;
    let mut buf = Vec::new();
    file.take(len as u64).read_to_end(&mut buf)?;
    Ok(buf)
}

/// Where the central directory is and how many entries it has.
fn central_directory(file: &mut (impl Read + Seek)) -> std::io::Result<(u64, u64, u64)> {
    let len = file.seek(SeekFrom::End(0))?;
    let tail_len = len.min(22 + 65535);
    let tail = read_at(file, len - tail_len, tail_len as usize)?;
    let eocd = (0..tail.len().saturating_sub(21))
        .rev()
        .find(|&i| tail[i..].starts_with(b"PK\x05\x06"))
        .ok_or_else(|| bad("no end of central directory record (truncated zip?)"))?;
    let field = |at| u32_at(&tail, eocd + at).unwrap_or(0);
    let (mut entries, mut size, mut offset) = (
        u64::from(u16_at(&tail, eocd + 10).unwrap_or(0)),
        u64::from(field(12)),
        u64::from(field(16)),
    );
    let zip64 = entries == 0xffff || size == 0xffff_ffff || offset == 0xffff_ffff;
    if zip64 && eocd >= 20 && tail[eocd - 20..].starts_with(b"PK\x06\x07") {
        let at = u64_at(&tail, eocd - 20 + 8).unwrap_or(0);
        let record = read_at(file, at, 56)?;
        if !record.starts_with(b"PK\x06\x06") {
            return Err(bad("the zip64 end record is missing"));
        }
        entries = u64_at(&record, 32).unwrap_or(0);
        size = u64_at(&record, 40).unwrap_or(0);
        offset = u64_at(&record, 48).unwrap_or(0);
    }
    if offset.saturating_add(size) > len {
        return Err(bad("the central directory lies beyond the end of the file"));
    }
    Ok((offset, size, entries))
}

/// Reads the zip64 extra field: the 64-bit values of the fields saturated in the entry.
fn zip64_extra(extra: &[u8], size: &mut u64, csize: &mut u64, offset: &mut u64) {
    let mut at = 0;
    while let (Some(id), Some(len)) = (u16_at(extra, at), u16_at(extra, at + 2)) {
        let body = &extra[(at + 4).min(extra.len())..(at + 4 + len as usize).min(extra.len())];
        if id == 1 {
            let mut pos = 0;
            for value in [size, csize, offset] {
                if *value == 0xffff_ffff {
                    if let Some(v) = u64_at(body, pos) {
                        *value = v;
                    }
                    pos += 8;
                }
            }
            return;
        }
        at += 4 + len as usize;
    }
}

/// Every entry of the archive except directories, in archive order.
pub fn members(file: &mut (impl Read + Seek)) -> std::io::Result<Vec<Member>> {
    let (offset, size, entries) = central_directory(file)?;
    let dir = read_at(file, offset, size as usize)?;
    let mut out = Vec::new();
    let mut at = 0usize;
    for _ in 0..entries {
        if !dir[at.min(dir.len())..].starts_with(b"PK\x01\x02") {
            return Err(bad(format!(
                "central directory entry {} is damaged",
                out.len() + 1
            )));
        }
        let field16 = |o| u16_at(&dir, at + o).unwrap_or(0);
        let field32 = |o| u32_at(&dir, at + o).unwrap_or(0);
        let (name_len, extra_len, comment_len) = (
            field16(28) as usize,
            field16(30) as usize,
            field16(32) as usize,
        );
        let name_start = at + 46;
        let extra_start = name_start + name_len;
        let name = dir
            .get(name_start..extra_start)
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .ok_or_else(|| bad("a central directory name runs past its end"))?;
        let extra = dir
            .get(extra_start..extra_start + extra_len)
            .unwrap_or_default();
        let (mut usize_, mut csize, mut local) = (
            u64::from(field32(24)),
            u64::from(field32(20)),
            u64::from(field32(42)),
        );
        zip64_extra(extra, &mut usize_, &mut csize, &mut local);
        if !name.ends_with('/') {
            out.push(Member {
                name,
                method: field16(10),
                encrypted: field16(8) & 1 != 0,
                compressed_size: csize,
                size: usize_,
                crc32: field32(16),
                local_offset: local,
            });
        }
        at = extra_start + extra_len + comment_len;
    }
    Ok(out)
}

/// Checks the CRC-32 of everything read through it when the stream ends.
struct CrcCheck<R> {
    inner: R,
    crc: flate2::Crc,
    expected: u32,
    name: String,
}

impl<R: Read> Read for CrcCheck<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n == 0 && !buf.is_empty() && self.crc.sum() != self.expected {
            return Err(bad(format!(
                "zip member {}: CRC-32 {:08x} does not match the archive's {:08x} (corrupt zip)",
                self.name,
                self.crc.sum(),
                self.expected
            )));
        }
        self.crc.update(&buf[..n]);
        Ok(n)
    }
}

/// Streams the decoded bytes of `member` from `file` (positioned anywhere).
pub fn open_member<R: Read + Seek + Send + 'static>(
    mut file: R,
    member: &Member,
) -> std::io::Result<Box<dyn Read + Send>> {
    if member.encrypted {
        return Err(bad(format!(
            "zip member {} is encrypted; unpack it with its password first",
            member.name
        )));
    }
    let header = read_at(&mut file, member.local_offset, 30)?;
    if !header.starts_with(b"PK\x03\x04") {
        return Err(bad(format!(
            "zip member {}: no local header at byte {}",
            member.name, member.local_offset
        )));
    }
    let skip = 30
        + u64::from(u16_at(&header, 26).unwrap_or(0))
        + u64::from(u16_at(&header, 28).unwrap_or(0));
    file.seek(SeekFrom::Start(member.local_offset.saturating_add(skip)))?;
    let data = std::io::BufReader::with_capacity(1 << 20, file.take(member.compressed_size));
    let decoded: Box<dyn Read + Send> = match member.method {
        0 => Box::new(data),
        8 => Box::new(flate2::bufread::DeflateDecoder::new(data)),
        12 => Box::new(bzip2::bufread::BzDecoder::new(data)),
        93 => Box::new(zstd::stream::read::Decoder::with_buffer(data)?),
        other => {
            return Err(bad(format!(
                "zip member {}: compression method {other} is not supported (stored, deflate, bzip2 and zstd are); unpack the zip first",
                member.name
            )));
        }
    };
    Ok(Box::new(CrcCheck {
        inner: decoded,
        crc: flate2::Crc::new(),
        expected: member.crc32,
        name: member.name.clone(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Cursor, Write};

    /// A minimal zip writer for tests: stored or deflated members, central directory, end record.
    pub fn build(files: &[(&str, &[u8], bool)]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut central = Vec::new();
        for (name, bytes, deflate) in files {
            let data = if *deflate {
                let mut e =
                    flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
                e.write_all(bytes).unwrap();
                e.finish().unwrap()
            } else {
                bytes.to_vec()
            };
            let mut crc = flate2::Crc::new();
            crc.update(bytes);
            let method: u16 = if *deflate { 8 } else { 0 };
            let offset = out.len() as u32;
            let common = |v: &mut Vec<u8>| {
                v.extend_from_slice(&20u16.to_le_bytes());
                v.extend_from_slice(&0u16.to_le_bytes());
                v.extend_from_slice(&method.to_le_bytes());
                v.extend_from_slice(&[0; 4]);
                v.extend_from_slice(&crc.sum().to_le_bytes());
                v.extend_from_slice(&(data.len() as u32).to_le_bytes());
                v.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
                v.extend_from_slice(&(name.len() as u16).to_le_bytes());
                v.extend_from_slice(&0u16.to_le_bytes());
            };
            out.extend_from_slice(b"PK\x03\x04");
            common(&mut out);
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(&data);
            central.extend_from_slice(b"PK\x01\x02");
            central.extend_from_slice(&20u16.to_le_bytes());
            common(&mut central);
            central.extend_from_slice(&[0; 10]);
            central.extend_from_slice(&offset.to_le_bytes());
            central.extend_from_slice(name.as_bytes());
        }
        let cd_offset = out.len() as u32;
        out.extend_from_slice(&central);
        out.extend_from_slice(b"PK\x05\x06");
        out.extend_from_slice(&[0; 4]);
        out.extend_from_slice(&(files.len() as u16).to_le_bytes());
        out.extend_from_slice(&(files.len() as u16).to_le_bytes());
        out.extend_from_slice(&(central.len() as u32).to_le_bytes());
        out.extend_from_slice(&cd_offset.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out
    }

    #[test]
    fn lists_and_streams_stored_and_deflated_members() {
        let a: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
        let zip = build(&[("dir/a.img", &a, true), ("b.txt", b"hello\n", false)]);
        assert!(is_zip(&zip));
        let list = members(&mut Cursor::new(&zip)).unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].name, "dir/a.img");
        assert_eq!(list[0].size, 100_000);
        let mut out = Vec::new();
        open_member(Cursor::new(zip.clone()), &list[0])
            .unwrap()
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out, a);
        let mut out = Vec::new();
        open_member(Cursor::new(zip.clone()), &list[1])
            .unwrap()
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out, b"hello\n");
    }

    #[test]
    fn a_corrupt_member_fails_its_crc() {
        let mut zip = build(&[("a.img", &[7u8; 4000], false)]);
        zip[30 + 5 + 100] ^= 0xff;
        let list = members(&mut Cursor::new(&zip)).unwrap();
        let mut out = Vec::new();
        let err = open_member(Cursor::new(zip), &list[0])
            .unwrap()
            .read_to_end(&mut out)
            .unwrap_err();
        assert!(err.to_string().contains("CRC-32"), "{err}");
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for bytes in [&b"PK\x03\x04"[..], b"PK\x05\x06", b"", &[0xff; 100]] {
            let _ = members(&mut Cursor::new(bytes));
        }
    }
}

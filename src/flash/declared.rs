//! Sizes a compressed source declares before it is decoded: the xz index (every stream of
//! the file) and the zstd frame content sizes (every frame; unknown if one frame has none).

fn bad(detail: &str) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, detail.to_string())
}

/// Reads at an offset without moving a cursor: one `pread` on a file, a copy from bytes in
/// memory. The zstd walk reads a 3-byte header per 128 KiB block, so a seek and a read each
/// would double its system calls (8,192 of them for the two walks of a 256 MiB image); the xz
/// index is read the same way.
pub trait ReadAt {
    fn read_exact_at(&self, buf: &mut [u8], at: u64) -> std::io::Result<()>;
    fn size(&self) -> std::io::Result<u64>;
}

impl ReadAt for std::fs::File {
    fn read_exact_at(&self, buf: &mut [u8], at: u64) -> std::io::Result<()> {
        std::os::unix::fs::FileExt::read_exact_at(self, buf, at)
    }

    fn size(&self) -> std::io::Result<u64> {
        Ok(self.metadata()?.len())
    }
}

impl<T: AsRef<[u8]>> ReadAt for std::io::Cursor<T> {
    fn read_exact_at(&self, buf: &mut [u8], at: u64) -> std::io::Result<()> {
        let bytes = self.get_ref().as_ref();
        let start = usize::try_from(at).unwrap_or(usize::MAX);
        match start
            .checked_add(buf.len())
            .and_then(|end| bytes.get(start..end))
        {
            Some(part) => {
                buf.copy_from_slice(part);
                Ok(())
            }
            None => Err(std::io::ErrorKind::UnexpectedEof.into()),
        }
    }

    fn size(&self) -> std::io::Result<u64> {
        Ok(self.get_ref().as_ref().len() as u64)
    }
}

/// A multibyte integer of the xz format: 7 bits a byte, least significant first.
fn varint(bytes: &[u8], pos: &mut usize) -> std::io::Result<u64> {
    let mut value = 0u64;
    for shift in 0..9 {
        let b = *bytes.get(*pos).ok_or_else(|| bad("xz index ends early"))?;
        *pos += 1;
        value |= u64::from(b & 0x7f) << (7 * shift);
        if b & 0x80 == 0 {
            return Ok(value);
        }
    }
    Err(bad("xz index has an overlong number"))
}

/// The decoded size of an .xz file: the sum of the indexes of its streams, read from the end.
/// `Ok(None)` when the file has no readable index (then the size is known after decoding).
pub fn xz_size(file: &impl ReadAt) -> std::io::Result<Option<u64>> {
    let mut pos = file.size()?;
    let mut total = 0u64;
    while pos > 0 {
        let mut word = [0u8; 4];
        file.read_exact_at(&mut word, pos.saturating_sub(4))?;
        if word == [0; 4] {
            pos = pos.saturating_sub(4); // stream padding
            continue;
        }
        if pos < 24 {
            return Ok(None);
        }
        let mut footer = [0u8; 12];
        file.read_exact_at(&mut footer, pos - 12)?;
        if &footer[10..12] != b"YZ" {
            return Ok(None);
        }
        let backward = u64::from(u32::from_le_bytes([
            footer[4], footer[5], footer[6], footer[7],
        ]));
        let index_size = (backward + 1) * 4;
        if index_size > 64 << 20 || index_size + 24 > pos {
            return Ok(None);
        }
        let index_start = pos - 12 - index_size;
        let mut index = vec![0u8; index_size as usize];
        file.read_exact_at(&mut index, index_start)?;
        if index[0] != 0 {
            return Ok(None);
        }
        let mut at = 1;
        let records = varint(&index, &mut at)?;
        let mut blocks = 0u64;
        for _ in 0..records {
            let unpadded = varint(&index, &mut at)?;
            total = total.saturating_add(varint(&index, &mut at)?);
            blocks = blocks.saturating_add(unpadded.div_ceil(4) * 4);
        }
        let Some(start) = index_start.checked_sub(blocks.saturating_add(12)) else {
            return Ok(None);
        };
        let mut magic = [0u8; 6];
        file.read_exact_at(&mut magic, start)?;
        if magic != [0xfd, b'7', b'z', b'X', b'Z', 0] {
            return Ok(None);
        }
        pos = start;
    }
    Ok(Some(total))
}

/// The decoded size of a .zst file: the content sizes of all its frames, walking their block
/// headers. `Ok(None)` when a frame does not declare its size.
pub fn zstd_size(file: &impl ReadAt) -> std::io::Result<Option<u64>> {
    let len = file.size()?;
    let mut pos = 0u64;
    let mut total = 0u64;
    while pos < len {
        // The longest frame header: magic, descriptor, window, 4-byte id, 8-byte size.
        let mut head = [0u8; 18];
        let have = head.len().min((len - pos) as usize);
        file.read_exact_at(&mut head[..have], pos)?;
        let magic = u32::from_le_bytes([head[0], head[1], head[2], head[3]]);
        if magic & 0xffff_fff0 == 0x184d_2a50 {
            pos += 8 + u64::from(u32::from_le_bytes([head[4], head[5], head[6], head[7]]));
            continue;
        }
        if magic != 0xfd2f_b528 {
            return Ok(None);
        }
        let fhd = head[4];
        let single = fhd >> 5 & 1 == 1;
        let fcs_len = match fhd >> 6 {
            0 => usize::from(single),
            1 => 2,
            2 => 4,
            _ => 8,
        };
        if fcs_len == 0 {
            return Ok(None);
        }
        let did_len = [0, 1, 2, 4][usize::from(fhd & 3)];
        let fcs_at = 5 + usize::from(!single) + did_len;
        let mut fcs = [0u8; 8];
        fcs[..fcs_len].copy_from_slice(&head[fcs_at..fcs_at + fcs_len]);
        let mut size = u64::from_le_bytes(fcs);
        if fcs_len == 2 {
            size += 256;
        }
        total = total.saturating_add(size);
        pos += (fcs_at + fcs_len) as u64;
        loop {
            let mut block = [0u8; 3];
            file.read_exact_at(&mut block, pos)?;
            let header = u32::from_le_bytes([block[0], block[1], block[2], 0]);
            let content = match header >> 1 & 3 {
                1 => 1,
                3 => return Err(bad("reserved zstd block type")),
                _ => u64::from(header >> 3),
            };
            pos += 3 + content;
            if header & 1 == 1 {
                break;
            }
        }
        if fhd >> 2 & 1 == 1 {
            pos += 4;
        }
    }
    Ok(Some(total))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Cursor, Write};

    fn data(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i * 7 % 253) as u8).collect()
    }

    #[test]
    fn xz_size_sums_every_stream() {
        let mut file = Vec::new();
        for len in [300_000, 5] {
            let mut e = liblzma::write::XzEncoder::new(Vec::new(), 1);
            e.write_all(&data(len)).unwrap();
            file.extend(e.finish().unwrap());
        }
        file.extend([0u8; 8]);
        assert_eq!(xz_size(&Cursor::new(&file)).unwrap(), Some(300_005));
        assert_eq!(xz_size(&Cursor::new(&file[..100])).unwrap(), None);
    }

    #[test]
    fn zstd_size_reads_frame_headers_and_blocks() {
        let one = zstd::bulk::compress(&data(1_000_000), 3).unwrap();
        let mut two = one.clone();
        two.extend(zstd::bulk::compress(&data(100), 3).unwrap());
        assert_eq!(zstd_size(&Cursor::new(&one)).unwrap(), Some(1_000_000));
        assert_eq!(zstd_size(&Cursor::new(&two)).unwrap(), Some(1_000_100));
        // A streamed frame without a declared size.
        let mut e = zstd::stream::write::Encoder::new(Vec::new(), 3).unwrap();
        e.write_all(&data(1000)).unwrap();
        let streamed = e.finish().unwrap();
        assert_eq!(zstd_size(&Cursor::new(&streamed)).unwrap(), None);
        assert!(zstd_size(&Cursor::new(&one[..50])).is_err());
    }

    #[test]
    fn longest_frame_header_and_saturated_index_do_not_panic() {
        // Window byte, 4-byte dictionary id and 8-byte content size: an 18-byte header.
        let mut frame = vec![0x28, 0xb5, 0x2f, 0xfd, 0b1100_0011, 0x50];
        frame.extend(7u32.to_le_bytes());
        frame.extend(42u64.to_le_bytes());
        frame.extend([0x01, 0x00, 0x00]); // last raw block of 0 bytes
        assert_eq!(zstd_size(&Cursor::new(&frame)).unwrap(), Some(42));
        assert!(zstd_size(&Cursor::new(&frame[..12])).is_err());
        // An xz index whose block sizes add up past u64::MAX.
        let mut xz = vec![0xfd, b'7', b'z', b'X', b'Z', 0, 0, 0, 0, 0, 0, 0];
        let index = [
            0x00, 0x02, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0x01,
        ];
        let index2 = [
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0x01, 0, 0,
        ];
        xz.extend(index);
        xz.extend(index2);
        let backward = (index.len() + index2.len()) as u32 / 4 - 1;
        xz.extend([0, 0, 0, 0]);
        xz.extend(backward.to_le_bytes());
        xz.extend([0, 0, b'Y', b'Z']);
        assert_eq!(xz_size(&Cursor::new(&xz)).unwrap(), None);
    }
}

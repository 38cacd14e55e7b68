//! Data extents of sparse files (SEEK_DATA / SEEK_HOLE), so holes are never read or written.

use std::fs::File;
use std::io;

use rustix::fs::{SeekFrom, seek};

/// Byte ranges `[start, end)` holding data within `[from, to)` of `file`. File systems without
/// SEEK_DATA report the whole range as data.
pub fn data_extents(file: &File, from: u64, to: u64) -> io::Result<Vec<(u64, u64)>> {
    let mut extents = Vec::new();
    let mut pos = from;
    while pos < to {
        let start = match seek(file, SeekFrom::Data(pos)) {
            Ok(start) => start,
            Err(rustix::io::Errno::NXIO) => break,
            Err(rustix::io::Errno::INVAL) | Err(rustix::io::Errno::NOTSUP)
                if extents.is_empty() =>
            {
                return Ok(vec![(from, to)]);
            }
            Err(e) => return Err(e.into()),
        };
        if start >= to {
            break;
        }
        let end = match seek(file, SeekFrom::Hole(start)) {
            Ok(end) => end.min(to),
            Err(rustix::io::Errno::NXIO) => to,
            Err(e) => return Err(e.into()),
        };
        if end <= start {
            break;
        }
        extents.push((start, end));
        pos = end;
    }
    Ok(extents)
}

/// Total bytes in a list of extents.
pub fn extent_bytes(extents: &[(u64, u64)]) -> u64 {
    extents.iter().map(|(s, e)| e - s).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::FileExt;

    #[test]
    fn finds_data_between_holes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sparse.img");
        let file = File::options()
            .create(true)
            .truncate(true)
            .read(true)
            .write(true)
            .open(&path)
            .unwrap();
        file.set_len(64 << 20).unwrap();
        file.write_all_at(&[7u8; 4096], 8 << 20).unwrap();
        file.write_all_at(&[9u8; 4096], 40 << 20).unwrap();
        let extents = data_extents(&file, 0, 64 << 20).unwrap();
        assert!(extent_bytes(&extents) < 2 << 20, "{extents:?}");
        for marker in [8u64 << 20, 40 << 20] {
            assert!(
                extents
                    .iter()
                    .any(|(s, e)| *s <= marker && marker + 4096 <= *e),
                "{extents:?}"
            );
        }
        let window = data_extents(&file, 9 << 20, 39 << 20).unwrap();
        assert!(window.is_empty(), "{window:?}");
    }
}

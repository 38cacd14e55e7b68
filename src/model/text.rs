//! Reading user text files safely: size limit, binary detection, UTF-8 errors with line numbers.

use super::error::{ModelError, Result};
use std::path::Path;

/// Largest fragment, metadata or layout file skiff reads (16 MiB).
pub const MAX_TEXT_FILE: u64 = 16 * 1024 * 1024;

/// Read a text file, refusing huge, binary and non-UTF-8 files with the file and line at fault.
pub fn read_text(path: &Path) -> Result<String> {
    let meta = std::fs::metadata(path).map_err(|e| ModelError::io(path, e))?;
    if !meta.is_file() {
        return Err(ModelError::BadFile {
            path: path.to_path_buf(),
            line: 0,
            what: "not a regular file; remove it or move it out of the layer".into(),
        });
    }
    if meta.len() > MAX_TEXT_FILE {
        return Err(ModelError::BadFile {
            path: path.to_path_buf(),
            line: 0,
            what: format!(
                "file is {} bytes, more than the {} byte limit for configuration text",
                meta.len(),
                MAX_TEXT_FILE
            ),
        });
    }
    let bytes = std::fs::read(path).map_err(|e| ModelError::io(path, e))?;
    decode(path, bytes)
}

/// Check bytes read from `path` are text and return them as a string.
pub fn decode(path: &Path, bytes: Vec<u8>) -> Result<String> {
    if let Some(pos) = bytes.iter().position(|&b| b == 0) {
        return Err(ModelError::BadFile {
            path: path.to_path_buf(),
            line: line_of(&bytes, pos),
            what: "binary data (NUL byte) in a text file; remove the file from the layer".into(),
        });
    }
    String::from_utf8(bytes).map_err(|e| {
        let pos = e.utf8_error().valid_up_to();
        let line = line_of(e.as_bytes(), pos);
        ModelError::BadFile {
            path: path.to_path_buf(),
            line,
            what: "not valid UTF-8 text; re-save the file as UTF-8".into(),
        }
    })
}

fn line_of(bytes: &[u8], pos: usize) -> usize {
    bytes[..pos.min(bytes.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_line_of_bad_bytes() {
        let p = Path::new("x");
        let e = decode(p, b"ok\nok\n\xff\n".to_vec()).unwrap_err();
        assert!(e.to_string().starts_with("x:3:"), "{e}");
        let e = decode(p, b"a\0".to_vec()).unwrap_err();
        assert!(e.to_string().contains("NUL"), "{e}");
        assert_eq!(decode(p, b"fine\n".to_vec()).unwrap(), "fine\n");
    }
}

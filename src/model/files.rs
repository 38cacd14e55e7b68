//! Whole-file writes: a temporary file beside the target, renamed into place.

use super::error::{ModelError, Result};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

/// Write `bytes` to `path` through a temporary file in the same directory and one rename, so
/// readers see the old file or the new one, never half of it. The file gets mode 0666 less
/// the umask, like any file the user creates.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = staged(path, bytes)?;
    tmp.persist(path)
        .map_err(|e| ModelError::io(path, e.error))?;
    Ok(())
}

/// [`write_atomic`] for a file that must not exist yet: an existing one is an error.
pub fn write_new(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = staged(path, bytes)?;
    tmp.persist_noclobber(path)
        .map_err(|e| ModelError::io(path, e.error))?;
    Ok(())
}

fn staged(path: &Path, bytes: &[u8]) -> Result<tempfile::NamedTempFile> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".skiff-")
        .permissions(std::fs::Permissions::from_mode(0o666))
        .tempfile_in(dir)
        .map_err(|e| ModelError::io(dir, e))?;
    std::io::Write::write_all(&mut tmp, bytes).map_err(|e| ModelError::io(path, e))?;
    Ok(tmp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_file_and_honours_the_umask() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f.txt");
        std::fs::write(&p, "old").unwrap();
        write_atomic(&p, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "new");
        let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        // Read the umask without changing it (other tests create files concurrently).
        let status = std::fs::read_to_string("/proc/self/status").unwrap();
        let umask = status
            .lines()
            .find_map(|l| l.strip_prefix("Umask:"))
            .map(|v| u32::from_str_radix(v.trim(), 8).unwrap())
            .unwrap();
        assert_eq!(mode, 0o666 & !umask);
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temporary file left behind");
    }

    #[test]
    fn a_missing_directory_is_named() {
        let err = write_atomic(Path::new("/nonexistent-skiff-dir/f"), b"x").unwrap_err();
        assert!(err.to_string().contains("/nonexistent-skiff-dir"));
    }
}

//! Files skiff creates: modes that honour the process umask, like a program that creates
//! files with `open(2)` and mode 0666 (0777 for scripts and directories) would, and whole-file
//! writes through a temporary file beside the target renamed into place.

use super::error::{ModelError, Result};
use std::path::Path;

/// The process umask, read from `/proc/self/status` (setting it to read it would race
/// with other threads); 0o022 when the kernel does not say.
pub fn umask() -> u32 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Umask:"))
                .and_then(|v| u32::from_str_radix(v.trim(), 8).ok())
        })
        .unwrap_or(0o022)
}

/// `bits` with the umask applied: 0o777 for a script, 0o666 for a data file.
pub fn with_umask(bits: u32) -> u32 {
    bits & !umask()
}

/// A temporary file in `dir` for a write-then-rename, created with mode 0666 so the
/// umask decides (tempfile's own default is 0600).
pub fn temp_file_in(dir: &Path) -> std::io::Result<tempfile::NamedTempFile> {
    use std::os::unix::fs::PermissionsExt;
    tempfile::Builder::new()
        .prefix(".skiff-")
        .permissions(std::fs::Permissions::from_mode(0o666))
        .tempfile_in(dir)
}

/// Make `path` executable as the umask allows (0o777 less the umask).
pub fn make_executable(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(with_umask(0o777)))
}

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
    let mut tmp = temp_file_in(dir).map_err(|e| ModelError::io(dir, e))?;
    std::io::Write::write_all(&mut tmp, bytes).map_err(|e| ModelError::io(path, e))?;
    Ok(tmp)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn temp_files_and_scripts_follow_the_umask() {
        let dir = tempfile::tempdir().unwrap();
        let mask = umask();
        assert!(mask <= 0o777);
        let t = temp_file_in(dir.path()).unwrap();
        let mode = t.as_file().metadata().unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o666 & !mask);
        let p = dir.path().join("script");
        std::fs::write(&p, "#!/bin/sh\n").unwrap();
        make_executable(&p).unwrap();
        let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o777 & !mask);
    }

    #[test]
    fn write_atomic_replaces_the_file_and_honours_the_umask() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f.txt");
        std::fs::write(&p, "old").unwrap();
        write_atomic(&p, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "new");
        let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o666 & !umask());
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temporary file left behind");
    }

    #[test]
    fn a_missing_directory_is_named() {
        let err = write_atomic(Path::new("/nonexistent-skiff-dir/f"), b"x").unwrap_err();
        assert!(err.to_string().contains("/nonexistent-skiff-dir"));
    }
}

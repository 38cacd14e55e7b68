//! Modes of the files skiff creates: everything honours the process umask, like a
//! program that creates files with `open(2)` and mode 0666 (0777 for scripts and
//! directories) would.

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
}

//! The layers compiled into skiff (configs/ and configs-base/): unpacking them once into a
//! directory named by their digest, so a copied or `cargo install`ed binary has a tree.

use super::error::{ModelError, Result};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

mod data {
    include!(concat!(env!("OUT_DIR"), "/bundled.rs"));
}

/// Name of the marker written last into an unpacked copy: its presence means complete.
const COMPLETE: &str = ".skiff-bundle-complete";

/// The directory name of this binary's layers: crate version and content digest, so two
/// skiff versions (or builds of different layers) never share or overwrite a copy.
pub fn dir_name() -> String {
    format!("layers-{}-{}", env!("CARGO_PKG_VERSION"), data::DIGEST)
}

/// Number of files and links compiled in.
pub fn entry_count() -> usize {
    data::FILES.len() + data::LINKS.len()
}

/// The unpacked copy under `cache`, unpacking it first when it is missing or incomplete.
/// The copy is built in a temporary directory beside it and renamed into place, so a
/// concurrent skiff sees either no copy or a whole one.
pub fn unpacked(cache: &Path) -> Result<PathBuf> {
    let dir = cache.join(dir_name());
    if dir.join(COMPLETE).is_file() {
        return Ok(dir);
    }
    std::fs::create_dir_all(cache).map_err(|e| ModelError::io(cache, e))?;
    let staging = tempfile::Builder::new()
        .prefix(".layers-")
        .tempdir_in(cache)
        .map_err(|e| ModelError::io(cache, e))?;
    unpack_into(staging.path())?;
    let st = staging.keep();
    match std::fs::rename(&st, &dir) {
        Ok(()) => Ok(dir),
        // Another skiff won the race (or left an incomplete copy behind): use or replace it.
        Err(_) if dir.join(COMPLETE).is_file() => {
            let _ = std::fs::remove_dir_all(&st);
            Ok(dir)
        }
        Err(_) => {
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::rename(&st, &dir).map_err(|e| ModelError::io(&dir, e))?;
            Ok(dir)
        }
    }
}

/// Write every bundled file and link under `root`, then the completion marker.
pub fn unpack_into(root: &Path) -> Result<()> {
    std::fs::set_permissions(root, std::fs::Permissions::from_mode(0o755))
        .map_err(|e| ModelError::io(root, e))?;
    for (rel, mode, bytes) in data::FILES {
        let path = root.join(rel);
        make_parent(&path)?;
        std::fs::write(&path, bytes).map_err(|e| ModelError::io(&path, e))?;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(*mode))
            .map_err(|e| ModelError::io(&path, e))?;
    }
    for (rel, target) in data::LINKS {
        let path = root.join(rel);
        make_parent(&path)?;
        std::os::unix::fs::symlink(target, &path).map_err(|e| ModelError::io(&path, e))?;
    }
    let marker = root.join(COMPLETE);
    std::fs::write(&marker, format!("{}\n", dir_name())).map_err(|e| ModelError::io(&marker, e))
}

fn make_parent(path: &Path) -> Result<()> {
    match path.parent() {
        Some(p) => std::fs::create_dir_all(p).map_err(|e| ModelError::io(p, e)),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unpacks_once_into_a_versioned_directory_with_modes_and_links() {
        let cache = tempfile::tempdir().unwrap();
        let dir = unpacked(cache.path()).unwrap();
        assert!(dir.ends_with(dir_name()));
        assert!(dir.join("configs/pi/4/metadata/description").is_file());
        assert!(dir.join("configs-base/pre").is_dir());
        let (rel, mode, bytes) = data::FILES
            .iter()
            .find(|(_, m, _)| m & 0o100 != 0)
            .expect("some hook is executable");
        let meta = std::fs::metadata(dir.join(rel)).unwrap();
        assert_eq!(meta.permissions().mode() & 0o777, *mode);
        assert_eq!(std::fs::read(dir.join(rel)).unwrap(), *bytes);
        for (rel, target) in data::LINKS {
            assert_eq!(
                std::fs::read_link(dir.join(rel)).unwrap(),
                Path::new(target)
            );
        }
        // A second call reuses the copy; nothing else is left in the cache.
        std::fs::write(dir.join("configs/probe"), "x").unwrap();
        assert_eq!(unpacked(cache.path()).unwrap(), dir);
        assert!(dir.join("configs/probe").exists());
        assert_eq!(std::fs::read_dir(cache.path()).unwrap().count(), 1);
    }

    #[test]
    fn an_incomplete_copy_is_replaced() {
        let cache = tempfile::tempdir().unwrap();
        let dir = cache.path().join(dir_name());
        std::fs::create_dir_all(dir.join("configs")).unwrap();
        let got = unpacked(cache.path()).unwrap();
        assert_eq!(got, dir);
        assert!(dir.join(COMPLETE).is_file());
        assert!(dir.join("configs/pi/4").is_dir());
    }

    #[test]
    fn an_unwritable_cache_is_named() {
        let err = unpacked(Path::new("/proc/skiff-cache")).unwrap_err();
        assert!(err.to_string().contains("/proc/skiff-cache"), "{err}");
    }
}

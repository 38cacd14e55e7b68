//! The per-workspace lock: two skiff runs never build, clean or edit one workspace at once.

use super::error::{BuildError, Result};
use rustix::fs::{FlockOperation, flock};
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

/// An exclusive `flock` on `workspaces/.lock_<ws>`, released when dropped (or when the
/// process dies, so a crashed build never leaves a stale lock).
#[derive(Debug)]
pub struct WorkspaceLock {
    file: File,
    path: PathBuf,
}

impl WorkspaceLock {
    /// The lock file of a workspace: beside the workspace, so cleaning the workspace
    /// directory cannot remove it while it is held.
    pub fn path_for(workspaces_dir: &Path, ws: &str) -> PathBuf {
        workspaces_dir.join(format!(".lock_{ws}"))
    }

    /// Take the lock without waiting; a busy workspace is an error naming the holder.
    pub fn acquire(workspaces_dir: &Path, ws: &str, purpose: &str) -> Result<WorkspaceLock> {
        std::fs::create_dir_all(workspaces_dir).map_err(|e| BuildError::io(workspaces_dir, e))?;
        let path = Self::path_for(workspaces_dir, ws);
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| BuildError::io(&path, e))?;
        if let Err(e) = flock(&file, FlockOperation::NonBlockingLockExclusive) {
            if e == rustix::io::Errno::WOULDBLOCK {
                let mut holder = String::new();
                let _ = file.read_to_string(&mut holder);
                let holder = holder.trim();
                return Err(BuildError::Busy {
                    workspace: ws.to_string(),
                    lock: path,
                    holder: if holder.is_empty() {
                        "another skiff".to_string()
                    } else {
                        holder.to_string()
                    },
                });
            }
            return Err(BuildError::io(&path, e.into()));
        }
        // Record who holds it, for the message another run prints.
        let note = format!("skiff {purpose} (pid {})\n", std::process::id());
        let _ = file.set_len(0);
        let _ = file.rewind();
        let _ = file.write_all(note.as_bytes());
        Ok(WorkspaceLock { file, path })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for WorkspaceLock {
    fn drop(&mut self) {
        let _ = self.file.set_len(0);
        let _ = flock(&self.file, FlockOperation::Unlock);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_lock_is_refused_until_the_first_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let first = WorkspaceLock::acquire(dir.path(), "ws", "build").unwrap();
        let err = WorkspaceLock::acquire(dir.path(), "ws", "build").unwrap_err();
        let text = err.to_string();
        assert!(text.contains("workspace `ws` is busy"), "{text}");
        assert!(
            text.contains(&format!("pid {}", std::process::id())),
            "{text}"
        );
        let other = WorkspaceLock::acquire(dir.path(), "other", "build");
        assert!(other.is_ok());
        drop(first);
        assert!(WorkspaceLock::acquire(dir.path(), "ws", "build").is_ok());
    }
}

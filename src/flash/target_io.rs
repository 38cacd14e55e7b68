//! Opened targets: exclusive, direct I/O where the kernel allows it, with a buffered fallback for
//! unaligned pieces and for file systems without O_DIRECT (tmpfs). Tests inject faulty targets.

use std::fs::{File, OpenOptions};
use std::io;
use std::os::unix::fs::{FileExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use rustix::fs::{Advice, FlockOperation, OFlags};

use super::aligned::is_aligned;
use super::error::FlashError;

/// What the engine needs from a target. Methods take `&self` so a verify thread can read while
/// the engine holds the target.
pub trait BlockTarget: Send + Sync {
    /// Device name or file path, for messages.
    fn name(&self) -> &str;
    /// Bytes the target holds; `None` for a new image file, which grows.
    fn capacity(&self) -> Option<u64>;
    /// True for a new file: unwritten ranges read as zeros, so all-zero blocks can be skipped.
    fn holes_read_as_zero(&self) -> bool;
    fn write_at(&self, data: &[u8], offset: u64) -> io::Result<()>;
    /// Reads as much as is there (short at end of file).
    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize>;
    fn sync(&self) -> io::Result<()>;
    /// Makes sure a following read comes from the medium, not the page cache.
    fn drop_cache(&self, offset: u64, len: u64);
    /// True when reads and writes bypass the page cache.
    fn direct(&self) -> bool;
    /// Sets the final length of a new file before read-back (no-op for fixed-size targets).
    fn set_image_len(&self, _len: u64) -> io::Result<()> {
        Ok(())
    }
    /// Success: new files get their final length and are renamed into place.
    fn commit(&mut self, image_len: u64) -> io::Result<()>;
    /// Failure or cancel: a new file that never completed is removed.
    fn discard(&mut self);
    /// True when the write goes to a new file beside the target, so a failure leaves whatever
    /// was at the target's path unchanged.
    fn keeps_previous(&self) -> bool {
        false
    }
    /// True for an image file (new or written in place), false for a device.
    fn is_file(&self) -> bool {
        false
    }
    /// The file being written when it is not the target's own path (a new image file's
    /// partial file), for the post steps that run before the rename.
    fn partial_path(&self) -> Option<&Path> {
        None
    }
}

enum Kind {
    Device,
    InPlaceFile,
    NewFile {
        partial: PathBuf,
        final_path: PathBuf,
    },
}

/// A real target: a block device (or a fake device node in tests), or an image file.
pub struct OpenTarget {
    name: String,
    kind: Kind,
    /// Opened with O_DIRECT when `direct` is set.
    main: File,
    /// Same file without O_DIRECT, for unaligned pieces.
    plain: File,
    direct: AtomicBool,
    capacity: Option<u64>,
    committed: bool,
}

fn classify(device: &str, source: io::Error) -> FlashError {
    match source.raw_os_error() {
        Some(code) if code == rustix::io::Errno::BUSY.raw_os_error() => FlashError::Busy {
            device: device.to_string(),
            source,
        },
        Some(code)
            if code == rustix::io::Errno::ACCESS.raw_os_error()
                || code == rustix::io::Errno::PERM.raw_os_error()
                || code == rustix::io::Errno::ROFS.raw_os_error() =>
        {
            FlashError::Permission {
                device: device.to_string(),
                source,
            }
        }
        _ => FlashError::io(device, "open the target", source),
    }
}

/// Opens with O_DIRECT, or without it where the file system refuses (EINVAL).
fn open_direct(
    path: &Path,
    options: &OpenOptions,
    extra: i32,
    name: &str,
) -> Result<(File, bool), FlashError> {
    let direct = OFlags::DIRECT.bits() as i32;
    let mut with = options.clone();
    with.custom_flags(extra | direct);
    match with.open(path) {
        Ok(file) => Ok((file, true)),
        Err(e) if e.raw_os_error() == Some(rustix::io::Errno::INVAL.raw_os_error()) => {
            let mut without = options.clone();
            without.custom_flags(extra);
            without
                .open(path)
                .map(|f| (f, false))
                .map_err(|e| classify(name, e))
        }
        Err(e) => Err(classify(name, e)),
    }
}

fn lock(file: &File, name: &str) -> Result<(), FlashError> {
    // An exclusive BSD lock also tells udev to leave the disk alone (no probing, no automount)
    // while we write.
    rustix::fs::flock(file, FlockOperation::NonBlockingLockExclusive).map_err(|e| {
        FlashError::Busy {
            device: name.to_string(),
            source: e.into(),
        }
    })
}

impl OpenTarget {
    /// A block device: O_EXCL (fails while mounted or claimed), O_DIRECT, locked.
    pub fn device(path: &Path, name: &str) -> Result<OpenTarget, FlashError> {
        let mut options = OpenOptions::new();
        options.read(true).write(true);
        let excl = OFlags::EXCL.bits() as i32;
        let (main, direct) = open_direct(path, &options, excl, name)?;
        lock(&main, name)?;
        let plain = options.open(path).map_err(|e| classify(name, e))?;
        let capacity = rustix::fs::seek(&main, rustix::fs::SeekFrom::End(0))
            .map_err(|e| FlashError::io(path, "measure the device", e.into()))?;
        Ok(OpenTarget {
            name: name.to_string(),
            kind: Kind::Device,
            main,
            plain,
            direct: AtomicBool::new(direct),
            capacity: Some(capacity),
            committed: false,
        })
    }

    /// An existing image file written in place, like a card of its size.
    pub fn in_place(path: &Path) -> Result<OpenTarget, FlashError> {
        let name = path.display().to_string();
        let mut options = OpenOptions::new();
        options.read(true).write(true);
        let (main, direct) = open_direct(path, &options, 0, &name)?;
        lock(&main, &name)?;
        let plain = options.open(path).map_err(|e| classify(&name, e))?;
        let capacity = main
            .metadata()
            .map_err(|e| FlashError::io(path, "measure the image file", e))?
            .len();
        Ok(OpenTarget {
            name,
            kind: Kind::InPlaceFile,
            main,
            plain,
            direct: AtomicBool::new(direct),
            capacity: Some(capacity),
            committed: false,
        })
    }

    /// A new image file: written as a hidden partial file beside `path`, created exclusively,
    /// renamed over `path` on commit.
    pub fn new_file(path: &Path) -> Result<OpenTarget, FlashError> {
        let name = path.display().to_string();
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "image".into());
        let partial =
            path.with_file_name(format!(".{file_name}.skiff-partial-{}", std::process::id()));
        let mut options = OpenOptions::new();
        options.read(true).write(true).create_new(true);
        let (main, direct) = open_direct(&partial, &options, 0, &name)?;
        let plain = OpenOptions::new()
            .read(true)
            .write(true)
            .open(&partial)
            .map_err(|e| classify(&name, e))?;
        Ok(OpenTarget {
            name,
            kind: Kind::NewFile {
                partial,
                final_path: path.to_path_buf(),
            },
            main,
            plain,
            direct: AtomicBool::new(direct),
            capacity: None,
            committed: false,
        })
    }
}

impl BlockTarget for OpenTarget {
    fn name(&self) -> &str {
        &self.name
    }

    fn capacity(&self) -> Option<u64> {
        self.capacity
    }

    fn holes_read_as_zero(&self) -> bool {
        matches!(self.kind, Kind::NewFile { .. })
    }

    fn write_at(&self, data: &[u8], offset: u64) -> io::Result<()> {
        if self.direct.load(Ordering::Relaxed) && is_aligned(data, offset) {
            match self.main.write_all_at(data, offset) {
                Err(e) if e.raw_os_error() == Some(rustix::io::Errno::INVAL.raw_os_error()) => {
                    // Some file systems accept O_DIRECT at open and refuse it per request.
                    self.direct.store(false, Ordering::Relaxed);
                }
                other => return other,
            }
        }
        self.plain.write_all_at(data, offset)
    }

    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        let file = if self.direct.load(Ordering::Relaxed) && is_aligned(buf, offset) {
            &self.main
        } else {
            &self.plain
        };
        let mut got = 0;
        while got < buf.len() {
            match file.read_at(&mut buf[got..], offset + got as u64) {
                Ok(0) => break,
                Ok(n) => got += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(got)
    }

    fn sync(&self) -> io::Result<()> {
        self.plain.sync_data()?;
        self.main.sync_data()
    }

    fn drop_cache(&self, offset: u64, len: u64) {
        let len = std::num::NonZeroU64::new(len);
        let _ = rustix::fs::fadvise(&self.plain, offset, len, Advice::DontNeed);
    }

    fn direct(&self) -> bool {
        self.direct.load(Ordering::Relaxed)
    }

    fn set_image_len(&self, len: u64) -> io::Result<()> {
        if matches!(self.kind, Kind::NewFile { .. }) {
            self.plain.set_len(len)?;
        }
        Ok(())
    }

    fn commit(&mut self, image_len: u64) -> io::Result<()> {
        if let Kind::NewFile {
            partial,
            final_path,
        } = &self.kind
        {
            self.plain.set_len(image_len)?;
            self.plain.sync_all()?;
            std::fs::rename(partial, final_path)?;
            if let Some(dir) = final_path.parent() {
                let dir = if dir.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    dir
                };
                if let Ok(d) = File::open(dir) {
                    let _ = d.sync_all();
                }
            }
        }
        self.committed = true;
        Ok(())
    }

    fn keeps_previous(&self) -> bool {
        matches!(self.kind, Kind::NewFile { .. })
    }

    fn is_file(&self) -> bool {
        !matches!(self.kind, Kind::Device)
    }

    fn partial_path(&self) -> Option<&Path> {
        match &self.kind {
            Kind::NewFile { partial, .. } => Some(partial),
            _ => None,
        }
    }

    fn discard(&mut self) {
        if let Kind::NewFile { partial, .. } = &self.kind
            && !self.committed
        {
            let _ = std::fs::remove_file(partial);
        }
    }
}

impl Drop for OpenTarget {
    fn drop(&mut self) {
        self.discard();
    }
}

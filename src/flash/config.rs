//! The engine's geometry and tuning (held-back and wiped regions, block size, ring depth) and
//! the small helpers the engine and the block I/O share.

use super::cancel::CancelToken;
use super::error::FlashError;
use super::target_io::BlockTarget;

/// The region written last (and wiped first): partition tables and early bootloaders live here.
pub const HOLD: u64 = 1 << 20;
/// Bytes zeroed at both ends of a card before writing, killing stale MBR/GPT copies.
pub const WIPE: u64 = 1 << 20;

#[derive(Clone, Copy, Debug)]
pub struct EngineConfig {
    /// Size of each request and of each ring buffer.
    pub chunk_size: usize,
    /// Buffers in flight between the reader and the writer (and during read-back).
    pub ring: usize,
}

impl Default for EngineConfig {
    fn default() -> EngineConfig {
        EngineConfig {
            chunk_size: 4 << 20,
            ring: 4,
        }
    }
}

pub(crate) fn cancelled(cancel: &CancelToken) -> Result<(), FlashError> {
    if cancel.is_cancelled() {
        Err(FlashError::Cancelled)
    } else {
        Ok(())
    }
}

pub(crate) fn write_failed(
    target: &dyn BlockTarget,
    offset: u64,
    source: std::io::Error,
) -> FlashError {
    if source.kind() == std::io::ErrorKind::StorageFull && target.is_file() {
        return FlashError::NoSpace {
            path: target.name().to_string(),
            offset,
            kept: target.keeps_previous(),
            source,
        };
    }
    FlashError::WriteFailed {
        device: target.name().to_string(),
        offset,
        source,
    }
}

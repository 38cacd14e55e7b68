//! Exit codes and the mapping from errors to them.

use crate::model::ModelError;

pub const OK: i32 = 0;
pub const USER: i32 = 1;
pub const INTERNAL: i32 = 2;
pub const DEVICE: i32 = 3;
pub const INTERRUPTED: i32 = 130;

/// Pick the exit code for an error that reached the CLI edge.
pub fn code_for(e: &anyhow::Error) -> i32 {
    for cause in e.chain() {
        if let Some(m) = cause.downcast_ref::<ModelError>() {
            return match m {
                ModelError::Io { source, .. }
                    if source.kind() == std::io::ErrorKind::PermissionDenied =>
                {
                    DEVICE
                }
                ModelError::Tool { .. } => USER,
                _ => USER,
            };
        }
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            return if io.kind() == std::io::ErrorKind::PermissionDenied {
                DEVICE
            } else {
                INTERNAL
            };
        }
    }
    INTERNAL
}

//! Exit codes and the mapping from errors to them.

use crate::build::BuildError;
use crate::model::ModelError;

pub const OK: i32 = 0;
pub const USER: i32 = 1;
pub const INTERNAL: i32 = 2;
pub const DEVICE: i32 = 3;
pub const INTERRUPTED: i32 = 130;

/// Pick the exit code for an error that reached the CLI edge.
pub fn code_for(e: &anyhow::Error) -> i32 {
    if let Some(code) = build_exit(e) {
        return code;
    }
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

/// Exit code of a build-family error (others go to the common mapping).
fn build_exit(e: &anyhow::Error) -> Option<i32> {
    let perm = |io: &std::io::Error| io.kind() == std::io::ErrorKind::PermissionDenied;
    for cause in e.chain() {
        if let Some(b) = cause.downcast_ref::<BuildError>() {
            return Some(match b {
                BuildError::Io { source, .. } if perm(source) => DEVICE,
                BuildError::Io { .. } => INTERNAL,
                BuildError::Model(ModelError::Io { source, .. }) if perm(source) => DEVICE,
                _ => USER,
            });
        }
    }
    None
}

/// The exit code for a make that skiff ran in the foreground (`br`, `cmd`): 0 when it
/// succeeded, 130 when a signal stopped it, else 1 after saying make's status on stderr
/// (2 is skiff's own internal error, whatever make's status was).
pub fn of_make(what: &str, status: std::process::ExitStatus) -> i32 {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(0), _) => OK,
        (Some(130), _) | (None, Some(_)) => {
            eprintln!("skiff: {what} was interrupted");
            INTERRUPTED
        }
        (Some(c), _) => {
            eprintln!("skiff: {what} failed with status {c}");
            USER
        }
        (None, None) => {
            eprintln!("skiff: {what} ended without a status");
            USER
        }
    }
}

//! The workspace side of a push, shared by the CLI and the TUI: the board's layout from the
//! stack's layers, the build's images/ and what the build is for (architecture, board).

use std::path::{Path, PathBuf};

use super::device::{BuildInfo, board_of, parse_release};
use super::engine::Build;
use super::event::{FailReason, PushError, PushPhase};

/// The build of `workspace` (`workspaces/<ws>`) for the stack whose layer directories are
/// `layers` (chain order; `stack` names it in messages). `images` defaults to
/// `<workspace>/images`, `arch` to the `BR2_ARCH` of `<workspace>/.config`.
pub fn build_of(
    layers: &[PathBuf],
    stack: &str,
    workspace: &Path,
    images: Option<PathBuf>,
    arch: Option<String>,
) -> Result<Build, PushError> {
    let no_build = |e: String| PushError::new(FailReason::NoBuild, PushPhase::Plan, e);
    let layout =
        crate::flash::job::layout_for(layers, stack).map_err(|e| no_build(e.to_string()))?;
    let images = images.unwrap_or_else(|| workspace.join("images"));
    let images = std::path::absolute(&images).unwrap_or(images);
    let arch = arch
        .or_else(|| crate::flash::card::arch_from_config(&workspace.join(".config")))
        .unwrap_or_default();
    let release = std::fs::read_to_string(images.join("skiff-release")).unwrap_or_default();
    let board = parse_release(&release)
        .get("BUILD_CONFIG")
        .and_then(|s| board_of(s));
    Ok(Build {
        layout,
        images,
        info: BuildInfo {
            arch: (!arch.is_empty()).then_some(arch),
            board,
        },
    })
}

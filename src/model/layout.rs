//! Board media layouts: the `layout.yaml` format saying how a card is partitioned, what is written raw at fixed offsets, and what `install` copies where.
//!
//! The schema is documented in `docs/layouts.md`. A layer carries at most one `layout.yaml` at
//! its top level (the merge ignores it); the layout of a stack is the one of the last layer of
//! the resolved chain that has one ([`Layout::for_chain`]).

pub mod check;
pub mod draw;
pub mod fields;
pub mod geometry;
pub mod rules;
pub mod spec;
pub mod units;

use std::path::{Path, PathBuf};

pub use check::{Issue, Report, Severity};
pub use fields::{Dest, PartSize, PartType};
pub use geometry::{Placed, Region, RegionKind};
pub use spec::{
    Artifact, BootSelect, CopyRule, Filesystem, Flag, Install, Kind, LAYOUT_FILE, Layout,
    LayoutError, Partition, RawWrite, Swapfile, TableType,
};
pub use units::{MIB, SECTOR, Size, human, parse_size};

impl Layout {
    /// Reads and parses a layout file.
    pub fn load(path: &Path) -> Result<Layout, LayoutError> {
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| LayoutError::Read {
            origin: origin.clone(),
            source,
        })?;
        Layout::parse(&text, &origin)
    }

    /// Parses layout text; `origin` names it in errors (usually the file path).
    pub fn parse(text: &str, origin: &str) -> Result<Layout, LayoutError> {
        let mut layout: Layout = yaml_serde::from_str(text).map_err(|e| LayoutError::Syntax {
            origin: origin.to_string(),
            line: e.location().map(|l| l.line()),
            message: e.to_string(),
        })?;
        layout.origin = origin.to_string();
        rules::validate(&layout).map_err(|(field, message)| LayoutError::Invalid {
            origin: origin.to_string(),
            field,
            message,
        })?;
        Ok(layout)
    }

    /// The layout of a resolved chain: the last layer directory that holds a `layout.yaml`.
    /// Returns `Ok(None)` when no layer has one.
    pub fn for_chain<P: AsRef<Path>>(layer_dirs: &[P]) -> Result<Option<Layout>, LayoutError> {
        match layer_dirs
            .iter()
            .rev()
            .map(|d| d.as_ref().join(LAYOUT_FILE))
            .find(|p| p.is_file())
        {
            Some(path) => Layout::load(&path).map(Some),
            None => Ok(None),
        }
    }

    /// Path of the layout file of a layer directory, if it has one.
    pub fn file_of(layer_dir: &Path) -> Option<PathBuf> {
        let p = layer_dir.join(LAYOUT_FILE);
        p.is_file().then_some(p)
    }
}

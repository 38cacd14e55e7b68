//! The SkiffOS system as data: tree discovery, layer metadata, stack resolution, fragment merge with provenance.

pub mod accumulate;
pub mod board;
pub mod bundle;
pub mod catalog;
pub mod choices;
pub mod configure;
pub mod contents;
pub mod core_config;
pub mod diff;
pub mod digest;
pub mod env;
pub mod error;
pub mod files;
pub mod fragment;
pub mod host;
pub mod layout;
pub mod merge;
pub mod metadata;
pub mod names;
pub mod personalise;
pub mod project;
pub mod provenance;
pub mod stack;
pub mod text;
pub mod tree;
pub mod version;
pub mod workspace;

pub use catalog::{Catalog, DiscoverOptions, Layer, LayerSource};
pub use error::{ModelError, Result, Warning, WarningKind};
pub use fragment::{ConfigKind, Value};
pub use merge::{Merged, MergedConfig};
pub use provenance::{Assignment, SymbolHistory};
pub use stack::{ResolvedStack, resolve, resolve_text};
pub use tree::Tree;

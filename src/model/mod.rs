//! The SkiffOS system as data: tree discovery, layer metadata, stack resolution, fragment merge with provenance.
pub mod layout;

//! The fuzz targets' bodies, shared by `fuzz/fuzz_targets/` (libFuzzer) and `tests/no_panic.rs`
//! (random input, the seed corpora and replayed crashes in every test run). A body may panic
//! only where skiff is wrong: on a panic in skiff's code or on a broken property it asserts.

pub mod batch_report;
pub mod content;
pub mod core_config;
pub mod flash_inputs;
pub mod fragment;
pub mod helper_events;
pub mod helper_plan;
pub mod kconfig;
pub mod kconfig_check;
pub mod layout;
pub mod metadata;
pub mod osc_background;
pub mod personalise;
pub mod push_manifest;
pub mod ui_settings;

/// A fuzz body: runs one input, panics only where skiff is wrong.
pub type Body = fn(&[u8]);

/// Every target by name, as `fuzz/Cargo.toml`, `scripts/fuzz` and `fuzz/corpus-seed/` name it.
pub const TARGETS: &[(&str, Body)] = &[
    ("fragment", fragment::run),
    ("metadata", metadata::run),
    ("ui_settings", ui_settings::run),
    ("layout", layout::run),
    ("kconfig", kconfig::run),
    ("kconfig_check", kconfig_check::run),
    ("flash_inputs", flash_inputs::run),
    ("helper_plan", helper_plan::run),
    ("helper_events", helper_events::run),
    ("core_config", core_config::run),
    ("push_manifest", push_manifest::run),
    ("content", content::run),
    ("osc_background", osc_background::run),
    ("batch_report", batch_report::run),
    ("personalise", personalise::run),
];

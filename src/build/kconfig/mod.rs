//! A Kconfig model for explaining Buildroot's verdicts: tree reader, expressions, the
//! external Kconfig engine (Buildroot's conf or kconfig-conf) and the dropped-value check.

pub mod check;
pub mod engine;
pub mod expr;
pub mod parse;
pub mod syntax;
pub mod tree;

pub use check::{CheckInput, CheckReport, Dropped, Expected, Reason, Severity, check};
pub use engine::{Engine, find_engine};

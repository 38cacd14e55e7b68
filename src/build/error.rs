//! Errors of the build family: Buildroot tree, workspace lock, make runs and Kconfig checks.

use std::path::PathBuf;

/// A problem that stops a build-side operation; each names the file, workspace or tool at fault.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("{}: {source}; check that it exists and is readable", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "no Buildroot tree at {}: run `git submodule update --init buildroot` in the SkiffOS tree, \
         or pass --buildroot DIR (or set SKIFF_BUILDROOT)",
        path.display()
    )]
    NoBuildroot { path: PathBuf },
    #[error(
        "workspace `{workspace}` is busy: {holder} holds {}; wait for it to finish or use \
         another workspace (--workspace NAME)",
        lock.display()
    )]
    Busy {
        workspace: String,
        lock: PathBuf,
        holder: String,
    },
    #[error("cannot start {program}: {source}; is it installed and on PATH?")]
    Spawn {
        program: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{what} failed: {detail}")]
    Tool { what: String, detail: String },
    #[error("{}:{line}: {what}", path.display())]
    BadFile {
        path: PathBuf,
        line: usize,
        what: String,
    },
    #[error(
        "no Kconfig engine: build the workspace once so Buildroot's conf exists, or install \
         kconfig-conf (Debian package kconfig-frontends-nox)"
    )]
    NoKconfigEngine,
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Model(#[from] crate::model::ModelError),
}

impl BuildError {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        BuildError::Io {
            path: path.into(),
            source,
        }
    }
}

pub type Result<T> = std::result::Result<T, BuildError>;

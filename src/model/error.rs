//! Errors and warnings of the layer engine, each naming the file, line or layer at fault.

use serde::Serialize;
use std::fmt;
use std::path::PathBuf;

/// A fatal problem: the operation cannot go on.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("{}: {source}; check that it exists and is readable", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("no SkiffOS tree at {}: it has no configs/ directory; pass --root DIR or set SKIFF_ROOT", path.display())]
    NoTree { path: PathBuf },
    #[error("unknown layer `{name}`{}{}", required_by.as_ref().map(|r| format!(" (a dependency of {r})")).unwrap_or_default(), suggestion_text(suggestions))]
    UnknownLayer {
        name: String,
        required_by: Option<String>,
        suggestions: Vec<String>,
    },
    #[error("{}:{line}: {what}", path.display())]
    BadFile {
        path: PathBuf,
        line: usize,
        what: String,
    },
    #[error("{}: Buildroot extension directory is missing {}; it needs external.mk, external.desc and Config.in", path.display(), missing.join(", "))]
    BadExternal { path: PathBuf, missing: Vec<String> },
    #[error("no layers selected: pass a stack such as `pi/4,skiff/core` or set SKIFF_CONFIG")]
    EmptyStack,
    #[error("{0}")]
    Invalid(String),
    #[error("{what} failed: {detail}")]
    Tool { what: String, detail: String },
}

fn suggestion_text(s: &[String]) -> String {
    if s.is_empty() {
        "; run `skiff layers --all` to list the layers".to_string()
    } else {
        format!("; did you mean {}?", s.join(", "))
    }
}

impl ModelError {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        ModelError::Io {
            path: path.into(),
            source,
        }
    }
}

pub type Result<T> = std::result::Result<T, ModelError>;

/// What a warning is about, for machine readers and the TUI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum WarningKind {
    /// A stack item that is not `category/name`.
    MalformedItem,
    /// A dependency placed after the layer that needs it.
    DependencyAfterDependent,
    /// A dependencies file spread over several lines (accepted).
    MultiLineDependencies,
    /// A dependency token that is not `category/name`.
    BadDependency,
    /// The same layer named twice, or under another spelling.
    Duplicate,
    /// A directory skipped while discovering layers.
    SkippedDirectory,
    /// An extra configs path that cannot be read.
    InaccessiblePath,
    /// A fragment line that is neither an assignment, a comment nor blank.
    MalformedLine,
    /// A symbol of the wrong family for the fragment (kernel symbol in a Buildroot file...).
    WrongFamily,
    /// A fragment or metadata file with a quirk we tolerate.
    FileQuirk,
    /// A commands file that cannot take effect.
    Commands,
    /// A cflags file that adds nothing.
    NoEffect,
    /// Two board layers (two targets) in one stack.
    TwoBoards,
}

/// A problem that does not stop the operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    pub kind: WarningKind,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
}

impl Warning {
    pub fn new(kind: WarningKind, message: impl Into<String>) -> Self {
        Warning {
            kind,
            message: message.into(),
            layer: None,
            path: None,
            line: None,
        }
    }
    pub fn layer(mut self, layer: impl Into<String>) -> Self {
        self.layer = Some(layer.into());
        self
    }
    pub fn at(mut self, path: impl Into<PathBuf>, line: Option<usize>) -> Self {
        self.path = Some(path.into());
        self.line = line;
        self
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.path, self.line) {
            (Some(p), Some(l)) => write!(f, "{}:{l}: ", p.display())?,
            (Some(p), None) => write!(f, "{}: ", p.display())?,
            _ => {}
        }
        if let Some(layer) = &self.layer
            && self.path.is_none()
        {
            write!(f, "[{layer}] ")?;
        }
        f.write_str(&self.message)
    }
}

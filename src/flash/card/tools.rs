//! Running external file system tools (mkfs.fat, mtools, mke2fs, debugfs) behind a trait, so tests
//! can record the calls or make a tool fail.

use std::process::Command;
use std::sync::Mutex;

use crate::flash::error::FlashError;

/// One call of a tool, as recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ToolCall {
    pub program: String,
    pub args: Vec<String>,
}

pub trait ToolRunner: Send + Sync {
    /// Runs `program args`; returns its standard output. A missing tool or a non-zero exit is
    /// an error naming the tool, the package that provides it and the tool's own message.
    fn run(&self, program: &str, args: &[String]) -> Result<String, FlashError>;
}

/// The Debian package that provides a tool, for "install X" hints.
pub fn package_of(program: &str) -> &'static str {
    match program {
        "mkfs.fat" | "mkfs.vfat" | "fsck.vfat" => "dosfstools",
        "mcopy" | "mmd" | "mdir" | "mattrib" => "mtools",
        "mke2fs" | "debugfs" | "e2fsck" | "dumpe2fs" => "e2fsprogs",
        _ => "the package that provides it",
    }
}

/// The real tools, found on PATH.
pub struct SystemTools;

impl ToolRunner for SystemTools {
    fn run(&self, program: &str, args: &[String]) -> Result<String, FlashError> {
        let output = Command::new(program)
            .args(args)
            .env("MTOOLS_SKIP_CHECK", "1")
            .env("LC_ALL", "C")
            .output()
            .map_err(|e| FlashError::Tool {
                tool: program.to_string(),
                detail: if e.kind() == std::io::ErrorKind::NotFound {
                    format!("not found; install {}", package_of(program))
                } else {
                    format!("cannot run: {e}")
                },
            })?;
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let tail: Vec<&str> = stderr.lines().rev().take(6).collect();
            return Err(FlashError::Tool {
                tool: program.to_string(),
                detail: format!(
                    "{} ({}): {}",
                    output.status,
                    args.join(" "),
                    tail.into_iter().rev().collect::<Vec<_>>().join(" / ")
                ),
            });
        }
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    }
}

/// Records every call, then runs it with the inner runner.
pub struct Recording<R: ToolRunner> {
    pub inner: R,
    pub calls: Mutex<Vec<ToolCall>>,
}

impl<R: ToolRunner> Recording<R> {
    pub fn new(inner: R) -> Recording<R> {
        Recording {
            inner,
            calls: Mutex::new(Vec::new()),
        }
    }

    pub fn calls(&self) -> Vec<ToolCall> {
        self.calls.lock().map(|c| c.clone()).unwrap_or_default()
    }
}

impl<R: ToolRunner> ToolRunner for Recording<R> {
    fn run(&self, program: &str, args: &[String]) -> Result<String, FlashError> {
        if let Ok(mut calls) = self.calls.lock() {
            calls.push(ToolCall {
                program: program.to_string(),
                args: args.to_vec(),
            });
        }
        self.inner.run(program, args)
    }
}

/// Fails every call of one program, as if it were missing: for error-path tests.
pub struct Missing<R: ToolRunner> {
    pub inner: R,
    pub program: String,
}

impl<R: ToolRunner> ToolRunner for Missing<R> {
    fn run(&self, program: &str, args: &[String]) -> Result<String, FlashError> {
        if program == self.program {
            return Err(FlashError::Tool {
                tool: program.to_string(),
                detail: format!("not found; install {}", package_of(program)),
            });
        }
        self.inner.run(program, args)
    }
}

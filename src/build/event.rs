//! What a running build reports: output lines, progress snapshots and the final outcome.

use serde::Serialize;
use std::path::PathBuf;

/// One event of a build, sent over a crossbeam channel in the order it happened.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum BuildEvent {
    /// make was started; its full output goes to `log`.
    Started {
        targets: Vec<String>,
        log: PathBuf,
        pid: u32,
    },
    /// Something that happens before make runs (reading the build order...).
    Phase { message: String },
    /// One line of make's output, as printed (ANSI colours and carriage returns kept).
    Output { line: String },
    /// Progress changed: a package or step started or finished, or the total became known.
    Progress(Progress),
    /// make ended; the last event of a build.
    Finished(Outcome),
}

/// The package steps in flight and the overall count.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Progress {
    /// Packages in Buildroot's build order, once known.
    pub total: Option<usize>,
    /// Packages of the build order with `.stamp_installed` (done before or during this run).
    pub done: usize,
    /// Steps running now (one at a time unless per-package directories build in parallel).
    pub current: Vec<CurrentStep>,
    /// The latest step not tied to a package (`Finalizing target directory`...).
    pub global: Option<String>,
    pub elapsed_secs: f64,
    /// Seconds left, from the previous build's build-time.log.
    pub remaining_secs: Option<f64>,
    /// Output lines so far.
    pub lines: u64,
}

/// A package step in flight.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CurrentStep {
    pub package: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Buildroot's message for the step (`Building`, `Installing to target`...).
    pub step: String,
}

/// How a build ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Succeeded,
    Failed,
    Cancelled,
}

/// The end of a build: status, exit code, where the log is, and why it failed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    pub status: Status,
    /// make's exit code; `None` when it died from a signal.
    pub exit_code: Option<i32>,
    pub log: PathBuf,
    pub progress: Progress,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<Failure>,
}

/// Why a build failed, as far as make's output tells.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Failure {
    /// The failing package, from the stamp in make's error line.
    pub package: Option<String>,
    /// The step that failed (`build`, `configure`, `download`...), or the make target of a
    /// failure outside any package (`dependencies`, a filesystem image...).
    pub step: Option<String>,
    /// make's decisive `***` line.
    pub error_line: Option<String>,
    /// The last lines of the failing package's output before the error (ANSI removed).
    pub last_lines: Vec<String>,
    /// What to do about it, when skiff knows (a failed download: mirrors and --dl-dir).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

impl Failure {
    /// A one-line summary: what failed and where.
    pub fn headline(&self) -> String {
        match (&self.package, &self.step) {
            (Some(p), Some(s)) => format!("package {p} failed at step {s}"),
            (Some(p), None) => format!("package {p} failed"),
            // Buildroot's `dependencies` target checks the host's tools before building.
            (None, Some(s)) if s == "dependencies" => match self.missing_host_tools() {
                tools if tools.is_empty() => {
                    "host tools missing: Buildroot's check of the build machine failed".to_string()
                }
                tools => format!("host tools missing: {}", tools.join(", ")),
            },
            (None, Some(s)) => format!("make target {s} failed"),
            (None, None) => "make failed".to_string(),
        }
    }

    /// The programs Buildroot's check of the build machine asked for (`You must install
    /// 'cpio' on your build machine`), in the order it named them.
    pub fn missing_host_tools(&self) -> Vec<String> {
        let mut tools: Vec<String> = Vec::new();
        for line in &self.last_lines {
            let Some(rest) = line.trim().strip_prefix("You must install '") else {
                continue;
            };
            if let Some((tool, _)) = rest.split_once('\'')
                && !tool.is_empty()
                && !tools.iter().any(|t| t == tool)
            {
                tools.push(tool.to_string());
            }
        }
        tools
    }
}

/// A short human duration: `45s`, `12m03s`, `2h05m`.
pub fn duration_text(secs: f64) -> String {
    let s = if secs.is_finite() {
        secs.max(0.0).round() as u64
    } else {
        0
    };
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m{:02}s", s / 60, s % 60),
        _ => format!("{}h{:02}m", s / 3600, s % 3600 / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_host_check_names_the_missing_tools() {
        let mut f = Failure {
            step: Some("dependencies".into()),
            last_lines: vec![
                "You must install 'cpio' on your build machine".into(),
                "You must install 'rsync' on your build machine".into(),
                "You must install 'cpio' on your build machine".into(),
            ],
            ..Default::default()
        };
        assert_eq!(f.headline(), "host tools missing: cpio, rsync");
        f.last_lines = vec!["something else went wrong".into()];
        assert_eq!(
            f.headline(),
            "host tools missing: Buildroot's check of the build machine failed"
        );
        f.step = Some("target-finalize".into());
        assert_eq!(f.headline(), "make target target-finalize failed");
    }
}

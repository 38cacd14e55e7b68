//! The BR2_INSTRUMENTATION_SCRIPTS hook: a script Buildroot calls at every package step,
//! appending to an events file that the runner follows.

use super::error::{BuildError, Result};
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// The environment variable naming the events file the hook appends to.
pub const EVENTS_VAR: &str = "SKIFF_BUILD_EVENTS";

/// Write the hook script into `state_dir` (replacing it atomically) and return its path.
pub fn write_script(state_dir: &Path) -> Result<PathBuf> {
    std::fs::create_dir_all(state_dir).map_err(|e| BuildError::io(state_dir, e))?;
    let path = state_dir.join("instrument.sh");
    let text = format!(
        "#!/bin/sh\n\
         # Buildroot runs this at the start and end of each package step with\n\
         # start|end STEP PACKAGE; skiff reads the lines for its progress display.\n\
         [ -n \"${EVENTS_VAR}\" ] || exit 0\n\
         printf '%s %s %s %s\\n' \"$(date +%s.%N)\" \"$1\" \"$2\" \"$3\" >> \"${EVENTS_VAR}\"\n"
    );
    let tmp = state_dir.join(".instrument.sh.tmp");
    std::fs::write(&tmp, text).map_err(|e| BuildError::io(&tmp, e))?;
    crate::model::files::make_executable(&tmp).map_err(|e| BuildError::io(&tmp, e))?;
    std::fs::rename(&tmp, &path).map_err(|e| BuildError::io(&path, e))?;
    Ok(path)
}

/// Follow the events file until `stop` is set, calling `on_call` for every complete line;
/// the lines written before `stop` are all delivered.
pub fn follow(path: &Path, stop: Arc<AtomicBool>, mut on_call: impl FnMut(HookCall)) {
    let mut pos = 0u64;
    let mut partial = String::new();
    loop {
        let finishing = stop.load(Ordering::Acquire);
        if let Ok(mut f) = std::fs::File::open(path)
            && f.seek(SeekFrom::Start(pos)).is_ok()
        {
            let mut buf = Vec::new();
            if let Ok(n) = f.read_to_end(&mut buf) {
                pos += n as u64;
                partial.push_str(&String::from_utf8_lossy(&buf));
                while let Some(i) = partial.find('\n') {
                    let line: String = partial.drain(..=i).collect();
                    if let Some(call) = HookCall::parse(&line) {
                        on_call(call);
                    }
                }
            }
        }
        if finishing {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// One call of the BR2_INSTRUMENTATION_SCRIPTS hook: `start|end STEP PACKAGE`.
#[derive(Debug, Clone, PartialEq)]
pub struct HookCall {
    pub start: bool,
    pub step: String,
    pub package: String,
}

impl HookCall {
    /// Parse a line of the events file: `<epoch> start|end <step> <package>`.
    pub fn parse(line: &str) -> Option<HookCall> {
        let mut it = line.split_whitespace();
        let _at = it.next()?;
        let start = match it.next()? {
            "start" => true,
            "end" => false,
            _ => return None,
        };
        let step = it.next()?.to_string();
        let package = it.next()?.to_string();
        Some(HookCall {
            start,
            step,
            package,
        })
    }
}

/// Buildroot's message for an instrumentation step name, so steps read the same whichever
/// signal reported them; unknown names are kept.
pub fn step_message(step: &str) -> String {
    match step {
        "download" | "actual-download" => "Downloading",
        "extract" => "Extracting",
        "rsync" => "Syncing from source dir",
        "patch" => "Patching",
        "configure" => "Configuring",
        "build" => "Building",
        "install-host" => "Installing to host directory",
        "install-staging" => "Installing to staging directory",
        "install-image" => "Installing to images directory",
        "install-target" => "Installing to target",
        other => other,
    }
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    #[test]
    fn script_appends_calls_that_follow_reads() {
        let dir = tempfile::tempdir().unwrap();
        let script = write_script(dir.path()).unwrap();
        let events = dir.path().join("events");
        for args in [["start", "build", "busybox"], ["end", "build", "busybox"]] {
            let st = Command::new(&script)
                .args(args)
                .env(EVENTS_VAR, &events)
                .status()
                .unwrap();
            assert!(st.success());
        }
        let stop = Arc::new(AtomicBool::new(true));
        let mut calls = Vec::new();
        follow(&events, stop, |c| calls.push(c));
        assert_eq!(calls.len(), 2);
        assert!(calls[0].start && !calls[1].start);
        assert_eq!(
            (calls[1].step.as_str(), calls[1].package.as_str()),
            ("build", "busybox")
        );
        // Without the variable the hook does nothing and succeeds.
        let st = Command::new(&script)
            .args(["start", "x", "y"])
            .env_remove(EVENTS_VAR)
            .status();
        assert!(st.unwrap().success());
    }
}

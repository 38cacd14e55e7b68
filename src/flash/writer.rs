//! Writers run plans: in process (image files) or through the privileged helper process, escalated
//! with pkexec, sudo or doas when skiff is not root. Both speak the same plan and events.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use super::cancel::CancelToken;
use super::engine::Summary;
use super::error::FlashError;
use super::event::{EventSink, FlashEvent, PhaseTracker};
use super::execute::{Environment, execute};
use super::helper::HELPER_COMMAND;
use super::helper_reply;
use super::plan::FlashPlan;

/// Overrides the escalation command (tests, unusual setups): a program name or path, or `none`.
pub const ESCALATION_ENV: &str = "SKIFF_ESCALATION";

pub trait Writer {
    /// Runs the plan to the end (or to cancel), forwarding every event. The last event is
    /// `Done` or `Failed`.
    fn run(
        &self,
        plan: &FlashPlan,
        sink: &mut dyn EventSink,
        cancel: &CancelToken,
    ) -> Result<Summary, FlashError>;
}

/// Runs the plan in this process.
pub struct InProcess {
    pub env: Environment,
}

impl Writer for InProcess {
    fn run(
        &self,
        plan: &FlashPlan,
        sink: &mut dyn EventSink,
        cancel: &CancelToken,
    ) -> Result<Summary, FlashError> {
        execute(plan, &self.env, sink, cancel)
    }
}

/// Runs the plan in `program __flash-helper`, prefixed by an escalation command when needed.
pub struct Helper {
    pub program: PathBuf,
    /// e.g. `["sudo"]`; empty when already root.
    pub escalation: Vec<String>,
}

fn on_path(tool: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(tool))
        .find(|candidate| {
            std::fs::metadata(candidate)
                .map(|m| {
                    m.is_file()
                        && std::os::unix::fs::PermissionsExt::mode(&m.permissions()) & 0o111 != 0
                })
                .unwrap_or(false)
        })
}

/// The command that gives the helper root: nothing when root already; otherwise pkexec first in a
/// graphical session (it has an agent to ask), sudo or doas in a terminal.
pub fn escalation() -> Result<Vec<String>, FlashError> {
    if let Some(choice) = std::env::var_os(ESCALATION_ENV) {
        let choice = choice.to_string_lossy().into_owned();
        return if choice == "none" {
            Err(FlashError::Escalation {
                detail: format!("{ESCALATION_ENV}=none: run skiff as root to write to a device"),
            })
        } else {
            Ok(vec![choice])
        };
    }
    if rustix::process::geteuid().is_root() {
        return Ok(Vec::new());
    }
    let graphical =
        std::env::var_os("DISPLAY").is_some() || std::env::var_os("WAYLAND_DISPLAY").is_some();
    let order: &[&str] = if graphical {
        &["pkexec", "sudo", "doas"]
    } else {
        &["sudo", "doas", "pkexec"]
    };
    order
        .iter()
        .find_map(|tool| on_path(tool).map(|p| vec![p.display().to_string()]))
        .ok_or_else(|| FlashError::Escalation {
            detail: "writing to a device needs root, and none of pkexec, sudo or doas is installed: run skiff as root".into(),
        })
}

impl Helper {
    /// The helper for this executable, escalated as needed.
    pub fn for_this_program() -> Result<Helper, FlashError> {
        let program = std::env::current_exe()
            .map_err(|e| FlashError::io("/proc/self/exe", "find skiff's own program", e))?;
        Ok(Helper {
            program,
            escalation: escalation()?,
        })
    }

    fn command(&self) -> Command {
        let mut parts = self.escalation.iter();
        let mut command = match parts.next() {
            Some(first) => {
                let mut c = Command::new(first);
                c.args(parts);
                c.arg(&self.program);
                c
            }
            None => Command::new(&self.program),
        };
        command.arg(HELPER_COMMAND);
        command
    }
}

fn tool_name(escalation: &[String]) -> String {
    escalation
        .first()
        .map(|t| {
            Path::new(t)
                .file_name()
                .map_or(t.clone(), |n| n.to_string_lossy().into_owned())
        })
        .unwrap_or_default()
}

/// The helper with its standard error captured and relayed as `Notice` events, for a
/// full-screen UI that owns the terminal (what sudo or pkexec print would garble it).
pub struct QuietHelper(pub Helper);

impl Writer for QuietHelper {
    fn run(
        &self,
        plan: &FlashPlan,
        sink: &mut dyn EventSink,
        cancel: &CancelToken,
    ) -> Result<Summary, FlashError> {
        self.0.run_with(plan, sink, cancel, true)
    }
}

/// The helper's captured standard error, relayed as `Notice` events; the lines are kept to
/// explain a helper that ended without a result.
struct StderrRelay {
    lines: Option<(
        crossbeam_channel::Receiver<String>,
        std::thread::JoinHandle<()>,
    )>,
    said: Vec<String>,
}

impl StderrRelay {
    /// Reads the helper's standard error line by line into a channel.
    fn start(stderr: Option<std::process::ChildStderr>) -> StderrRelay {
        let lines = stderr.map(|stderr| {
            let (tx, rx) = crossbeam_channel::unbounded();
            let thread = std::thread::spawn(move || {
                for line in BufReader::new(stderr).lines() {
                    let Ok(line) = line else { return };
                    if !line.trim().is_empty() && tx.send(line).is_err() {
                        return;
                    }
                }
            });
            (rx, thread)
        });
        StderrRelay {
            lines,
            said: Vec::new(),
        }
    }

    /// Relays what arrived; with `wait`, everything until the helper closed its standard error.
    fn relay(&mut self, sink: &mut dyn EventSink, wait: bool) {
        let Some((rx, _)) = &self.lines else { return };
        let lines: Vec<String> = if wait {
            rx.iter().collect()
        } else {
            rx.try_iter().collect()
        };
        for message in lines {
            self.said.push(message.clone());
            sink.emit(FlashEvent::Notice { message });
        }
    }

    fn finish(mut self, sink: &mut dyn EventSink) -> Vec<String> {
        self.relay(sink, true);
        if let Some((_, thread)) = self.lines.take() {
            let _ = thread.join();
        }
        self.said
    }

    /// The last line the helper (or the escalation tool) wrote.
    fn last_said(&self) -> String {
        last_said(&self.said)
    }
}

fn last_said(said: &[String]) -> String {
    said.last()
        .map(|l| format!("; it said: {l}"))
        .unwrap_or_default()
}

impl Writer for Helper {
    fn run(
        &self,
        plan: &FlashPlan,
        sink: &mut dyn EventSink,
        cancel: &CancelToken,
    ) -> Result<Summary, FlashError> {
        self.run_with(plan, sink, cancel, false)
    }
}

/// Sends `cancel` to the helper when `cancel` fires, until `finished` does.
fn watch_cancel(
    mut stdin: std::process::ChildStdin,
    cancel: &CancelToken,
    finished: &CancelToken,
) -> std::thread::JoinHandle<()> {
    let (cancel, finished) = (cancel.clone(), finished.clone());
    std::thread::spawn(move || {
        while !finished.is_cancelled() {
            if cancel.is_cancelled() {
                let _ = writeln!(stdin, "cancel").and_then(|_| stdin.flush());
                return;
            }
            // Often enough that a Ctrl-C reaches a fast write before it ends.
            std::thread::sleep(Duration::from_millis(5));
        }
    })
}

impl Helper {
    /// Runs the plan through the helper. A failure the helper reported was relayed with the
    /// other events; any other failure is emitted here, with the phase the run was in.
    fn run_with(
        &self,
        plan: &FlashPlan,
        sink: &mut dyn EventSink,
        cancel: &CancelToken,
        capture_stderr: bool,
    ) -> Result<Summary, FlashError> {
        let mut sink = PhaseTracker::new(sink);
        let result = self.session(plan, &mut sink, cancel, capture_stderr);
        if let Err(e) = &result
            && !matches!(e, FlashError::Helper { .. })
        {
            let phase = sink.phase;
            sink.emit(e.to_event(phase));
        }
        result
    }

    fn spawn(&self, capture_stderr: bool) -> Result<std::process::Child, FlashError> {
        self.command()
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(if capture_stderr {
                Stdio::piped()
            } else {
                Stdio::inherit()
            })
            .spawn()
            .map_err(|e| FlashError::io(&self.program, "start the flash helper", e))
    }

    fn session(
        &self,
        plan: &FlashPlan,
        sink: &mut dyn EventSink,
        cancel: &CancelToken,
        capture_stderr: bool,
    ) -> Result<Summary, FlashError> {
        if !self.escalation.is_empty() {
            sink.emit(FlashEvent::Notice {
                message: format!(
                    "writing {} needs root: asking {} to run skiff's helper, which checks the target again",
                    plan.target.path.display(),
                    tool_name(&self.escalation)
                ),
            });
        }
        let mut child = self.spawn(capture_stderr)?;
        let mut stderr = StderrRelay::start(child.stderr.take());
        let (Some(mut stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            let _ = child.kill();
            return Err(FlashError::Internal {
                detail: "the helper's pipes were not created".into(),
            });
        };
        let line = serde_json::to_string(plan).unwrap_or_default();
        if writeln!(stdin, "{line}")
            .and_then(|_| stdin.flush())
            .is_err()
        {
            let status = child.wait().ok();
            stderr.relay(sink, true);
            return Err(FlashError::Escalation {
                detail: format!(
                    "the flash helper did not start ({}): escalation was refused or failed{}",
                    status.map_or_else(|| "no status".into(), |s| s.to_string()),
                    stderr.last_said()
                ),
            });
        }
        let finished = CancelToken::new();
        let watcher = watch_cancel(stdin, cancel, &finished);
        let mut outcome: Option<Result<Summary, FlashError>> = None;
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            stderr.relay(sink, false);
            if let Some(event) = helper_reply::read_line(&line) {
                if let Some(result) = helper_reply::outcome(&event) {
                    outcome = Some(result);
                }
                sink.emit(event);
            }
        }
        finished.cancel();
        let _ = watcher.join();
        let status = child.wait();
        let said = stderr.finish(sink);
        match outcome {
            Some(Ok(summary)) if status.as_ref().is_ok_and(|s| s.success()) => Ok(summary),
            Some(Err(e)) => Err(e),
            _ => Err(FlashError::Escalation {
                detail: match status {
                    Ok(s) => format!(
                        "the flash helper ended without a result ({s}); if {} asked for a password, the request may have been refused{}",
                        if self.escalation.is_empty() {
                            "nothing".into()
                        } else {
                            tool_name(&self.escalation)
                        },
                        last_said(&said)
                    ),
                    Err(e) => format!("the flash helper could not be waited for: {e}"),
                },
            }),
        }
    }
}

/// The writer a plan needs: image files in process, devices through the helper.
pub fn writer_for(plan: &FlashPlan) -> Result<Box<dyn Writer>, FlashError> {
    if plan.target.device {
        Ok(Box::new(Helper::for_this_program()?))
    } else {
        Ok(Box::new(InProcess {
            env: Environment::host(),
        }))
    }
}

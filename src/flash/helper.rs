//! The privileged helper's side of the protocol: the first line of stdin is the plan (compact
//! JSON), a later line `cancel` cancels; events go to stdout as JSON Lines. Every check runs again
//! here: the helper trusts nothing its caller decided.

use std::io::{BufRead, Write};

use super::cancel::CancelToken;
use super::error::FlashError;
use super::event::{EventSink, FlashEvent, Phase};
use super::execute::{Environment, execute};
use super::plan::FlashPlan;

/// Name of the hidden subcommand that runs the helper.
pub const HELPER_COMMAND: &str = "__flash-helper";

/// Writes events as JSON Lines; a reader that went away cancels the run (nobody would see
/// the outcome, and stopping leaves the card without a valid table).
struct LineSink<W: Write> {
    out: W,
    cancel: CancelToken,
}

impl<W: Write> EventSink for LineSink<W> {
    fn emit(&mut self, event: FlashEvent) {
        let line = event.to_json_line();
        if writeln!(self.out, "{line}")
            .and_then(|_| self.out.flush())
            .is_err()
        {
            self.cancel.cancel();
        }
    }
}

/// Serves one plan. `input` is read on a separate thread after the plan line, for `cancel`.
/// Returns the process exit code.
pub fn serve<R, W>(mut input: R, output: W, env: &Environment, cancel: CancelToken) -> i32
where
    R: BufRead + Send + 'static,
    W: Write,
{
    let mut sink = LineSink {
        out: output,
        cancel: cancel.clone(),
    };
    let mut line = String::new();
    let plan = match input.read_line(&mut line) {
        Ok(0) => Err(FlashError::Plan {
            detail: "no plan on standard input (the first line must be the plan as JSON)".into(),
        }),
        Ok(_) => FlashPlan::from_json(&line),
        Err(e) => Err(FlashError::io("stdin", "read the plan", e)),
    };
    let plan = match plan {
        Ok(plan) => plan,
        Err(e) => {
            sink.emit(e.to_event(Phase::Prepare));
            return e.exit_code();
        }
    };
    let watcher = cancel.clone();
    std::thread::spawn(move || {
        let mut line = String::new();
        loop {
            line.clear();
            match input.read_line(&mut line) {
                Ok(0) | Err(_) => return,
                Ok(_) if line.trim() == "cancel" => {
                    watcher.cancel();
                    return;
                }
                Ok(_) => {}
            }
        }
    });
    match execute(&plan, env, &mut sink, &cancel) {
        Ok(_) => 0,
        Err(e) => e.exit_code(),
    }
}

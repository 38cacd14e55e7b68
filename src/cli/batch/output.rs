//! What `skiff batch` prints and records as cards run: JSON Lines on stdout (`--json`, each
//! line naming its card, slot and target), one line per card state on stderr otherwise, and
//! the report and log lines appended as each card finishes.

use std::io::Write;
use std::time::{Instant, SystemTime};

use serde_json::{Value, json};

use crate::build::log::utc;
use crate::flash::batch::report::{ReportLine, ReportWriter};
use crate::flash::batch::{BatchEvent, CardOutcome, CardResult, SharedImage};
use crate::flash::device::human_bytes;
use crate::flash::{FlashEvent, Phase};

/// Counts, the report, and the printing of a batch's events.
pub struct Output {
    pub json: bool,
    report: ReportWriter,
    image: String,
    sha256: String,
    started: Instant,
    pub done: u32,
    pub failed: u32,
    pub refused: u32,
    /// A report line could not be written (the cards themselves went on).
    pub report_error: bool,
}

/// Prints one JSON object as a line on stdout, flushed at once.
pub fn print_json(value: &Value) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{value}");
    let _ = out.flush();
}

fn rate(bytes_per_sec: f64) -> String {
    format!("{}/s", human_bytes(bytes_per_sec.max(0.0) as u64))
}

impl Output {
    pub fn new(json: bool, report: ReportWriter, image: String, sha256: String) -> Output {
        Output {
            json,
            report,
            image,
            sha256,
            started: Instant::now(),
            done: 0,
            failed: 0,
            refused: 0,
            report_error: false,
        }
    }

    /// The source was decoded: its size and hash.
    pub fn decoded(&self, image: &SharedImage, secs: f64) {
        if self.json {
            print_json(&json!({
                "event": "decoded",
                "image": image.name,
                "image_sha256": image.sha256,
                "image_len": image.image_len,
                "secs": secs,
            }));
        } else {
            eprintln!(
                "skiff: decoded {} ({}, SHA-256 {}) in {:.1} s",
                image.name,
                human_bytes(image.image_len),
                image.sha256,
                secs
            );
        }
    }

    /// Prints (and for a finished card, records) one event of the batch.
    pub fn handle(&mut self, event: BatchEvent) {
        match event {
            BatchEvent::Card {
                number,
                slot,
                target,
                event,
            } => self.card_event(number, &slot, &target, event),
            BatchEvent::Finished(outcome) => self.finished(&outcome),
            BatchEvent::Refused { name, slot, reason } => {
                self.refused += 1;
                if self.json {
                    print_json(
                        &json!({"event": "refused", "target": name, "slot": slot, "reason": reason}),
                    );
                } else {
                    eprintln!("skiff: {name} [{slot}] refused, not opened: {reason}");
                }
            }
            BatchEvent::Removed { name } => {
                if self.json {
                    print_json(&json!({"event": "removed", "target": name}));
                } else {
                    eprintln!("skiff: {name} removed");
                }
            }
        }
    }

    fn card_event(&mut self, number: u32, slot: &str, target: &str, event: FlashEvent) {
        if self.json {
            let mut value = serde_json::to_value(&event).unwrap_or(Value::Null);
            if let Value::Object(map) = &mut value {
                map.insert("target".into(), target.into());
                map.insert("card".into(), number.into());
                map.insert("slot".into(), slot.into());
            }
            print_json(&value);
            return;
        }
        let what = match event {
            FlashEvent::PhaseStarted {
                phase: Phase::Write,
                total,
            } => format!(
                "writing{}",
                total
                    .map(|t| format!(" {}", human_bytes(t)))
                    .unwrap_or_default()
            ),
            FlashEvent::PhaseStarted {
                phase: Phase::Verify,
                ..
            } => "verifying".into(),
            FlashEvent::Warning { message } => format!("warning: {message}"),
            _ => return,
        };
        eprintln!("skiff: card {number} [{slot}] {target}: {what}");
    }

    fn finished(&mut self, outcome: &CardOutcome) {
        let line = ReportLine::new(utc(SystemTime::now()), &self.image, &self.sha256, outcome);
        if let Err(e) = self.report.append(&line) {
            self.report_error = true;
            eprintln!(
                "skiff: error: cannot append card {} to the report: {e} (the batch goes on)",
                line.number
            );
        }
        let job = &outcome.job;
        match &outcome.result {
            CardResult::Done => self.done += 1,
            CardResult::Failed { .. } => self.failed += 1,
        }
        if self.json {
            let mut value = serde_json::to_value(&line).unwrap_or(Value::Null);
            if let Value::Object(map) = &mut value {
                map.insert("event".into(), "card".into());
                map.insert("card".into(), job.number.into());
            }
            print_json(&value);
            return;
        }
        let target = job.target.path.display();
        match &outcome.result {
            CardResult::Done => eprintln!(
                "skiff: card {} [{}] {target}: done, {} written at {}, verified at {}",
                job.number,
                job.slot,
                human_bytes(outcome.written),
                rate(outcome.write_rate),
                rate(outcome.verify_rate)
            ),
            CardResult::Failed {
                reason, message, ..
            } => eprintln!(
                "skiff: card {} [{}] {target}: failed ({}): {message}",
                job.number,
                job.slot,
                reason.code()
            ),
        }
    }

    /// The batch's exit code: 130 when interrupted, 1 when a card failed (or its report line
    /// was lost), else 0.
    pub fn exit_code(&self, interrupted: bool) -> i32 {
        if interrupted {
            130
        } else if self.failed > 0 || self.report_error {
            1
        } else {
            0
        }
    }

    /// The final summary: a `summary` line with `--json`, a sentence otherwise.
    pub fn summary(&self, interrupted: bool) -> i32 {
        let code = self.exit_code(interrupted);
        let secs = self.started.elapsed().as_secs_f64();
        if self.json {
            print_json(&json!({
                "event": "summary",
                "done": self.done,
                "failed": self.failed,
                "refused": self.refused,
                "interrupted": interrupted,
                "secs": secs,
                "exit_code": code,
            }));
        } else {
            eprintln!(
                "skiff: batch {}: {} done, {} failed, {} refused in {:.1} s",
                if interrupted { "interrupted" } else { "ended" },
                self.done,
                self.failed,
                self.refused,
                secs
            );
        }
        code
    }
}

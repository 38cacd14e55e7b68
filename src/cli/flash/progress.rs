//! How flash events reach the user: JSON Lines on stdout (`--json`), progress bars on a
//! terminal's stderr, or one line per phase when stderr is not a terminal.

use std::io::{IsTerminal, Write};
use std::path::Path;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::flash::device::human_bytes;
use crate::flash::event::TargetedEvent;
use crate::flash::{EventSink, FlashEvent, Phase};

/// JSON Lines on stdout, one event per line with the target it is about, flushed at once.
pub struct JsonLines {
    pub target: String,
}

impl JsonLines {
    pub fn new(target: &Path) -> JsonLines {
        JsonLines {
            target: target.display().to_string(),
        }
    }
}

impl EventSink for JsonLines {
    fn emit(&mut self, event: FlashEvent) {
        let line = TargetedEvent {
            target: self.target.clone(),
            event,
        }
        .to_json_line();
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{line}");
        let _ = out.flush();
    }
}

/// Bars on a terminal, plain lines otherwise. `Failed` is left to the caller's error message.
pub struct Human {
    bar: Option<ProgressBar>,
    terminal: bool,
}

impl Default for Human {
    fn default() -> Human {
        Human::new()
    }
}

impl Human {
    pub fn new() -> Human {
        Human {
            bar: None,
            terminal: std::io::stderr().is_terminal(),
        }
    }
}

fn rate(bytes_per_sec: f64) -> String {
    format!("{}/s", human_bytes(bytes_per_sec.max(0.0) as u64))
}

fn clock(secs: f64) -> String {
    let s = secs.max(0.0).round() as u64;
    format!("{}:{:02}", s / 60, s % 60)
}

impl EventSink for Human {
    fn emit(&mut self, event: FlashEvent) {
        match event {
            FlashEvent::Started { target, source, .. } => {
                eprintln!("skiff: writing {source} to {target}");
            }
            FlashEvent::PhaseStarted { phase, total } => {
                if !self.terminal || phase == Phase::Prepare {
                    return;
                }
                let bar = match total {
                    Some(t) => ProgressBar::with_draw_target(Some(t), ProgressDrawTarget::stderr()),
                    None => ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()),
                };
                let template = if total.is_some() {
                    "{prefix:>8} [{bar:36}] {percent:>3}% {binary_bytes}/{binary_total_bytes} {msg}"
                } else {
                    "{prefix:>8} {spinner} {binary_bytes} {msg}"
                };
                if let Ok(style) = ProgressStyle::with_template(template) {
                    bar.set_style(style.progress_chars("=> "));
                }
                bar.set_prefix(phase.as_str());
                self.bar = Some(bar);
            }
            FlashEvent::Progress {
                bytes,
                rate: r,
                eta_secs,
                ..
            } => {
                if let Some(bar) = &self.bar {
                    bar.set_position(bytes);
                    let eta = eta_secs
                        .map(|e| format!(", ETA {}", clock(e)))
                        .unwrap_or_default();
                    bar.set_message(format!("{}{eta}", rate(r)));
                }
            }
            FlashEvent::PhaseDone {
                phase,
                bytes,
                secs,
                rate: r,
            } => {
                if let Some(bar) = self.bar.take() {
                    bar.finish_and_clear();
                }
                if phase != Phase::Prepare {
                    eprintln!(
                        "skiff: {:>8}: {} in {:.1} s ({})",
                        phase.as_str(),
                        human_bytes(bytes),
                        secs,
                        rate(r)
                    );
                }
            }
            FlashEvent::Warning { message } => self.say(&format!("skiff: warning: {message}")),
            FlashEvent::Notice { message } => self.say(&format!("skiff: {message}")),
            FlashEvent::Done {
                written,
                verified,
                secs,
                ..
            } => {
                let what = if verified == written {
                    format!("{} written and verified", human_bytes(written))
                } else if verified == 0 {
                    format!("{} written, not verified", human_bytes(written))
                } else {
                    format!(
                        "{} written, {} of it verified",
                        human_bytes(written),
                        human_bytes(verified)
                    )
                };
                eprintln!("skiff: done: {what}, {secs:.1} s");
            }
            FlashEvent::Failed { .. } => self.clear(),
        }
    }
}

impl Human {
    /// A line of text above the bar, or on its own without one.
    fn say(&self, line: &str) {
        match &self.bar {
            Some(bar) => bar.println(line),
            None => eprintln!("{line}"),
        }
    }

    fn clear(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

/// The sink for a command: JSON Lines with `--json`, else human output.
pub fn sink(json: bool, target: &Path) -> Box<dyn EventSink> {
    if json {
        Box::new(JsonLines::new(target))
    } else {
        Box::new(Human::new())
    }
}

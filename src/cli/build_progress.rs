//! How the CLI shows a running build: an indicatif bar and step lines on stderr, or JSON Lines.

use crate::build::lines::{marker, plain};
use crate::build::{BuildEvent, Outcome, Progress, Status};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::Write;
use std::time::Duration;

/// The build view of one command run.
pub struct Display {
    json: bool,
    verbose: bool,
    bar: ProgressBar,
    total: Option<usize>,
}

impl Display {
    /// `json`: every event as one JSON line on stdout. `verbose`: all of make's output on
    /// stdout instead of only the `>>>` step lines.
    pub fn new(json: bool, verbose: bool) -> Display {
        let target = if json {
            ProgressDrawTarget::hidden()
        } else {
            ProgressDrawTarget::stderr()
        };
        let bar = ProgressBar::with_draw_target(None, target);
        bar.set_style(spinner_style());
        if !bar.is_hidden() {
            bar.enable_steady_tick(Duration::from_millis(250));
        }
        Display {
            json,
            verbose,
            bar,
            total: None,
        }
    }

    /// A line of skiff's own (what configure did, cancelling...).
    pub fn note(&self, text: &str) {
        if self.json {
            self.event(&BuildEvent::Phase {
                message: text.to_string(),
            });
        } else {
            self.human(&format!("skiff: {text}"));
        }
    }

    fn human(&self, text: &str) {
        if self.bar.is_hidden() {
            eprintln!("{text}");
        } else {
            self.bar.println(text);
        }
    }

    fn json_line(&self, e: &BuildEvent) {
        if let Ok(s) = serde_json::to_string(e) {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{s}");
        }
    }

    /// Show one event.
    pub fn event(&self, e: &BuildEvent) {
        if self.json {
            self.json_line(e);
            return;
        }
        match e {
            BuildEvent::Started { log, .. } => {
                self.human(&format!("skiff: log: {}", log.display()))
            }
            BuildEvent::Phase { message } => self.human(&format!("skiff: {message}")),
            BuildEvent::Output { line } => {
                if self.verbose {
                    self.bar.suspend(|| {
                        let mut out = std::io::stdout().lock();
                        let _ = writeln!(out, "{line}");
                    });
                } else {
                    let text = plain(line);
                    if marker(&text).is_some() {
                        self.human(&text);
                    }
                }
            }
            BuildEvent::Progress(_) | BuildEvent::Finished(_) => {}
        }
    }

    /// Update the bar from an event (separate from `event` so it can take `&mut`).
    pub fn track(&mut self, e: &BuildEvent) {
        if let BuildEvent::Progress(p) = e {
            if p.total != self.total
                && let Some(t) = p.total
            {
                self.bar.set_length(t as u64);
                self.bar.set_style(bar_style());
                self.total = Some(t);
            }
            self.bar.set_position(p.done as u64);
            self.bar.set_message(status_line(p));
        }
    }

    /// Stop drawing for good and clear the bar, before a program that owns the terminal
    /// (menuconfig, a shell) starts: no spinner may tick over its screen.
    pub fn close(self) {
        self.bar.finish_and_clear();
    }

    /// Print the end of the build: summary, failure diagnosis, log path.
    pub fn finish(&self, o: &Outcome, what: &str) {
        self.bar.finish_and_clear();
        if self.json {
            return;
        }
        let took = duration(o.progress.elapsed_secs);
        let count = match o.progress.total {
            Some(t) => format!(", {}/{t} packages done", o.progress.done),
            None => String::new(),
        };
        match o.status {
            Status::Succeeded => eprintln!("skiff: {what} finished in {took}{count}"),
            Status::Cancelled => eprintln!("skiff: {what} cancelled after {took}{count}"),
            Status::Failed => {
                let f = o.failure.clone().unwrap_or_default();
                eprintln!("skiff: {what} failed after {took}: {}", f.headline());
                if let Some(l) = &f.error_line {
                    eprintln!("  {l}");
                }
                if !f.last_lines.is_empty() {
                    eprintln!("  last lines of its output:");
                    for l in &f.last_lines {
                        eprintln!("  | {l}");
                    }
                }
                if let Some(c) = o.exit_code {
                    eprintln!("  make exit status {c}");
                }
                if let Some(h) = &f.hint {
                    eprintln!("skiff: {h}");
                }
            }
        }
        if !o.log.as_os_str().is_empty() {
            eprintln!("skiff: full log: {}", o.log.display());
        }
    }
}

fn spinner_style() -> ProgressStyle {
    ProgressStyle::with_template("{spinner} [{elapsed_precise}] {wide_msg}")
        .unwrap_or_else(|_| ProgressStyle::default_spinner())
}

fn bar_style() -> ProgressStyle {
    ProgressStyle::with_template("[{elapsed_precise}] {bar:30} {pos}/{len} {wide_msg}")
        .unwrap_or_else(|_| ProgressStyle::default_bar())
}

/// `busybox 1.36.1: Building (+1 more) · about 12m left`.
pub fn status_line(p: &Progress) -> String {
    let mut s = match p.current.first() {
        Some(c) => {
            let v = c
                .version
                .as_deref()
                .map(|v| format!(" {v}"))
                .unwrap_or_default();
            format!("{}{v}: {}", c.package, c.step)
        }
        None => p.global.clone().unwrap_or_default(),
    };
    if p.current.len() > 1 {
        s.push_str(&format!(" (+{} more)", p.current.len() - 1));
    }
    if let Some(r) = p.remaining_secs {
        s.push_str(&format!(" · about {} left", duration(r)));
    }
    s
}

/// A short human duration: `45s`, `12m03s`, `2h05m`.
pub fn duration(secs: f64) -> String {
    crate::build::event::duration_text(secs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build::CurrentStep;

    #[test]
    fn status_lines() {
        let mut p = Progress {
            current: vec![CurrentStep {
                package: "busybox".into(),
                version: Some("1.36.1".into()),
                step: "Building".into(),
            }],
            remaining_secs: Some(723.0),
            ..Progress::default()
        };
        assert_eq!(
            status_line(&p),
            "busybox 1.36.1: Building · about 12m03s left"
        );
        p.current.clear();
        p.remaining_secs = None;
        p.global = Some("Finalizing target directory".into());
        assert_eq!(status_line(&p), "Finalizing target directory");
        assert_eq!(duration(7500.0), "2h05m");
        assert_eq!(duration(-1.0), "0s");
    }
}

//! Events of a running plan (one JSON object per line on the wire) and the rate/ETA meter behind them.

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::reason::FailReason;

/// Version of the event protocol; sent in `Started`, checked by readers of a helper's output.
pub const EVENT_VERSION: u32 = 1;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Checks, opening the target, wiping stale partition tables.
    #[default]
    Prepare,
    /// Building partition tables and file systems (format, install, image build).
    Assemble,
    /// Writing everything except the first block.
    Write,
    /// Reading back what was written, cache bypassed, and comparing.
    Verify,
    /// Writing (and verifying) the first block with the partition table, then syncing.
    Finalize,
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Prepare => "prepare",
            Phase::Assemble => "assemble",
            Phase::Write => "write",
            Phase::Verify => "verify",
            Phase::Finalize => "finalize",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum FlashEvent {
    Started {
        version: u32,
        target: String,
        source: String,
        /// Bytes the write phase will transfer, when known in advance.
        total: Option<u64>,
        verify: bool,
    },
    PhaseStarted {
        phase: Phase,
        total: Option<u64>,
    },
    Progress {
        phase: Phase,
        bytes: u64,
        total: Option<u64>,
        /// Bytes per second over the last few seconds.
        rate: f64,
        eta_secs: Option<f64>,
    },
    PhaseDone {
        phase: Phase,
        bytes: u64,
        secs: f64,
        /// Average bytes per second over the phase.
        rate: f64,
    },
    Warning {
        message: String,
    },
    /// Information for the user that is not a problem (which escalation tool is asked, ...).
    Notice {
        message: String,
    },
    Done {
        written: u64,
        verified: u64,
        /// Length of the image on the target.
        image_len: u64,
        secs: f64,
    },
    /// The last event of a failed run: the message for people, the stable `reason` code and
    /// the `phase` it failed in for programs, and the exit code class.
    Failed {
        /// What went wrong and what to do, for people (`error` in protocol version 1 readers).
        #[serde(alias = "error")]
        message: String,
        exit_code: i32,
        #[serde(default)]
        reason: FailReason,
        #[serde(default)]
        phase: Phase,
    },
}

impl FlashEvent {
    /// One JSON Lines record (no trailing newline).
    pub fn to_json_line(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|e| {
            format!(
                "{{\"event\":\"failed\",\"message\":\"cannot encode event: {e}\",\"exit_code\":2,\"reason\":\"internal\",\"phase\":\"prepare\"}}"
            )
        })
    }
}

impl FlashEvent {
    /// `Done` or `Failed`: the one event that ends every run.
    pub fn is_final(&self) -> bool {
        matches!(self, FlashEvent::Done { .. } | FlashEvent::Failed { .. })
    }
}

/// An event about one target, as a `--json` line: the event's fields plus `target`, the target
/// as the user named it. A program driving several writes tells their lines apart by it.
#[derive(Clone, Debug, PartialEq)]
pub struct TargetedEvent {
    pub target: String,
    pub event: FlashEvent,
}

impl TargetedEvent {
    /// One JSON Lines record (no trailing newline); `target` replaces the event's own.
    pub fn to_json_line(&self) -> String {
        match serde_json::to_value(&self.event) {
            Ok(serde_json::Value::Object(mut map)) => {
                map.insert("target".into(), self.target.clone().into());
                serde_json::Value::Object(map).to_string()
            }
            _ => self.event.to_json_line(),
        }
    }

    /// Reads a line written by [`TargetedEvent::to_json_line`].
    pub fn from_json_line(line: &str) -> Result<TargetedEvent, serde_json::Error> {
        let value: serde_json::Value = serde_json::from_str(line)?;
        let target = value
            .get("target")
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default()
            .to_string();
        Ok(TargetedEvent {
            target,
            event: serde_json::from_value(value)?,
        })
    }
}

/// Where events go: a channel to a UI, stdout as JSON Lines, a progress bar.
pub trait EventSink {
    fn emit(&mut self, event: FlashEvent);
}

impl<F: FnMut(FlashEvent)> EventSink for F {
    fn emit(&mut self, event: FlashEvent) {
        self(event)
    }
}

/// Forwards events and remembers the phase running, so a failure can name it.
pub struct PhaseTracker<'a> {
    pub inner: &'a mut dyn EventSink,
    pub phase: Phase,
}

impl<'a> PhaseTracker<'a> {
    pub fn new(inner: &'a mut dyn EventSink) -> PhaseTracker<'a> {
        PhaseTracker {
            inner,
            phase: Phase::Prepare,
        }
    }
}

impl EventSink for PhaseTracker<'_> {
    fn emit(&mut self, event: FlashEvent) {
        if let FlashEvent::PhaseStarted { phase, .. } = &event {
            self.phase = *phase;
        }
        self.inner.emit(event);
    }
}

/// Sends into a crossbeam channel; a closed receiver (UI gone) is not an error for the writer.
pub struct ChannelSink(pub crossbeam_channel::Sender<FlashEvent>);

impl EventSink for ChannelSink {
    fn emit(&mut self, event: FlashEvent) {
        let _ = self.0.send(event);
    }
}

/// Tracks bytes for one phase and produces throttled progress events with rate and ETA.
pub struct Meter {
    phase: Phase,
    total: Option<u64>,
    bytes: u64,
    started: Instant,
    last_emit: Option<Instant>,
    window: Vec<(Instant, u64)>,
    interval: Duration,
    /// Fraction of the work done, when bytes alone cannot say (compressed sources of unknown size).
    fraction: Option<f64>,
}

impl Meter {
    pub fn new(phase: Phase, total: Option<u64>) -> Meter {
        let now = Instant::now();
        Meter {
            phase,
            total,
            bytes: 0,
            started: now,
            last_emit: None,
            window: vec![(now, 0)],
            interval: Duration::from_millis(250),
            fraction: None,
        }
    }

    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    pub fn set_fraction(&mut self, fraction: f64) {
        self.fraction = Some(fraction.clamp(0.0, 1.0));
    }

    /// Adds bytes; emits a progress event at most every 250 ms.
    pub fn add(&mut self, bytes: u64, sink: &mut dyn EventSink) {
        self.bytes += bytes;
        let now = Instant::now();
        if self
            .last_emit
            .is_some_and(|t| now.duration_since(t) < self.interval)
        {
            return;
        }
        self.last_emit = Some(now);
        self.window.push((now, self.bytes));
        while self.window.len() > 2 && now.duration_since(self.window[0].0) > Duration::from_secs(5)
        {
            self.window.remove(0);
        }
        sink.emit(self.progress(now));
    }

    fn progress(&self, now: Instant) -> FlashEvent {
        let (t0, b0) = self.window[0];
        let secs = now.duration_since(t0).as_secs_f64();
        let rate = if secs > 0.0 {
            (self.bytes - b0) as f64 / secs
        } else {
            0.0
        };
        let elapsed = now.duration_since(self.started).as_secs_f64();
        let eta_secs = match (self.total, self.fraction) {
            (Some(total), _) if rate > 0.0 => Some(total.saturating_sub(self.bytes) as f64 / rate),
            (None, Some(f)) if f > 0.0 => Some(elapsed * (1.0 - f) / f),
            _ => None,
        };
        FlashEvent::Progress {
            phase: self.phase,
            bytes: self.bytes,
            total: self.total,
            rate,
            eta_secs,
        }
    }

    pub fn done(&self) -> FlashEvent {
        let secs = self.started.elapsed().as_secs_f64();
        FlashEvent::PhaseDone {
            phase: self.phase,
            bytes: self.bytes,
            secs,
            rate: if secs > 0.0 {
                self.bytes as f64 / secs
            } else {
                0.0
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_tagged_json_lines() {
        let line = FlashEvent::PhaseStarted {
            phase: Phase::Verify,
            total: Some(10),
        }
        .to_json_line();
        assert_eq!(
            line,
            r#"{"event":"phase_started","phase":"verify","total":10}"#
        );
        let back: FlashEvent = serde_json::from_str(&line).unwrap();
        assert!(matches!(
            back,
            FlashEvent::PhaseStarted {
                phase: Phase::Verify,
                ..
            }
        ));
    }

    #[test]
    fn targeted_lines_carry_the_target_and_read_back() {
        let event = FlashEvent::Failed {
            message: "x".into(),
            exit_code: 1,
            reason: FailReason::NotADiskImage,
            phase: Phase::Prepare,
        };
        let line = TargetedEvent {
            target: "/dev/sdb".into(),
            event: event.clone(),
        }
        .to_json_line();
        assert_eq!(
            line,
            r#"{"event":"failed","exit_code":1,"message":"x","phase":"prepare","reason":"not_a_disk_image","target":"/dev/sdb"}"#
        );
        let back = TargetedEvent::from_json_line(&line).unwrap();
        assert_eq!(back.target, "/dev/sdb");
        assert_eq!(back.event, event);
        assert!(back.event.is_final());
        let old = r#"{"event":"failed","error":"old helper","exit_code":3}"#;
        assert!(matches!(
            serde_json::from_str::<FlashEvent>(old).unwrap(),
            FlashEvent::Failed { message, .. } if message == "old helper"
        ));
    }

    #[test]
    fn meter_throttles_and_reports_eta() {
        let mut events = Vec::new();
        let mut sink = |e: FlashEvent| events.push(e);
        let mut meter = Meter::new(Phase::Write, Some(1000));
        for _ in 0..100 {
            meter.add(5, &mut sink);
        }
        assert_eq!(meter.bytes(), 500);
        assert_eq!(events.len(), 1, "only the first of a burst is emitted");
        assert!(matches!(
            meter.done(),
            FlashEvent::PhaseDone { bytes: 500, .. }
        ));
    }
}

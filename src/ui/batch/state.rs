//! The batch screen's state: the chosen source and targets, the prompt being typed, and the
//! running batch as one row per slot (in USB port order) built from the engine's events.

use super::types::{BatchReport, BatchSource};
use crate::flash::batch::{BatchEvent, CardResult};
use crate::flash::card::post::is_files_notice;
use crate::flash::event::{FlashEvent, Phase};
use crate::ui::flash::types::ImageInfo;
use crate::ui::overlay::Confirm;
use std::cmp::Ordering;
use std::path::PathBuf;

/// What a prompt of the screen is typing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PromptKind {
    /// The path of an image file to write.
    Source,
    /// The path of an image file target to add.
    Target,
    /// The readers allow-list, patterns separated by commas.
    Readers,
    /// The allow-list typed back to start writing every card that appears in those readers.
    TypedReaders {
        request: Box<super::types::BatchRequest>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt {
    pub kind: PromptKind,
    pub text: String,
}

/// Where one slot's card is.
#[derive(Debug, Clone, PartialEq)]
pub enum SlotState {
    /// No card yet (or the last one was pulled after it ended).
    Waiting,
    Writing,
    Verifying,
    /// Writing the card's personalisation files into its persist partition (after the
    /// verify).
    Personalising,
    /// Writing and checking the first block, syncing.
    Finishing,
    Done,
    /// Stopped by the user.
    Stopped,
    Failed {
        reason: String,
        phase: Phase,
        message: String,
    },
    /// A disk that is not written: listed with its reason, never opened.
    Refused {
        reason: String,
    },
}

impl SlotState {
    /// The card in this slot is being written.
    pub fn busy(&self) -> bool {
        matches!(
            self,
            SlotState::Writing
                | SlotState::Verifying
                | SlotState::Personalising
                | SlotState::Finishing
        )
    }
}

/// One slot: a reader's USB port (or an image file target) and its current card.
#[derive(Debug, Clone, PartialEq)]
pub struct SlotRow {
    pub slot: String,
    /// The disk's kernel name (`sdb`) or the target's file name, to match removals.
    pub device: String,
    pub number: Option<u32>,
    /// Reader model and serial, as known.
    pub reader: String,
    pub card_size: u64,
    pub state: SlotState,
    pub bytes: u64,
    pub total: Option<u64>,
    pub rate: f64,
    pub eta: Option<f64>,
    /// The last card's result once it was pulled (`#3 done`).
    pub last: Option<String>,
}

impl SlotRow {
    fn new(slot: &str, device: &str) -> SlotRow {
        SlotRow {
            slot: slot.to_string(),
            device: device.to_string(),
            number: None,
            reader: String::new(),
            card_size: 0,
            state: SlotState::Waiting,
            bytes: 0,
            total: None,
            rate: 0.0,
            eta: None,
            last: None,
        }
    }
}

/// A batch started from the screen.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchRun {
    pub id: u64,
    /// `true` for a readers allow-list, `false` for image file targets.
    pub watching: bool,
    pub rows: Vec<SlotRow>,
    /// Seconds since the start, from the last report.
    pub elapsed: f64,
    /// Making the source: phase and bytes so far (until the first card starts).
    pub preparing: Option<(Phase, u64, Option<u64>)>,
    pub ended: Option<Result<u32, String>>,
    pub stopping: bool,
    pub done: u32,
    pub failed: u32,
}

impl BatchRun {
    pub fn new(id: u64, watching: bool, files: &[PathBuf]) -> BatchRun {
        let mut run = BatchRun {
            id,
            watching,
            rows: Vec::new(),
            elapsed: 0.0,
            preparing: None,
            ended: None,
            stopping: false,
            done: 0,
            failed: 0,
        };
        for f in files {
            let name = f
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            run.row(&f.display().to_string(), &name);
        }
        run
    }

    pub fn running(&self) -> bool {
        self.ended.is_none()
    }

    /// Cards being written now.
    pub fn busy(&self) -> usize {
        self.rows.iter().filter(|r| r.state.busy()).count()
    }

    pub fn refused(&self) -> usize {
        self.rows
            .iter()
            .filter(|r| matches!(r.state, SlotState::Refused { .. }))
            .count()
    }

    /// The row of `slot`, made (in port order) when new.
    fn row(&mut self, slot: &str, device: &str) -> &mut SlotRow {
        let i = match self.rows.binary_search_by(|r| natural_cmp(&r.slot, slot)) {
            Ok(i) => i,
            Err(i) => {
                self.rows.insert(i, SlotRow::new(slot, device));
                i
            }
        };
        let row = &mut self.rows[i];
        if !device.is_empty() {
            row.device = device.to_string();
        }
        row
    }

    /// Applies a report of this batch; returns `true` when a card ended (ring the bell).
    pub fn apply(&mut self, report: BatchReport) -> bool {
        match report {
            BatchReport::Source { .. } => {}
            BatchReport::Preparing { at, event, .. } => {
                self.elapsed = at;
                self.preparing = match event {
                    FlashEvent::PhaseStarted { phase, total } => Some((phase, 0, total)),
                    FlashEvent::Progress {
                        phase,
                        bytes,
                        total,
                        ..
                    } => Some((phase, bytes, total)),
                    _ => self.preparing,
                };
            }
            BatchReport::Card { at, job, .. } => {
                self.elapsed = at;
                self.preparing = None;
                let device = name_of(&job.target.path.display().to_string());
                let row = self.row(&job.slot, &device);
                let last = row.number.and_then(|n| result_word(&row.state, n));
                *row = SlotRow {
                    number: Some(job.number),
                    reader: [job.reader_model.trim(), job.reader_serial.trim()]
                        .iter()
                        .filter(|s| !s.is_empty())
                        .copied()
                        .collect::<Vec<_>>()
                        .join(" "),
                    card_size: job.card_size,
                    state: SlotState::Writing,
                    last: last.or(row.last.take()),
                    ..SlotRow::new(&job.slot, &device)
                };
            }
            BatchReport::Event { at, event, .. } => {
                self.elapsed = at;
                return self.event(*event);
            }
            BatchReport::Tick { at, .. } => self.elapsed = self.elapsed.max(at),
            BatchReport::Ended { at, result, .. } => {
                self.elapsed = at;
                self.preparing = None;
                self.ended = Some(result);
            }
        }
        false
    }

    fn event(&mut self, event: BatchEvent) -> bool {
        match event {
            BatchEvent::Card {
                slot,
                target,
                event,
                ..
            } => self.card_event(&slot, &name_of(&target), event),

            BatchEvent::Finished(outcome) => {
                let device = name_of(&outcome.job.target.path.display().to_string());
                let row = self.row(&outcome.job.slot, &device);
                row.eta = None;
                row.state = match outcome.result {
                    CardResult::Done => SlotState::Done,
                    CardResult::Failed {
                        reason: crate::flash::reason::FailReason::Cancelled,
                        ..
                    } => SlotState::Stopped,
                    CardResult::Failed {
                        reason,
                        phase,
                        message,
                    } => SlotState::Failed {
                        reason: reason.code().to_string(),
                        phase,
                        message,
                    },
                };
                if row.state == SlotState::Done {
                    row.rate = outcome.write_rate;
                    self.done += 1;
                } else {
                    self.failed += 1;
                }
                return true;
            }
            BatchEvent::Refused { name, slot, reason } => {
                let row = self.row(&slot, &name);
                if !row.state.busy() {
                    row.state = SlotState::Refused { reason };
                    row.number = None;
                }
            }
            BatchEvent::Removed { name } => {
                for row in self.rows.iter_mut().filter(|r| r.device == name) {
                    if !row.state.busy() {
                        if let Some(n) = row.number {
                            row.last = result_word(&row.state, n);
                        }
                        row.state = SlotState::Waiting;
                        row.number = None;
                        (row.bytes, row.total, row.rate, row.eta) = (0, None, 0.0, None);
                    }
                }
            }
        }
        false
    }

    fn card_event(&mut self, slot: &str, device: &str, event: FlashEvent) {
        let row = self.row(slot, device);
        let phase_state = |phase: Phase| match phase {
            Phase::Verify => SlotState::Verifying,
            Phase::Finalize => SlotState::Finishing,
            _ => SlotState::Writing,
        };
        match event {
            FlashEvent::Started { total, .. } => {
                row.state = SlotState::Writing;
                row.total = total;
            }
            FlashEvent::PhaseStarted { phase, total } => {
                row.state = phase_state(phase);
                (row.bytes, row.total, row.eta) = (0, total, None);
            }
            FlashEvent::Progress {
                phase,
                bytes,
                total,
                rate,
                eta_secs,
            } => {
                row.state = phase_state(phase);
                (row.bytes, row.total, row.rate, row.eta) = (bytes, total, rate, eta_secs);
            }
            FlashEvent::PhaseDone {
                phase: Phase::Write,
                rate,
                ..
            } => row.rate = rate,
            FlashEvent::Notice { message } if is_files_notice(&message) => {
                row.state = SlotState::Personalising;
                (row.bytes, row.total, row.eta) = (0, None, None);
            }
            _ => {}
        }
    }
}

/// `#3 done`, `#3 failed` for the last card of a slot.
fn result_word(state: &SlotState, number: u32) -> Option<String> {
    let word = match state {
        SlotState::Done => "done",
        SlotState::Failed { .. } => "failed",
        SlotState::Stopped => "stopped",
        _ => return None,
    };
    Some(format!("#{number} {word}"))
}

/// The last component of a path (`/dev/sdb` → `sdb`).
fn name_of(path: &str) -> String {
    path.rsplit('/').next().unwrap_or(path).to_string()
}

/// Port order: runs of digits compare as numbers (`1-1.2` before `1-1.10`).
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    fn chunks(s: &str) -> Vec<(bool, &str)> {
        let mut out = Vec::new();
        let mut start = 0;
        let bytes = s.as_bytes();
        for i in 1..=bytes.len() {
            if i == bytes.len() || bytes[i].is_ascii_digit() != bytes[start].is_ascii_digit() {
                out.push((bytes[start].is_ascii_digit(), &s[start..i]));
                start = i;
            }
        }
        out
    }
    let (ca, cb) = (chunks(a), chunks(b));
    for ((da, xa), (db, xb)) in ca.iter().zip(cb.iter()) {
        let ord = if *da && *db {
            let (ta, tb) = (xa.trim_start_matches('0'), xb.trim_start_matches('0'));
            ta.len().cmp(&tb.len()).then(ta.cmp(tb))
        } else {
            xa.cmp(xb)
        };
        if ord != Ordering::Equal {
            return ord;
        }
    }
    ca.len().cmp(&cb.len()).then(a.cmp(b))
}

/// Everything the batch screen shows; lives in `Shared` so the app can route reports to it
/// and ask before quitting while cards are written.
#[derive(Debug, Default)]
pub struct BatchState {
    pub source: Option<BatchSource>,
    /// What the source image file holds, once recognised (or why it is not a card image).
    pub source_info: Option<Result<ImageInfo, String>>,
    /// Image file targets, in the order added.
    pub files: Vec<PathBuf>,
    /// The readers allow-list (used instead of `files` when not empty).
    pub readers: Vec<String>,
    pub prompt: Option<Prompt>,
    /// A confirmation for the app to open after the update.
    pub confirm: Option<Confirm>,
    pub run: Option<BatchRun>,
    pub next_id: u64,
}

impl BatchState {
    pub fn running(&self) -> bool {
        self.run.as_ref().is_some_and(BatchRun::running)
    }
}

#[cfg(test)]
mod tests {
    use super::natural_cmp;
    use std::cmp::Ordering;

    #[test]
    fn port_order_is_numeric() {
        assert_eq!(natural_cmp("1-1.2", "1-1.10"), Ordering::Less);
        assert_eq!(natural_cmp("1-1.10", "1-1.9"), Ordering::Greater);
        assert_eq!(natural_cmp("1-2", "1-1.3"), Ordering::Greater);
        assert_eq!(natural_cmp("a", "a"), Ordering::Equal);
        assert_eq!(natural_cmp("", "1"), Ordering::Less);
        assert_eq!(natural_cmp("x01", "x1"), Ordering::Less);
    }
}

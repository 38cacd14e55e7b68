//! The station: a thread per card, started when the card is known, its tagged events and its
//! outcome sent to one channel. Nothing a card does waits for another card, and a card whose
//! thread panics ends as that card's failure, never the batch's.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::thread::JoinHandle;

use crossbeam_channel::Sender;

use super::card::{CardJob, CardOutcome, PlanRunner, run_card, run_card_with};
use super::shared::SharedImage;
use crate::flash::cancel::CancelToken;
use crate::flash::environment::Environment;
use crate::flash::error::FlashError;
use crate::flash::event::{EventSink, FlashEvent, Phase};
use crate::flash::execute::{Opener, open_checked};
use crate::flash::reason::FailReason;

/// What the station reports: a card's event (naming its number, slot and target) or its end.
#[derive(Clone, Debug)]
pub enum BatchEvent {
    Card {
        number: u32,
        slot: String,
        target: String,
        event: FlashEvent,
    },
    /// A card ended (boxed: an outcome is far larger than the other events).
    Finished(Box<CardOutcome>),
    /// A disk appeared that is not written: listed with its reason, never opened.
    Refused {
        name: String,
        slot: String,
        reason: String,
    },
    /// A disk went away (its card, if any, fails on its own).
    Removed { name: String },
}

/// Runs cards side by side from one shared image.
pub struct Station {
    image: Arc<SharedImage>,
    env: Arc<Environment>,
    open: Arc<Opener>,
    events: Sender<BatchEvent>,
    cancel: CancelToken,
    running: Vec<JoinHandle<()>>,
    devices: Option<Arc<PlanRunner>>,
}

impl Station {
    /// A station whose cards open their targets with every safety rule of `flash`.
    pub fn new(
        image: Arc<SharedImage>,
        env: Arc<Environment>,
        events: Sender<BatchEvent>,
        cancel: CancelToken,
    ) -> Station {
        Station::with_opener(image, env, Arc::new(open_checked), events, cancel)
    }

    /// A station with its own way of opening targets (tests inject failing and pulled cards).
    pub fn with_opener(
        image: Arc<SharedImage>,
        env: Arc<Environment>,
        open: Arc<Opener>,
        events: Sender<BatchEvent>,
        cancel: CancelToken,
    ) -> Station {
        Station {
            image,
            env,
            open,
            events,
            cancel,
            running: Vec::new(),
            devices: None,
        }
    }

    /// Devices are written by `run` (the privileged helper when skiff is not root); image
    /// files stay in this process.
    pub fn devices_through(mut self, run: Arc<PlanRunner>) -> Station {
        self.devices = Some(run);
        self
    }

    /// Starts a card's pipeline on its own thread; returns at once.
    pub fn start(&mut self, job: CardJob) {
        let image = Arc::clone(&self.image);
        let env = Arc::clone(&self.env);
        let open = Arc::clone(&self.open);
        let devices = self.devices.clone().filter(|_| job.target.device);
        let events = self.events.clone();
        let cancel = self.cancel.clone();
        self.running.retain(|h| !h.is_finished());
        self.running.push(std::thread::spawn(move || {
            let mut sink = CardSink {
                events: &events,
                number: job.number,
                slot: job.slot.clone(),
                target: job.target.path.display().to_string(),
                ended: false,
            };
            let copy = job.clone();
            let outcome = catch_unwind(AssertUnwindSafe(|| match &devices {
                Some(run) => run_card_with(job, &image, run.as_ref(), &mut sink, &cancel),
                None => run_card(job, &image, &env, open.as_ref(), &mut sink, &cancel),
            }));
            let outcome = outcome.unwrap_or_else(|panic| sink.panicked(copy, panic.as_ref()));
            let _ = events.send(BatchEvent::Finished(Box::new(outcome)));
        }));
    }

    /// Ends a card that cannot start (its personalisation failed): its `failed` event and its
    /// outcome, as if its pipeline had failed in the prepare phase. Its target is not opened.
    pub fn fail(&self, job: CardJob, error: &FlashError) {
        self.notify(BatchEvent::Card {
            number: job.number,
            slot: job.slot.clone(),
            target: job.target.path.display().to_string(),
            event: error.to_event(Phase::Prepare),
        });
        let outcome = CardOutcome::failed(
            job,
            error.reason(),
            error.phase_or(Phase::Prepare),
            error.to_string(),
        );
        self.notify(BatchEvent::Finished(Box::new(outcome)));
    }

    /// Sends an event of the batch that is not a card's (refusals, removals).
    pub fn notify(&self, event: BatchEvent) {
        let _ = self.events.send(event);
    }

    /// Cards still running.
    pub fn running(&self) -> usize {
        self.running.iter().filter(|h| !h.is_finished()).count()
    }

    /// Waits for every running card to end (after a cancel, they end failed as cancelled).
    pub fn join(&mut self) {
        for handle in self.running.drain(..) {
            let _ = handle.join();
        }
    }
}

/// A card's events, tagged with the card, into the station's channel.
struct CardSink<'a> {
    events: &'a Sender<BatchEvent>,
    number: u32,
    slot: String,
    target: String,
    /// The card's final event was sent.
    ended: bool,
}

impl EventSink for CardSink<'_> {
    fn emit(&mut self, event: FlashEvent) {
        self.ended |= event.is_final();
        let _ = self.events.send(BatchEvent::Card {
            number: self.number,
            slot: self.slot.clone(),
            target: self.target.clone(),
            event,
        });
    }
}

impl CardSink<'_> {
    /// The card's thread panicked: the card fails with `internal` (its final event is sent
    /// unless one was already), the batch goes on.
    fn panicked(&mut self, job: CardJob, panic: &(dyn std::any::Any + Send)) -> CardOutcome {
        let what = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic".into());
        let message = format!(
            "{}: internal error while writing card {}: {what} (please report this; the other cards go on)",
            self.target, job.number
        );
        let outcome = CardOutcome::failed(job, FailReason::Internal, Phase::Write, message.clone());
        if !self.ended {
            self.emit(FlashEvent::Failed {
                message,
                reason: FailReason::Internal,
                phase: Phase::Write,
                exit_code: FailReason::Internal.exit_code(),
            });
        }
        outcome
    }
}

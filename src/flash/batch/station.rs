//! The station: a thread per card, started when the card is known, its tagged events and its
//! outcome sent to one channel. Nothing a card does waits for another card.

use std::sync::Arc;
use std::thread::JoinHandle;

use crossbeam_channel::Sender;

use super::card::{CardJob, CardOutcome, run_card};
use super::shared::SharedImage;
use crate::flash::cancel::CancelToken;
use crate::flash::environment::Environment;
use crate::flash::event::FlashEvent;
use crate::flash::execute::{Opener, open_checked};

/// What the station reports: a card's event (naming its number, slot and target) or its end.
#[derive(Clone, Debug)]
pub enum BatchEvent {
    Card {
        number: u32,
        slot: String,
        target: String,
        event: FlashEvent,
    },
    Finished(CardOutcome),
    /// A disk appeared that is not written: listed with its reason, never opened.
    Refused {
        name: String,
        slot: String,
        reason: String,
    },
    /// A disk went away (its card, if any, fails on its own).
    Removed {
        name: String,
    },
}

/// Runs cards side by side from one shared image.
pub struct Station {
    image: Arc<SharedImage>,
    env: Arc<Environment>,
    open: Arc<Opener>,
    events: Sender<BatchEvent>,
    cancel: CancelToken,
    running: Vec<JoinHandle<()>>,
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
        }
    }

    /// Starts a card's pipeline on its own thread; returns at once.
    pub fn start(&mut self, job: CardJob) {
        let image = Arc::clone(&self.image);
        let env = Arc::clone(&self.env);
        let open = Arc::clone(&self.open);
        let events = self.events.clone();
        let cancel = self.cancel.clone();
        self.running.retain(|h| !h.is_finished());
        self.running.push(std::thread::spawn(move || {
            let (number, slot) = (job.number, job.slot.clone());
            let target = job.target.path.display().to_string();
            let mut sink = |event: FlashEvent| {
                let _ = events.send(BatchEvent::Card {
                    number,
                    slot: slot.clone(),
                    target: target.clone(),
                    event,
                });
            };
            let outcome = run_card(job, &image, &env, open.as_ref(), &mut sink, &cancel);
            let _ = events.send(BatchEvent::Finished(outcome));
        }));
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

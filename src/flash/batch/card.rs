//! One card's pipeline: the shared image written and verified onto one target, its events
//! tagged with the card, and the outcome a report line is made of.

use serde::{Deserialize, Serialize};

use super::shared::SharedImage;
use crate::flash::cancel::CancelToken;
use crate::flash::card::post::is_files_notice;
use crate::flash::engine::Summary;
use crate::flash::environment::Environment;
use crate::flash::error::FlashError;
use crate::flash::event::{EventSink, FlashEvent, Phase};
use crate::flash::execute::{Opener, execute_with};
use crate::flash::plan::{FlashPlan, PostStep, TargetSpec};
use crate::flash::reason::FailReason;

/// A card to write: its number in the batch, its slot and what is known of its reader.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardJob {
    /// 1-based, stable across `--resume`.
    pub number: u32,
    /// The reader's USB port path, or the target's path for `--to` targets.
    pub slot: String,
    pub target: TargetSpec,
    #[serde(default)]
    pub reader_model: String,
    #[serde(default)]
    pub reader_serial: String,
    /// Bytes the card holds (0 for a new image file).
    #[serde(default)]
    pub card_size: u64,
    /// The identity given to the card (its hostname), empty without personalisation.
    #[serde(default)]
    pub identity: String,
    /// Steps after the verify: the card's personalisation files (`WriteFiles`), if any.
    #[serde(skip)]
    pub post: Vec<PostStep>,
}

/// How a card ended.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum CardResult {
    Done,
    Failed {
        reason: FailReason,
        phase: Phase,
        message: String,
    },
}

/// A finished card: the job, what was written and how fast, and the result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CardOutcome {
    pub job: CardJob,
    pub written: u64,
    pub verified: u64,
    /// Bytes per second of the write phase (0 when it did not finish).
    pub write_rate: f64,
    pub verify_rate: f64,
    pub secs: f64,
    #[serde(flatten)]
    pub result: CardResult,
}

impl CardOutcome {
    pub fn ok(&self) -> bool {
        self.result == CardResult::Done
    }

    /// A card that ended with `reason` before or without a summary (nothing counted).
    pub fn failed(job: CardJob, reason: FailReason, phase: Phase, message: String) -> CardOutcome {
        CardOutcome {
            job,
            written: 0,
            verified: 0,
            write_rate: 0.0,
            verify_rate: 0.0,
            secs: 0.0,
            result: CardResult::Failed {
                reason,
                phase,
                message,
            },
        }
    }
}

/// A card's plan run, borrowed for the card's time.
pub type RunPlan<'a> =
    dyn Fn(&FlashPlan, &mut dyn EventSink, &CancelToken) -> Result<Summary, FlashError> + 'a;

/// How a card's plan is run: in this process or through the privileged helper. It sends every
/// event to the sink, the last one `done` or `failed`.
pub type PlanRunner = dyn Fn(&FlashPlan, &mut dyn EventSink, &CancelToken) -> Result<Summary, FlashError>
    + Send
    + Sync;

/// Runs one card to its end. Every event goes to `sink` (the caller tags it with the card);
/// the last one is `done` or `failed`.
pub fn run_card(
    job: CardJob,
    image: &SharedImage,
    env: &Environment,
    open: &Opener,
    sink: &mut dyn EventSink,
    cancel: &CancelToken,
) -> CardOutcome {
    let run = |plan: &FlashPlan, sink: &mut dyn EventSink, cancel: &CancelToken| {
        execute_with(plan, env, sink, cancel, open)
    };
    run_card_with(job, image, &run, sink, cancel)
}

/// [`run_card`] with the plan run by `run` (in process, or the helper for a device).
pub fn run_card_with(
    job: CardJob,
    image: &SharedImage,
    run: &RunPlan<'_>,
    sink: &mut dyn EventSink,
    cancel: &CancelToken,
) -> CardOutcome {
    let mut plan = image.plan_for(job.target.clone());
    plan.post = job.post.clone();
    let mut outcome = CardOutcome {
        job,
        written: 0,
        verified: 0,
        write_rate: 0.0,
        verify_rate: 0.0,
        secs: 0.0,
        result: CardResult::Done,
    };
    let started = std::time::Instant::now();
    let mut personalising = false;
    let mut watch = |mut event: FlashEvent| {
        if let FlashEvent::Notice { message } = &event {
            personalising |= is_files_notice(message);
        }
        if personalising {
            blame_personalisation(&mut event);
        }
        match &event {
            FlashEvent::PhaseDone {
                phase: Phase::Write,
                rate,
                bytes,
                ..
            } => {
                outcome.write_rate = *rate;
                outcome.written = *bytes;
            }
            FlashEvent::PhaseDone {
                phase: Phase::Verify,
                rate,
                bytes,
                ..
            } => {
                outcome.verify_rate = *rate;
                outcome.verified = *bytes;
            }
            FlashEvent::Failed {
                message,
                reason,
                phase,
                ..
            } => {
                outcome.result = CardResult::Failed {
                    reason: *reason,
                    phase: *phase,
                    message: message.clone(),
                };
            }
            _ => {}
        }
        sink.emit(event);
    };
    let result = run(&plan, &mut watch, cancel);
    if let Ok(summary) = result {
        outcome.written = summary.written;
        outcome.verified = summary.verified;
    }
    outcome.secs = started.elapsed().as_secs_f64();
    outcome
}

/// A failure while the card's persist files are written is the personalisation's (reason
/// `personalise`), whatever tool failed; a cancel stays a cancel.
fn blame_personalisation(event: &mut FlashEvent) {
    if let FlashEvent::Failed {
        reason, exit_code, ..
    } = event
        && *reason != FailReason::Cancelled
    {
        *reason = FailReason::Personalise;
        *exit_code = FailReason::Personalise.exit_code();
    }
}

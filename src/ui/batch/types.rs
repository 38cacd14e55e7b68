//! The batch screen's messages to and from its effects: commands, a confirmed request and
//! the reports of a running batch. Plain data, shared by the app's messages, the screen and
//! the effects.

use crate::flash::batch::{BatchEvent, CardJob};
use crate::flash::event::FlashEvent;
use crate::model::ResolvedStack;
use crate::model::personalise::Persona;
use crate::ui::flash::types::ImageInfo;
use std::path::PathBuf;

/// Where the cards' image comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BatchSource {
    /// An image file in any format `flash` reads.
    Image(PathBuf),
    /// The workspace's build: a card image made from the stack's layout (as `image build`).
    Workspace,
}

/// Which cards are written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BatchTargets {
    /// Image files, each its own slot (named by its path).
    Files(Vec<PathBuf>),
    /// Cards that appear in readers matching one of these patterns (model, serial or USB
    /// port path; an allow-list: cards elsewhere are listed as refused and never opened).
    Readers(Vec<String>),
}

/// A batch the user confirmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchRequest {
    pub id: u64,
    pub source: BatchSource,
    pub targets: BatchTargets,
    pub workspace: String,
    pub stack: ResolvedStack,
    /// What every card is personalised with (the flash screen's form, `p`), if anything.
    pub persona: Option<Persona>,
}

/// What the batch screen asks of the effects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BatchCmd {
    /// Recognise an image file chosen as the source (size, compression), as flash does.
    Inspect(PathBuf),
    /// Run a batch. Only a confirmation produces this.
    Start(Box<BatchRequest>),
    /// Stop the batch with this id: no new card starts, running ones end cancelled.
    Stop { id: u64 },
}

/// What the effects report. `at` is seconds since the batch started (time enters here).
#[derive(Debug, Clone)]
pub enum BatchReport {
    Source {
        path: PathBuf,
        result: Result<ImageInfo, String>,
    },
    /// Progress of making the source (building the workspace's image, decoding it once).
    Preparing { id: u64, at: f64, event: FlashEvent },
    /// A card is about to start: its number, slot and reader.
    Card { id: u64, at: f64, job: CardJob },
    /// An event of the station: a card's progress or end, a refusal, a removal.
    Event {
        id: u64,
        at: f64,
        event: Box<BatchEvent>,
    },
    /// Once a second while the batch runs, so the elapsed time moves without events.
    Tick { id: u64, at: f64 },
    /// The batch is over: how many cards were started, or why it could not run.
    Ended {
        id: u64,
        at: f64,
        result: Result<u32, String>,
    },
}

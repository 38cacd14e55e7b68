//! A batch's personalisation: the checked inputs and the decoded image's persist partition,
//! and for each card its identity (number, serial, slot), hostname and `WriteFiles` step.

use super::card::CardJob;
use crate::flash::error::FlashError;
use crate::flash::personalise::{PersistPlace, files_step, find_persist, render};
use crate::flash::plan::SourceSpec;
use crate::model::personalise::{Identity, Persona};

/// What every card of a batch gets, and where on the card it goes.
#[derive(Clone, Debug)]
pub struct BatchPersona {
    pub persona: Persona,
    pub place: PersistPlace,
}

impl BatchPersona {
    /// Finds the persist partition in the decoded image (`raw`: a raw file, read by a seek).
    pub fn new(persona: Persona, raw: &std::path::Path) -> Result<BatchPersona, FlashError> {
        let source = SourceSpec::Image {
            path: raw.to_path_buf(),
            bmap: None,
            member: None,
            raw: true,
        };
        let place = find_persist(&source)?;
        Ok(BatchPersona { persona, place })
    }

    /// Gives `job` its hostname (the report's identity) and its files as a post step, for the
    /// identity `id`. Fails with reason `personalise` when the template cannot be rendered.
    pub fn apply(&self, job: &mut CardJob, id: &Identity) -> Result<(), FlashError> {
        let files = render(&self.persona, id)?;
        if let Some(template) = &self.persona.hostname {
            job.identity = template.expand(id)?;
        }
        job.post = files_step(&self.place, files).into_iter().collect();
        Ok(())
    }
}

/// The identity of a card: its number, and for a device its reader's serial and its slot
/// (the USB port path). An empty serial is unknown; an image file has neither.
pub fn identity_of(job: &CardJob) -> Identity {
    let known = |v: &str| Some(v.to_string()).filter(|v| job.target.device && !v.is_empty());
    Identity {
        n: u64::from(job.number),
        serial: known(&job.reader_serial),
        slot: known(&job.slot),
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flash::plan::{FileMode, TargetSpec};

    #[test]
    fn a_device_has_a_serial_and_a_slot_an_image_file_neither() {
        let mut job = CardJob {
            number: 4,
            slot: "1-1.2".into(),
            target: TargetSpec {
                path: "/dev/sdb".into(),
                device: true,
                expect: None,
                file_mode: FileMode::Replace,
                force_unsafe: None,
            },
            reader_model: "Reader".into(),
            reader_serial: "R9".into(),
            card_size: 0,
            identity: String::new(),
            post: Vec::new(),
        };
        let id = identity_of(&job);
        assert_eq!(id.n, 4);
        assert_eq!(id.serial.as_deref(), Some("R9"));
        assert_eq!(id.slot.as_deref(), Some("1-1.2"));
        job.reader_serial.clear();
        assert_eq!(identity_of(&job).serial, None);
        job.target.device = false;
        job.reader_serial = "R9".into();
        let id = identity_of(&job);
        assert_eq!((id.serial, id.slot), (None, None));
    }
}

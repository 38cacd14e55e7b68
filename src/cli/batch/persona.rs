//! `skiff batch`'s personalisation flags: every input read and checked once before the first
//! card, and each card's identity rendered before any card is opened.

use crate::cli::flash::personalise::PersonaliseArgs;
use crate::flash::FlashError;
use crate::flash::batch::CardJob;
use crate::model::personalise::{Identity, Persona};

/// The checked personalisation, or `None` without its flags. The template is tried on the
/// first number (with a serial and a slot) so a template that can never give a hostname
/// fails here; `--to` cards are then tried one by one with [`check_cards`].
pub fn load(args: &PersonaliseArgs, first: u32) -> Result<Option<Persona>, FlashError> {
    if args.is_empty() {
        return Ok(None);
    }
    if args.number != 1 {
        return Err(FlashError::Usage {
            detail: "--number: a batch numbers its cards itself (1, 2, 3... or after the last card of --resume REPORT)".into(),
        });
    }
    let persona = args.load()?;
    let probe = Identity {
        n: u64::from(first),
        serial: Some("0".into()),
        slot: Some("1-1".into()),
    };
    persona.render(&probe)?;
    Ok(Some(persona))
}

/// Renders every card's files once, so a template that fails for one `--to` card (e.g.
/// `{serial}` for an image file) fails the run before any card is opened.
pub fn check_cards(persona: &Persona, cards: &[(CardJob, Identity)]) -> Result<(), FlashError> {
    for (job, id) in cards {
        persona.render(id).map_err(|e| FlashError::Personalise {
            detail: format!("card {} ({}): {}", job.number, job.slot, e.0),
        })?;
    }
    Ok(())
}

//! The cards of `skiff batch` before anything is written: `--to` targets resolved and judged
//! by `flash`'s rules, and the one confirmation for all of them (or for the reader
//! allow-list of `--watch`).

use std::path::{Path, PathBuf};

use crate::cli::flash::confirm::{SafetyArgs, ask, choose};
use crate::flash::batch::CardJob;
use crate::flash::batch::intake::ReaderFilter;
use crate::flash::discover::discover;
use crate::flash::personalise::identity;
use crate::flash::system::default_properties;
use crate::flash::{FileMode, FlashError, SystemView, Target};
use crate::model::personalise::Identity;

/// Every `--to` target as a numbered card (numbers from `first`). Each is resolved and judged
/// as `flash` does (a refused device needs `--force-unsafe` and its name typed back); devices
/// that are writable are then confirmed together, once. Each card comes with its identity
/// for personalisation (its number, and a device's serial and USB port path).
pub fn cards_for(
    to: &[PathBuf],
    needed: Option<u64>,
    what: &str,
    safety: &SafetyArgs,
    first: u32,
) -> Result<Vec<(CardJob, Identity)>, (PathBuf, FlashError)> {
    let each = SafetyArgs {
        yes: true,
        ..safety.clone()
    };
    let mut jobs: Vec<(CardJob, Identity)> = Vec::new();
    let mut devices = Vec::new();
    for (i, path) in to.iter().enumerate() {
        let (target, spec) =
            choose(path, needed, what, &each, FileMode::Replace).map_err(|e| (path.clone(), e))?;
        if let Some((twin, _)) = jobs.iter().find(|(j, _)| j.target.path == spec.path) {
            return Err((
                path.clone(),
                FlashError::Usage {
                    detail: format!(
                        "--to {} and --to {} are the same target; name each card once",
                        twin.slot,
                        path.display()
                    ),
                },
            ));
        }
        let (model, serial, size) = match &target {
            Target::Device(device) => {
                devices.push(device.name.clone());
                (
                    device.model.clone().unwrap_or_default(),
                    device.serial.clone().unwrap_or_default(),
                    device.size,
                )
            }
            Target::File(_) => (String::new(), String::new(), 0),
        };
        let number = first + i as u32;
        let id = identity(u64::from(number), &target);
        let job = CardJob {
            number,
            slot: path.display().to_string(),
            target: spec,
            reader_model: model,
            reader_serial: serial,
            card_size: size,
            identity: String::new(),
            post: Vec::new(),
        };
        jobs.push((job, id));
    }
    if let (false, Some(first_path)) = (devices.is_empty() || safety.yes, to.first()) {
        let answer = ask(&format!(
            "All data on {} will be lost. Continue? [y/N] ",
            devices.join(", ")
        ))
        .map_err(|e| (first_path.clone(), e))?;
        if !matches!(answer.as_str(), "y" | "Y" | "yes") {
            return Err((
                first_path.clone(),
                FlashError::NotConfirmed {
                    detail: "not confirmed; nothing was written".into(),
                },
            ));
        }
    }
    Ok(jobs)
}

/// The one confirmation of `--watch`: every card that appears in a reader the allow-list
/// matches is written without another question. Lists the matching disks present now.
pub fn confirm_watch(filter: &ReaderFilter, what: &str, yes: bool) -> Result<(), FlashError> {
    let view = SystemView::from_env();
    let props = default_properties(&view);
    let present = discover(&view, props.as_ref()).unwrap_or_default();
    let patterns = filter.patterns.join("', '");
    eprintln!("skiff: {what} to every card inserted into a reader matching '{patterns}'");
    for device in present.iter().filter(|d| filter.allows(d)) {
        eprintln!(
            "       now: {}{}",
            device.summary(),
            device
                .port_path
                .as_deref()
                .map(|p| format!(", port {p}"))
                .unwrap_or_default()
        );
    }
    if yes {
        return Ok(());
    }
    let answer = ask(
        "All data on each card in those readers will be lost, without asking again. Continue? [y/N] ",
    )?;
    if matches!(answer.as_str(), "y" | "Y" | "yes") {
        Ok(())
    } else {
        Err(FlashError::NotConfirmed {
            detail: "not confirmed; nothing was written".into(),
        })
    }
}

/// The directory the decoded image goes to: `--work-dir`, else the system's temporary
/// directory.
pub fn work_dir(given: Option<&Path>) -> PathBuf {
    given.map_or_else(std::env::temp_dir, Path::to_path_buf)
}

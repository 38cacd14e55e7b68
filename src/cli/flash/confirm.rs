//! Choosing a target on the command line: resolve it, show what will be destroyed, ask.
//! Refused disks need `--force-unsafe` and the device name typed back (or `--confirm NAME`).

use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;

use clap::Args;

use crate::flash::device::human_bytes;
use crate::flash::system::default_properties;
use crate::flash::target::{names_device, resolve};
use crate::flash::{FileMode, FlashError, SystemView, Target, TargetSpec};

/// Flags every writing command shares.
#[derive(Debug, Args, Clone)]
pub struct SafetyArgs {
    /// Do not ask before writing to a device (refused devices still need --force-unsafe).
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Allow a device the safety rules refuse for being internal (not removable). Disks that
    /// hold the running system, swap, mounts or holders are never written.
    #[arg(long)]
    pub force_unsafe: bool,
    /// The device, typed in advance, confirming --force-unsafe: its name, its /dev path or a
    /// /dev/disk/by-id/ link to it (e.g. `--confirm sda`).
    #[arg(long, value_name = "NAME")]
    pub confirm: Option<String>,
}

pub(crate) fn ask(prompt: &str) -> Result<String, FlashError> {
    if !std::io::stdin().is_terminal() {
        return Err(FlashError::NotConfirmed {
            detail: "standard input is not a terminal, so skiff cannot ask: pass --yes (and --confirm NAME for a refused disk)".into(),
        });
    }
    eprint!("{prompt}");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| FlashError::io("stdin", "read the answer", e))?;
    Ok(line.trim().to_string())
}

/// Resolves `path` and gets the user's go-ahead; returns the plan's target.
/// `what` describes the write ("write os.img (1.2 GiB)"); `needed` is the bytes it needs.
pub fn choose(
    path: &Path,
    needed: Option<u64>,
    what: &str,
    safety: &SafetyArgs,
    file_mode: FileMode,
) -> Result<(Target, TargetSpec), FlashError> {
    let view = SystemView::from_env();
    let props = default_properties(&view);
    let target = resolve(&view, props.as_ref(), path)?;
    let device = match &target {
        Target::File(file) => {
            let spec = TargetSpec {
                path: std::path::absolute(&file.path).unwrap_or_else(|_| file.path.clone()),
                device: false,
                expect: None,
                file_mode,
                force_unsafe: None,
            };
            return Ok((target, spec));
        }
        Target::Device(device) => device.as_ref().clone(),
    };
    let verdict = target.verdict(needed);
    eprintln!("skiff: {what} to {}", device.path.display());
    eprintln!("       {}", device.summary());
    if let Some(serial) = &device.serial {
        eprintln!(
            "       serial {serial}{}",
            device
                .port_path
                .as_deref()
                .map(|p| format!(", port {p}"))
                .unwrap_or_default()
        );
    }
    for part in &device.partitions {
        eprintln!(
            "       {} ({}) will be destroyed",
            part.name,
            human_bytes(part.size)
        );
    }
    let mut force = None;
    if !verdict.writable {
        if !verdict.overridable() || !safety.force_unsafe {
            return Err(FlashError::Refused {
                device: device.name.clone(),
                reasons: verdict.reasons,
            });
        }
        let typed = match &safety.confirm {
            Some(name) => name.clone(),
            None => ask(&format!(
                "{} is refused ({}). Type its name to write anyway: ",
                device.name,
                verdict.describe()
            ))?,
        };
        if !names_device(&view, props.as_ref(), &typed, &device) {
            return Err(FlashError::NotConfirmed {
                detail: format!(
                    "the typed name {typed:?} is not {:?}; nothing was written",
                    device.name
                ),
            });
        }
        force = Some(device.name.clone());
    } else if !safety.yes {
        let answer = ask(&format!(
            "All data on {} will be lost. Continue? [y/N] ",
            device.name
        ))?;
        if !matches!(answer.as_str(), "y" | "Y" | "yes") {
            return Err(FlashError::NotConfirmed {
                detail: "not confirmed; nothing was written".into(),
            });
        }
    }
    let spec = TargetSpec {
        path: device.path.clone(),
        device: true,
        expect: Some(device.identity()),
        file_mode,
        force_unsafe: force,
    };
    Ok((target, spec))
}

//! From a key to a confirmed write: the checks (stack, layout, verdict, override), the
//! prompts and danger confirmations, and what the flash effects' results change.

use super::confirm::{ask, error, short_name};
use super::state::{Prompt, PromptKind, needed};
use super::types::{FlashAction, FlashCmd, FlashReport, FoundLayout, ImageInfo};
use crate::flash::{BlockDevice, Target};
use crate::model::ResolvedStack;
use crate::ui::msg::Cmd;
use crate::ui::shared::{Shared, StatusLevel};
use crate::ui::theme::Role;
use std::path::PathBuf;

/// The stack's card layout, or why format and install cannot use it.
fn card_layout(sh: &Shared) -> Result<FoundLayout, String> {
    let Some(stack) = sh
        .stack
        .analysis
        .resolved
        .as_ref()
        .filter(|r| !r.layers.is_empty())
    else {
        return Err(
            "the stack is empty: add a board on the Layers screen; its layout.yaml says how to format the card"
                .into(),
        );
    };
    if let Some(n) = sh.stack.analysis.blocking() {
        return Err(format!("cannot use the stack: {}", n.text));
    }
    match sh.flash.layout_for(&stack.joined()) {
        None => Err("the layout is still being read; try again in a moment".into()),
        Some(Err(e)) => Err(e.clone()),
        Some(Ok(None)) => Err(format!(
            "no layer of {} has a layout.yaml; format and install need one (docs/layouts.md), w writes an image",
            stack.joined()
        )),
        Some(Ok(Some(f))) if !f.layout.has_card() => Err(format!(
            "{}: a {} layout has no card for skiff to write: {}",
            f.layer,
            f.layout.kind.as_str(),
            f.layout
                .flash_with
                .as_deref()
                .unwrap_or(f.layout.about.as_str())
        )),
        Some(Ok(Some(f))) => Ok(f.clone()),
    }
}

/// Format, install or write image on the selected target: checks, then a prompt or the
/// confirmation. Never a write by itself.
pub fn act(sh: &mut Shared, action: FlashAction) -> Vec<Cmd> {
    if sh.flash.busy() {
        return error(sh, "a write is running; c cancels it");
    }
    let Some(target) = sh.flash.selected() else {
        return error(
            sh,
            "choose a target first: a device, or enter on “image file…” to type a path",
        );
    };
    let found = match action {
        FlashAction::WriteImage => None,
        _ => match card_layout(sh) {
            Ok(f) => Some(f),
            Err(e) => return error(sh, e),
        },
    };
    if let Target::Device(d) = &target
        && let Err(e) = check_device(sh, d, needed(found.as_ref()))
    {
        return error(sh, e);
    }
    if let Target::File(f) = &target
        && action == FlashAction::Install
        && f.existing_size.is_none()
    {
        return error(
            sh,
            format!(
                "{} does not exist yet: install writes into a formatted image, so format it first (f)",
                sh.short(&f.path.display().to_string())
            ),
        );
    }
    if action == FlashAction::WriteImage {
        let key = target.name();
        sh.flash.prompt = Some(Prompt {
            kind: PromptKind::Image { target: key },
            title: format!("Write an image to {}", short_name(sh, &target)),
            lines: vec![(
                Role::Dim,
                "Raw, .gz, .xz, .zst or .bz2; a .bmap beside it is used.".into(),
            )],
            label: "Image".into(),
            text: String::new(),
            danger: false,
        });
        return Vec::new();
    }
    ask(sh, &target, action, found.as_ref(), None)
}

/// Whether the device may be written for `needed` bytes, with or without the override.
pub(super) fn check_device(
    sh: &Shared,
    d: &BlockDevice,
    needed: Option<u64>,
) -> Result<(), String> {
    let verdict = crate::flash::rules::judge(d, needed);
    if !verdict.writable {
        if !verdict.overridable() {
            return Err(format!(
                "{} is refused: {}; no override exists for that",
                d.name,
                verdict.describe()
            ));
        }
        if sh.flash.armed.as_deref() != Some(d.name.as_str()) {
            return Err(format!(
                "{} is refused: {}; ! overrides it (you then type its name)",
                d.name,
                verdict.describe()
            ));
        }
    }
    match &sh.flash.escalation {
        Some(Err(e)) => Err(e.clone()),
        _ => Ok(()),
    }
}

/// A result of a flash effect arrived.
pub fn report(sh: &mut Shared, r: FlashReport) -> Vec<Cmd> {
    let st = &mut sh.flash;
    match r {
        FlashReport::Devices { result, escalation } => {
            let first = st.devices.is_none();
            st.devices = Some(result);
            if first && let Some(d) = st.device_list().iter().find(|d| d.verdict.writable) {
                let name = d.name.clone();
                st.select(&name);
            }
            st.escalation = Some(escalation);
            let len = st.rows().len();
            st.cursor.clamp(len, 1);
        }
        FlashReport::Resolved { path, result } => match result {
            Ok(Target::File(f)) => {
                let key = f.path.display().to_string();
                match st.files.iter_mut().find(|x| x.path == f.path) {
                    Some(x) => *x = f,
                    None => st.files.push(f),
                }
                st.select(&key);
            }
            Ok(Target::Device(d)) => {
                let name = d.name.clone();
                if !st.device_list().iter().any(|x| x.name == name) {
                    return vec![Cmd::Flash(FlashCmd::ListDevices)];
                }
                st.select(&name);
            }
            Err(e) => sh.set_status(StatusLevel::Error, format!("{}: {e}", path.display())),
        },
        FlashReport::Layout { stack, result } => st.layout = Some((stack, result)),
        FlashReport::Image { path, result } => {
            let Some((key, _)) = st.pending.take().filter(|(_, p)| *p == path) else {
                return Vec::new();
            };
            match result {
                Ok(info) => return image_ready(sh, &key, &info),
                Err(e) => sh.set_status(StatusLevel::Error, e),
            }
        }
        FlashReport::Event { id, event } => {
            if let Some(run) = st.run.as_mut().filter(|r| r.id == id) {
                run.apply(event);
            }
        }
        FlashReport::Finished { id, result } => {
            let Some(run) = st.run.as_mut().filter(|r| r.id == id) else {
                return Vec::new();
            };
            run.cancelling = false;
            let what = format!("{} of {}", run.action.verb(), run.target);
            let text = match &result {
                Ok(_) => (StatusLevel::Ok, format!("{what}: written and verified")),
                Err(f) if f.cancelled() => (StatusLevel::Warning, format!("{what} cancelled")),
                Err(f) => (StatusLevel::Error, format!("{what} failed: {}", f.error)),
            };
            let file = (!run.device).then(|| PathBuf::from(&run.target));
            run.outcome = Some(result);
            sh.set_status(text.0, sh.short(&text.1));
            // Partitions, sizes and verdicts changed: look again.
            let mut cmds = vec![Cmd::Flash(FlashCmd::ListDevices)];
            cmds.extend(file.map(|p| Cmd::Flash(FlashCmd::Resolve(p))));
            return cmds;
        }
    }
    Vec::new()
}

/// The image to write was measured: check the size against the target, then confirm.
fn image_ready(sh: &mut Shared, key: &str, info: &ImageInfo) -> Vec<Cmd> {
    let Some(target) = sh.flash.target_by_key(key) else {
        return error(
            sh,
            format!("{key} is gone from the list; choose the target again"),
        );
    };
    if let Target::Device(d) = &target
        && let Err(e) = check_device(sh, d, info.size)
    {
        return error(sh, e);
    }
    ask(sh, &target, FlashAction::WriteImage, None, Some(info))
}

/// The resolved stack the layout should be shown for, if any.
pub fn stack_of(sh: &Shared) -> Option<&ResolvedStack> {
    sh.stack
        .analysis
        .resolved
        .as_ref()
        .filter(|r| !r.layers.is_empty())
}

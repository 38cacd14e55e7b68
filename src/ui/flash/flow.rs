//! From a key to a confirmed write: the checks (stack, layout, verdict, override), the
//! prompts and danger confirmations, and what the flash effects' results change.

use super::confirm::{ask, error, target_name};
use super::state::{Prompt, PromptKind, needed};
use super::types::{FlashAction, FlashCmd, FlashReport, FoundLayout, ImageInfo};
use crate::flash::{BlockDevice, Target};
use crate::model::ResolvedStack;
use crate::ui::action::Action;
use crate::ui::msg::Cmd;
use crate::ui::screen_id::ScreenId;
use crate::ui::shared::{Shared, StatusLevel};
use crate::ui::text_input::{Completed, Completion};
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

/// Whether `action` can run now on the selected target, with the target and the card layout
/// it uses; else why not, in the words the screen shows before any key is pressed.
pub fn readiness(
    sh: &Shared,
    action: FlashAction,
) -> Result<(Target, Option<FoundLayout>), String> {
    if let Some(run) = sh.flash.run.as_ref().filter(|r| r.running()) {
        return Err(if run.workspace == sh.workspace {
            "a write is running; c cancels it".to_string()
        } else {
            format!(
                "a write started from workspace {} is running; switch back to it to follow or cancel it",
                run.workspace
            )
        });
    }
    let Some(target) = sh.flash.selected() else {
        return Err(
            "choose a target first: a device, or enter on “image file…” to type a path".into(),
        );
    };
    let found = match action {
        FlashAction::WriteImage => None,
        _ => Some(card_layout(sh)?),
    };
    if let Target::Device(d) = &target {
        check_device(sh, d, needed(found.as_ref()))?;
    }
    if let Target::File(f) = &target
        && action == FlashAction::Install
        && f.existing_size.is_none()
    {
        return Err(format!(
            "{} does not exist yet: install writes into a formatted image, so format it first (f)",
            f.path.display()
        ));
    }
    if found.is_some() {
        build_ready(sh, action)?;
    }
    Ok((target, found))
}

/// Whether the workspace's build holds what format or install reads (bootloader files, the
/// files install copies).
fn build_ready(sh: &Shared, action: FlashAction) -> Result<(), String> {
    let joined = stack_of(sh).map(ResolvedStack::joined).unwrap_or_default();
    let Some(inputs) = sh.flash.inputs_for(&sh.workspace, &joined) else {
        return Err("checking the workspace's build; try again in a moment".into());
    };
    let missing = match action {
        FlashAction::Format => inputs.format.as_ref(),
        FlashAction::Install => inputs.install.as_ref(),
        FlashAction::WriteImage => None,
    };
    let Some(m) = missing else {
        return Ok(());
    };
    let key = sh
        .keymap
        .first_key(ScreenId::Flash.name(), Action::Show(ScreenId::Build))
        .map(|k| format!(", key {k}"))
        .unwrap_or_default();
    let mut lacks = Vec::new();
    if !m.bootloaders.is_empty() {
        let word = if m.bootloaders.len() == 1 {
            "bootloader"
        } else {
            "bootloaders"
        };
        lacks.push(format!("{word} {}", m.bootloaders.join(", ")));
    }
    lacks.extend(m.files.iter().cloned());
    if !m.built {
        let makes = if m.bootloaders.is_empty() {
            String::new()
        } else {
            format!(" (the {} comes from the build)", lacks[0])
        };
        return Err(format!("not built yet: build first{key}{makes}"));
    }
    Err(format!(
        "the build in {} has no {}: build again{key}",
        inputs.images.display(),
        lacks.join(" and ")
    ))
}

/// Format, install or write image on the selected target: checks, then a prompt or the
/// confirmation. Never a write by itself; an action that cannot run says why and asks nothing.
pub fn act(sh: &mut Shared, action: FlashAction) -> Vec<Cmd> {
    let (target, found) = match readiness(sh, action) {
        Ok(r) => r,
        Err(e) => return error(sh, e),
    };
    if action == FlashAction::WriteImage {
        let key = target.name();
        sh.flash.prompt = Some(Prompt {
            kind: PromptKind::Image { target: key },
            title: format!("Write an image to {}", target_name(&target)),
            lines: vec![(
                Role::Dim,
                "Raw, .gz, .xz, .zst or .bz2; a .bmap beside it is used.".into(),
            )],
            label: "Image".into(),
            text: String::new(),
            danger: false,
            completion: Some(Completion::default()),
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
        FlashReport::Inputs(inputs) => st.inputs = Some(inputs),
        FlashReport::Completions { typed, candidates } => {
            let Some(p) = st.prompt.as_mut().filter(|p| p.text == typed) else {
                return Vec::new();
            };
            if let Some(c) = p.completion.as_mut()
                && c.apply(&mut p.text, candidates) == Completed::NoMatch
            {
                sh.set_status(
                    StatusLevel::Info,
                    format!("no file name starts with {typed}"),
                );
            }
        }
        FlashReport::Image { path, result } => {
            let Some((key, _)) = st.pending.take().filter(|(_, p)| *p == path) else {
                return Vec::new();
            };
            match result {
                Ok(info) => {
                    // "reading …" is over: the confirmation shows what was read.
                    sh.status = None;
                    return image_ready(sh, &key, &info);
                }
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
            sh.set_status(text.0, text.1);
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

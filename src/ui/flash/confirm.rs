//! The flash screen's confirmations: what a write will do to which device (name, size,
//! model, what is lost, how root is obtained), the typed-name prompt for an overridden
//! refusal, stopping a write, quitting while one runs, and the run a confirmation starts.

use super::state::{FlashRun, FlashState, Prompt, PromptKind, about_device, about_file, needed};
use super::types::{FlashAction, FlashCmd, FlashRequest, FoundLayout, ImageInfo};
use crate::flash::Target;
use crate::flash::device::human_bytes;
use crate::model::layout::{Filesystem, TableType};
use crate::ui::msg::Cmd;
use crate::ui::overlay::Confirm;
use crate::ui::shared::{Shared, StatusLevel};
use crate::ui::theme::Role;

/// How the screen names a target: the device's name, or the image file's real path.
pub(super) fn target_name(t: &Target) -> String {
    match t {
        Target::Device(d) => d.name.clone(),
        Target::File(f) => f.path.display().to_string(),
    }
}

/// How the device write gets root, for the confirmation.
fn root_line(sh: &Shared) -> (Role, String) {
    match &sh.flash.escalation {
        Some(Ok(e)) if e.is_empty() => (
            Role::Dim,
            "skiff runs as root: its helper writes the device after checking it again.".into(),
        ),
        Some(Ok(e)) => {
            let tool = std::path::Path::new(&e[0])
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| e[0].clone());
            let how = if e.iter().any(|a| a == "-n") {
                format!(
                    " (it cannot ask for a password here: run `{tool} -v` first if it needs one)"
                )
            } else {
                String::new()
            };
            (
                Role::Dim,
                format!(
                    "Needs root: skiff's helper runs through {tool} and checks the device again{how}."
                ),
            )
        }
        _ => (Role::Warning, "How to get root is not known yet.".into()),
    }
}

fn layout_line(f: &FoundLayout) -> String {
    let l = &f.layout;
    let table = match l.table {
        Some(TableType::Gpt) => "GPT",
        Some(TableType::Mbr) => "MBR",
        None => "no table",
    };
    let parts: Vec<String> = l
        .partitions
        .iter()
        .map(|p| match p.fs {
            Some(Filesystem::Vfat) => format!("{} vfat", p.name),
            Some(Filesystem::Ext4) => format!("{} ext4", p.name),
            None => format!("{} (raw)", p.name),
        })
        .collect();
    format!("Layout of {}: {table}, {}", f.layer, parts.join(", "))
}

/// The confirmation of a write (or, for an overridden refusal, the typed-name prompt).
pub(super) fn ask(
    sh: &mut Shared,
    target: &Target,
    action: FlashAction,
    found: Option<&FoundLayout>,
    image: Option<&ImageInfo>,
) -> Vec<Cmd> {
    let name = target_name(target);
    let mut lines = Vec::new();
    let (device, expect) = match target {
        Target::Device(d) => {
            lines.push((Role::Title, format!("{}: {}", d.name, about_device(d))));
            let mut id = Vec::new();
            id.extend(d.serial.as_ref().map(|s| format!("serial {s}")));
            id.extend(d.port_path.as_ref().map(|p| format!("port {p}")));
            if !id.is_empty() {
                lines.push((Role::Dim, id.join(" · ")));
            }
            (true, Some(d.identity()))
        }
        Target::File(f) => {
            let what = match (f.existing_size, found) {
                (None, Some(l)) if action == FlashAction::Format => {
                    match crate::flash::job::new_image_size(&l.layout, None) {
                        Ok(size) => format!("new image file of {}", human_bytes(size)),
                        Err(e) => format!("new image file: {e}"),
                    }
                }
                _ => about_file(f),
            };
            lines.push((Role::Title, format!("{name}: {what}")));
            (false, None)
        }
    };
    if let Some(f) = found {
        lines.push((Role::Text, layout_line(f)));
    }
    if let Some(i) = image {
        let size = i
            .size
            .map(human_bytes)
            .unwrap_or_else(|| "size known after decoding".into());
        let bmap = i
            .bmap
            .as_ref()
            .map(|b| format!(", block map {}", b.display()))
            .unwrap_or_default();
        lines.push((
            Role::Text,
            format!(
                "Image {}: {}, {size}{bmap}",
                i.path.display(),
                i.compression
            ),
        ));
    }
    match action {
        FlashAction::Install => {
            let persist = found
                .and_then(|f| f.layout.install.as_ref())
                .map(|i| i.persist.clone())
                .unwrap_or_else(|| "persist".into());
            let images = sh
                .flash
                .inputs
                .as_ref()
                .filter(|i| i.workspace == sh.workspace)
                .map(|i| i.images.display().to_string())
                .unwrap_or_else(|| format!("workspaces/{}/images", sh.workspace));
            lines.push((
                Role::Warning,
                format!(
                    "Keeps the table and partition {persist}; rebuilds the others from {images}."
                ),
            ));
        }
        _ => lines.extend(lost_line(target, action, image)),
    }
    if device {
        lines.push(root_line(sh));
    }
    lines.push((
        Role::Dim,
        "Read back and compared after writing; the first MiB is written last.".into(),
    ));
    sh.flash.next_id += 1;
    let request = FlashRequest {
        id: sh.flash.next_id,
        action,
        target: target.path().to_path_buf(),
        device,
        expect,
        force_unsafe: None,
        image: image.map(|i| i.path.clone()),
        workspace: sh.workspace.clone(),
        stack: sh.stack.analysis.resolved.clone().unwrap_or_default(),
        persona: sh.flash.persona.applied.clone(),
    };
    let title = match action {
        FlashAction::Format => format!("Format {name}?"),
        FlashAction::Install => format!("Install to {name}?"),
        FlashAction::WriteImage => format!("Write the image to {name}?"),
    };
    if let Target::Device(d) = target
        && sh.flash.armed.as_deref() == Some(d.name.as_str())
        && !crate::flash::rules::judge(d, needed(found)).writable
    {
        let verdict = crate::flash::rules::judge(d, needed(found));
        lines.insert(
            0,
            (Role::Error, format!("Refused: {}.", verdict.describe())),
        );
        lines.push((
            Role::Warning,
            format!("Type {} to write it anyway; anything else cancels.", d.name),
        ));
        sh.flash.prompt = Some(Prompt {
            kind: PromptKind::TypedName {
                name: d.name.clone(),
                request: Box::new(request),
            },
            title: format!("{title} (override)"),
            lines,
            label: "Device name".into(),
            text: String::new(),
            danger: true,
            completion: None,
        });
        return Vec::new();
    }
    sh.flash.confirm = Some(Confirm {
        title,
        lines,
        yes: format!("{} {name}", action.verb()),
        cmd: Cmd::Flash(FlashCmd::Start(Box::new(request))),
        danger: true,
    });
    Vec::new()
}

/// What a format or image write destroys on the target, in the words of what really happens
/// to it (nothing for a new file).
fn lost_line(
    target: &Target,
    action: FlashAction,
    image: Option<&ImageInfo>,
) -> Option<(Role, String)> {
    let name = target_name(target);
    let text = match target {
        Target::Device(d) if !d.partitions.is_empty() => {
            let parts: Vec<String> = d
                .partitions
                .iter()
                .map(|p| format!("{} ({})", p.name, human_bytes(p.size)))
                .collect();
            format!("Everything on {name} is lost: {}.", parts.join(", "))
        }
        Target::Device(_) => format!("Everything on {name} is lost."),
        Target::File(f) => {
            let size = human_bytes(f.existing_size?);
            if action == FlashAction::WriteImage {
                // FileMode::Replace: a new file is written beside it and renamed over it.
                let by = image
                    .and_then(|i| i.size)
                    .map(|n| format!("a {} image", human_bytes(n)))
                    .unwrap_or_else(|| "the image".into());
                format!(
                    "{name}, {size}, will be replaced by {by}: everything in it is lost (the new file takes its place once written)."
                )
            } else {
                // FileMode::InPlace: written inside the file like a card of its size.
                format!(
                    "{name}, {size}, is formatted in place: it keeps its size, everything in it is lost."
                )
            }
        }
    };
    Some((Role::Warning, text))
}

/// The run a confirmed request starts, as the screen shows it.
fn run_for(st: &FlashState, req: &FlashRequest) -> FlashRun {
    let device = st.device_list().iter().find(|d| d.path == req.target);
    let file = st.files.iter().find(|f| f.path == req.target);
    let (target, about) = match (device, file) {
        (Some(d), _) => (d.name.clone(), about_device(d)),
        (None, Some(f)) => (f.path.display().to_string(), about_file(f)),
        _ => (req.target.display().to_string(), String::new()),
    };
    let source = match (&req.image, req.action) {
        (Some(i), _) => i.display().to_string(),
        (None, _) => match &st.layout {
            Some((_, Ok(Some(f)))) => format!("layout of {}", f.layer),
            _ => String::new(),
        },
    };
    FlashRun {
        workspace: req.workspace.clone(),
        device: req.device,
        in_place: req.device
            || (req.action != FlashAction::WriteImage
                && file.is_some_and(|f| f.existing_size.is_some())),
        source,
        ..FlashRun::new(req.id, req.action, target, about)
    }
}

/// A confirmed effect is about to run: the run appears on screen at once.
pub fn confirmed(sh: &mut Shared, cmd: &Cmd) {
    match cmd {
        Cmd::Flash(FlashCmd::Start(req)) => {
            sh.flash.run = Some(run_for(&sh.flash, req));
            sh.flash.armed = None;
        }
        Cmd::Flash(FlashCmd::Cancel { id }) => {
            if let Some(r) = sh.flash.run.as_mut().filter(|r| r.id == *id) {
                r.cancelling = true;
            }
        }
        _ => {}
    }
}

/// The typed device name was entered: the write runs only on an exact match.
pub fn typed_name(sh: &mut Shared, name: &str, request: FlashRequest, typed: &str) -> Vec<Cmd> {
    if typed != name {
        return error(
            sh,
            format!("the typed name {typed:?} is not {name:?}; nothing was written"),
        );
    }
    let cmd = Cmd::Flash(FlashCmd::Start(Box::new(FlashRequest {
        force_unsafe: Some(name.to_string()),
        ..request
    })));
    confirmed(sh, &cmd);
    vec![cmd]
}

/// The confirmation to cancel the running write.
pub fn cancel_confirm(sh: &mut Shared) {
    let Some(run) = sh.flash.run_of(&sh.workspace).filter(|r| r.running()) else {
        let text = match sh.flash.run.as_ref().filter(|r| r.running()) {
            Some(r) => format!(
                "the running write was started from workspace {}: switch back to it to cancel it",
                r.workspace
            ),
            None => "no write is running".into(),
        };
        sh.set_status(StatusLevel::Info, text);
        return;
    };
    let left = if run.in_place {
        format!(
            "{} is left without a valid partition table: format or write it again.",
            run.target
        )
    } else {
        format!("{} is left as it was.", run.target.clone())
    };
    sh.flash.confirm = Some(Confirm {
        title: format!("Stop writing {}?", run.target.clone()),
        lines: vec![
            (
                Role::Text,
                "The write stops after the block in flight.".into(),
            ),
            (Role::Warning, left),
        ],
        yes: "stop the write".into(),
        cmd: Cmd::Flash(FlashCmd::Cancel { id: run.id }),
        danger: true,
    });
}

/// The confirmation to quit while a write runs, if one runs.
pub fn quit_confirm(sh: &Shared) -> Option<Confirm> {
    let run = sh.flash.run.as_ref().filter(|r| r.running())?;
    Some(Confirm {
        title: "Quit while writing?".into(),
        lines: vec![
            (Role::Text, format!("Writing {}.", run.target.clone())),
            (
                Role::Warning,
                "Quitting stops the write between blocks; a card is left without a valid partition table.".into(),
            ),
        ],
        yes: "quit".into(),
        cmd: Cmd::Quit { code: 0 },
        danger: true,
    })
}

/// Shows `text` as an error in the status line; no command.
pub(super) fn error(sh: &mut Shared, text: impl Into<String>) -> Vec<Cmd> {
    sh.set_status(StatusLevel::Error, text);
    Vec::new()
}

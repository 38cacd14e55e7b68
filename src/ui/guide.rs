//! The guided path from board to card: which of the six steps (board, distro, apps, save,
//! build, write) comes next, the one-line "next:" of every screen and the welcome panel of
//! the first run on the Layers screen.

use super::action::Action;
use super::analysis::Level;
use super::screen_id::ScreenId;
use super::shared::{Shared, Step};
use crate::model::board::is_board;

/// Where the user stands on the path from board to card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GuideStep {
    Board,
    Distro,
    Apps,
    Save,
    Build,
    Write,
    Done,
}

/// How many steps the guide counts.
pub const STEPS: usize = 6;

impl GuideStep {
    /// 1 to 6 (`Done` is past the last).
    pub fn number(self) -> usize {
        match self {
            GuideStep::Board => 1,
            GuideStep::Distro => 2,
            GuideStep::Apps => 3,
            GuideStep::Save => 4,
            GuideStep::Build => 5,
            GuideStep::Write => 6,
            GuideStep::Done => 7,
        }
    }

    /// Whether the Layers list of the guide shows `layer` at this step: boards at step 1,
    /// distributions at step 2, apps at step 3, everything afterwards.
    pub fn lists(self, layer: &str) -> bool {
        match self {
            GuideStep::Board => is_board(layer),
            GuideStep::Distro => is_distro(layer),
            GuideStep::Apps => layer.starts_with("apps/"),
            _ => true,
        }
    }
}

/// A distribution layer: `core/*` or `skiff/core`.
pub fn is_distro(layer: &str) -> bool {
    layer.starts_with("core/") || layer == "skiff/core"
}

/// The step the current state is at. Apps are optional: the step after the distro is
/// "apps" until one is typed, and saving passes it.
pub fn step(sh: &Shared) -> GuideStep {
    let [board, distro, saved, built, card] = sh.progress().map(|(_, s)| s);
    if board != Step::Done {
        GuideStep::Board
    } else if distro != Step::Done {
        GuideStep::Distro
    } else if saved != Step::Done {
        if sh.stack.typed.iter().any(|l| l.starts_with("apps/")) {
            GuideStep::Save
        } else {
            GuideStep::Apps
        }
    } else if built != Step::Done {
        GuideStep::Build
    } else if card != Step::Done {
        GuideStep::Write
    } else {
        GuideStep::Done
    }
}

/// The key bound to `action` on screen `screen` (or globally), as the help writes it.
fn key(sh: &Shared, screen: ScreenId, action: Action) -> String {
    sh.keymap
        .first_key(screen.name(), action)
        .map_or_else(|| action.name().to_string(), |k| k.to_string())
}

/// "5 Build": the key that shows `target` and its title.
fn go(sh: &Shared, from: ScreenId, target: ScreenId) -> String {
    format!("{} {}", key(sh, from, Action::Show(target)), target.title())
}

/// The one line every screen shows at the bottom: what to do next from screen `on`.
pub fn next_line(sh: &Shared, on: ScreenId) -> String {
    let errors = sh
        .stack
        .analysis
        .notes
        .iter()
        .filter(|n| n.level == Level::Error)
        .count();
    if errors > 0 {
        return match on {
            ScreenId::Stack => format!("next: fix the {errors} ✗ layer(s), then save"),
            _ => format!(
                "next: {}, fix the {errors} ✗ layer(s)",
                go(sh, on, ScreenId::Stack)
            ),
        };
    }
    let layers = |what: &str| match on {
        ScreenId::Layers => format!("next: add {what}, {} adds it", key(sh, on, Action::Add)),
        _ => format!("next: {}, add {what}", go(sh, on, ScreenId::Layers)),
    };
    let save = key(sh, on, Action::Save);
    match step(sh) {
        GuideStep::Board => layers("a board"),
        GuideStep::Distro => layers("a distro (core/…)"),
        GuideStep::Apps if on == ScreenId::Layers => {
            format!("next: apps (optional), then {save} save")
        }
        GuideStep::Apps | GuideStep::Save => format!(
            "next: {save} save, then {} build",
            key(sh, on, Action::Show(ScreenId::Build))
        ),
        GuideStep::Build if sh.builds.running().contains(&sh.workspace.as_str()) => {
            format!("next: the build runs, then {}", go(sh, on, ScreenId::Flash))
        }
        GuideStep::Build if on == ScreenId::Build => {
            format!("next: {} build", key(sh, on, Action::StartBuild))
        }
        GuideStep::Build => format!(
            "next: {}, then {} build",
            go(sh, on, ScreenId::Build),
            key(sh, ScreenId::Build, Action::StartBuild)
        ),
        GuideStep::Write if on == ScreenId::Flash => format!(
            "next: {} format a card, or {} write an image",
            key(sh, on, Action::Format),
            key(sh, on, Action::WriteImage)
        ),
        GuideStep::Write => format!("next: {}, write a card", go(sh, on, ScreenId::Flash)),
        GuideStep::Done => "done: card written ✓".to_string(),
    }
}

/// The welcome panel of the first run (Layers screen): a title and what this step does.
pub fn panel(sh: &Shared) -> (String, String) {
    let s = step(sh);
    let on = ScreenId::Layers;
    let add = key(sh, on, Action::Add);
    let esc = key(sh, on, Action::ClearFilter);
    let save = key(sh, on, Action::Save);
    let help = key(sh, on, Action::Help);
    let (what, how) = match s {
        GuideStep::Board => (
            "pick your board",
            format!("Only boards are listed; {add} adds the selected one."),
        ),
        GuideStep::Distro => (
            "pick a distribution",
            format!("Only distributions are listed; {add} adds one (skiff/core: a container)."),
        ),
        GuideStep::Apps => (
            "add apps (optional)",
            format!("Only apps are listed; {add} adds one, or {save} saves the stack as it is."),
        ),
        GuideStep::Save => (
            "save",
            format!(
                "{save} configures workspace {} with the stack.",
                sh.workspace
            ),
        ),
        GuideStep::Build => (
            "build",
            format!(
                "{} shows the build screen, where {} builds the image.",
                key(sh, on, Action::Show(ScreenId::Build)),
                key(sh, ScreenId::Build, Action::StartBuild)
            ),
        ),
        GuideStep::Write | GuideStep::Done => (
            "write a card",
            format!(
                "{} shows the flash screen: format a card or write an image file.",
                key(sh, on, Action::Show(ScreenId::Flash))
            ),
        ),
    };
    let title = format!(
        " Welcome to skiff · step {} of {STEPS}: {what} ",
        s.number().min(STEPS)
    );
    (
        title,
        format!("{how} {esc} leaves the guide and lists every layer; {help} shows the keys."),
    )
}

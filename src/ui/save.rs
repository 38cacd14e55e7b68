//! Saving: the configure confirmation, or the reason the stack cannot be saved yet.

use super::app::App;
use super::msg::Cmd;
use super::overlay::{Confirm, Overlay};
use super::shared::StatusLevel;
use super::theme::Role;

impl App {
    /// Open the configure confirmation, or say why the stack cannot be saved.
    pub(super) fn save(&mut self) {
        let sh = &mut self.shared;
        if sh.saving {
            sh.set_status(StatusLevel::Info, "a configure is already running");
            return;
        }
        if sh.stack.typed.is_empty() {
            sh.set_status(
                StatusLevel::Error,
                "the stack is empty: add a board and a distro first",
            );
            return;
        }
        if let Some(n) = sh.stack.analysis.blocking() {
            let text = format!("cannot save: {}", n.text);
            sh.set_status(StatusLevel::Error, text);
            return;
        }
        let Some(r) = sh.stack.analysis.resolved.clone() else {
            return;
        };
        let ws = sh.workspace.clone();
        let configured = sh.configured_stack().is_some();
        let mut lines = vec![
            (Role::Text, format!("Workspace {ws} gets this layer chain:")),
            (Role::Title, r.joined()),
        ];
        let warnings: Vec<String> = sh
            .stack
            .analysis
            .notes
            .iter()
            .map(|n| format!("⚠ {}", n.text))
            .collect();
        lines.extend(warnings.into_iter().map(|w| (Role::Warning, w)));
        if let Some(d) = sh.preview.data.as_ref().filter(|_| !sh.preview.pending) {
            let c = |l: &str| d.diff.iter().filter(|x| x.label() == l).count();
            lines.push((
                Role::Text,
                format!(
                    "Symbols against the last configure: +{} added, ~{} changed, -{} removed",
                    c("added"),
                    c("changed"),
                    c("removed")
                ),
            ));
        }
        lines.push(if configured {
            (
                Role::Warning,
                format!("This replaces workspaces/.config_{ws} (the previous configuration)."),
            )
        } else {
            (Role::Text, format!("This creates workspaces/.config_{ws}."))
        });
        self.overlay = Some(Overlay::Confirm(Confirm {
            title: format!("Configure workspace {ws}?"),
            lines,
            yes: "configure".into(),
            cmd: Cmd::Configure {
                workspace: ws,
                stack: r,
            },
            danger: configured,
        }));
    }
}

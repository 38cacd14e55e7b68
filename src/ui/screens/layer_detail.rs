//! The detail pane of the layer browser: metadata, contents, place in the stack, README.

use crate::model::Layer;
use crate::model::LayerSource;
use crate::model::board::is_board;
use crate::ui::analysis::relative;
use crate::ui::shared::{Shared, StackRole};
use crate::ui::theme::Role;
use ratatui::text::{Line, Span};

/// Lines describing `layer` (contents appear once a worker has read them).
pub fn lines(sh: &Shared, layer: &Layer) -> Vec<Line<'static>> {
    let t = &sh.theme;
    let label = |s: &str| Span::styled(format!("{s:<13}"), t.style(Role::Dim));
    let mut out = Vec::new();
    let mut title = vec![Span::styled(layer.name.clone(), t.style(Role::Title))];
    if layer.meta.unlisted {
        title.push(Span::styled("  (unlisted)", t.style(Role::Dim)));
    }
    if is_board(&layer.name) {
        title.push(Span::styled("  board", t.style(Role::Header)));
    }
    out.push(Line::from(title));
    if let Some(err) = &layer.error {
        out.push(Line::from(Span::styled(
            format!("✗ broken: {}", relative(err, &sh.root)),
            t.style(Role::Error),
        )));
        out.push(Line::from(Span::styled(
            "  Fix the file named above; the layer cannot be added until then.",
            t.style(Role::Dim),
        )));
    }
    out.push(Line::from(
        layer
            .meta
            .description
            .clone()
            .unwrap_or_else(|| "(no description)".into()),
    ));
    out.push(Line::default());
    let dir = layer.dir.strip_prefix(&sh.root).unwrap_or(&layer.dir);
    let source = match &layer.source {
        LayerSource::Builtin => String::new(),
        LayerSource::Extra(root) => format!(
            "  (extra path {})",
            root.strip_prefix(&sh.root).unwrap_or(root).display()
        ),
        LayerSource::Env(var) => format!("  (from {var})"),
    };
    out.push(Line::from(vec![
        label("Directory"),
        Span::raw(format!("{}{source}", dir.display())),
    ]));
    let deps = if layer.meta.dependencies.is_empty() {
        "none".to_string()
    } else {
        layer.meta.dependencies.join(", ")
    };
    out.push(Line::from(vec![label("Depends on"), Span::raw(deps)]));
    let role = match sh.stack_role(&layer.name) {
        Some(StackRole::Typed(i)) => Span::styled(format!("yes, #{}", i + 1), t.style(Role::Ok)),
        Some(StackRole::Inserted(by)) => Span::styled(
            format!("added as a dependency of {by}"),
            t.style(Role::Inserted),
        ),
        None => Span::raw("no"),
    };
    out.push(Line::from(vec![label("In stack"), role]));
    if let Some(bt) = &layer.meta.buildtarget {
        out.push(Line::from(vec![
            label("Build target"),
            Span::raw(bt.clone()),
        ]));
    }
    let cmds = layer.meta.runnable_commands();
    if !cmds.is_empty() {
        out.push(Line::from(label("Commands")));
        for c in cmds {
            out.push(Line::from(vec![
                Span::styled(format!("  {:<12}", c.name), t.style(Role::Key)),
                Span::raw(c.description.clone()),
            ]));
        }
    }
    contents_lines(sh, layer, &mut out);
    out
}

/// The lines about what the layer directory holds (fragments, directories, hooks, README),
/// once a worker has read it.
fn contents_lines(sh: &Shared, layer: &Layer, out: &mut Vec<Line<'static>>) {
    let t = &sh.theme;
    let label = |s: &str| Span::styled(format!("{s:<13}"), t.style(Role::Dim));
    let Some(contents) = sh.contents.get(&layer.name) else {
        out.push(Line::from(Span::styled(
            "Reading the layer directory…",
            t.style(Role::Dim),
        )));
        return;
    };
    if contents.fragments.is_empty() {
        out.push(Line::from(vec![label("Fragments"), Span::raw("none")]));
    } else {
        out.push(Line::from(label("Fragments")));
        for (kind, files) in &contents.fragments {
            out.push(Line::from(vec![
                Span::styled(format!("  {kind:<12}"), t.style(Role::Header)),
                Span::raw(files.join(", ")),
            ]));
        }
    }
    if !contents.directories.is_empty() {
        out.push(Line::from(vec![
            label("Directories"),
            Span::raw(contents.directories.join(", ")),
        ]));
    }
    if !contents.hooks.is_empty() {
        out.push(Line::from(vec![
            label("Hooks"),
            Span::raw(contents.hooks.join(", ")),
        ]));
    }
    for w in &contents.warnings {
        out.push(Line::from(Span::styled(
            format!("⚠ {}", relative(&w.to_string(), &sh.root)),
            t.style(Role::Warning),
        )));
    }
    if let Some(readme) = &contents.readme {
        out.push(Line::default());
        out.push(Line::from(Span::styled("README.md", t.style(Role::Header))));
        out.extend(readme.lines().map(|l| Line::from(l.to_string())));
    }
}

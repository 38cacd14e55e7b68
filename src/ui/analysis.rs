//! Stack analysis for the composer: per-item problems, the resolved chain, and warnings.

use crate::model::WarningKind;
use crate::model::board::board_warnings;
use crate::model::names::is_well_formed_item;
use crate::model::{Catalog, ResolvedStack, resolve};
use std::path::Path;

/// How bad a note is: errors block saving, warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Warning,
    Error,
}

/// One problem, attached to a layer when it concerns one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub level: Level,
    pub layer: Option<String>,
    /// A few words for the inline mark next to the layer.
    pub short: &'static str,
    pub text: String,
}

/// Everything the composer shows about a typed stack.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StackAnalysis {
    /// The chain of the usable typed items, when it resolves.
    pub resolved: Option<ResolvedStack>,
    pub notes: Vec<Note>,
}

impl StackAnalysis {
    /// The first error, which blocks saving.
    pub fn blocking(&self) -> Option<&Note> {
        self.notes.iter().find(|n| n.level == Level::Error)
    }

    /// The notes about one layer (as typed or as resolved).
    pub fn notes_for<'a>(&'a self, layer: &'a str) -> impl Iterator<Item = &'a Note> + 'a {
        self.notes.iter().filter(move |n| {
            n.layer
                .as_deref()
                .is_some_and(|l| l.eq_ignore_ascii_case(layer))
        })
    }
}

/// Analyse the stack as typed. `root` shortens file paths in messages.
pub fn analyze(catalog: &Catalog, typed: &[String], root: &Path) -> StackAnalysis {
    let mut a = StackAnalysis::default();
    let mut usable: Vec<&str> = Vec::new();
    for item in typed {
        let note = |level, short, text: String| Note {
            level,
            layer: Some(item.clone()),
            short,
            text,
        };
        if !is_well_formed_item(item) {
            a.notes.push(note(
                Level::Warning,
                "ignored",
                format!("`{item}` is not category/name; it is ignored"),
            ));
            continue;
        }
        match catalog.lookup(item) {
            None => {
                let hint = match catalog.suggest(item).as_slice() {
                    [] => String::new(),
                    s => format!("; did you mean {}?", s.join(", ")),
                };
                a.notes.push(note(
                    Level::Error,
                    "unknown",
                    format!("unknown layer `{item}`{hint}"),
                ));
            }
            Some(l) if l.error.is_some() => a.notes.push(note(
                Level::Error,
                "broken",
                format!(
                    "layer {} is broken: {}",
                    l.name,
                    relative(l.error.as_deref().unwrap_or(""), root)
                ),
            )),
            Some(_) => usable.push(item),
        }
    }
    for w in board_warnings(catalog, typed) {
        a.notes.push(Note {
            level: Level::Warning,
            layer: w.layer,
            short: "2nd board",
            text: w.message,
        });
    }
    if usable.is_empty() {
        return a;
    }
    match resolve(catalog, &usable) {
        Ok(r) => {
            for w in &r.warnings {
                let mut text = w.message.clone();
                if let Some(p) = &w.path {
                    let p = p.strip_prefix(root).unwrap_or(p);
                    text = match w.line {
                        Some(l) => format!("{}:{l}: {text}", p.display()),
                        None => format!("{}: {text}", p.display()),
                    };
                }
                // Resolution warnings (order, duplicates, metadata quirks) never block saving.
                let short = match w.kind {
                    WarningKind::DependencyAfterDependent => "order",
                    WarningKind::Duplicate => "duplicate",
                    WarningKind::MalformedItem => "ignored",
                    _ => "metadata",
                };
                a.notes.push(Note {
                    level: Level::Warning,
                    short,
                    layer: w.layer.clone(),
                    text,
                });
            }
            a.resolved = Some(r);
        }
        Err(e) => a.notes.push(Note {
            level: Level::Error,
            layer: None,
            short: "unresolved",
            text: relative(&e.to_string(), root),
        }),
    }
    a
}

/// Shorten absolute paths under the tree root in a message.
pub fn relative(text: &str, root: &Path) -> String {
    let r = root.display().to_string();
    if r.is_empty() || r == "/" {
        return text.to_string();
    }
    text.replace(&format!("{r}/"), "")
}

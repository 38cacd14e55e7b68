//! A layer's `metadata/` directory: description, dependencies, commands, unlisted, buildtarget.

use super::error::{Result, Warning, WarningKind};
use super::names::{is_well_formed_item, split_list};
use super::text::read_text;
use serde::Serialize;
use std::path::Path;

/// One extension command a layer offers (`metadata/commands` line).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LayerCommand {
    pub name: String,
    pub description: String,
}

/// Everything upstream reads from `metadata/`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Metadata {
    pub description: Option<String>,
    pub dependencies: Vec<String>,
    pub unlisted: bool,
    /// Commands, honoured only when the layer also has `extensions/`.
    pub commands: Vec<LayerCommand>,
    pub buildtarget: Option<String>,
    pub has_extensions: bool,
    /// Problems found while reading; they never stop the layer from loading.
    #[serde(skip)]
    pub warnings: Vec<Warning>,
}

impl Metadata {
    /// Read `dir/metadata/*` and note whether `dir/extensions/` exists.
    pub fn load(dir: &Path, layer: &str) -> Result<Metadata> {
        let meta_dir = dir.join("metadata");
        let mut m = Metadata {
            has_extensions: dir.join("extensions").is_dir(),
            ..Default::default()
        };
        let entries = match std::fs::read_dir(&meta_dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(m),
            Err(e) if e.kind() == std::io::ErrorKind::NotADirectory => return Ok(m),
            Err(e) => return Err(super::error::ModelError::io(meta_dir, e)),
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let path = entry.path();
            match name.to_str() {
                Some("description") => {
                    let text = read_text(&path)?;
                    let joined = text.split_whitespace().collect::<Vec<_>>().join(" ");
                    m.description = (!joined.is_empty()).then_some(joined);
                }
                Some("dependencies") => {
                    let text = read_text(&path)?;
                    m.dependencies = parse_dependencies(&text, &path, layer, &mut m.warnings);
                }
                Some("unlisted") => m.unlisted = true,
                Some("commands") => {
                    m.commands = parse_commands(&read_text(&path)?);
                }
                Some("buildtarget") => {
                    let t = read_text(&path)?.trim().to_string();
                    m.buildtarget = (!t.is_empty()).then_some(t);
                }
                _ => {}
            }
        }
        if !m.commands.is_empty() && !m.has_extensions {
            m.warnings.push(
                Warning::new(
                    WarningKind::Commands,
                    "metadata/commands is ignored: the layer has no extensions/ directory",
                )
                .layer(layer)
                .at(meta_dir.join("commands"), None),
            );
        }
        Ok(m)
    }

    /// Commands that can actually run (upstream ignores them without `extensions/`).
    pub fn runnable_commands(&self) -> &[LayerCommand] {
        if self.has_extensions {
            &self.commands
        } else {
            &[]
        }
    }
}

/// Parse a dependencies file. Upstream wants one line; several lines are accepted with a
/// warning. Tokens that are not `category/name` are dropped with a warning.
pub fn parse_dependencies(
    text: &str,
    path: &Path,
    layer: &str,
    warnings: &mut Vec<Warning>,
) -> Vec<String> {
    let body = text.trim_end_matches(['\n', '\r']);
    if body.contains('\n') {
        warnings.push(
            Warning::new(
                WarningKind::MultiLineDependencies,
                "dependencies are spread over several lines; skiff accepts this, upstream SkiffOS drops the layer",
            )
            .layer(layer)
            .at(path, None),
        );
    }
    let mut deps = Vec::new();
    for (idx, line) in body.lines().enumerate() {
        for tok in split_list(line) {
            if is_well_formed_item(tok)
                && tok
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'/' || b == b'_' || b == b'\\')
            {
                if !deps.iter().any(|d| d == tok) {
                    deps.push(tok.to_string());
                }
            } else {
                warnings.push(
                    Warning::new(
                        WarningKind::BadDependency,
                        format!("dependency `{tok}` is not a category/name layer name; ignored"),
                    )
                    .layer(layer)
                    .at(path, Some(idx + 1)),
                );
            }
        }
    }
    deps
}

/// Parse `metadata/commands`: `name description words...`, commas count as spaces, lines
/// with fewer than two words are ignored. A last line without newline is kept.
pub fn parse_commands(text: &str) -> Vec<LayerCommand> {
    text.lines()
        .filter_map(|line| {
            let words = split_list(line);
            if words.len() < 2 {
                return None;
            }
            Some(LayerCommand {
                name: words[0].to_string(),
                description: words[1..].join(" "),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dependencies_single_and_multi_line() {
        let mut w = Vec::new();
        let d = parse_dependencies(
            "pi/common, skiff/moduleimg\n",
            Path::new("d"),
            "pi/4",
            &mut w,
        );
        assert_eq!(d, ["pi/common", "skiff/moduleimg"]);
        assert!(w.is_empty());
        let d = parse_dependencies("a/b\nc/d\n", Path::new("d"), "x/y", &mut w);
        assert_eq!(d, ["a/b", "c/d"]);
        assert_eq!(w[0].kind, WarningKind::MultiLineDependencies);
    }

    #[test]
    fn bad_dependency_tokens_are_warned() {
        let mut w = Vec::new();
        let d = parse_dependencies("foo a/b-c good/one", Path::new("d"), "x/y", &mut w);
        assert_eq!(d, ["good/one"]);
        assert_eq!(w.len(), 2);
        assert!(w.iter().all(|w| w.kind == WarningKind::BadDependency));
    }

    #[test]
    fn commands_parse() {
        let c = parse_commands("format Format an SD card\ninstall, Install\nlonely\nrun Run it");
        assert_eq!(c.len(), 3);
        assert_eq!(c[0].name, "format");
        assert_eq!(c[0].description, "Format an SD card");
        assert_eq!(c[2].name, "run");
    }
}

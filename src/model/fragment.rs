//! Fragment files: listing them in byte order and classifying their lines.

use super::error::{ModelError, Result, Warning, WarningKind};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// The four Kconfig-style configurations a stack merges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ConfigKind {
    Buildroot,
    Kernel,
    Uboot,
    Busybox,
}

impl ConfigKind {
    pub const ALL: [ConfigKind; 4] = [
        ConfigKind::Buildroot,
        ConfigKind::Kernel,
        ConfigKind::Uboot,
        ConfigKind::Busybox,
    ];

    /// The fragment directory in a layer, and the output directory in the final config.
    pub fn dir_name(self) -> &'static str {
        match self {
            ConfigKind::Buildroot => "buildroot",
            ConfigKind::Kernel => "kernel",
            ConfigKind::Uboot => "uboot",
            ConfigKind::Busybox => "busybox",
        }
    }

    /// The symbol prefix a well-formed line of this kind uses.
    pub fn prefix(self) -> &'static str {
        match self {
            ConfigKind::Buildroot => "BR2_",
            _ => "CONFIG_",
        }
    }

    pub fn parse(s: &str) -> Option<ConfigKind> {
        ConfigKind::ALL.into_iter().find(|k| k.dir_name() == s)
    }
}

/// A requested value: a text value (`y`, `m`, `"str"`, `42`, `n`) or `# X is not set`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind", content = "value")]
pub enum Value {
    Set(String),
    NotSet,
}

impl Value {
    /// The value as a Kconfig `.config` would print it.
    pub fn display(&self) -> String {
        match self {
            Value::Set(v) => v.clone(),
            Value::NotSet => "is not set".to_string(),
        }
    }
}

/// What one line of a fragment is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineKind<'a> {
    Assign { symbol: &'a str, value: Value },
    Comment,
    Blank,
    Malformed,
}

/// Classify a fragment line the way Kconfig reads a defconfig.
pub fn classify(line: &str) -> LineKind<'_> {
    let t = line.strip_suffix('\r').unwrap_or(line);
    let trimmed = t.trim();
    if trimmed.is_empty() {
        return LineKind::Blank;
    }
    if let Some(rest) = t.strip_prefix("# ")
        && let Some(sym) = rest.strip_suffix(" is not set")
        && is_symbol(sym)
    {
        return LineKind::Assign {
            symbol: sym,
            value: Value::NotSet,
        };
    }
    if trimmed.starts_with('#') {
        return LineKind::Comment;
    }
    if let Some((sym, val)) = t.split_once('=')
        && is_symbol(sym)
    {
        return LineKind::Assign {
            symbol: sym,
            value: Value::Set(val.trim_end().to_string()),
        };
    }
    LineKind::Malformed
}

fn is_symbol(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Check every line of a fragment and report malformed lines and symbols of the wrong family.
pub fn lint(kind: ConfigKind, text: &str, path: &Path, layer: &str) -> Vec<Warning> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let w = match classify(line) {
            LineKind::Malformed => Some((
                WarningKind::MalformedLine,
                format!(
                    "not an assignment, `# SYMBOL is not set` or a comment: `{}`; Kconfig ignores it",
                    line.chars().take(80).collect::<String>()
                ),
            )),
            LineKind::Assign { symbol, .. } if !symbol.starts_with(kind.prefix()) => {
                let hint = if kind == ConfigKind::Buildroot && symbol.starts_with("CONFIG_") {
                    "; kernel, u-boot and busybox symbols belong in kernel/, uboot/ or busybox/"
                } else if symbol.starts_with("BR2_") {
                    "; Buildroot symbols belong in buildroot/"
                } else {
                    ""
                };
                Some((
                    WarningKind::WrongFamily,
                    format!(
                        "{symbol} in a {} fragment does not start with {}{hint}",
                        kind.dir_name(),
                        kind.prefix()
                    ),
                ))
            }
            _ => None,
        };
        if let Some((k, msg)) = w {
            out.push(Warning::new(k, msg).layer(layer).at(path, Some(i + 1)));
        }
    }
    out
}

/// Files of a fragment directory in upstream's order: byte order of names, dotfiles skipped.
/// Subdirectories are reported as warnings and skipped.
pub fn list_dir(dir: &Path, layer: &str, warnings: &mut Vec<Warning>) -> Result<Vec<PathBuf>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) if e.kind() == std::io::ErrorKind::NotADirectory => return Ok(Vec::new()),
        Err(e) => return Err(ModelError::io(dir, e)),
    };
    let mut files: Vec<(Vec<u8>, PathBuf)> = Vec::new();
    for ent in entries {
        let ent = ent.map_err(|e| ModelError::io(dir, e))?;
        let name = ent.file_name();
        let bytes = name.as_encoded_bytes().to_vec();
        if bytes.first() == Some(&b'.') {
            continue;
        }
        let path = ent.path();
        if path.is_dir() {
            warnings.push(
                Warning::new(
                    WarningKind::FileQuirk,
                    "directory inside a fragment directory; skipped",
                )
                .layer(layer)
                .at(&path, None),
            );
            continue;
        }
        files.push((bytes, path));
    }
    files.sort();
    Ok(files.into_iter().map(|(_, p)| p).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classify_lines() {
        assert_eq!(
            classify("BR2_X=y"),
            LineKind::Assign {
                symbol: "BR2_X",
                value: Value::Set("y".into())
            }
        );
        assert_eq!(
            classify("# CONFIG_A is not set"),
            LineKind::Assign {
                symbol: "CONFIG_A",
                value: Value::NotSet
            }
        );
        assert_eq!(classify("# CONFIG_A is not set, really"), LineKind::Comment);
        assert_eq!(classify("  "), LineKind::Blank);
        assert_eq!(classify("BR2_X y"), LineKind::Malformed);
        assert_eq!(
            classify("BR2_S=\"a=b\"\r"),
            LineKind::Assign {
                symbol: "BR2_S",
                value: Value::Set("\"a=b\"".into())
            }
        );
    }

    #[test]
    fn lint_finds_wrong_family() {
        let w = lint(
            ConfigKind::Buildroot,
            "BR2_A=y\nCONFIG_USB=y\njunk\n",
            Path::new("f"),
            "a/b",
        );
        assert_eq!(w.len(), 2);
        assert_eq!(w[0].line, Some(2));
        assert_eq!(w[0].kind, WarningKind::WrongFamily);
        assert_eq!(w[1].kind, WarningKind::MalformedLine);
    }
}

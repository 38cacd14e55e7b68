//! The push manifest kept on the device: which files the last push replaced, with their new
//! and previous SHA-256, so a rollback knows exactly what to swap back.
//!
//! Text, one record per line, written atomically (temporary name, then rename):
//!
//! ```text
//! skiff-push-manifest 1
//! pushed 1764892800
//! release 2026.12.0
//! file <new sha256 or -> <old sha256 or -> <absolute path>
//! ```
//!
//! The path is the rest of the line, so it may hold spaces; paths with a newline are never
//! pushed.

/// First line of every manifest; the number is the format version.
pub const HEADER: &str = "skiff-push-manifest 1";

/// One replaced file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Absolute path on the device.
    pub path: String,
    /// SHA-256 (lowercase hex) of the file now in place; `None` when there is none (a
    /// rollback removed a file the push had added).
    pub new: Option<String>,
    /// SHA-256 of the file kept at `<path>.previous`; `None` when there is none.
    pub old: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Manifest {
    /// Seconds since the epoch when the set was swapped in.
    pub pushed: u64,
    /// `VERSION=` of the pushed skiff-release, when there was one.
    pub release: Option<String>,
    pub entries: Vec<Entry>,
}

/// Why a manifest could not be read; `line` is 1-based.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct ManifestError {
    pub line: usize,
    pub message: String,
}

/// True for a 64-character lowercase hex SHA-256.
pub fn is_sha256(text: &str) -> bool {
    text.len() == 64
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn bad(line: usize, message: impl Into<String>) -> ManifestError {
    ManifestError {
        line,
        message: message.into(),
    }
}

fn hash_field(n: usize, text: &str) -> Result<Option<String>, ManifestError> {
    match text {
        "-" => Ok(None),
        h if is_sha256(h) => Ok(Some(h.to_string())),
        h => Err(bad(n, format!("`{h}` is not a SHA-256 or -"))),
    }
}

fn parse_entry(n: usize, rest: &str) -> Result<Entry, ManifestError> {
    let mut parts = rest.splitn(3, ' ');
    let (Some(new), Some(old), Some(path)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bad(n, "a file record needs: new hash, old hash, path"));
    };
    let (new, old) = (hash_field(n, new)?, hash_field(n, old)?);
    if !path.starts_with('/') {
        return Err(bad(n, format!("`{path}` is not an absolute path")));
    }
    Ok(Entry {
        path: path.to_string(),
        new,
        old,
    })
}

impl Manifest {
    /// Parses a manifest; unknown record kinds are errors (the file is skiff's own).
    pub fn parse(text: &str) -> Result<Manifest, ManifestError> {
        let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l));
        match lines.next() {
            Some((_, HEADER)) => {}
            Some((n, other)) => {
                return Err(bad(n, format!("expected `{HEADER}`, found `{other}`")));
            }
            None => return Err(bad(1, "empty manifest")),
        }
        let mut manifest = Manifest::default();
        for (n, line) in lines {
            if line.is_empty() {
                continue;
            }
            if line.chars().any(char::is_control) {
                return Err(bad(n, "a control character"));
            }
            let (kind, rest) = line.split_once(' ').unwrap_or((line, ""));
            match kind {
                "pushed" => {
                    manifest.pushed = rest
                        .parse()
                        .map_err(|_| bad(n, format!("`{rest}` is not a time")))?;
                }
                "release" => manifest.release = Some(rest.to_string()),
                "file" => manifest.entries.push(parse_entry(n, rest)?),
                other => return Err(bad(n, format!("unknown record `{other}`"))),
            }
        }
        Ok(manifest)
    }

    /// The manifest as text; [`Manifest::parse`] reads it back unchanged.
    pub fn render(&self) -> String {
        let mut out = format!("{HEADER}\npushed {}\n", self.pushed);
        if let Some(release) = &self.release {
            out.push_str(&format!("release {}\n", release.replace('\n', " ")));
        }
        for e in &self.entries {
            out.push_str(&format!(
                "file {} {} {}\n",
                e.new.as_deref().unwrap_or("-"),
                e.old.as_deref().unwrap_or("-"),
                e.path
            ));
        }
        out
    }

    /// The manifest after a rollback: every file and its `.previous` swapped, so a second
    /// rollback re-applies the push.
    pub fn swapped(&self) -> Manifest {
        Manifest {
            pushed: self.pushed,
            release: None,
            entries: self
                .entries
                .iter()
                .map(|e| Entry {
                    path: e.path.clone(),
                    new: e.old.clone(),
                    old: e.new.clone(),
                })
                .collect(),
        }
    }
}

/// The fuzz target's body (also run by the property tests): parsing never panics, and what
/// parses renders back to the same manifest.
pub fn fuzz_one(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok(m) = Manifest::parse(&text) {
        let again = Manifest::parse(&m.render()).expect("a rendered manifest parses");
        assert_eq!(again, m);
        assert_eq!(m.swapped().swapped().entries, m.entries);
    }
    let info = super::device::parse_probe(&text);
    let _ = super::device::board_of(&info.arch);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(c: char) -> String {
        std::iter::repeat_n(c, 64).collect()
    }

    #[test]
    fn round_trip() {
        let m = Manifest {
            pushed: 42,
            release: Some("2026.12.0".into()),
            entries: vec![
                Entry {
                    path: "/mnt/boot/with space".into(),
                    new: Some(h('a')),
                    old: None,
                },
                Entry {
                    path: "/mnt/rootfs/x".into(),
                    new: None,
                    old: Some(h('c')),
                },
            ],
        };
        assert_eq!(Manifest::parse(&m.render()), Ok(m.clone()));
        assert_eq!(m.swapped().swapped().entries, m.entries);
    }

    #[test]
    fn refuses_bad_records() {
        let e = Manifest::parse("skiff-push-manifest 1\nfile abc - /x\n").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(Manifest::parse("other 1\n").is_err());
        assert!(Manifest::parse("").is_err());
        let rel = format!("skiff-push-manifest 1\nfile {} - relative\n", h('a'));
        assert!(Manifest::parse(&rel).is_err());
    }
}

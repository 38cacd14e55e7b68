//! Putting files into an existing ext4 file system (a card's persist partition, or one inside
//! an image file) without mounting it: e2fsprogs' debugfs creates missing directories, writes
//! each file, sets its mode and root ownership, then reads each text file back to compare.
//!
//! The API is a list of (path, bytes, mode) entries so every writer of per-card files (the
//! skiff-core config, later hostname, SSH keys, Wi-Fi connections) shares one code path.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::flash::card::fs::quote;
use crate::flash::card::tools::ToolRunner;
use crate::flash::error::FlashError;

/// One file to put into the file system.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersistFile {
    /// Absolute path inside the file system, e.g. `/skiff/core/config.yaml`.
    pub path: String,
    /// Written in plans (and dry runs) as a string when it is UTF-8, else as a byte list.
    #[serde(with = "content")]
    pub bytes: Vec<u8>,
    /// Permission bits, e.g. 0o644 (the file type bits are added).
    pub mode: u32,
}

impl PersistFile {
    pub fn new(path: impl Into<String>, bytes: impl Into<Vec<u8>>, mode: u32) -> Self {
        PersistFile {
            path: path.into(),
            bytes: bytes.into(),
            mode,
        }
    }
}

/// Serde for file contents: readable text when possible, bytes otherwise.
mod content {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Serialize, Deserialize)]
    #[serde(untagged)]
    enum Repr {
        Text(String),
        Bytes(Vec<u8>),
    }

    pub fn serialize<S: Serializer>(b: &[u8], s: S) -> Result<S::Ok, S::Error> {
        match std::str::from_utf8(b) {
            Ok(t) => Repr::Text(t.to_string()),
            Err(_) => Repr::Bytes(b.to_vec()),
        }
        .serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        Ok(match Repr::deserialize(d)? {
            Repr::Text(t) => t.into_bytes(),
            Repr::Bytes(b) => b,
        })
    }
}

fn refuse(spec: &str, detail: String) -> FlashError {
    FlashError::Tool {
        tool: "debugfs".into(),
        detail: format!("{spec}: {detail}"),
    }
}

/// Checks a path: absolute, no empty, `.` or `..` components, mode within 0o7777.
fn validate(spec: &str, f: &PersistFile) -> Result<(), FlashError> {
    let parts: Vec<&str> = f.path.split('/').skip(1).collect();
    if !f.path.starts_with('/')
        || parts.is_empty()
        || parts
            .iter()
            .any(|p| p.is_empty() || *p == "." || *p == "..")
    {
        return Err(refuse(
            spec,
            format!(
                "`{}` is not an absolute path like /skiff/core/config.yaml",
                f.path
            ),
        ));
    }
    if f.mode > 0o7777 {
        return Err(refuse(
            spec,
            format!("{}: mode {:o} is not a permission mode", f.path, f.mode),
        ));
    }
    quote(&f.path).map(|_| ())
}

/// Every directory the files need, parents first (without `/`).
fn parents(files: &[PersistFile]) -> Vec<String> {
    let mut dirs = BTreeSet::new();
    for f in files {
        let mut at = String::new();
        let parts: Vec<&str> = f.path.split('/').skip(1).collect();
        for p in &parts[..parts.len() - 1] {
            at.push('/');
            at.push_str(p);
            dirs.insert(at.clone());
        }
    }
    let mut v: Vec<String> = dirs.into_iter().collect();
    v.sort_by_key(|d| (d.matches('/').count(), d.clone()));
    v
}

/// Writes `files` into the ext4 file system starting `offset` bytes into `target`.
pub fn write_ext4(
    tools: &dyn ToolRunner,
    target: &Path,
    offset: u64,
    files: &[PersistFile],
) -> Result<(), FlashError> {
    let spec = format!("{}?offset={offset}", target.display());
    for f in files {
        validate(&spec, f)?;
    }
    if files.is_empty() {
        return Ok(());
    }
    let dirs = parents(files);
    let work = tempfile::tempdir()
        .map_err(|e| FlashError::io(std::env::temp_dir(), "create a scratch directory", e))?;
    let mut query = String::from("ls -p \"/\"\n");
    for d in &dirs {
        query.push_str(&format!("ls -p {}\n", quote(d)?));
    }
    let listing = run_script(tools, work.path(), "query", &query, &spec, false)?;
    let listing = parse_listing(&listing);
    let existing = |path: &str| -> Option<bool> {
        let (parent, name) = path.rsplit_once('/')?;
        let parent = if parent.is_empty() { "/" } else { parent };
        listing.get(parent)?.get(name).copied()
    };
    let mut script = String::new();
    for d in &dirs {
        let q = quote(d)?;
        match existing(d) {
            Some(true) => {}
            Some(false) => {
                return Err(refuse(
                    &spec,
                    format!("{d} is a file, but a directory is needed there"),
                ));
            }
            None => script.push_str(&format!(
                "mkdir {q}\nsif {q} mode 040755\nsif {q} uid 0\nsif {q} gid 0\n"
            )),
        }
    }
    for (i, f) in files.iter().enumerate() {
        let q = quote(&f.path)?;
        match existing(&f.path) {
            Some(true) => {
                return Err(refuse(
                    &spec,
                    format!("{} is a directory; it cannot be replaced by a file", f.path),
                ));
            }
            Some(false) => script.push_str(&format!("rm {q}\n")),
            None => {}
        }
        let host = work.path().join(format!("file{i}"));
        std::fs::write(&host, &f.bytes)
            .map_err(|e| FlashError::io(&host, "stage a file to write", e))?;
        script.push_str(&format!(
            "write {} {q}\nsif {q} mode 0{:o}\nsif {q} uid 0\nsif {q} gid 0\n",
            quote(&host.display().to_string())?,
            0o100000 | f.mode
        ));
    }
    run_script(tools, work.path(), "apply", &script, &spec, true)?;
    verify(tools, &spec, files)
}

fn run_script(
    tools: &dyn ToolRunner,
    work: &Path,
    name: &str,
    script: &str,
    spec: &str,
    write: bool,
) -> Result<String, FlashError> {
    let path = work.join(name);
    std::fs::write(&path, script)
        .map_err(|e| FlashError::io(&path, "write a debugfs script", e))?;
    let mut args = Vec::new();
    if write {
        args.push("-w".to_string());
    }
    args.extend([
        "-f".to_string(),
        path.display().to_string(),
        spec.to_string(),
    ]);
    tools.run("debugfs", &args)
}

/// Reads each file back (`debugfs cat`) and compares it with what was meant to be written.
fn verify(tools: &dyn ToolRunner, spec: &str, files: &[PersistFile]) -> Result<(), FlashError> {
    for f in files {
        let Ok(wanted) = std::str::from_utf8(&f.bytes) else {
            continue;
        };
        let got = tools.run(
            "debugfs",
            &[
                "-R".into(),
                format!("cat {}", quote(&f.path)?),
                spec.to_string(),
            ],
        )?;
        if got != wanted {
            return Err(refuse(
                spec,
                format!(
                    "{} reads back as {} bytes instead of the {} written; check the card",
                    f.path,
                    got.len(),
                    wanted.len()
                ),
            ));
        }
    }
    Ok(())
}

/// Parses `debugfs ls -p` output: per listed directory, the names in it and whether each is a
/// directory. Sections start with the echoed command `debugfs: ls -p "<dir>"`.
pub fn parse_listing(stdout: &str) -> HashMap<String, HashMap<String, bool>> {
    let mut out: HashMap<String, HashMap<String, bool>> = HashMap::new();
    let mut current: Option<String> = None;
    for line in stdout.lines() {
        if let Some(rest) = line.strip_prefix("debugfs: ls -p ") {
            let dir = rest.trim().trim_matches('"').to_string();
            out.entry(dir.clone()).or_default();
            current = Some(dir);
            continue;
        }
        let (Some(dir), Some(body)) = (&current, line.strip_prefix('/')) else {
            continue;
        };
        let fields: Vec<&str> = body.split('/').collect();
        if fields.len() >= 5 && fields[4] != "." && fields[4] != ".." {
            let is_dir = fields[1].starts_with("04");
            if let Some(map) = out.get_mut(dir) {
                map.insert(fields[4].to_string(), is_dir);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_listings() {
        let out = "debugfs: ls -p \"/\"\n/2/040755/0/0/.//\n/12/040755/0/0/rootfs//\n/13/100644/0/0/a.txt/3/\n\n\
                   debugfs: ls -p \"/rootfs\"\n/12/040755/0/0/.//\n/14/100644/0/0/b/1/\n";
        let map = parse_listing(out);
        assert!(map["/"]["rootfs"]);
        assert!(!map["/"]["a.txt"]);
        assert!(!map["/rootfs"]["b"]);
        assert!(!map["/"].contains_key("."));
    }

    #[test]
    fn contents_serialize_as_text_when_they_can() {
        let files = vec![
            PersistFile::new("/a", "hello\n", 0o644),
            PersistFile::new("/b", vec![0xff, 0, 1], 0o600),
        ];
        let json = serde_json::to_string(&files).unwrap();
        assert!(json.contains("\"bytes\":\"hello\\n\""), "{json}");
        assert!(json.contains("\"bytes\":[255,0,1]"), "{json}");
        let back: Vec<PersistFile> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, files);
    }

    #[test]
    fn parents_come_first() {
        let files = [
            PersistFile::new("/skiff/core/config.yaml", "x", 0o644),
            PersistFile::new("/skiff/hostname", "h", 0o644),
        ];
        assert_eq!(parents(&files), ["/skiff", "/skiff/core"]);
    }

    #[test]
    fn bad_paths_are_refused() {
        for p in ["skiff/x", "/", "/a/../b", "/a//b", "/a\"b"] {
            let f = PersistFile::new(p, "x", 0o644);
            assert!(validate("img", &f).is_err(), "{p}");
        }
        assert!(validate("img", &PersistFile::new("/a", "x", 0o10000)).is_err());
    }
}

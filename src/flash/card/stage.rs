//! Staging: install's copy rules and boot picks turned into one directory tree per partition,
//! built from the build's images/ and the stack's layers (hard links where possible).

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use super::uimage::{arch_code, script_image};
use crate::flash::error::FlashError;
use crate::model::layout::{Dest, Layout};

pub struct StageInput<'a> {
    pub layout: &'a Layout,
    pub images: &'a Path,
    /// The resolved chain's layer directories, first to last.
    pub layers: &'a [PathBuf],
    /// Target architecture for compiled boot scripts (`arm`, `arm64`, `riscv`, `x86_64`).
    pub arch: &'a str,
    /// PARTUUID of each partition, by name (for `root_partuuid`).
    pub partuuids: &'a HashMap<String, String>,
    pub work: &'a Path,
}

fn stage_error(detail: String) -> FlashError {
    FlashError::Layout { detail }
}

/// `*` matches any run of characters; everything else literally.
pub fn glob_match(pattern: &str, name: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == name;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !name.starts_with(first) || name.len() < first.len() + last.len() || !name.ends_with(last) {
        return false;
    }
    let mut rest = &name[first.len()..name.len() - last.len()];
    for middle in &parts[1..parts.len() - 1] {
        match rest.find(middle) {
            Some(at) => rest = &rest[at + middle.len()..],
            None => return false,
        }
    }
    true
}

enum Found {
    Contents(PathBuf),
    Paths(Vec<PathBuf>),
}

fn find(images: &Path, candidate: &str) -> Result<Option<Found>, FlashError> {
    if let Some(dir) = candidate.strip_suffix('/') {
        let path = images.join(dir);
        return Ok(path.is_dir().then_some(Found::Contents(path)));
    }
    let path = images.join(candidate);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if !name.contains('*') {
        return Ok(std::fs::symlink_metadata(&path)
            .is_ok()
            .then(|| Found::Paths(vec![path])));
    }
    let parent = path.parent().unwrap_or(images);
    let Ok(read) = std::fs::read_dir(parent) else {
        return Ok(None);
    };
    let mut matches: Vec<PathBuf> = read
        .filter_map(Result::ok)
        .filter(|e| glob_match(&name, &e.file_name().to_string_lossy()))
        .map(|e| e.path())
        .collect();
    matches.sort();
    Ok((!matches.is_empty()).then_some(Found::Paths(matches)))
}

/// Copies a file, symlink or tree; files are hard-linked when on the same file system.
fn copy_into(src: &Path, dst: &Path) -> Result<(), FlashError> {
    let meta = std::fs::symlink_metadata(src)
        .map_err(|e| FlashError::io(src, "read a file to install", e))?;
    if meta.is_dir() {
        std::fs::create_dir_all(dst)
            .map_err(|e| FlashError::io(dst, "create a staging directory", e))?;
        let read = std::fs::read_dir(src)
            .map_err(|e| FlashError::io(src, "list a directory to install", e))?;
        for entry in read.filter_map(Result::ok) {
            copy_into(&entry.path(), &dst.join(entry.file_name()))?;
        }
        return Ok(());
    }
    if let Some(parent) = dst.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| FlashError::io(parent, "create a staging directory", e))?;
    }
    if std::fs::symlink_metadata(dst).is_ok_and(|m| m.is_dir()) {
        return Err(stage_error(format!(
            "{} would replace the directory {} with a file",
            src.display(),
            dst.display()
        )));
    }
    let _ = std::fs::remove_file(dst);
    if meta.file_type().is_symlink() {
        let target =
            std::fs::read_link(src).map_err(|e| FlashError::io(src, "read a symlink", e))?;
        std::os::unix::fs::symlink(target, dst)
            .map_err(|e| FlashError::io(dst, "create a symlink", e))?;
        return Ok(());
    }
    if std::fs::hard_link(src, dst).is_err() {
        std::fs::copy(src, dst).map_err(|e| FlashError::io(dst, "copy a file to install", e))?;
    }
    Ok(())
}

fn dest_path(
    dirs: &BTreeMap<String, PathBuf>,
    dest: &Dest,
    what: &str,
) -> Result<PathBuf, FlashError> {
    let root = dirs.get(&dest.partition).ok_or_else(|| {
        stage_error(format!(
            "{what}: partition {} has no file system to copy into",
            dest.partition
        ))
    })?;
    Ok(root.join(dest.path.trim_start_matches('/')))
}

/// Replaces every `root=...` argument with `root=PARTUUID=<uuid>`.
pub fn set_root_partuuid(text: &str, uuid: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("root=") {
        let boundary =
            at == 0 || rest[..at].ends_with(|c: char| c.is_whitespace() || c == '"' || c == '\'');
        out.push_str(&rest[..at]);
        let after = &rest[at + 5..];
        if !boundary {
            out.push_str("root=");
            rest = after;
            continue;
        }
        let end = after
            .find(|c: char| c.is_whitespace() || c == '"' || c == '\'')
            .unwrap_or(after.len());
        out.push_str(&format!("root=PARTUUID={uuid}"));
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

fn timestamp() -> u32 {
    std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs() as u32)
        })
}

/// One install copy rule matched against `images/`: a file, symlink or directory to copy, and
/// where it lands. `contents` means "copy what is inside `src`" (a `from` ending in `/`).
#[derive(Debug, Clone)]
pub struct ResolvedCopy {
    pub src: PathBuf,
    pub contents: bool,
    /// Partition and full path of the copy (a directory when `contents`).
    pub to: Dest,
    /// The rule, for messages: `<layout>: install.copy[i] (from ...)`.
    pub what: String,
}

/// The sources of install's copy rules that match nothing in `images` (optional rules left
/// out), each as its rule names them (`zImage`, or `Image or zImage` for a list).
pub fn missing_copies(layout: &Layout, images: &Path) -> Vec<String> {
    layout
        .install
        .iter()
        .flat_map(|inst| inst.copy.iter())
        .filter(|rule| !rule.optional)
        .filter(|rule| {
            !rule
                .from
                .iter()
                .any(|c| matches!(find(images, c), Ok(Some(_))))
        })
        .map(|rule| rule.from.join(" or "))
        .collect()
}

/// Install's copy rules resolved against `images/`, in rule order (later entries overwrite
/// earlier ones). A rule matching nothing is an error unless it is optional.
pub fn resolve_copies(layout: &Layout, images: &Path) -> Result<Vec<ResolvedCopy>, FlashError> {
    let origin = &layout.origin;
    let mut out = Vec::new();
    for (i, rule) in layout
        .install
        .iter()
        .flat_map(|inst| inst.copy.iter())
        .enumerate()
    {
        let what = format!(
            "{origin}: install.copy[{i}] (from {})",
            rule.from.join(" | ")
        );
        let mut found = None;
        for candidate in &rule.from {
            if let Some(f) = find(images, candidate)? {
                found = Some(f);
                break;
            }
        }
        let Some(found) = found else {
            if rule.optional {
                continue;
            }
            return Err(stage_error(format!(
                "{what}: nothing matches in {}; build the image first or mark the rule optional",
                images.display()
            )));
        };
        match found {
            Found::Contents(dir) => out.push(ResolvedCopy {
                src: dir,
                contents: true,
                to: rule.to.clone(),
                what,
            }),
            Found::Paths(paths) => {
                if !rule.to.is_dir() && paths.len() > 1 {
                    return Err(stage_error(format!(
                        "{what}: {} files match but the destination {} is a single file; end it with /",
                        paths.len(),
                        rule.to.path
                    )));
                }
                for path in paths {
                    let mut to = rule.to.clone();
                    if to.is_dir() {
                        to.path
                            .push_str(&path.file_name().unwrap_or_default().to_string_lossy());
                    }
                    out.push(ResolvedCopy {
                        src: path,
                        contents: false,
                        to,
                        what: what.clone(),
                    });
                }
            }
        }
    }
    Ok(out)
}

/// Builds `work/stage/<partition>/` for every partition with a file system and fills them.
pub fn stage(input: &StageInput<'_>) -> Result<BTreeMap<String, PathBuf>, FlashError> {
    let layout = input.layout;
    let mut dirs = BTreeMap::new();
    for part in layout.partitions.iter().filter(|p| p.fs.is_some()) {
        let dir = input.work.join("stage").join(&part.name);
        std::fs::create_dir_all(&dir)
            .map_err(|e| FlashError::io(&dir, "create a staging directory", e))?;
        dirs.insert(part.name.clone(), dir);
    }
    copy_rules(input, &dirs)?;
    boot_picks(input, &dirs)?;
    Ok(dirs)
}

type Dirs = BTreeMap<String, PathBuf>;

/// `install.copy`: each rule's matches in images/ (see [`resolve_copies`]) copied to its
/// partition's staging directory.
fn copy_rules(input: &StageInput<'_>, dirs: &Dirs) -> Result<(), FlashError> {
    for copy in resolve_copies(input.layout, input.images)? {
        let dest = dest_path(dirs, &copy.to, &copy.what)?;
        if copy.contents {
            let read = std::fs::read_dir(&copy.src)
                .map_err(|e| FlashError::io(&copy.src, "list a directory to install", e))?;
            for entry in read.filter_map(Result::ok) {
                copy_into(&entry.path(), &dest.join(entry.file_name()))?;
            }
        } else {
            copy_into(&copy.src, &dest)?;
        }
    }
    Ok(())
}

/// `boot`: the file of the last layer that has one, its root= set to the PARTUUID when asked,
/// and compiled to a U-Boot script image when the layout names one.
fn boot_picks(input: &StageInput<'_>, dirs: &Dirs) -> Result<(), FlashError> {
    let origin = &input.layout.origin;
    for (i, pick) in input.layout.boot.iter().enumerate() {
        let what = format!("{origin}: boot[{i}] ({})", pick.pick.join(" | "));
        let chosen = input.layers.iter().rev().find_map(|layer| {
            let dir = layer.join(&pick.dir);
            pick.pick
                .iter()
                .map(|name| dir.join(name))
                .find(|p| p.is_file())
        });
        let Some(file) = chosen else {
            return Err(stage_error(format!(
                "{what}: no layer of the stack has any of them in {}",
                pick.dir
            )));
        };
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let dest = dest_path(dirs, &pick.to, &what)?;
        let dest = if pick.to.is_dir() {
            dest.join(&name)
        } else {
            dest
        };
        let mut bytes =
            std::fs::read(&file).map_err(|e| FlashError::io(&file, "read a boot file", e))?;
        if let Some(part) = &pick.root_partuuid {
            let uuid = input.partuuids.get(part).ok_or_else(|| {
                stage_error(format!("{what}: the PARTUUID of partition {part} is not known (the card's table could not be read)"))
            })?;
            bytes = set_root_partuuid(&String::from_utf8_lossy(&bytes), uuid).into_bytes();
        }
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| FlashError::io(parent, "create a staging directory", e))?;
        }
        let _ = std::fs::remove_file(&dest);
        std::fs::write(&dest, &bytes).map_err(|e| FlashError::io(&dest, "write a boot file", e))?;
        if let Some(compiled) = &pick.mkimage
            && (name.ends_with(".txt") || name.ends_with(".cmd"))
        {
            let arch = arch_code(input.arch).ok_or_else(|| {
                stage_error(format!(
                    "{what}: unknown architecture {:?} for the boot script",
                    input.arch
                ))
            })?;
            let out = dest.with_file_name(compiled);
            let _ = std::fs::remove_file(&out);
            std::fs::write(&out, script_image(&name, &bytes, arch, timestamp()))
                .map_err(|e| FlashError::io(&out, "write the compiled boot script", e))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_match("*.dtb", "bcm2711-rpi-4-b.dtb"));
        assert!(!glob_match("*.dtb", "overlay.dtbo"));
        assert!(glob_match("a*b*c", "aXXbYYc"));
        assert!(!glob_match("a*b*c", "ac"));
        assert!(glob_match("zImage", "zImage"));
    }

    #[test]
    fn rewrites_root_arguments() {
        assert_eq!(
            set_root_partuuid("setenv bootargs root=/dev/mmcblk0p2 rw rootwait", "abcd-01"),
            "setenv bootargs root=PARTUUID=abcd-01 rw rootwait"
        );
        assert_eq!(
            set_root_partuuid("chroot=/x root=LABEL=a", "u"),
            "chroot=/x root=PARTUUID=u"
        );
    }
}

//! Personalisation on the card: reading its inputs from the host (public key files, a
//! directory of persist files), finding the persist partition of an image or a card layout,
//! and adding the rendered files to a plan as a `WriteFiles` post step (written by
//! `flash::persist` after the verify, without mounting, also through the privileged helper).

use std::io::{Read, Seek, SeekFrom};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use super::card::CardPlan;
use super::card::table;
use super::content;
use super::error::FlashError;
use super::job::CardJob;
use super::persist::PersistFile;
use super::plan::{FlashPlan, PostStep, SourceSpec};
use super::target::Target;
use crate::model::layout::Layout;
use crate::model::personalise::{Identity, KeyFile, Persona, PersonaError, RenderedFile};

/// File system labels SkiffOS mounts as persist (`LABEL=persist`; intel/desktop uses SKIFFOS).
pub const PERSIST_LABELS: &[&str] = &["persist", "SKIFFOS"];

fn bad(detail: String) -> FlashError {
    FlashError::Personalise { detail }
}

impl From<PersonaError> for FlashError {
    fn from(e: PersonaError) -> FlashError {
        bad(e.0)
    }
}

/// Reads and checks a public key file (`--ssh-key FILE`).
pub fn read_key_file(path: &Path) -> Result<KeyFile, FlashError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| bad(format!("{}: cannot read the SSH key: {e}", path.display())))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(KeyFile::new(&name, &path.display().to_string(), &text)?)
}

/// The files of `dir` (`--persist-files DIR`) at the same paths in the persist partition, with
/// their permission bits. Symbolic links and special files are refused with their path.
pub fn read_persist_dir(dir: &Path) -> Result<Vec<RenderedFile>, FlashError> {
    let meta = std::fs::metadata(dir)
        .map_err(|e| bad(format!("{}: cannot read the directory: {e}", dir.display())))?;
    if !meta.is_dir() {
        return Err(bad(format!(
            "{}: --persist-files needs a directory (its tree is copied into the persist partition)",
            dir.display()
        )));
    }
    let mut out = Vec::new();
    walk(dir, "", &mut out)?;
    Ok(out)
}

fn walk(dir: &Path, inner: &str, out: &mut Vec<RenderedFile>) -> Result<(), FlashError> {
    let read =
        std::fs::read_dir(dir).map_err(|e| bad(format!("{}: cannot list: {e}", dir.display())))?;
    let mut entries: Vec<_> = read.filter_map(Result::ok).collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let host = entry.path();
        let Some(name) = entry.file_name().to_str().map(str::to_string) else {
            return Err(bad(format!(
                "{}: the name is not UTF-8; rename it",
                host.display()
            )));
        };
        let path = format!("{inner}/{name}");
        let meta = std::fs::symlink_metadata(&host)
            .map_err(|e| bad(format!("{}: cannot inspect: {e}", host.display())))?;
        let kind = meta.file_type();
        if kind.is_symlink() {
            return Err(bad(format!(
                "{}: is a symbolic link; --persist-files copies regular files and directories only (copy the file it points to instead)",
                host.display()
            )));
        }
        if kind.is_dir() {
            walk(&host, &path, out)?;
        } else if kind.is_file() {
            let bytes = std::fs::read(&host)
                .map_err(|e| bad(format!("{}: cannot read: {e}", host.display())))?;
            out.push(RenderedFile {
                path,
                bytes,
                mode: meta.permissions().mode() & 0o7777,
            });
        } else {
            return Err(bad(format!(
                "{}: is a special file (device, socket or pipe); --persist-files copies regular files and directories only",
                host.display()
            )));
        }
    }
    Ok(())
}

/// The rendered files as entries for `flash::persist`.
pub fn persist_files(files: Vec<RenderedFile>) -> Vec<PersistFile> {
    files
        .into_iter()
        .map(|f| PersistFile::new(f.path, f.bytes, f.mode))
        .collect()
}

/// Where the persist partition of an image is: its number and byte offset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PersistPlace {
    pub number: u32,
    pub offset: u64,
}

/// An ext4 superblock's volume label, when `sb` (1024 bytes read 1024 bytes into a
/// partition) is one.
fn ext4_label(sb: &[u8]) -> Option<String> {
    if sb.len() < 0x88 || sb[0x38] != 0x53 || sb[0x39] != 0xef {
        return None;
    }
    let raw = &sb[0x78..0x88];
    let end = raw.iter().position(|&b| b == 0).unwrap_or(raw.len());
    Some(String::from_utf8_lossy(&raw[..end]).into_owned())
}

/// Finds the ext4 partition labelled `persist` (or `SKIFFOS`) in an image source. The decoded
/// stream is read up to that partition's superblock: a seek for a raw image, decoding for a
/// compressed one (persist is usually the last partition, so that is most of the image).
pub fn find_persist(source: &SourceSpec) -> Result<PersistPlace, FlashError> {
    let SourceSpec::Image { path, member, .. } = source else {
        return Err(bad(
            "personalisation of an assembled card goes through its layout".into(),
        ));
    };
    let found = content::recognise(path, member.as_deref())?;
    let file =
        std::fs::File::open(path).map_err(|e| FlashError::source_io(path, "open the image", e))?;
    let io = |e| FlashError::source_io(path, "read the image", e);
    let mut head = vec![0u8; 1 << 20];
    let mut reader: Box<dyn Read + Send> = if found.compression == content::Compression::None {
        Box::new(file)
    } else {
        content::decoder(file, found.compression, found.member.as_ref()).map_err(io)?
    };
    let got = read_full(&mut reader, &mut head).map_err(io)?;
    head.truncate(got);
    let mut parts = table::read(&head).ok_or_else(|| {
        bad(format!(
            "{}: no partition table, so no persist partition to personalise",
            path.display()
        ))
    })?;
    parts.sort_by_key(|p| p.start);
    let mut at = got as u64;
    let mut labels = Vec::new();
    for p in &parts {
        let sb_at = p.start.saturating_add(1024);
        if let Some(sb) = head.get(sb_at as usize..sb_at as usize + 1024) {
            if let Some(label) = ext4_label(sb)
                && PERSIST_LABELS.contains(&label.as_str())
            {
                return Ok(PersistPlace {
                    number: p.number,
                    offset: p.start,
                });
            }
            labels.push(p.number.to_string());
            continue;
        }
        let Some(skip) = sb_at.checked_sub(at) else {
            continue;
        };
        if found.compression == content::Compression::None {
            let mut f = std::fs::File::open(path)
                .map_err(|e| FlashError::source_io(path, "open the image", e))?;
            f.seek(SeekFrom::Start(sb_at)).map_err(io)?;
            reader = Box::new(f);
        } else {
            std::io::copy(&mut (&mut reader).take(skip), &mut std::io::sink()).map_err(io)?;
        }
        let mut sb = vec![0u8; 1024];
        let n = read_full(&mut reader, &mut sb).map_err(io)?;
        at = sb_at + n as u64;
        match ext4_label(&sb[..n]) {
            Some(label) if PERSIST_LABELS.contains(&label.as_str()) => {
                return Ok(PersistPlace {
                    number: p.number,
                    offset: p.start,
                });
            }
            Some(label) => labels.push(format!("{} (ext4 `{label}`)", p.number)),
            None => labels.push(p.number.to_string()),
        }
    }
    Err(bad(format!(
        "{}: no ext4 partition labelled persist (partitions {}); this image has no SkiffOS persist partition to personalise",
        path.display(),
        labels.join(", ")
    )))
}

fn read_full(r: &mut dyn Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// Adds writing `files` into the persist partition found at `place` to an image plan.
pub fn add_to_plan(plan: &mut FlashPlan, place: &PersistPlace, files: Vec<PersistFile>) {
    plan.post.extend(files_step(place, files));
}

/// The step writing `files` into the persist partition at `place` (none without files).
pub fn files_step(place: &PersistPlace, files: Vec<PersistFile>) -> Option<PostStep> {
    (!files.is_empty()).then(|| PostStep::WriteFiles {
        partition: format!("persist (partition {})", place.number),
        offset: place.offset,
        files,
    })
}

/// Adds writing `files` into the layout's persist partition to a card plan (format, install,
/// image build), after the copy of `persist_part/`, so these win.
pub fn add_to_card(
    card: &mut CardPlan,
    layout: &Layout,
    files: Vec<PersistFile>,
) -> Result<(), FlashError> {
    if files.is_empty() {
        return Ok(());
    }
    let Some(part) = layout.persist() else {
        return Err(bad(format!(
            "{}: the layout names no persist partition (install: persist:), so there is nowhere to put the persist files",
            layout.origin
        )));
    };
    let Some(action) = card.partitions.iter().find(|p| p.name == part.name) else {
        return Err(bad(format!(
            "{}: partition {} is not on the card",
            layout.origin, part.name
        )));
    };
    if action.fs.as_deref() != Some("ext4") {
        return Err(bad(format!(
            "{}: persist partition {} is not ext4; files can only be written into ext4",
            layout.origin, part.name
        )));
    }
    // One entry a path, and one step for every file: the later entry wins.
    let mut files = files;
    let mut seen = std::collections::HashSet::new();
    files.reverse();
    files.retain(|f| seen.insert(f.path.clone()));
    files.reverse();
    if let Some(PostStep::WriteFiles { files: have, .. }) = card
        .post
        .iter_mut()
        .find(|s| matches!(s, PostStep::WriteFiles { offset, .. } if *offset == action.start))
    {
        have.retain(|f| !files.iter().any(|n| n.path == f.path));
        have.extend(files);
        return Ok(());
    }
    card.post.push(PostStep::WriteFiles {
        partition: part.name.clone(),
        offset: action.start,
        files,
    });
    Ok(())
}

/// Adds `files` to a planned card job (install, image build) and plans its write again.
pub fn add_to_job(job: &mut CardJob, files: Vec<PersistFile>) -> Result<(), FlashError> {
    if files.is_empty() {
        return Ok(());
    }
    add_to_card(&mut job.card, &job.layout, files)?;
    job.plan = super::card::flash_plan(&job.card, job.decision.target.clone(), job.decision.verify);
    Ok(())
}

/// What the placeholders stand for on a single card: {n} is `n`; a device gives its serial
/// and USB port path (an image file has neither).
pub fn identity(n: u64, target: &Target) -> Identity {
    let (serial, slot) = match target {
        Target::Device(d) => (d.serial.clone(), d.port_path.clone()),
        Target::File(_) => (None, None),
    };
    Identity { n, serial, slot }
}

/// The persist files of `persona` for one card.
pub fn render(persona: &Persona, id: &Identity) -> Result<Vec<PersistFile>, FlashError> {
    Ok(persist_files(persona.render(id)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_files_travel_in_the_plan_to_the_helper() {
        let mut plan: FlashPlan = serde_json::from_str(
            r#"{"version":1,"target":{"path":"/dev/sdb","device":true},
                "source":{"kind":"image","path":"/img"}}"#,
        )
        .unwrap();
        let place = PersistPlace {
            number: 3,
            offset: 1 << 30,
        };
        add_to_plan(&mut plan, &place, vec![]);
        assert!(plan.post.is_empty());
        let files = vec![PersistFile::new("/skiff/hostname", "robot-01\n", 0o644)];
        add_to_plan(&mut plan, &place, files.clone());
        let line = serde_json::to_string(&plan).unwrap();
        let back = FlashPlan::from_json(&line).unwrap();
        assert_eq!(
            back.post,
            [PostStep::WriteFiles {
                partition: "persist (partition 3)".into(),
                offset: 1 << 30,
                files
            }]
        );
    }

    #[test]
    fn labels_are_read_from_superblocks() {
        let mut sb = vec![0u8; 1024];
        assert_eq!(ext4_label(&sb), None);
        sb[0x38] = 0x53;
        sb[0x39] = 0xef;
        sb[0x78..0x7f].copy_from_slice(b"persist");
        assert_eq!(ext4_label(&sb).as_deref(), Some("persist"));
        assert_eq!(ext4_label(&sb[..100]), None);
    }

    #[test]
    fn persist_dirs_keep_modes_and_refuse_links() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("skiff/etc")).unwrap();
        let f = dir.path().join("skiff/etc/motd");
        std::fs::write(&f, "hi\n").unwrap();
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o640)).unwrap();
        let files = read_persist_dir(dir.path()).unwrap();
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].path, "/skiff/etc/motd");
        assert_eq!(files[0].mode, 0o640);
        std::os::unix::fs::symlink("motd", dir.path().join("skiff/etc/link")).unwrap();
        let e = read_persist_dir(dir.path()).unwrap_err().to_string();
        assert!(e.contains("skiff/etc/link: is a symbolic link"), "{e}");
        assert!(read_persist_dir(&f).is_err());
    }
}

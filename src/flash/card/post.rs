//! Post steps: copying files into a kept file system on the card without mounting it
//! (debugfs for ext4, mtools for vfat). Existing files are replaced, others are kept.

use std::path::Path;

use super::fs::quote;
use super::tools::ToolRunner;
use crate::flash::environment::Environment;
use crate::flash::error::FlashError;
use crate::flash::event::{EventSink, FlashEvent};
use crate::flash::persist::{parse_listing, write_ext4};
use crate::flash::plan::{CopyFs, FlashPlan, PostStep};

/// Runs every post step of the plan against `path`: the target's, or the partial file of a
/// new image file.
pub fn run_all(
    plan: &FlashPlan,
    path: &Path,
    env: &Environment,
    sink: &mut dyn EventSink,
) -> Result<(), FlashError> {
    for step in &plan.post {
        match step {
            PostStep::CopyIn {
                partition,
                fs,
                offset,
                dir,
                ..
            } => {
                sink.emit(FlashEvent::Notice {
                    message: format!("adding files to the kept partition {partition}"),
                });
                match fs {
                    CopyFs::Ext4 => copy_into_ext4(env.tools.as_ref(), path, *offset, dir)?,
                    CopyFs::Vfat => copy_into_vfat(env.tools.as_ref(), path, *offset, dir)?,
                }
            }
            PostStep::WriteFiles {
                partition,
                offset,
                files,
            } => {
                sink.emit(FlashEvent::Notice {
                    message: files_notice(files.len(), partition),
                });
                write_ext4(env.tools.as_ref(), path, *offset, files)?;
                for f in files {
                    sink.emit(FlashEvent::Notice {
                        message: format!(
                            "wrote {} ({} bytes, mode {:04o}) into partition {partition}",
                            f.path,
                            f.bytes.len(),
                            f.mode
                        ),
                    });
                }
            }
        }
    }
    Ok(())
}

/// The notice that starts a `WriteFiles` step (a batch card is then "personalising").
pub fn files_notice(count: usize, partition: &str) -> String {
    format!("writing {count} file(s) into partition {partition}")
}

/// True for the notice that starts a `WriteFiles` step.
pub fn is_files_notice(message: &str) -> bool {
    message.starts_with("writing ") && message.contains(" file(s) into partition ")
}

/// mtools reads `image@@offset` itself; `-s` recurses, `-o` overwrites, directories merge.
pub fn copy_into_vfat(
    tools: &dyn ToolRunner,
    target: &Path,
    offset: u64,
    dir: &Path,
) -> Result<(), FlashError> {
    let mut args = vec![
        "-s".to_string(),
        "-o".to_string(),
        "-Q".to_string(),
        "-i".to_string(),
        format!("{}@@{offset}", target.display()),
    ];
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map_err(|e| FlashError::io(dir, "list the files to add", e))?
        .filter_map(Result::ok)
        .map(|e| e.path().display().to_string())
        .collect();
    if names.is_empty() {
        return Ok(());
    }
    names.sort();
    args.extend(names);
    args.push("::/".into());
    tools.run("mcopy", &args).map(|_| ())
}

enum Entry {
    Dir,
    File(std::path::PathBuf),
    Link(String),
}

fn walk(dir: &Path, inner: &str, out: &mut Vec<(String, Entry)>) -> Result<(), FlashError> {
    let mut read: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| FlashError::io(dir, "list the files to add", e))?
        .filter_map(Result::ok)
        .collect();
    read.sort_by_key(|e| e.file_name());
    for entry in read {
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = format!("{inner}/{name}");
        let meta = std::fs::symlink_metadata(entry.path())
            .map_err(|e| FlashError::io(entry.path(), "inspect a file to add", e))?;
        if meta.file_type().is_symlink() {
            let target = std::fs::read_link(entry.path())
                .map_err(|e| FlashError::io(entry.path(), "read a symlink", e))?;
            out.push((path, Entry::Link(target.to_string_lossy().into_owned())));
        } else if meta.is_dir() {
            out.push((path.clone(), Entry::Dir));
            walk(&entry.path(), &path, out)?;
        } else {
            out.push((path, Entry::File(entry.path())));
        }
    }
    Ok(())
}

/// debugfs works on `image?offset=N`. It corrupts a file system when asked to mkdir an existing
/// directory, so the existing tree is listed first and the script only creates what is missing.
pub fn copy_into_ext4(
    tools: &dyn ToolRunner,
    target: &Path,
    offset: u64,
    dir: &Path,
) -> Result<(), FlashError> {
    let spec = format!("{}?offset={offset}", target.display());
    let mut entries = Vec::new();
    walk(dir, "", &mut entries)?;
    if entries.is_empty() {
        return Ok(());
    }
    let work = tempfile::tempdir()
        .map_err(|e| FlashError::io(std::env::temp_dir(), "create a scratch directory", e))?;
    let mut query = String::from("ls -p \"/\"\n");
    for (path, entry) in &entries {
        if matches!(entry, Entry::Dir) {
            query.push_str(&format!("ls -p {}\n", quote(path)?));
        }
    }
    let query_path = work.path().join("query");
    std::fs::write(&query_path, query)
        .map_err(|e| FlashError::io(&query_path, "write a debugfs script", e))?;
    let listing = parse_listing(&tools.run(
        "debugfs",
        &["-f".into(), query_path.display().to_string(), spec.clone()],
    )?);
    let existing = |path: &str| -> Option<bool> {
        let (parent, name) = path.rsplit_once('/')?;
        let parent = if parent.is_empty() { "/" } else { parent };
        listing.get(parent)?.get(name).copied()
    };
    let mut script = String::new();
    for (path, entry) in &entries {
        let q = quote(path)?;
        match (entry, existing(path)) {
            (Entry::Dir, Some(true)) => {}
            (Entry::Dir, Some(false)) => {
                return Err(FlashError::Tool {
                    tool: "debugfs".into(),
                    detail: format!(
                        "{spec}: {path} is a file on the card but a directory in the files to add"
                    ),
                });
            }
            (Entry::Dir, None) => script.push_str(&format!("mkdir {q}\n")),
            (_, Some(true)) => {
                return Err(FlashError::Tool {
                    tool: "debugfs".into(),
                    detail: format!(
                        "{spec}: {path} is a directory on the card; it cannot be replaced by a file"
                    ),
                });
            }
            (Entry::File(host), seen) => {
                if seen.is_some() {
                    script.push_str(&format!("rm {q}\n"));
                }
                script.push_str(&format!(
                    "write {} {q}\n",
                    quote(&host.display().to_string())?
                ));
            }
            (Entry::Link(to), seen) => {
                if seen.is_some() {
                    script.push_str(&format!("rm {q}\n"));
                }
                script.push_str(&format!("symlink {q} {}\n", quote(to)?));
            }
        }
        script.push_str(&format!("sif {q} uid 0\nsif {q} gid 0\n"));
    }
    let script_path = work.path().join("apply");
    std::fs::write(&script_path, script)
        .map_err(|e| FlashError::io(&script_path, "write a debugfs script", e))?;
    tools
        .run(
            "debugfs",
            &[
                "-w".into(),
                "-f".into(),
                script_path.display().to_string(),
                spec,
            ],
        )
        .map(|_| ())
}

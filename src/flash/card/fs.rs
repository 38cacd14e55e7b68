//! File system images of one partition each, made with the real tools into sparse files:
//! FAT with mkfs.fat and mtools, ext4 with mke2fs (populated with `-d`) and debugfs.

use std::os::unix::fs::{FileExt, MetadataExt};
use std::path::Path;

use super::tools::ToolRunner;
use crate::flash::error::FlashError;
use crate::flash::sparse::data_extents;

fn arg(s: impl Into<String>) -> String {
    s.into()
}

fn create_sparse(path: &Path, size: u64) -> Result<(), FlashError> {
    let file = std::fs::File::create(path)
        .map_err(|e| FlashError::io(path, "create a file system image", e))?;
    file.set_len(size)
        .map_err(|e| FlashError::io(path, "size a file system image", e))
}

/// Top-level entries of a staging directory, sorted, as arguments.
fn entries(dir: &Path) -> Result<Vec<String>, FlashError> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map_err(|e| FlashError::io(dir, "list the files to copy", e))?
        .filter_map(Result::ok)
        .map(|e| e.path().display().to_string())
        .collect();
    names.sort();
    Ok(names)
}

/// A FAT image of `size` bytes for a partition starting at `start` (BPB hidden sectors), with
/// the contents of `content` copied in by mtools.
pub fn make_vfat(
    tools: &dyn ToolRunner,
    image: &Path,
    size: u64,
    start: u64,
    label: Option<&str>,
    extra: &[String],
    content: Option<&Path>,
) -> Result<(), FlashError> {
    create_sparse(image, size)?;
    let mut args = extra.to_vec();
    if let Some(label) = label {
        args.extend([arg("-n"), label.to_string()]);
    }
    args.extend([
        arg("-h"),
        (start / 512).to_string(),
        image.display().to_string(),
    ]);
    tools.run("mkfs.fat", &args)?;
    if let Some(dir) = content {
        let names = entries(dir)?;
        if !names.is_empty() {
            let mut args = vec![
                arg("-s"),
                arg("-o"),
                arg("-Q"),
                arg("-i"),
                image.display().to_string(),
            ];
            args.extend(names);
            args.push(arg("::/"));
            tools.run("mcopy", &args)?;
        }
    }
    Ok(())
}

/// An ext4 image of `size` bytes, populated from `content`. `nodiscard` keeps mke2fs from
/// assuming unwritten blocks read as zeros (they will not on a used card), and the journal's
/// blocks are then written as real zeros so they are copied to the card.
pub fn make_ext4(
    tools: &dyn ToolRunner,
    image: &Path,
    size: u64,
    label: Option<&str>,
    extra: &[String],
    content: Option<&Path>,
) -> Result<(), FlashError> {
    create_sparse(image, size)?;
    let mut args = vec![
        arg("-q"),
        arg("-F"),
        arg("-t"),
        arg("ext4"),
        arg("-b"),
        arg("4096"),
        arg("-E"),
        arg("nodiscard,lazy_itable_init=1,root_owner=0:0"),
    ];
    if let Some(label) = label {
        args.extend([arg("-L"), label.to_string()]);
    }
    args.extend(extra.iter().cloned());
    if let Some(dir) = content {
        args.extend([arg("-d"), dir.display().to_string()]);
    }
    args.extend([image.display().to_string(), (size / 4096).to_string()]);
    tools.run("mke2fs", &args)?;
    zero_expected_blocks(tools, image)?;
    if let Some(dir) = content {
        own_by_root(tools, image, dir)?;
    }
    Ok(())
}

/// Physical block ranges of the journal inode (8), from `debugfs stat <8>`.
fn journal_blocks(stat: &str) -> Vec<(u64, u64)> {
    let mut out = Vec::new();
    let mut in_extents = false;
    for line in stat.lines() {
        if line.starts_with("EXTENTS:") || line.starts_with("BLOCKS:") {
            in_extents = true;
            continue;
        }
        if !in_extents {
            continue;
        }
        for item in line.split(',') {
            let Some((_, physical)) = item.trim().split_once(':') else {
                continue;
            };
            let physical = physical.trim();
            let (a, b) = physical.split_once('-').unwrap_or((physical, physical));
            if let (Ok(a), Ok(b)) = (a.trim().parse::<u64>(), b.trim().parse::<u64>())
                && b >= a
            {
                out.push((a, b));
            }
        }
    }
    out
}

/// Block ranges of every group's inode table, from `debugfs stats` (group lines name where
/// each table starts; each spans inodes per group times inode size).
fn inode_tables(stats: &str) -> Vec<(u64, u64)> {
    let field = |name: &str| {
        stats
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().parse::<u64>().ok())
    };
    let (Some(per_group), Some(inode_size)) = (field("Inodes per group:"), field("Inode size:"))
    else {
        return Vec::new();
    };
    let blocks = (per_group * inode_size).div_ceil(4096);
    stats
        .lines()
        .filter_map(|l| l.split_once("inode table at ").map(|(_, rest)| rest))
        .filter_map(|rest| {
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            digits.parse::<u64>().ok()
        })
        .filter(|_| blocks > 0)
        .map(|first| (first, first + blocks - 1))
        .collect()
}

/// Writes real zeros into the holes of the blocks mke2fs expects zeroed on the card: the
/// journal and the inode tables (with lazy_itable_init they are holes in the file, and a used
/// card's old bytes there would read as garbage inodes).
fn zero_expected_blocks(tools: &dyn ToolRunner, image: &Path) -> Result<(), FlashError> {
    let stat = tools.run(
        "debugfs",
        &[arg("-R"), arg("stat <8>"), image.display().to_string()],
    )?;
    let stats = tools.run(
        "debugfs",
        &[arg("-R"), arg("stats"), image.display().to_string()],
    )?;
    let mut ranges = journal_blocks(&stat);
    ranges.extend(inode_tables(&stats));
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(image)
        .map_err(|e| FlashError::io(image, "open the ext4 image", e))?;
    let zeros = vec![0u8; 1 << 20];
    for (first, last) in ranges {
        let start = first * 4096;
        let end = (last + 1) * 4096;
        let data = data_extents(&file, start, end)
            .map_err(|e| FlashError::io(image, "map the journal", e))?;
        let mut holes = Vec::new();
        let mut cursor = start;
        for (s, e) in data {
            if s > cursor {
                holes.push((cursor, s));
            }
            cursor = e;
        }
        if cursor < end {
            holes.push((cursor, end));
        }
        for (mut s, e) in holes {
            while s < e {
                let n = (e - s).min(zeros.len() as u64) as usize;
                file.write_all_at(&zeros[..n], s)
                    .map_err(|e| FlashError::io(image, "zero the journal", e))?;
                s += n as u64;
            }
        }
    }
    Ok(())
}

/// mke2fs -d keeps the owners of the source files; files staged by a normal user must be root's
/// on the card, as upstream's install (rsync as root, no owners) leaves them.
fn own_by_root(tools: &dyn ToolRunner, image: &Path, dir: &Path) -> Result<(), FlashError> {
    let mut script = String::new();
    let mut stack = vec![(dir.to_path_buf(), String::new())];
    while let Some((host, inner)) = stack.pop() {
        let read = std::fs::read_dir(&host)
            .map_err(|e| FlashError::io(&host, "list the files to copy", e))?;
        for entry in read.filter_map(Result::ok) {
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = format!("{inner}/{name}");
            let meta = std::fs::symlink_metadata(entry.path())
                .map_err(|e| FlashError::io(entry.path(), "inspect a file to copy", e))?;
            if meta.uid() != 0 || meta.gid() != 0 {
                let quoted = quote(&path)?;
                script.push_str(&format!("sif {quoted} uid 0\nsif {quoted} gid 0\n"));
            }
            if meta.is_dir() {
                stack.push((entry.path(), path));
            }
        }
    }
    if script.is_empty() {
        return Ok(());
    }
    let script_path = image.with_extension("owners");
    std::fs::write(&script_path, script)
        .map_err(|e| FlashError::io(&script_path, "write a debugfs script", e))?;
    let result = tools.run(
        "debugfs",
        &[
            arg("-w"),
            arg("-f"),
            script_path.display().to_string(),
            image.display().to_string(),
        ],
    );
    let _ = std::fs::remove_file(&script_path);
    result.map(|_| ())
}

/// Quotes a path for a debugfs command line; names debugfs cannot express are refused.
pub fn quote(path: &str) -> Result<String, FlashError> {
    if path.contains('"') || path.contains('\n') || path.contains('\\') {
        return Err(FlashError::Tool {
            tool: "debugfs".into(),
            detail: format!(
                "cannot copy {path:?}: quotes, backslashes and newlines in names are not supported"
            ),
        });
    }
    Ok(format!("\"{path}\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_inode_tables() {
        let stats = "Inodes per group:         24320\nInode size:\t          256\n Group  0: block bitmap at 13, inode bitmap at 15, inode table at 17\n Group  1: block bitmap at 14, inode bitmap at 16, inode table at 1537\n";
        assert_eq!(inode_tables(stats), [(17, 1536), (1537, 3056)]);
        assert!(inode_tables("garbage").is_empty());
    }

    #[test]
    fn parses_journal_extents() {
        let stat = "Inode: 8   Type: regular\nEXTENTS:\n(0-16383):262144-278527\n";
        assert_eq!(journal_blocks(stat), [(262144, 278527)]);
        let split = "EXTENTS:\n(0-1023):1000-2023, (1024-2047):5000-6023\n";
        assert_eq!(journal_blocks(split), [(1000, 2023), (5000, 6023)]);
        assert!(journal_blocks("garbage").is_empty());
    }
}

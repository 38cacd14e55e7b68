//! Build logs under `workspaces/<ws>/logs/`: one timestamped file per run, old ones rotated.

use super::error::{BuildError, Result};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// Logs kept per workspace; older ones are removed when a new run starts.
pub const KEEP: usize = 10;

/// An open build log: every line prefixed with its UTC wall-clock time.
pub struct LogWriter {
    out: BufWriter<File>,
    path: PathBuf,
}

impl LogWriter {
    /// Create `<dir>/<label>-<UTC time>.log`, point `<dir>/latest.log` at it, and remove all
    /// but the newest `keep` logs.
    pub fn create(dir: &Path, label: &str, keep: usize) -> Result<LogWriter> {
        std::fs::create_dir_all(dir).map_err(|e| BuildError::io(dir, e))?;
        let stamp = utc(SystemTime::now()).replace([':', '-'], "");
        let label: String = label
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        let mut path = dir.join(format!("{label}-{stamp}.log"));
        let mut n = 1;
        while path.exists() {
            path = dir.join(format!("{label}-{stamp}-{n}.log"));
            n += 1;
        }
        let file = File::create(&path).map_err(|e| BuildError::io(&path, e))?;
        rotate(dir, keep.max(1), &path);
        let latest = dir.join("latest.log");
        let tmp = dir.join(".latest.log.tmp");
        let _ = std::fs::remove_file(&tmp);
        if let Some(name) = path.file_name()
            && std::os::unix::fs::symlink(name, &tmp).is_ok()
        {
            let _ = std::fs::rename(&tmp, &latest);
        }
        Ok(LogWriter {
            out: BufWriter::new(file),
            path,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Append one output line (raw bytes, colours kept) with its time.
    pub fn line(&mut self, at: SystemTime, raw: &[u8]) -> std::io::Result<()> {
        self.out.write_all(utc(at).as_bytes())?;
        self.out.write_all(b" ")?;
        self.out.write_all(raw)?;
        self.out.write_all(b"\n")
    }

    /// Append a line of skiff's own (start and end notes), marked with `#`.
    pub fn note(&mut self, text: &str) -> std::io::Result<()> {
        self.line(SystemTime::now(), format!("# skiff: {text}").as_bytes())
    }

    pub fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// Remove all but the newest `keep` `*.log` files (by name, which sorts by time), never
/// the one just created.
fn rotate(dir: &Path, keep: usize, current: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut logs: Vec<(SystemTime, PathBuf)> = entries
        .flatten()
        .filter(|e| e.file_type().map(|t| t.is_file()).unwrap_or(false))
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "log"))
        .map(|p| {
            let t = std::fs::metadata(&p)
                .and_then(|m| m.modified())
                .unwrap_or(UNIX_EPOCH);
            (t, p)
        })
        .collect();
    logs.sort();
    let excess = logs.len().saturating_sub(keep);
    for (_, p) in logs.into_iter().take(excess) {
        if p != current {
            let _ = std::fs::remove_file(&p);
            let _ = std::fs::remove_file(p.with_extension("steps"));
        }
    }
}

/// RFC 3339 UTC time with milliseconds: `2026-08-24T18:31:30.123Z`.
pub fn utc(t: SystemTime) -> String {
    let d = t.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = d.as_secs() as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, day) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        d.subsec_millis()
    )
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn formats_utc() {
        let t = UNIX_EPOCH + Duration::from_millis(1_795_626_623_168);
        assert_eq!(utc(t), "2026-11-25T17:10:23.168Z");
        assert_eq!(utc(UNIX_EPOCH), "1970-01-01T00:00:00.000Z");
        let leap = UNIX_EPOCH + Duration::from_secs(951_782_400);
        assert_eq!(utc(leap), "2000-02-29T00:00:00.000Z");
    }

    #[test]
    fn rotation_keeps_the_newest() {
        let dir = tempfile::tempdir().unwrap();
        let mut paths = Vec::new();
        for _ in 0..4 {
            let mut w = LogWriter::create(dir.path(), "build", 3).unwrap();
            w.note("hello").unwrap();
            w.flush().unwrap();
            paths.push(w.path().to_path_buf());
            std::thread::sleep(Duration::from_millis(20));
        }
        let logs: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .filter(|e| e.file_type().unwrap().is_file())
            .collect();
        assert_eq!(logs.len(), 3);
        assert!(!paths[0].exists());
        assert!(paths[3].exists());
        let latest = std::fs::read_link(dir.path().join("latest.log")).unwrap();
        assert_eq!(latest, paths[3].file_name().unwrap());
        let text = std::fs::read_to_string(&paths[3]).unwrap();
        assert!(text.ends_with(" # skiff: hello\n"), "{text}");
    }
}

//! The shell commands skiff runs on the device. Every value in them goes through
//! `model::env::shell_quote` (the same quoting as bind_env.sh); the only text taken as-is
//! are the commands a user (or a test) gives to replace the mount, remount and reboot steps.

use crate::model::env::shell_quote as quote;

/// Which SHA-256 tool the device uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hasher {
    /// coreutils or busybox `sha256sum`.
    Sha256sum,
    /// `openssl dgst -sha256` (several times faster where the CPU has SHA instructions).
    Openssl,
}

impl Hasher {
    /// Command that hashes its stdin and prints the hex digest first.
    /// The name `probe` prints and `probe_then_survey` reads back.
    pub fn name(self) -> &'static str {
        match self {
            Hasher::Sha256sum => "sha256sum",
            Hasher::Openssl => "openssl",
        }
    }

    pub fn stdin_command(self) -> &'static str {
        match self {
            Hasher::Sha256sum => "sha256sum",
            Hasher::Openssl => "openssl dgst -sha256 -r",
        }
    }
}

/// Name beside `dest` that an upload goes to before the swap.
pub fn temp_name(dest: &str) -> String {
    match dest.rsplit_once('/') {
        Some((dir, name)) => format!("{dir}/.{name}.skiff-new"),
        None => format!(".{dest}.skiff-new"),
    }
}

/// Where the previous version of `dest` is kept.
pub fn previous_name(dest: &str) -> String {
    format!("{dest}.previous")
}

/// Prints `arch=`, `hasher=` and the device's skiff-release prefixed with `release:`.
pub fn probe(release_file: &str) -> String {
    let r = quote(release_file);
    format!(
        "echo \"arch=$(uname -m)\"; \
         if command -v openssl >/dev/null 2>&1 && echo | openssl dgst -sha256 -r >/dev/null 2>&1; \
         then echo hasher=openssl; else echo hasher=sha256sum; fi; \
         if [ -r {r} ]; then sed 's/^/release:/' {r}; fi; \
         echo \"boot_id=$(cat /proc/sys/kernel/random/boot_id 2>/dev/null)\""
    )
}

/// Mounts the boot partition on `boot` when nothing is mounted there: the board's
/// `BOOT_DEVICE` from mount-all.pre.d, else the usual labels and first SD/eMMC partitions.
pub fn mount_boot(boot: &str) -> String {
    let b = quote(boot);
    format!(
        "mountpoint -q {b} 2>/dev/null && exit 0; \
         for f in /opt/skiff/scripts/mount-all.pre.d/*.sh; do [ -r \"$f\" ] && . \"$f\"; done; \
         mkdir -p {b} || exit 1; \
         if [ -n \"$BOOT_DEVICE\" ]; then mount $BOOT_MNT_FLAGS \"$BOOT_DEVICE\" {b}; fi; \
         for d in LABEL=BOOT LABEL=boot /dev/mmcblk0p1 /dev/mmcblk1p1; do \
         mountpoint -q {b} && break; mount \"$d\" {b} 2>/dev/null; done; \
         mountpoint -q {b} || {{ echo \"no boot partition could be mounted on \"{b} >&2; exit 1; }}; \
         echo mounted"
    )
}

/// Remounts `rootfs` read-write when it is read-only; prints `remounted` when it did.
pub fn remount_rw(rootfs: &str) -> String {
    let r = quote(rootfs);
    format!("[ -w {r} ] && exit 0; mount -o remount,rw {r} && echo remounted")
}

/// Puts `rootfs` back to read-only.
pub fn remount_ro(rootfs: &str) -> String {
    format!("sync; mount -o remount,ro {}", quote(rootfs))
}

/// Reboots in the background so the session returns first.
pub fn reboot() -> String {
    "(sleep 1; reboot) >/dev/null 2>&1 </dev/null &".into()
}

/// The line `probe_then_survey` prints when the probe's answer is complete.
pub const PROBE_DONE: &str = "skiff-probe-done";

/// The probe, then [`PROBE_DONE`], then a line read from stdin: `stop` ends the script (the
/// device does not fit the build), a hasher name goes on with `mount` (the boot partition),
/// the last manifest (lines prefixed `m:`) and [`existing`] with that hasher. One session
/// instead of two, and nothing is mounted on a device skiff refuses.
pub fn probe_then_survey(
    release_file: &str,
    mount: &str,
    manifest: &str,
    dirs: &[&str],
    files: &[&str],
) -> String {
    let m = quote(manifest);
    let arms: String = [Hasher::Openssl, Hasher::Sha256sum]
        .iter()
        .map(|h| format!("{}) H={};; ", h.name(), quote(h.stdin_command())))
        .collect();
    format!(
        "{}; echo {PROBE_DONE}; read -r answer || exit 1; \
         case \"$answer\" in {arms}*) exit 0;; esac; \
         ( {mount} ) >/dev/null || exit 1; \
         if [ -f {m} ]; then sed 's/^/m:/' {m}; fi; {}",
        probe(release_file),
        existing("$H", dirs, files)
    )
}

/// Checks the directories exist, then prints `d <i>` for each path that is a directory and
/// `h <i> <sha256>` for each regular file, hashed with the shell command `h` (e.g. `$H`). The
/// work is a shell function called once per path, so each path is written once: the script
/// goes on a command line, where one argument is limited to 128 KiB.
pub fn existing(h: &str, dirs: &[&str], files: &[&str]) -> String {
    let mut s = String::new();
    for d in dirs {
        let q = quote(d);
        s.push_str(&format!(
            "[ -d {q} ] || {{ echo {} >&2; exit 1; }}; ",
            quote(&format!("{d} does not exist on the device"))
        ));
    }
    s.push_str(&format!(
        "e() {{ if [ -d \"$2\" ]; then echo \"d $1\"; elif [ -f \"$2\" ]; \
         then set -- \"$1\" $({h} < \"$2\") && echo \"h $1 $2\"; fi; }}; "
    ));
    for (i, path) in files.iter().enumerate() {
        s.push_str(&format!("e {i} {}; ", quote(path)));
    }
    s.push_str("exit 0");
    s
}

/// Hashes of each path and its `.previous`: lines `h <i> <sha256>` and `p <i> <sha256>` (one
/// shell function call per path, as in [`existing`]).
pub fn hashes_with_previous(hasher: Hasher, files: &[&str]) -> String {
    let h = hasher.stdin_command();
    let mut s = format!(
        "f() {{ if [ -f \"$3\" ]; then set -- \"$1\" \"$2\" $({h} < \"$3\") && \
         echo \"$1 $2 $3\"; fi; }}; "
    );
    for (i, path) in files.iter().enumerate() {
        s.push_str(&format!(
            "f h {i} {}; f p {i} {}; ",
            quote(path),
            quote(&previous_name(path))
        ));
    }
    s.push_str("exit 0");
    s
}

/// A test-only fault applied on the device after a file arrives: flips its first byte.
pub const CORRUPT: &str = "printf X | dd of=\"$t\" bs=1 count=1 conv=notrunc 2>/dev/null; ";

/// Receives stdin into `temp` (its directory created first), sets its mode, prints its
/// SHA-256 as read back from the file.
pub fn receive(hasher: Hasher, temp: &str, mode: u32, corrupt: bool) -> String {
    let dir = temp
        .rsplit_once('/')
        .map_or("/", |(d, _)| if d.is_empty() { "/" } else { d });
    format!(
        "t={}; mkdir -p {} && cat > \"$t\" && chmod {:o} \"$t\" && {}{} < \"$t\"",
        quote(temp),
        quote(dir),
        mode,
        if corrupt { CORRUPT } else { "" },
        hasher.stdin_command()
    )
}

/// [`receive`], then the device checks the hash itself: when it is `want`, `then` runs in
/// the same session (else the script fails after printing the hash).
pub fn receive_then(
    hasher: Hasher,
    temp: &str,
    mode: u32,
    corrupt: bool,
    want: &str,
    then: &str,
) -> String {
    format!(
        "h=$({}) || exit 1; set -- $h; echo \"$1\"; \
         [ \"$1\" = {} ] || {{ echo {} >&2; exit 1; }}; {then}",
        receive(hasher, temp, mode, corrupt),
        quote(want),
        quote(&format!("{temp} arrived damaged"))
    )
}

/// Writes `text` to `path` (a temporary name: the swap renames it).
pub fn write_text(path: &str, text: &str) -> String {
    format!("printf '%s' {} > {} || exit 1; ", quote(text), quote(path))
}

/// Removes leftover temporary files (after a failure).
pub fn remove(paths: &[String]) -> String {
    let list: Vec<String> = paths.iter().map(|p| quote(p)).collect();
    format!("rm -f {}", list.join(" "))
}

/// The swap: stale `.previous` files of the last push removed, the new manifest put in place,
/// each verified temporary renamed over its destination (the old file kept as `.previous`),
/// then `sync`. Stops at the first failing step.
pub fn swap(stale: &[String], manifest_temp: &str, manifest: &str, files: &[String]) -> String {
    let mut s = String::from("set -e; ");
    for p in stale {
        s.push_str(&format!("rm -f {}; ", quote(&previous_name(p))));
    }
    s.push_str(&format!(
        "mv -f {} {}; ",
        quote(manifest_temp),
        quote(manifest)
    ));
    for d in files {
        let q = quote(d);
        s.push_str(&format!(
            "if [ -e {q} ]; then mv -f {q} {}; fi; mv -f {} {q}; ",
            quote(&previous_name(d)),
            quote(&temp_name(d))
        ));
    }
    s.push_str("sync");
    s
}

/// The rollback: each path exchanged with its `.previous` (either may be absent), the
/// swapped manifest put in place, `sync`.
pub fn exchange(files: &[String], manifest_temp: &str, manifest: &str) -> String {
    let mut s = String::from("set -e; ");
    for d in files {
        let q = quote(d);
        let p = quote(&previous_name(d));
        let t = quote(&format!("{d}.skiff-swap"));
        s.push_str(&format!(
            "if [ -e {q} ]; then mv -f {q} {t}; fi; if [ -e {p} ]; then mv -f {p} {q}; fi; \
             if [ -e {t} ]; then mv -f {t} {p}; fi; "
        ));
    }
    s.push_str(&format!(
        "mv -f {} {}; sync",
        quote(manifest_temp),
        quote(manifest)
    ));
    s
}

/// Writes stdin to `path` through a temporary name and a rename.
pub fn write_atomically(path: &str) -> String {
    let t = quote(&temp_name(path));
    format!("cat > {t} && mv -f {t} {}", quote(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str) -> String {
        let out = std::process::Command::new("sh")
            .args(["-c", script])
            .output()
            .expect("sh");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf8")
    }

    #[test]
    fn the_survey_names_each_path_once_and_reports_files_and_directories() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("it's a file");
        std::fs::write(&file, b"abc").expect("write");
        let sub = dir.path().join("sub");
        std::fs::create_dir(&sub).expect("mkdir");
        let missing = dir.path().join("missing");
        let paths: Vec<String> = [&file, &sub, &missing]
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        let refs: Vec<&str> = paths.iter().map(String::as_str).collect();
        let root = dir.path().display().to_string();
        let script = existing("sha256sum", &[&root], &refs);
        assert_eq!(script.matches("it'\\''s a file").count(), 1, "{script}");
        let abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        assert_eq!(sh(&script), format!("h 0 {abc}\nd 1\n"));
        let previous = previous_name(&paths[0]);
        std::fs::write(&previous, b"abc").expect("write");
        assert_eq!(
            sh(&hashes_with_previous(Hasher::Sha256sum, &refs[..1])),
            format!("h 0 {abc}\np 0 {abc}\n")
        );
    }
}

//! The push itself: plan, connect, compare, upload to temporary names with the SHA-256 checked
//! on the device, swap everything in only when every file verified, then optionally reboot.
//! Also the rollback to the `.previous` set.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use sha2::{Digest, Sha256};

use super::device::{BuildInfo, DeviceInfo, parse_probe};
use super::event::{FailReason, PushError, PushEvent, PushPhase, PushSink};
use super::manifest::Manifest;
use super::plan::{DeviceDirs, LocalFile};
use super::script::{self, Hasher};
use super::ssh::{Connection, SshTarget};
use crate::flash::CancelToken;
use crate::flash::bmap::hex;
use crate::model::layout::Layout;

/// File name of the manifest, in the boot directory.
pub const MANIFEST_NAME: &str = ".skiff-push-manifest";

/// Commands that replace the default device steps (a device with another mount scheme, or
/// tests whose "device" is a plain directory). Run as given by the device's shell.
#[derive(Debug, Clone, Default)]
pub struct DeviceCommands {
    pub mount_boot: Option<String>,
    pub remount_rw: Option<String>,
    pub remount_ro: Option<String>,
    pub reboot: Option<String>,
}

/// A fault injected for tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Flip the first byte of the named file (device path ending) after it arrives.
    Corrupt(String),
    /// Kill the connection after this many bytes were sent.
    DropAfter(u64),
}

#[derive(Debug, Clone)]
pub struct PushRequest {
    pub target: SshTarget,
    pub dirs: DeviceDirs,
    /// The running system's skiff-release (default `/etc/skiff-release`).
    pub release_file: String,
    pub commands: DeviceCommands,
    /// None: openssl when the device has it, else sha256sum.
    pub hasher: Option<Hasher>,
    pub dry_run: bool,
    /// Push to a device whose architecture or board differs.
    pub force: bool,
    /// Reboot after the swap and wait this long for the device to answer.
    pub reboot: Option<Duration>,
    pub connect_timeout: Duration,
    pub fault: Option<Fault>,
    pub cancel: CancelToken,
}

impl PushRequest {
    pub fn new(target: SshTarget) -> PushRequest {
        PushRequest {
            target,
            dirs: DeviceDirs::default(),
            release_file: "/etc/skiff-release".into(),
            commands: DeviceCommands::default(),
            hasher: None,
            dry_run: false,
            force: false,
            reboot: None,
            connect_timeout: Duration::from_secs(30),
            fault: None,
            cancel: CancelToken::new(),
        }
    }

    pub fn manifest_path(&self) -> String {
        format!("{}/{MANIFEST_NAME}", self.dirs.boot.trim_end_matches('/'))
    }
}

/// The workspace side of a push.
#[derive(Debug, Clone)]
pub struct Build {
    pub layout: Layout,
    pub images: PathBuf,
    pub info: BuildInfo,
}

/// How a push or rollback ended.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outcome {
    pub sent: usize,
    pub skipped: usize,
    pub bytes: u64,
    pub release: Option<String>,
}

fn err(reason: FailReason, phase: PushPhase, message: impl Into<String>) -> PushError {
    PushError::new(reason, phase, message)
}

fn remote_err(phase: PushPhase, what: &str, e: std::io::Error) -> PushError {
    err(
        FailReason::Connect,
        phase,
        format!("cannot run ssh to {what}: {e}"),
    )
}

/// A session where the connection is open and the device known.
pub(super) struct Session<'a> {
    pub req: &'a PushRequest,
    pub conn: Connection,
    pub device: DeviceInfo,
    pub hasher: Hasher,
    remounted: bool,
}

impl Session<'_> {
    /// Runs a step; a failure is `reason` in `phase`, worded "<what> failed on <host>".
    pub fn step(&self, phase: PushPhase, what: &str, script: &str) -> Result<String, PushError> {
        let ran = self
            .conn
            .run(script, &[])
            .map_err(|e| remote_err(phase, what, e))?;
        if ran.ok() {
            return Ok(ran.stdout);
        }
        let reason = if ran.status == Some(255) {
            FailReason::ConnectionLost
        } else {
            FailReason::Remote
        };
        Err(err(
            reason,
            phase,
            format!(
                "{what} failed on {}: {}",
                self.req.target.destination,
                ran.why()
            ),
        ))
    }

    pub fn mount_boot(&self, phase: PushPhase) -> Result<(), PushError> {
        let script = self
            .req
            .commands
            .mount_boot
            .clone()
            .unwrap_or_else(|| script::mount_boot(&self.req.dirs.boot));
        self.step(phase, "mounting the boot partition", &script)
            .map(|_| ())
    }

    pub fn remount_rw(&mut self, phase: PushPhase) -> Result<(), PushError> {
        let script = self
            .req
            .commands
            .remount_rw
            .clone()
            .unwrap_or_else(|| script::remount_rw(&self.req.dirs.rootfs));
        let out = self.step(phase, "remounting the root partition read-write", &script)?;
        self.remounted = out.contains("remounted") || self.req.commands.remount_rw.is_some();
        Ok(())
    }

    /// Puts the root partition back to read-only when this push made it writable.
    pub fn restore_ro(&mut self, sink: &mut dyn PushSink) {
        if !std::mem::take(&mut self.remounted) {
            return;
        }
        let script = self
            .req
            .commands
            .remount_ro
            .clone()
            .unwrap_or_else(|| script::remount_ro(&self.req.dirs.rootfs));
        if let Err(e) = self.step(
            PushPhase::Swap,
            "remounting the root partition read-only",
            &script,
        ) {
            sink.emit(PushEvent::Warning { message: e.message });
        }
    }

    pub fn read_manifest(&self, phase: PushPhase) -> Result<Option<Manifest>, PushError> {
        let q = crate::model::env::shell_quote(&self.req.manifest_path());
        let out = self.step(
            phase,
            "reading the push manifest",
            &format!("if [ -f {q} ]; then cat {q}; fi"),
        )?;
        if out.is_empty() {
            return Ok(None);
        }
        self.parse_manifest(&out, phase).map(Some)
    }

    pub fn parse_manifest(&self, text: &str, phase: PushPhase) -> Result<Manifest, PushError> {
        Manifest::parse(text).map_err(|e| {
            err(
                FailReason::Remote,
                phase,
                format!(
                    "{}:{}: {e}; move the file away to start a new history",
                    self.req.target.destination,
                    self.req.manifest_path()
                ),
            )
        })
    }
}

pub(super) fn connect<'a>(
    req: &'a PushRequest,
    sink: &mut dyn PushSink,
) -> Result<Session<'a>, PushError> {
    sink.emit(PushEvent::PhaseStarted {
        phase: PushPhase::Connect,
    });
    req.target
        .check()
        .map_err(|m| err(FailReason::Usage, PushPhase::Connect, m))?;
    let conn = Connection::open(&req.target, req.connect_timeout)?;
    let ran = conn
        .run(&script::probe(&req.release_file), &[])
        .map_err(|e| remote_err(PushPhase::Connect, "ask the device", e))?;
    if !ran.ok() {
        return Err(err(
            FailReason::Connect,
            PushPhase::Connect,
            format!(
                "asking {} what it runs failed: {}",
                req.target.destination,
                ran.why()
            ),
        ));
    }
    let device = parse_probe(&ran.stdout);
    sink.emit(PushEvent::Device {
        arch: device.arch.clone(),
        release: device.release.get("VERSION").cloned(),
        board: device
            .release
            .get("BUILD_CONFIG")
            .and_then(|s| super::device::board_of(s)),
    });
    let hasher = req.hasher.or(device.hasher).unwrap_or(Hasher::Sha256sum);
    Ok(Session {
        req,
        conn,
        device,
        hasher,
        remounted: false,
    })
}

/// SHA-256 of a local file.
pub fn hash_file(path: &std::path::Path) -> std::io::Result<String> {
    use std::io::Read;
    let mut f = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            return Ok(hex(&hasher.finalize()));
        }
        hasher.update(&buf[..n]);
    }
}

/// What the device has, in one session: the boot partition mounted, the last manifest, and
/// the SHA-256 of each destination that exists there.
pub(super) type Survey = (Option<Manifest>, BTreeMap<usize, String>);

pub(super) fn survey(s: &Session<'_>, files: &[LocalFile]) -> Result<Survey, PushError> {
    let phase = PushPhase::Compare;
    let mount = s
        .req
        .commands
        .mount_boot
        .clone()
        .unwrap_or_else(|| script::mount_boot(&s.req.dirs.boot));
    let manifest = crate::model::env::shell_quote(&s.req.manifest_path());
    let dirs = [s.req.dirs.boot.as_str(), s.req.dirs.rootfs.as_str()];
    let paths: Vec<&str> = files.iter().map(|f| f.dest.as_str()).collect();
    let script = format!(
        "( {mount} ) >/dev/null || exit 1; \
         if [ -f {manifest} ]; then sed 's/^/m:/' {manifest}; fi; {}",
        script::existing(s.hasher, &dirs, &paths)
    );
    let out = s.step(
        phase,
        "mounting the boot partition and hashing the files",
        &script,
    )?;
    let text: String = out
        .lines()
        .filter_map(|l| l.strip_prefix("m:"))
        .map(|l| format!("{l}\n"))
        .collect();
    let old = if text.is_empty() {
        None
    } else {
        Some(s.parse_manifest(&text, phase)?)
    };
    let mut found = BTreeMap::new();
    for l in out.lines() {
        let mut parts = l.split_whitespace();
        let (kind, i) = (
            parts.next(),
            parts.next().and_then(|i| i.parse::<usize>().ok()),
        );
        match (kind, i) {
            (Some("d"), Some(i)) if i < files.len() => {
                return Err(err(
                    FailReason::Remote,
                    phase,
                    format!(
                        "{} is a directory on {}; the build has a file there",
                        files[i].dest, s.req.target.destination
                    ),
                ));
            }
            (Some("h"), Some(i)) if i < files.len() => {
                if let Some(h) = parts.next().filter(|h| super::manifest::is_sha256(h)) {
                    found.insert(i, h.to_string());
                }
            }
            _ => {}
        }
    }
    Ok((old, found))
}

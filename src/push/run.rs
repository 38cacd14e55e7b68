//! The push flow (plan, connect, compare, upload, swap, reboot) and the public entry points
//! `push` and `rollback` (whose steps are in rollback.rs).

use std::time::{Duration, Instant};

use super::engine::{
    Build, Fault, Outcome, PushRequest, Session, connect, connect_and_survey, hash_file,
};
use super::event::{FailReason, PushError, PushEvent, PushPhase, PushSink};
use super::manifest::{Entry, Manifest};
use super::plan::{LocalFile, line, select};
use super::script;
use super::ssh::UploadFailure;

fn err(reason: FailReason, phase: PushPhase, message: impl Into<String>) -> PushError {
    PushError::new(reason, phase, message)
}

const KEPT: &str = "the device keeps its previous files";

/// Progress throttle: at most four events a second.
struct Meter {
    start: Instant,
    last: Instant,
    bytes: u64,
    total: u64,
}

impl Meter {
    /// Sets the bytes sent so far (never backwards); emits at most four events a second,
    /// and always the one that reaches the total.
    fn set(&mut self, bytes: u64, file: &str, sink: &mut dyn PushSink) {
        if bytes <= self.bytes {
            return;
        }
        self.bytes = bytes;
        let now = Instant::now();
        if now.duration_since(self.last) >= Duration::from_millis(250) || self.bytes == self.total {
            self.last = now;
            let secs = now.duration_since(self.start).as_secs_f64().max(1e-6);
            sink.emit(PushEvent::Progress {
                bytes: self.bytes,
                total: self.total,
                rate: self.bytes as f64 / secs,
                file: file.to_string(),
            });
        }
    }
}

/// Sends one file to its temporary name and checks the SHA-256 the device read back against
/// `local`. With `then` (the last file), the device checks the hash itself and, when it
/// matches, runs `then` (manifest and swap) in the same session.
fn upload_one(
    s: &mut Session<'_>,
    file: &LocalFile,
    local: &str,
    then: Option<&str>,
    meter: &mut Meter,
    sink: &mut dyn PushSink,
) -> Result<(), PushError> {
    let phase = PushPhase::Upload;
    let corrupt =
        matches!(&s.req.fault, Some(Fault::Corrupt(name)) if file.dest.ends_with(name.as_str()));
    let drop_after = match s.req.fault {
        Some(Fault::DropAfter(n)) => Some(n),
        _ => None,
    };
    let temp = script::temp_name(&file.dest);
    let command = match then {
        Some(then) => script::receive_then(s.hasher, &temp, file.mode, corrupt, local, then),
        None => script::receive(s.hasher, &temp, file.mode, corrupt),
    };
    let cancel = s.req.cancel.clone();
    let base = meter.bytes;
    let mut result = s.conn.upload(&command, &file.src, &mut |done, conn| {
        meter.set(base + done, &file.dest, sink);
        if drop_after.is_some_and(|n| meter.bytes >= n) {
            conn.kill();
        }
        !cancel.is_cancelled()
    });
    // The injected drop happens once N bytes are sent: a small file on a fast link can be
    // sent whole between two progress polls, so a crossed threshold drops it here.
    if let Some(n) = drop_after
        && result.is_ok()
        && base + file.size >= n
    {
        s.conn.kill();
        result = Err(UploadFailure::Lost(format!(
            "injected fault: connection dropped after {n} bytes"
        )));
    }
    meter.set(base + file.size, &file.dest, sink);
    let host = &s.req.target.destination;
    // With the swap in this session, the device prints the hash before its own check and the
    // swap: a failure after it is the swap's.
    let (out, swap_failure) = match result {
        Ok(out) => (out, None),
        Err(UploadFailure::Remote(why, out)) if then.is_some() && !out.trim().is_empty() => {
            (out, Some(why))
        }
        Err(f) => {
            return Err(match f {
                UploadFailure::Lost(why) => err(
                    FailReason::ConnectionLost,
                    phase,
                    format!(
                        "the connection to {host} dropped while sending {} ({why}); {KEPT}",
                        file.dest
                    ),
                ),
                UploadFailure::Remote(why, _) => err(
                    FailReason::Remote,
                    phase,
                    format!("writing {temp} on {host} failed: {why}; {KEPT}"),
                ),
                UploadFailure::Local(why) => {
                    err(FailReason::NoBuild, phase, format!("{why}; {KEPT}"))
                }
                UploadFailure::Cancelled => err(
                    FailReason::Interrupted,
                    phase,
                    format!("interrupted; {KEPT}"),
                ),
            });
        }
    };
    let remote = out.split_whitespace().next().unwrap_or("");
    if remote != local {
        return Err(err(
            FailReason::HashMismatch,
            phase,
            format!(
                "{} arrived damaged on {host}: SHA-256 {remote} on the device, {local} here; {KEPT}",
                file.dest
            ),
        ));
    }
    sink.emit(PushEvent::Verified {
        path: file.dest.clone(),
        sha256: local.to_string(),
    });
    if let Some(why) = swap_failure {
        return Err(swap_failed(host, &why));
    }
    Ok(())
}

fn swap_failed(host: &str, why: &str) -> PushError {
    swap_error(FailReason::Remote, host, why)
}

fn swap_error(reason: FailReason, host: &str, why: &str) -> PushError {
    err(
        reason,
        PushPhase::Swap,
        format!(
            "renaming the new files into place on {host} failed: {why}; some files may be \
             swapped: `skiff push --rollback` restores the previous set"
        ),
    )
}

/// Removes temporary files after a failed upload, when the connection still works.
fn clean_up(s: &mut Session<'_>, temps: &[String], sink: &mut dyn PushSink) {
    if temps.is_empty() || !s.conn.alive() {
        return;
    }
    if let Err(e) = s.step(
        PushPhase::Upload,
        "removing temporary files",
        &script::remove(temps),
    ) {
        sink.emit(PushEvent::Warning { message: e.message });
    }
}

/// The longest swap script that rides on the last upload's command line. A device's shell
/// takes at most 128 KiB in one argument (Linux), and the upload command carries more than the
/// script; a longer one (hundreds of files, as a Raspberry Pi's overlays, or long paths) runs in
/// a session of its own, read from standard input.
const INLINE_SWAP_MAX: usize = 16 * 1024;

/// Uploads every file (`send`: file, the hash on the device before, the local hash); the
/// last upload's session also writes the manifest and swaps everything in, once its own
/// hash matched (the earlier ones were checked by then). A swap script too long for that
/// runs after the uploads in its own session.
fn transfer(
    s: &mut Session<'_>,
    send: &[(LocalFile, Option<String>, String)],
    old: Option<&Manifest>,
    release: Option<String>,
    sink: &mut dyn PushSink,
) -> Result<u64, PushError> {
    sink.emit(PushEvent::PhaseStarted {
        phase: PushPhase::Upload,
    });
    let rootfs = s.req.dirs.rootfs.trim_end_matches('/').to_string() + "/";
    if send.iter().any(|(f, _, _)| f.dest.starts_with(&rootfs)) {
        s.remount_rw(PushPhase::Upload)?;
    }
    let total = send.iter().map(|(f, _, _)| f.size).sum();
    let manifest = Manifest {
        pushed: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
        release,
        entries: send
            .iter()
            .map(|(f, before, new)| Entry {
                path: f.dest.clone(),
                new: Some(new.clone()),
                old: before.clone(),
            })
            .collect(),
    };
    let then = swap_script(s, &manifest, old);
    let inline = then.len() <= INLINE_SWAP_MAX;
    let now = Instant::now();
    let mut meter = Meter {
        start: now,
        last: now,
        bytes: 0,
        total,
    };
    let mut temps = vec![script::temp_name(&s.req.manifest_path())];
    for (i, (file, _, local)) in send.iter().enumerate() {
        temps.push(script::temp_name(&file.dest));
        let last = (inline && i + 1 == send.len()).then_some(then.as_str());
        let result = upload_one(s, file, local, last, &mut meter, sink);
        // The swap ran in the last upload's session: its phase is reported once that
        // session ended, before the swap's own failure if it failed.
        if last.is_some()
            && result
                .as_ref()
                .err()
                .is_none_or(|e| e.phase == PushPhase::Swap)
        {
            sink.emit(PushEvent::PhaseStarted {
                phase: PushPhase::Swap,
            });
        }
        if let Err(e) = result {
            if e.phase != PushPhase::Swap {
                clean_up(s, &temps, sink);
            }
            return Err(e);
        }
    }
    if !inline {
        sink.emit(PushEvent::PhaseStarted {
            phase: PushPhase::Swap,
        });
        swap_alone(s, &then)?;
    }
    Ok(total)
}

/// Runs a swap script in a session of its own, the device's `sh` reading it from standard
/// input (no length limit).
fn swap_alone(s: &Session<'_>, script: &str) -> Result<(), PushError> {
    let host = &s.req.target.destination;
    let ran = s
        .conn
        .run("sh -s", script.as_bytes())
        .map_err(|e| swap_error(FailReason::Connect, host, &format!("cannot run ssh: {e}")))?;
    match ran.status {
        Some(0) => Ok(()),
        Some(255) => Err(swap_error(FailReason::ConnectionLost, host, &ran.why())),
        _ => Err(swap_failed(host, &ran.why())),
    }
}

/// What the last upload runs once its hash matched: the manifest written beside its place,
/// then the swap (`script::swap`) and `sync`.
fn swap_script(s: &Session<'_>, manifest: &Manifest, old: Option<&Manifest>) -> String {
    let manifest_path = s.req.manifest_path();
    let manifest_temp = script::temp_name(&manifest_path);
    let dests: Vec<String> = manifest.entries.iter().map(|e| e.path.clone()).collect();
    let stale: Vec<String> = old
        .map(|m| {
            m.entries
                .iter()
                .map(|e| e.path.clone())
                .filter(|p| !dests.contains(p))
                .collect()
        })
        .unwrap_or_default();
    format!(
        "{}{}",
        script::write_text(&manifest_temp, &manifest.render()),
        script::swap(&stale, &manifest_temp, &manifest_path, &dests)
    )
}

/// A failure after a cancel is an interruption, whatever broke first (Ctrl-C also reaches
/// the ssh processes).
fn interrupted(
    req: &PushRequest,
    result: Result<Outcome, PushError>,
) -> Result<Outcome, PushError> {
    result.map_err(|mut e| {
        if req.cancel.is_cancelled() {
            e.reason = FailReason::Interrupted;
        }
        e
    })
}

/// Pushes the build to the device and returns how it ended; the caller emits `Started` and
/// the final `Done` or `Failed`.
pub fn push(
    req: &PushRequest,
    build: &Build,
    sink: &mut dyn PushSink,
) -> Result<Outcome, PushError> {
    interrupted(req, push_build(req, build, sink))
}

/// Swaps the last pushed set with the `.previous` files, after checking every file on the
/// device is still what the manifest says.
pub fn rollback(req: &PushRequest, sink: &mut dyn PushSink) -> Result<Outcome, PushError> {
    interrupted(req, super::rollback::roll_back(req, sink))
}

fn push_build(
    req: &PushRequest,
    build: &Build,
    sink: &mut dyn PushSink,
) -> Result<Outcome, PushError> {
    sink.emit(PushEvent::PhaseStarted {
        phase: PushPhase::Plan,
    });
    let selection = select(&build.layout, &build.images, &req.dirs)?;
    for note in &selection.notes {
        sink.emit(PushEvent::Notice {
            message: note.clone(),
        });
    }
    // Local hashes are computed while the connection is set up: the uploads need them
    // before they start (the last one checks its hash on the device before the swap).
    let files = selection.files.clone();
    let hashing = std::thread::spawn(move || {
        files
            .iter()
            .map(|f| hash_file(&f.src).map_err(|e| format!("{}: {e}", f.src.display())))
            .collect::<Result<Vec<String>, String>>()
    });
    let (mut s, (old, remote)) = connect_and_survey(req, &build.info, &selection.files, sink)?;
    let local = match hashing.join() {
        Ok(Ok(h)) => h,
        Ok(Err(e)) => return Err(err(FailReason::NoBuild, PushPhase::Compare, e)),
        Err(_) => {
            return Err(err(
                FailReason::Internal,
                PushPhase::Compare,
                "the hashing thread failed",
            ));
        }
    };
    let mut send = Vec::new();
    let mut skipped = 0;
    for ((i, file), hash) in selection.files.iter().enumerate().zip(local) {
        let same = remote.get(&i) == Some(&hash);
        sink.emit(PushEvent::File(line(file, !same)));
        if same {
            skipped += 1;
        } else {
            send.push((file.clone(), remote.get(&i).cloned(), hash));
        }
    }
    let mut outcome = Outcome {
        sent: send.len(),
        skipped,
        ..Outcome::default()
    };
    if req.dry_run || send.is_empty() {
        return Ok(outcome);
    }
    let release = std::fs::read_to_string(build.images.join("skiff-release"))
        .ok()
        .and_then(|t| super::device::parse_release(&t).get("VERSION").cloned());
    let result = transfer(&mut s, &send, old.as_ref(), release, sink);
    s.restore_ro(sink);
    outcome.bytes = result?;
    if let Some(timeout) = req.reboot {
        outcome.release = Some(reboot(s, timeout, sink)?);
    }
    Ok(outcome)
}

/// Reboots the device and waits until it answers with a new boot id; returns its VERSION.
fn reboot(s: Session<'_>, timeout: Duration, sink: &mut dyn PushSink) -> Result<String, PushError> {
    let phase = PushPhase::Reboot;
    sink.emit(PushEvent::PhaseStarted { phase });
    let req = s.req;
    let old_id = s.device.boot_id.clone();
    let command = req.commands.reboot.clone().unwrap_or_else(script::reboot);
    // The session may end with the connection when the device goes down at once.
    let _ = s.conn.run(&command, &[]);
    drop(s);
    let start = Instant::now();
    let mut last = String::from("no answer yet");
    while start.elapsed() < timeout {
        if req.cancel.is_cancelled() {
            return Err(err(
                FailReason::Interrupted,
                phase,
                "interrupted while waiting for the reboot",
            ));
        }
        std::thread::sleep(Duration::from_secs(1));
        let left = timeout
            .saturating_sub(start.elapsed())
            .max(Duration::from_secs(1));
        let mut quiet = |_e: PushEvent| {};
        let mut short = req.clone();
        short.connect_timeout = left.min(Duration::from_secs(10));
        match connect(&short, &mut quiet) {
            Ok(again) if !again.device.boot_id.is_empty() && again.device.boot_id != old_id => {
                let version = again
                    .device
                    .release
                    .get("VERSION")
                    .cloned()
                    .unwrap_or_default();
                sink.emit(PushEvent::Notice {
                    message: format!("{} is back up, running {version}", req.target.destination),
                });
                return Ok(version);
            }
            Ok(_) => last = "the device still runs the same boot".into(),
            Err(e) => last = e.message,
        }
    }
    Err(err(
        FailReason::RebootTimeout,
        phase,
        format!(
            "{} did not come back within {} s after the reboot ({last}); the new files are in place",
            req.target.destination,
            timeout.as_secs()
        ),
    ))
}

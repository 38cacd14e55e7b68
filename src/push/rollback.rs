//! `skiff push --rollback`: the last pushed set exchanged with its `.previous` files, after
//! checking on the device that every one of them is still what the manifest says.

use std::collections::BTreeMap;

use super::engine::{Outcome, PushRequest, connect};
use super::event::{FailReason, PushError, PushEvent, PushPhase, PushSink};
use super::script;

fn err(reason: FailReason, phase: PushPhase, message: impl Into<String>) -> PushError {
    PushError::new(reason, phase, message)
}

pub(super) fn roll_back(req: &PushRequest, sink: &mut dyn PushSink) -> Result<Outcome, PushError> {
    let phase = PushPhase::Rollback;
    let mut s = connect(req, sink)?;
    sink.emit(PushEvent::PhaseStarted { phase });
    s.mount_boot(phase)?;
    let host = &req.target.destination;
    let manifest = s.read_manifest(phase)?.ok_or_else(|| {
        err(FailReason::NothingToRollBack, phase, format!(
            "{host} has no push manifest ({}): nothing was pushed by skiff, so there is nothing to roll back",
            req.manifest_path()
        ))
    })?;
    let paths: Vec<&str> = manifest.entries.iter().map(|e| e.path.as_str()).collect();
    let out = s.step(
        phase,
        "hashing the pushed files",
        &script::hashes_with_previous(s.hasher, &paths),
    )?;
    let mut now: BTreeMap<(char, usize), String> = BTreeMap::new();
    for l in out.lines() {
        let mut p = l.split_whitespace();
        if let (Some(k), Some(Ok(i)), Some(h)) =
            (p.next(), p.next().map(str::parse::<usize>), p.next())
        {
            now.insert((k.chars().next().unwrap_or(' '), i), h.to_string());
        }
    }
    for (i, e) in manifest.entries.iter().enumerate() {
        let (cur, prev) = (now.get(&('h', i)), now.get(&('p', i)));
        if cur != e.new.as_ref() || prev != e.old.as_ref() {
            return Err(err(
                FailReason::Remote,
                phase,
                format!(
                    "{} or its .previous on {host} changed since the push; nothing was rolled back (move it away by hand)",
                    e.path
                ),
            ));
        }
    }
    if manifest
        .entries
        .iter()
        .all(|e| e.old.is_none() && e.new.is_none())
    {
        return Err(err(
            FailReason::NothingToRollBack,
            phase,
            format!("{host}: the manifest lists no files"),
        ));
    }
    let rootfs = req.dirs.rootfs.trim_end_matches('/').to_string() + "/";
    if paths.iter().any(|p| p.starts_with(&rootfs)) {
        s.remount_rw(phase)?;
    }
    let swapped = manifest.swapped();
    let manifest_path = req.manifest_path();
    let manifest_temp = script::temp_name(&manifest_path);
    let text = swapped.render();
    let files: Vec<String> = paths.iter().map(|p| p.to_string()).collect();
    let script = format!(
        "cat > {} && {}",
        crate::model::env::shell_quote(&manifest_temp),
        script::exchange(&files, &manifest_temp, &manifest_path)
    );
    let ran = s.conn.run(&script, text.as_bytes());
    s.restore_ro(sink);
    match ran {
        Ok(r) if r.ok() => Ok(Outcome {
            sent: files.len(),
            ..Outcome::default()
        }),
        Ok(r) => Err(err(
            FailReason::Remote,
            phase,
            format!("the rollback failed on {host}: {}", r.why()),
        )),
        Err(e) => Err(err(
            FailReason::Connect,
            phase,
            format!("cannot run ssh: {e}"),
        )),
    }
}

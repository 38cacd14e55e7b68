//! Executing a plan: every safety check again (the helper trusts nothing it is given), opening the
//! target exclusively, then the engine.

use std::os::unix::fs::MetadataExt;
use std::path::Path;

use super::cancel::CancelToken;
use super::engine::{RunOptions, Summary, run_on};
pub use super::environment::Environment;
use super::error::FlashError;
use super::event::{EventSink, FlashEvent, PhaseTracker};
use super::plan::{FileMode, FlashPlan, SegmentData, SourceSpec};
use super::rules::judge;
use super::source::PreparedSource;
use super::target::{Target, resolve};
use super::target_io::{BlockTarget, OpenTarget};

fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(x), Ok(y)) => x.dev() == y.dev() && x.ino() == y.ino(),
        _ => false,
    }
}

/// Files the plan reads, which must never be the target.
fn inputs(plan: &FlashPlan) -> Vec<&Path> {
    match &plan.source {
        SourceSpec::Image { path, bmap, .. } => {
            let mut v = vec![path.as_path()];
            v.extend(bmap.as_deref());
            v
        }
        SourceSpec::Assembly { segments, .. } => segments
            .iter()
            .filter_map(|s| match &s.data {
                SegmentData::File { path, .. } => Some(path.as_path()),
                SegmentData::Bytes { .. } | SegmentData::Zero { .. } => None,
            })
            .collect(),
    }
}

/// Resolves the plan's target, applies every rule, and opens it. Warnings go to `sink`.
pub fn open_checked(
    plan: &FlashPlan,
    env: &Environment,
    needed: Option<u64>,
    sink: &mut dyn EventSink,
) -> Result<Box<dyn BlockTarget>, FlashError> {
    let spec = &plan.target;
    let target = resolve(&env.view, env.props.as_ref(), &spec.path)?;
    match (target, spec.device) {
        (Target::Device(device), true) => {
            if let Some(expect) = &spec.expect {
                let now = device.identity();
                if &now != expect {
                    return Err(FlashError::IdentityChanged {
                        device: device.name.clone(),
                        detail: format!(
                            "planned {} bytes, model {:?}, serial {:?}; found {} bytes, model {:?}, serial {:?}",
                            expect.size,
                            expect.model,
                            expect.serial,
                            now.size,
                            now.model,
                            now.serial
                        ),
                    });
                }
            }
            let verdict = judge(&device, needed);
            if !verdict.writable {
                let confirmed = spec.force_unsafe.as_deref() == Some(device.name.as_str());
                if !(confirmed && verdict.overridable()) {
                    return Err(FlashError::Refused {
                        device: device.name.clone(),
                        reasons: verdict.reasons,
                    });
                }
                sink.emit(FlashEvent::Warning {
                    message: format!("{}: writing despite: {}", device.name, verdict.describe()),
                });
            }
            Ok(Box::new(OpenTarget::device(&device.path, &device.name)?))
        }
        (Target::File(file), false) => {
            if let Some(input) = inputs(plan).into_iter().find(|i| same_file(i, &file.path)) {
                return Err(FlashError::Plan {
                    detail: format!(
                        "the target {} is the plan's own input {}; choose another output file",
                        file.path.display(),
                        input.display()
                    ),
                });
            }
            match spec.file_mode {
                FileMode::Replace => Ok(Box::new(OpenTarget::new_file(&file.path)?)),
                FileMode::InPlace if file.existing_size.is_some() => {
                    Ok(Box::new(OpenTarget::in_place(&file.path)?))
                }
                FileMode::InPlace => Err(FlashError::Plan {
                    detail: format!(
                        "{} does not exist; an in-place write needs an existing image (give a size to create one)",
                        file.path.display()
                    ),
                }),
            }
        }
        (Target::Device(device), false) => Err(FlashError::Plan {
            detail: format!(
                "{} is the block device {}, but the plan names an image file; plan again",
                spec.path.display(),
                device.name
            ),
        }),
        (Target::File(file), true) => Err(FlashError::Plan {
            detail: format!(
                "{} is not a block device, but the plan names a device; plan again",
                file.path.display()
            ),
        }),
    }
}

/// Install writes into an existing card: its table must hold the partitions the plan expects.
fn check_expected_table(plan: &FlashPlan, target: &dyn BlockTarget) -> Result<(), FlashError> {
    if plan.expect_partitions.is_empty() {
        return Ok(());
    }
    let mut head = vec![0u8; 1 << 20];
    let got = target
        .read_at(&mut head, 0)
        .map_err(|source| FlashError::ReadBackFailed {
            device: target.name().to_string(),
            offset: 0,
            source,
        })?;
    head.truncate(got);
    let found = super::card::table::read(&head).ok_or_else(|| FlashError::Layout {
        detail: format!(
            "{} has no partition table; format it first (skiff format)",
            target.name()
        ),
    })?;
    for want in &plan.expect_partitions {
        let have = found.iter().find(|p| p.number == want.number);
        if have.is_none_or(|p| p.start != want.start || p.size != want.size) {
            return Err(FlashError::Layout {
                detail: format!(
                    "{}: partition {} ({}) should span bytes {}..{} but {}; format the card with this layout first (skiff format)",
                    target.name(),
                    want.number,
                    want.name,
                    want.start,
                    want.start + want.size,
                    have.map_or_else(
                        || "it does not exist".to_string(),
                        |p| format!("it spans {}..{}", p.start, p.start + p.size)
                    )
                ),
            });
        }
    }
    Ok(())
}

/// Checks, opens and writes. Emits `Failed` (with its reason and phase) on error as the last
/// event.
pub fn execute(
    plan: &FlashPlan,
    env: &Environment,
    sink: &mut dyn EventSink,
    cancel: &CancelToken,
) -> Result<Summary, FlashError> {
    execute_with(plan, env, sink, cancel, &open_checked)
}

/// How a run opens its target: [`open_checked`] everywhere but in tests, which wrap it to
/// inject faults (the batch station's failing and pulled cards).
pub type Opener = dyn Fn(
        &FlashPlan,
        &Environment,
        Option<u64>,
        &mut dyn EventSink,
    ) -> Result<Box<dyn BlockTarget>, FlashError>
    + Send
    + Sync;

/// [`execute`] with the target opened by `open` (which must apply [`open_checked`]'s rules).
pub fn execute_with(
    plan: &FlashPlan,
    env: &Environment,
    sink: &mut dyn EventSink,
    cancel: &CancelToken,
    open: &Opener,
) -> Result<Summary, FlashError> {
    let mut sink = PhaseTracker::new(sink);
    let result = run_checked(plan, env, &mut sink, cancel, open);
    if let Err(e) = &result {
        let phase = sink.phase;
        sink.emit(e.to_event(phase));
    }
    result
}

fn run_checked(
    plan: &FlashPlan,
    env: &Environment,
    sink: &mut dyn EventSink,
    cancel: &CancelToken,
    open: &Opener,
) -> Result<Summary, FlashError> {
    plan.check()?;
    let source = PreparedSource::prepare(&plan.source)?;
    let mut target = open(plan, env, source.image_size, sink)?;
    check_expected_table(plan, target.as_ref())?;
    let options = RunOptions {
        verify: plan.verify,
        wipe_ends: plan.wipe_ends,
        keep_uncovered: !plan.wipe_ends,
    };
    let work_path = target
        .partial_path()
        .map_or_else(|| plan.target.path.clone(), Path::to_path_buf);
    let mut post =
        |sink: &mut dyn EventSink| super::card::post::run_all(plan, &work_path, env, sink);
    let outcome = run_on(
        target.as_mut(),
        source,
        options,
        &env.config,
        sink,
        cancel,
        &mut post,
    );
    if outcome.is_err() {
        target.discard();
    }
    match outcome {
        Err(FlashError::Cancelled) if target.keeps_previous() => {
            Err(FlashError::CancelledFileKept {
                path: target.name().to_string(),
            })
        }
        other => other,
    }
}

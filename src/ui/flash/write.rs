//! Running one write for the flash screen: the target checked again, the plan built (an
//! image, or the stack's layout assembled for this card), then written in process (image
//! files) or through the privileged helper (devices).

use super::types::{Failure, FlashAction, FlashReport, FlashRequest};
use crate::flash::bmap::find_beside;
use crate::flash::card::{CardMode, SystemTools};
use crate::flash::engine::EngineConfig;
use crate::flash::event::{EventSink, FlashEvent, PhaseTracker};
use crate::flash::job::{CardJobRequest, plan_card};
use crate::flash::personalise;
use crate::flash::plan::PLAN_VERSION;
use crate::flash::system::default_properties;
use crate::flash::target::resolve;
use crate::flash::{
    CancelToken, Environment, FileMode, FlashError, FlashPlan, Helper, InProcess, QuietHelper,
    SourceSpec, Summary, SystemView, Target, TargetSpec, Writer,
};
use crate::model::Tree;
use std::path::{Path, PathBuf};

/// What a write thread needs.
pub(super) struct JobContext {
    pub(super) req: FlashRequest,
    pub(super) tree: Tree,
    /// The stack's layers (name, directory), in chain order.
    pub(super) layers: Vec<(String, PathBuf)>,
    pub(super) view: SystemView,
    pub(super) helper_program: Option<PathBuf>,
    pub(super) escalation: Result<Vec<String>, String>,
}

/// Plan the write, then run it: image files in process, devices through the helper.
pub(super) fn run_job(
    ctx: &JobContext,
    cancel: &CancelToken,
    send: &dyn Fn(FlashReport),
) -> Result<Summary, Failure> {
    let id = ctx.req.id;
    let mut forward = |event: FlashEvent| match event {
        // The outcome comes from the writer's result, once.
        FlashEvent::Done { .. } | FlashEvent::Failed { .. } => {}
        event => send(FlashReport::Event { id, event }),
    };
    let mut sink = PhaseTracker::new(&mut forward);
    // Kept until the write ends: file system images of format and install live in it.
    let mut work = None;
    let result = plan(ctx, &mut work, &mut |e| sink.emit(e)).and_then(|plan| {
        if cancel.is_cancelled() {
            return Err(FlashError::Cancelled);
        }
        writer(ctx, &plan)?.run(&plan, &mut sink, cancel)
    });
    drop(work);
    result.map_err(|e| {
        let mut f = Failure::of(&e, sink.phase);
        if let (FlashError::Escalation { .. }, Ok(esc)) = (&e, &ctx.escalation)
            && esc.iter().any(|a| a == "-n")
        {
            f.error.push_str(&format!(
                " ({} cannot ask for a password inside the TUI: run `{} -v` in this terminal first, or use skiff format/install/flash from a shell)",
                tool(&esc[0]),
                tool(&esc[0])
            ));
        }
        f
    })
}

/// Devices through the helper (escalated, quiet: the TUI owns the terminal), image files in
/// process against the screen's system view.
fn writer(ctx: &JobContext, plan: &FlashPlan) -> Result<Box<dyn Writer>, FlashError> {
    if !plan.target.device {
        return Ok(Box::new(InProcess {
            env: Environment {
                props: default_properties(&ctx.view),
                view: ctx.view.clone(),
                config: EngineConfig::default(),
                tools: Box::new(SystemTools),
            },
        }));
    }
    let escalation = ctx
        .escalation
        .clone()
        .map_err(|detail| FlashError::Escalation { detail })?;
    let program = match &ctx.helper_program {
        Some(p) => p.clone(),
        None => std::env::current_exe()
            .map_err(|e| FlashError::io("/proc/self/exe", "find skiff's own program", e))?,
    };
    Ok(Box::new(QuietHelper(Helper {
        program,
        escalation,
    })))
}

/// The tool's file name: `/usr/bin/sudo` → `sudo`.
pub(super) fn tool(path: &str) -> String {
    Path::new(path)
        .file_name()
        .map_or(path.to_string(), |n| n.to_string_lossy().into_owned())
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// The plan for a request, after checking the target is still the one the user chose.
fn plan(
    ctx: &JobContext,
    work: &mut Option<tempfile::TempDir>,
    sink: &mut dyn FnMut(FlashEvent),
) -> Result<FlashPlan, FlashError> {
    let req = &ctx.req;
    let props = default_properties(&ctx.view);
    let target = resolve(&ctx.view, props.as_ref(), &req.target)?;
    let (existing_len, path) = match &target {
        Target::Device(d) => {
            if !req.device || req.expect.as_ref().is_some_and(|x| *x != d.identity()) {
                return Err(FlashError::IdentityChanged {
                    device: d.name.clone(),
                    detail:
                        "the device is not the one confirmed; look again (r) and choose it anew"
                            .into(),
                });
            }
            (None, d.path.clone())
        }
        Target::File(f) => {
            if req.device {
                return Err(FlashError::Plan {
                    detail: format!(
                        "{} is no longer a block device; refresh the list (r)",
                        f.path.display()
                    ),
                });
            }
            (f.existing_size, absolute(&f.path))
        }
    };
    let file_mode = if existing_len.is_some() && req.action != FlashAction::WriteImage {
        FileMode::InPlace
    } else {
        FileMode::Replace
    };
    let spec = TargetSpec {
        path,
        device: req.device,
        expect: req.expect.clone(),
        file_mode,
        force_unsafe: req.force_unsafe.clone(),
    };
    let id = personalise::identity(1, &target);
    let files = match &req.persona {
        Some(p) if req.action != FlashAction::Format => personalise::render(p, &id)?,
        _ => Vec::new(),
    };
    if req.action == FlashAction::WriteImage {
        let image = absolute(req.image.as_deref().unwrap_or(Path::new("")));
        let mut plan = FlashPlan {
            version: PLAN_VERSION,
            target: spec,
            source: SourceSpec::Image {
                bmap: find_beside(&image),
                path: image,
                member: None,
                raw: false,
            },
            verify: true,
            wipe_ends: true,
            expect_partitions: Vec::new(),
            post: Vec::new(),
        };
        if !files.is_empty() {
            let place = personalise::find_persist(&plan.source)?;
            personalise::add_to_plan(&mut plan, &place, files);
        }
        return Ok(plan);
    }
    card_plan(ctx, &target, spec, work, sink, files)
}

/// The planner's request for a format or install the user confirmed on the flash screen.
pub fn job_request(tree: &Tree, layers: &[PathBuf], req: &FlashRequest) -> CardJobRequest {
    CardJobRequest {
        stack: req.stack.joined(),
        layers: layers.to_vec(),
        workspace: tree.workspace_dir(&req.workspace),
        images: None,
        arch: None,
        mode: match req.action {
            FlashAction::Install => CardMode::Install,
            FlashAction::Format | FlashAction::WriteImage => CardMode::Format,
        },
        size: None,
        verify: true,
    }
}

/// Format and install: the layout assembled for this card into a plan by the card-job planner.
fn card_plan(
    ctx: &JobContext,
    target: &Target,
    spec: TargetSpec,
    work: &mut Option<tempfile::TempDir>,
    sink: &mut dyn FnMut(FlashEvent),
    files: Vec<crate::flash::persist::PersistFile>,
) -> Result<FlashPlan, FlashError> {
    let layers: Vec<PathBuf> = ctx.layers.iter().map(|(_, d)| d.clone()).collect();
    let mut job = plan_card(
        &job_request(&ctx.tree, &layers, &ctx.req),
        target,
        spec,
        &SystemTools,
        sink,
    )?;
    for message in &job.card.warnings {
        sink(FlashEvent::Warning {
            message: message.clone(),
        });
    }
    personalise::add_to_job(&mut job, files)?;
    *work = Some(job.work);
    Ok(job.plan)
}

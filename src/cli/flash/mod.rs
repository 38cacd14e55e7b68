//! `skiff flash`, `skiff format`, `skiff install`, `skiff image build`, and the hidden helper
//! subcommand that writes devices with root rights.

pub mod card;
pub mod confirm;
pub mod image;
pub mod personalise;
pub mod progress;

use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::Args;

use crate::flash::bmap::find_beside;
use crate::flash::helper::serve;
use crate::flash::plan::PLAN_VERSION;
use crate::flash::reason::FailReason;
use crate::flash::source::PreparedSource;
use crate::flash::{
    CancelToken, Environment, EventSink, FileMode, FlashError, FlashEvent, FlashPlan, Phase,
    SourceSpec, writer_for,
};
use confirm::{SafetyArgs, choose};
use personalise::PersonaliseArgs;
use progress::JsonLines;

#[derive(Debug, Args)]
pub struct FlashArgs {
    /// The image: raw, compressed .gz, .xz, .zst, .bz2, or a .zip (recognised by content).
    pub image: PathBuf,
    /// Where to write: a whole disk (/dev/sdX, /dev/mmcblkN) or an image file.
    #[arg(long, value_name = "TARGET")]
    pub to: PathBuf,
    /// Block map naming the ranges that matter (default: IMAGE.bmap or the same name without
    /// the compression suffix, when present).
    #[arg(long, value_name = "FILE")]
    pub bmap: Option<PathBuf>,
    /// Ignore a block map found next to the image.
    #[arg(long, conflicts_with = "bmap")]
    pub no_bmap: bool,
    /// For a zip holding several files: the one to write (as `unzip -l` lists it).
    #[arg(long, value_name = "NAME")]
    pub member: Option<String>,
    /// Write the file even if its first sectors are not a disk image (no MBR, GPT, hybrid ISO
    /// or known boot image).
    #[arg(long)]
    pub raw: bool,
    /// Skip reading back what was written.
    #[arg(long)]
    pub no_verify: bool,
    /// Print events as JSON Lines on stdout instead of progress on stderr.
    #[arg(long)]
    pub json: bool,
    /// Show what would be written (image, target and its verdict, persist files) and exit.
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub safety: SafetyArgs,
    #[command(flatten)]
    pub persona: PersonaliseArgs,
}

#[derive(Debug, Args)]
pub struct HelperArgs {}

/// Stops the run between blocks on Ctrl-C or SIGTERM.
pub fn cancel_on_signals() -> CancelToken {
    let token = CancelToken::new();
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        let _ = signal_hook::flag::register(signal, token.flag());
    }
    token
}

/// Prints a flash error that ends a command before its plan ran, and returns its exit code.
/// With `json`, the typed `failed` event (reason code, phase, exit code, target) also goes to
/// stdout, as the last line of the stream.
pub fn report(e: &FlashError, json: bool, target: &Path) -> i32 {
    eprintln!("skiff: error: {e}");
    if json {
        JsonLines::new(target).emit(e.to_event(Phase::Prepare));
    }
    e.exit_code()
}

/// Reports an error of a writing command that is not a flash error (the stack, the layout, a
/// file written after the image): printed, and with `json` the `failed` event with `reason`
/// (a flash error's own reason when it is one) and `phase`. Returns the exit code.
pub fn report_other(
    e: &anyhow::Error,
    json: bool,
    target: &Path,
    reason: FailReason,
    phase: Phase,
) -> i32 {
    if let Some(flash) = e.downcast_ref::<FlashError>() {
        return report(flash, json, target);
    }
    let code = card::user_error(e);
    if json {
        JsonLines::new(target).emit(FlashEvent::Failed {
            message: format!("{e:#}"),
            exit_code: code,
            reason,
            phase,
        });
    }
    code
}

/// Runs a plan with the writer it needs and renders its events into `sink`; returns the exit
/// code. Every run ends with one `done` or `failed` event.
pub fn run_plan_into(plan: &FlashPlan, sink: &mut dyn EventSink) -> i32 {
    let cancel = cancel_on_signals();
    let writer = match writer_for(plan) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("skiff: error: {e}");
            sink.emit(e.to_event(Phase::Prepare));
            return e.exit_code();
        }
    };
    match writer.run(plan, sink, &cancel) {
        Ok(_) => 0,
        // The sink has the failed event already; the message also goes to stderr.
        Err(e) => {
            eprintln!("skiff: error: {e}");
            e.exit_code()
        }
    }
}

/// [`run_plan_into`] the command's usual sink for `target`.
pub fn run_plan(plan: &FlashPlan, json: bool, target: &Path) -> i32 {
    let mut sink = progress::sink(json, target);
    run_plan_into(plan, sink.as_mut())
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

pub fn run_flash(a: &FlashArgs) -> Result<i32> {
    let bmap = if a.no_bmap {
        None
    } else {
        a.bmap.clone().or_else(|| find_beside(&a.image))
    };
    let source = SourceSpec::Image {
        path: absolute(&a.image),
        bmap: bmap.as_deref().map(absolute),
        member: a.member.clone(),
        raw: a.raw,
    };
    let prepared = match PreparedSource::prepare(&source) {
        Ok(p) => p,
        Err(e) => return Ok(report(&e, a.json, &a.to)),
    };
    // Personalisation inputs and the image's persist partition are checked before the
    // target is chosen, so a bad key or an image without persist is refused before asking.
    let persona = match persona_for_image(&a.persona, &source) {
        Ok(p) => p,
        Err(e) => return Ok(report(&e, a.json, &a.to)),
    };
    let what = format!(
        "write {}{}{}",
        a.image.display(),
        prepared
            .image_size
            .map(|s| format!(" ({})", crate::flash::device::human_bytes(s)))
            .unwrap_or_default(),
        bmap.as_ref()
            .map(|b| format!(" with block map {}", b.display()))
            .unwrap_or_default()
    );
    if a.dry_run {
        return dry_run(a, &source, prepared.image_size, persona.as_ref());
    }
    let (chosen, target) = match choose(
        &a.to,
        prepared.image_size,
        &what,
        &a.safety,
        FileMode::Replace,
    ) {
        Ok(t) => t,
        Err(e) => return Ok(report(&e, a.json, &a.to)),
    };
    drop(prepared);
    let mut plan = FlashPlan {
        version: PLAN_VERSION,
        target,
        source,
        verify: !a.no_verify,
        wipe_ends: true,
        expect_partitions: Vec::new(),
        post: Vec::new(),
    };
    if let Some((persona, place)) = &persona {
        let chosen = match crate::flash::personalise::render(persona, &a.persona.identity(&chosen))
        {
            Ok(files) => files,
            Err(e) => return Ok(report(&e, a.json, &a.to)),
        };
        crate::flash::personalise::add_to_plan(&mut plan, place, chosen);
    }
    Ok(run_plan(&plan, a.json, &a.to))
}

#[derive(serde::Serialize)]
struct DryRun<'a> {
    image: &'a Path,
    image_size: Option<u64>,
    target: String,
    writable: bool,
    verdict: String,
    post: &'a [crate::flash::plan::PostStep],
}

/// `flash --dry-run`: the target resolved and judged (nothing asked, nothing opened for
/// writing) and the post steps the write would run.
fn dry_run(
    a: &FlashArgs,
    source: &SourceSpec,
    image_size: Option<u64>,
    persona: Option<&(
        crate::model::personalise::Persona,
        crate::flash::personalise::PersistPlace,
    )>,
) -> Result<i32> {
    let view = crate::flash::SystemView::from_env();
    let props = crate::flash::system::default_properties(&view);
    let target = match crate::flash::target::resolve(&view, props.as_ref(), &a.to) {
        Ok(t) => t,
        Err(e) => return Ok(report(&e, a.json, &a.to)),
    };
    let verdict = target.verdict(image_size);
    let mut plan_post = FlashPlan {
        version: PLAN_VERSION,
        target: crate::flash::TargetSpec {
            path: target.path().to_path_buf(),
            device: matches!(target, crate::flash::Target::Device(_)),
            expect: None,
            file_mode: FileMode::Replace,
            force_unsafe: None,
        },
        source: source.clone(),
        verify: !a.no_verify,
        wipe_ends: true,
        expect_partitions: Vec::new(),
        post: Vec::new(),
    };
    if let Some((persona, place)) = persona {
        match crate::flash::personalise::render(persona, &a.persona.identity(&target)) {
            Ok(files) => crate::flash::personalise::add_to_plan(&mut plan_post, place, files),
            Err(e) => return Ok(report(&e, a.json, &a.to)),
        }
    }
    let out = DryRun {
        image: &a.image,
        image_size,
        target: target.name(),
        writable: verdict.writable,
        verdict: if verdict.writable {
            "writable".into()
        } else {
            verdict.describe()
        },
        post: &plan_post.post,
    };
    if a.json {
        crate::cli::printer::json(&out)?;
        return Ok(0);
    }
    println!(
        "write {}{} to {} ({})",
        out.image.display(),
        image_size
            .map(|s| format!(" ({})", crate::flash::device::human_bytes(s)))
            .unwrap_or_default(),
        out.target,
        out.verdict
    );
    card::print_post(out.post);
    Ok(0)
}

/// The checked personalisation and where the image's persist partition is, when any
/// personalisation flag is given.
fn persona_for_image(
    args: &PersonaliseArgs,
    source: &SourceSpec,
) -> Result<
    Option<(
        crate::model::personalise::Persona,
        crate::flash::personalise::PersistPlace,
    )>,
    FlashError,
> {
    if args.is_empty() {
        return Ok(None);
    }
    let persona = args.load()?;
    let place = crate::flash::personalise::find_persist(source)?;
    Ok(Some((persona, place)))
}

/// The privileged side: plan on stdin, events on stdout.
pub fn run_helper(_a: &HelperArgs) -> Result<i32> {
    let cancel = cancel_on_signals();
    let env = Environment::host();
    let stdin = std::io::BufReader::new(std::io::stdin());
    Ok(serve(stdin, std::io::stdout(), &env, cancel))
}

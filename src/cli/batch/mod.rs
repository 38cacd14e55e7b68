//! `skiff batch`: one image onto many cards, each written and verified by its own pipeline
//! and reported as it finishes (docs/batch.md).

pub mod output;
pub mod persona;
pub mod stack;
pub mod targets;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Result;
use clap::{ArgGroup, Args};
use crossbeam_channel::Receiver;

use super::Cli;
use super::flash::card::BoardArgs;
use super::flash::confirm::SafetyArgs;
use super::flash::personalise::PersonaliseArgs;
use super::flash::{cancel_on_signals, report, report_other};
use crate::flash::batch::intake::{Intake, ReaderFilter};
use crate::flash::batch::persona::{BatchPersona, identity_of};
use crate::flash::batch::report::{ReportWriter, next_number, parse_report};
use crate::flash::batch::uevent::choose_watcher;
use crate::flash::batch::watch::watch;
use crate::flash::batch::{BatchEvent, CardJob, DecodeOptions, PlanRunner, SharedImage, Station};
use crate::flash::device::human_bytes;
use crate::flash::engine::EngineConfig;
use crate::flash::reason::FailReason;
use crate::flash::source::PreparedSource;
use crate::flash::system::default_properties;
use crate::flash::writer::{Helper, Writer};
use crate::flash::{
    CancelToken, Environment, EventSink, FlashError, FlashEvent, Phase, SourceSpec, SystemView,
};
use crate::model::personalise::{Identity, Persona};
use output::{Output, print_json};

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("targets").required(true).args(["to", "watch"])))]
#[command(group(ArgGroup::new("source").required(true).args(["image", "stack"])))]
pub struct BatchArgs {
    /// The image: raw, .gz, .xz, .zst, .bz2 or a .zip (recognised by content), decoded once
    /// for all cards.
    pub image: Option<PathBuf>,
    /// Instead of an image: build the stack's card image from the workspace's build once
    /// (format and install, as `image build` does) and write it to every card.
    #[arg(long, value_name = "STACK")]
    pub stack: Option<String>,
    /// With --stack: the build's images/ directory (default: workspaces/<workspace>/images).
    #[arg(long, value_name = "DIR", requires = "stack")]
    pub images: Option<PathBuf>,
    /// With --stack: the size of the built image, e.g. 2GiB (default: the layout's).
    #[arg(long, value_name = "SIZE", requires = "stack")]
    pub size: Option<String>,
    /// With --stack: architecture for compiled boot scripts (default: the workspace's).
    #[arg(long, requires = "stack")]
    pub arch: Option<String>,
    /// A target (whole disk or image file); repeat for each card. All are written at once.
    #[arg(long, value_name = "TARGET", conflicts_with = "watch")]
    pub to: Vec<PathBuf>,
    /// Wait for cards in the readers named by --reader and write each as it is inserted.
    #[arg(long, requires = "reader")]
    pub watch: bool,
    /// Allow-list of readers for --watch: a model, serial or USB port path (`*` and `?`
    /// wildcards; `1-1.*` matches every port of the hub on port 1-1). Repeatable. Cards in
    /// other readers are listed as refused and never opened.
    #[arg(long, value_name = "PATTERN", requires = "watch")]
    pub reader: Vec<String>,
    /// With --watch: stop after this many cards were started (then wait for them).
    #[arg(long, value_name = "N", requires = "watch")]
    pub count: Option<u32>,
    /// For a zip holding several files: the one to write.
    #[arg(long, value_name = "NAME", requires = "image")]
    pub member: Option<String>,
    /// Write the file even if its first sectors are not a disk image.
    #[arg(long, requires = "image")]
    pub raw: bool,
    /// Append one CSV line per finished card to FILE (the header first when it is new).
    #[arg(long, value_name = "FILE.csv")]
    pub report: Option<PathBuf>,
    /// Append one JSON line per finished card to FILE.
    #[arg(long, value_name = "FILE.jsonl")]
    pub log: Option<PathBuf>,
    /// Continue the numbering of an earlier batch's report (and append to it unless --report
    /// names another file).
    #[arg(long, value_name = "REPORT")]
    pub resume: Option<PathBuf>,
    /// Where the decoded image is kept during the batch (default: the temporary directory).
    #[arg(long, value_name = "DIR")]
    pub work_dir: Option<PathBuf>,
    /// Print events as JSON Lines on stdout (each names its card, slot and target).
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub safety: SafetyArgs,
    #[command(flatten)]
    pub persona: PersonaliseArgs,
}

/// Per-card engine buffers: 1 MiB blocks, three in flight, so eight cards stay far below
/// 128 MiB together (a single `flash` uses 4 MiB blocks).
const CARD_CONFIG: EngineConfig = EngineConfig {
    chunk_size: 1 << 20,
    ring: 3,
};

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// The number the first card gets: one after the last of `--resume`'s report, else 1.
fn first_number(resume: Option<&Path>) -> Result<u32, String> {
    let Some(path) = resume else {
        return Ok(1);
    };
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{}: cannot read the report to resume: {e}", path.display()))?;
    let lines = parse_report(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(next_number(&lines))
}

/// A usage or input error found before any card started: printed (and as a `failed` event
/// with `--json`), then the summary line.
fn fail_early(a: &BatchArgs, e: &FlashError) -> i32 {
    let code = report(e, a.json, &source_label(a));
    if a.json {
        summary_only(code);
    }
    code
}

/// The summary line of a batch that ended before any card.
fn summary_only(code: i32) {
    print_json(&serde_json::json!({
        "event": "summary", "done": 0, "failed": 0, "refused": 0,
        "interrupted": code == 130, "secs": 0.0, "exit_code": code,
    }));
}

/// The source as the user named it: the image, or the stack.
fn source_label(a: &BatchArgs) -> PathBuf {
    a.image
        .clone()
        .unwrap_or_else(|| PathBuf::from(a.stack.clone().unwrap_or_default()))
}

/// Writes devices through the privileged helper (escalated unless skiff is root).
fn helper_runner() -> Result<Arc<PlanRunner>, FlashError> {
    let helper = Helper::for_this_program()?;
    Ok(Arc::new(move |plan, sink, cancel| {
        helper.run(plan, sink, cancel)
    }))
}

/// The decode's events: only its result is worth a line.
struct DecodeSink {
    json: bool,
}

impl EventSink for DecodeSink {
    fn emit(&mut self, event: FlashEvent) {
        if let (false, FlashEvent::Warning { message }) = (self.json, &event) {
            eprintln!("skiff: warning: {message}");
        }
    }
}

/// What is settled before anything is decoded or written.
struct Ready {
    first: u32,
    jobs: Vec<(CardJob, Identity)>,
    persona: Option<Persona>,
    devices: Option<Arc<PlanRunner>>,
    writer: ReportWriter,
}

/// The numbering, the source recognised (an image), the targets chosen and confirmed, the
/// writer for devices and the report opened; on failure, the exit code (error reported).
fn get_ready(a: &BatchArgs) -> Result<Ready, i32> {
    let first = first_number(a.resume.as_deref()).map_err(|detail| {
        eprintln!("skiff: error: {detail}");
        1
    })?;
    // Every personalisation input is checked before the image is read or a target chosen.
    let persona = persona::load(&a.persona, first).map_err(|e| fail_early(a, &e))?;
    // A stack's image is built after the confirmation; the cards check its size themselves.
    let needed = match &a.image {
        Some(image) => {
            let source = SourceSpec::Image {
                path: absolute(image),
                bmap: None,
                member: a.member.clone(),
                raw: a.raw,
            };
            PreparedSource::prepare(&source)
                .map_err(|e| fail_early(a, &e))?
                .image_size
        }
        None => None,
    };
    let what = match (&a.stack, needed) {
        (Some(stack), _) => format!("write the card image of {stack}"),
        (None, Some(size)) => format!(
            "write {} ({})",
            source_label(a).display(),
            human_bytes(size)
        ),
        (None, None) => format!("write {}", source_label(a).display()),
    };
    let jobs = if a.watch {
        let filter = ReaderFilter {
            patterns: a.reader.clone(),
        };
        targets::confirm_watch(&filter, &what, a.safety.yes).map_err(|e| fail_early(a, &e))?;
        Vec::new()
    } else {
        targets::cards_for(&a.to, needed, &what, &a.safety, first)
            .map_err(|(_, e)| fail_early(a, &e))?
    };
    if let Some(p) = &persona {
        persona::check_cards(p, &jobs).map_err(|e| fail_early(a, &e))?;
    }
    let devices = if a.watch || jobs.iter().any(|(j, _)| j.target.device) {
        Some(helper_runner().map_err(|e| fail_early(a, &e))?)
    } else {
        None
    };
    let report_path = a.report.as_deref().or(a.resume.as_deref());
    let writer =
        ReportWriter::open(report_path, a.log.as_deref()).map_err(|e| fail_early(a, &e))?;
    Ok(Ready {
        first,
        jobs,
        persona,
        devices,
        writer,
    })
}

/// The source decoded once (a stack's image built first); on failure, the exit code.
fn shared_image(
    cli: &Cli,
    a: &BatchArgs,
    env: &Environment,
    cancel: &CancelToken,
) -> Result<(SharedImage, f64), i32> {
    let work = targets::work_dir(a.work_dir.as_deref());
    let started = std::time::Instant::now();
    let built = match &a.stack {
        Some(stack) => Some(build_stack(cli, a, stack, &work, cancel)?),
        None => None,
    };
    let path = built
        .as_ref()
        .map_or_else(|| source_label(a), |b| b.path.clone());
    if !a.json {
        eprintln!("skiff: decoding {} once for every card", path.display());
    }
    let options = DecodeOptions {
        member: a.member.clone(),
        raw: a.raw,
    };
    let mut sink = DecodeSink { json: a.json };
    match SharedImage::decode_with(&path, &options, &work, env, &mut sink, cancel) {
        Ok(mut image) => {
            if let Some(built) = built {
                image.name = built.name;
            }
            Ok((image, started.elapsed().as_secs_f64()))
        }
        Err(e) => {
            let code = fail_early(a, &e);
            Err(if cancel.is_cancelled() { 130 } else { code })
        }
    }
}

pub fn run(cli: &Cli, a: &BatchArgs) -> Result<i32> {
    let ready = match get_ready(a) {
        Ok(ready) => ready,
        Err(code) => return Ok(code),
    };
    // Ctrl-C stops the batch cleanly from here on (before, it ends skiff at the prompt).
    let cancel = cancel_on_signals();
    let mut env = Environment::host();
    env.config = CARD_CONFIG;
    let (image, secs) = match shared_image(cli, a, &env, &cancel) {
        Ok(decoded) => decoded,
        Err(code) => return Ok(code),
    };
    // The persist partition is looked for in the decoded image, before any card starts.
    let persona = match ready
        .persona
        .map(|p| BatchPersona::new(p, &image.path))
        .transpose()
    {
        Ok(found) => found,
        Err(e) => return Ok(fail_early(a, &e)),
    };
    let image = Arc::new(image);
    let mut out = Output::new(
        a.json,
        ready.writer,
        image.name.clone(),
        image.sha256.clone(),
    );
    out.decoded(&image, secs);
    let (tx, rx) = crossbeam_channel::unbounded();
    let mut station = Station::new(Arc::clone(&image), Arc::new(env), tx, cancel.clone());
    if let Some(run) = ready.devices {
        station = station.devices_through(run);
    }
    if a.watch {
        run_watch(
            a,
            station,
            persona.as_ref(),
            &rx,
            &mut out,
            watch_intake(a, ready.first, image.image_len),
            &cancel,
        );
    } else {
        for (mut job, id) in ready.jobs {
            match persona.as_ref().map(|p| p.apply(&mut job, &id)) {
                Some(Err(e)) => station.fail(job, &e),
                _ => station.start(job),
            }
        }
        drop(station);
        drain(&rx, &mut out);
    }
    Ok(out.summary(cancel.is_cancelled()))
}

/// `--stack`: the card image built once; on failure, the exit code (the error reported).
fn build_stack(
    cli: &Cli,
    a: &BatchArgs,
    stack: &str,
    work: &Path,
    cancel: &CancelToken,
) -> Result<stack::BuiltImage, i32> {
    let board = BoardArgs {
        images: a.images.clone(),
        size: a.size.clone(),
        arch: a.arch.clone(),
        no_verify: false,
        dry_run: false,
        json: false,
    };
    if !a.json {
        eprintln!("skiff: building the card image of {stack} once for every card");
    }
    let mut sink = DecodeSink { json: a.json };
    stack::build(cli, stack, &board, work, &mut sink, cancel).map_err(|e| {
        let code = report_other(
            &e,
            a.json,
            &source_label(a),
            FailReason::Stack,
            Phase::Prepare,
        );
        if a.json {
            summary_only(code);
        }
        if cancel.is_cancelled() { 130 } else { code }
    })
}

/// Prints and records every event until the station and its cards are gone.
fn drain(rx: &Receiver<BatchEvent>, out: &mut Output) {
    for event in rx.iter() {
        out.handle(event);
    }
}

/// What `--watch` judges an appearing disk by: this machine, the allow-list, the image's
/// size; cards are numbered from `first`.
fn watch_intake(a: &BatchArgs, first: u32, needed: u64) -> Intake {
    let view = SystemView::from_env();
    let props = default_properties(&view);
    let filter = ReaderFilter {
        patterns: a.reader.clone(),
    };
    Intake::new(view, props, filter, needed, first)
}

/// `--watch`: the watch loop on its own thread, the events printed here as they come.
fn run_watch(
    a: &BatchArgs,
    mut station: Station,
    persona: Option<&BatchPersona>,
    rx: &Receiver<BatchEvent>,
    out: &mut Output,
    mut intake: Intake,
    cancel: &CancelToken,
) {
    let mut watcher = choose_watcher(&intake.view);
    if !a.json {
        eprintln!(
            "skiff: waiting for cards ({}); Ctrl-C stops",
            watcher.describe()
        );
    }
    std::thread::scope(|scope| {
        scope.spawn(move || {
            watch(
                watcher.as_mut(),
                &mut intake,
                &mut station,
                a.count,
                cancel,
                &mut |job| match persona {
                    Some(p) => p.apply(job, &identity_of(job)),
                    None => Ok(()),
                },
            );
        });
        drain(rx, out);
    });
}

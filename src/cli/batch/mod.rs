//! `skiff batch`: one image onto many cards, each written and verified by its own pipeline
//! and reported as it finishes (docs/batch.md).

pub mod output;
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
use super::flash::{cancel_on_signals, report, report_other};
use crate::flash::batch::intake::{Intake, ReaderFilter};
use crate::flash::batch::report::{ReportWriter, next_number, parse_report};
use crate::flash::batch::uevent::choose_watcher;
use crate::flash::batch::watch::watch;
use crate::flash::batch::{BatchEvent, DecodeOptions, PlanRunner, SharedImage, Station};
use crate::flash::device::human_bytes;
use crate::flash::engine::EngineConfig;
use crate::flash::reason::FailReason;
use crate::flash::source::PreparedSource;
use crate::flash::system::default_properties;
use crate::flash::writer::{Helper, Writer};
use crate::flash::{
    CancelToken, Environment, EventSink, FlashError, FlashEvent, Phase, SourceSpec, SystemView,
};
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

pub fn run(cli: &Cli, a: &BatchArgs) -> Result<i32> {
    let first = match first_number(a.resume.as_deref()) {
        Ok(n) => n,
        Err(detail) => {
            eprintln!("skiff: error: {detail}");
            return Ok(1);
        }
    };
    let work = targets::work_dir(a.work_dir.as_deref());
    let cancel = cancel_on_signals();
    let built = match &a.stack {
        Some(stack) => match build_stack(cli, a, stack, &work, &cancel) {
            Ok(built) => Some(built),
            Err(code) => return Ok(code),
        },
        None => None,
    };
    let image_path = built
        .as_ref()
        .map_or_else(|| source_label(a), |b| b.path.clone());
    let source = SourceSpec::Image {
        path: absolute(&image_path),
        bmap: None,
        member: a.member.clone(),
        raw: a.raw,
    };
    let needed = match PreparedSource::prepare(&source) {
        Ok(p) => p.image_size,
        Err(e) => return Ok(fail_early(a, &e)),
    };
    let what = format!(
        "write {}{}",
        source_label(a).display(),
        needed
            .map(|s| format!(" ({})", human_bytes(s)))
            .unwrap_or_default()
    );
    let filter = ReaderFilter {
        patterns: a.reader.clone(),
    };
    let jobs = if a.watch {
        if let Err(e) = targets::confirm_watch(&filter, &what, a.safety.yes) {
            return Ok(fail_early(a, &e));
        }
        Vec::new()
    } else {
        match targets::cards_for(&a.to, needed, &what, &a.safety, first) {
            Ok(jobs) => jobs,
            Err((_, e)) => return Ok(fail_early(a, &e)),
        }
    };
    let devices = if a.watch || jobs.iter().any(|j| j.target.device) {
        match helper_runner() {
            Ok(run) => Some(run),
            Err(e) => return Ok(fail_early(a, &e)),
        }
    } else {
        None
    };
    let report_path = a.report.as_deref().or(a.resume.as_deref());
    let writer = match ReportWriter::open(report_path, a.log.as_deref()) {
        Ok(w) => w,
        Err(e) => return Ok(fail_early(a, &e)),
    };
    let mut env = Environment::host();
    env.config = CARD_CONFIG;
    if !a.json {
        eprintln!(
            "skiff: decoding {} once for every card",
            image_path.display()
        );
    }
    let options = DecodeOptions {
        member: a.member.clone(),
        raw: a.raw,
    };
    let mut sink = DecodeSink { json: a.json };
    let decode_start = std::time::Instant::now();
    let image =
        match SharedImage::decode_with(&image_path, &options, &work, &env, &mut sink, &cancel) {
            Ok(mut image) => {
                if let Some(built) = &built {
                    image.name = built.name.clone();
                }
                drop(built);
                Arc::new(image)
            }
            Err(e) => {
                let code = fail_early(a, &e);
                return Ok(if cancel.is_cancelled() { 130 } else { code });
            }
        };
    let mut out = Output::new(a.json, writer, image.name.clone(), image.sha256.clone());
    out.decoded(&image, decode_start.elapsed().as_secs_f64());
    let (tx, rx) = crossbeam_channel::unbounded();
    let mut station = Station::new(Arc::clone(&image), Arc::new(env), tx, cancel.clone());
    if let Some(run) = devices {
        station = station.devices_through(run);
    }
    if a.watch {
        run_watch(a, station, &rx, &mut out, first, image.image_len, &cancel);
    } else {
        for job in jobs {
            station.start(job);
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

/// `--watch`: the watch loop on its own thread, the events printed here as they come.
fn run_watch(
    a: &BatchArgs,
    mut station: Station,
    rx: &Receiver<BatchEvent>,
    out: &mut Output,
    first: u32,
    needed: u64,
    cancel: &CancelToken,
) {
    let view = SystemView::from_env();
    let props = default_properties(&view);
    let filter = ReaderFilter {
        patterns: a.reader.clone(),
    };
    let mut watcher = choose_watcher(&view);
    if !a.json {
        eprintln!(
            "skiff: waiting for cards ({}); Ctrl-C stops",
            watcher.describe()
        );
    }
    let mut intake = Intake::new(view, props, filter, needed, first);
    std::thread::scope(|scope| {
        scope.spawn(move || {
            watch(
                watcher.as_mut(),
                &mut intake,
                &mut station,
                a.count,
                cancel,
                &mut |_| {},
            );
        });
        drain(rx, out);
    });
}

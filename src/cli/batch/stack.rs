//! `skiff batch --stack`: the card image built once from the workspace's build (format and
//! install in one pass, as `image build` does, by the same card-job planner), then written to
//! every card like an image source.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};

use crate::cli::Cli;
use crate::cli::flash::card::{BoardArgs, job_request};
use crate::flash::card::{CardMode, SystemTools};
use crate::flash::execute::execute;
use crate::flash::job::plan_card;
use crate::flash::{CancelToken, Environment, EventSink, FileMode, ImageFile, Target, TargetSpec};

/// A card image built for the batch, in a private directory removed on drop.
pub struct BuiltImage {
    pub path: PathBuf,
    /// What the report calls the image: the stack, e.g. `pcduino/3 (built)`.
    pub name: String,
    _dir: tempfile::TempDir,
}

/// Builds the stack's card image (sparse) under `work`.
pub fn build(
    cli: &Cli,
    stack: &str,
    board: &BoardArgs,
    work: &Path,
    sink: &mut dyn EventSink,
    cancel: &CancelToken,
) -> Result<BuiltImage> {
    let req = job_request(cli, Some(stack), board, CardMode::Build)?;
    let dir = tempfile::Builder::new()
        .prefix(".skiff-batch-build-")
        .tempdir_in(work)
        .with_context(|| format!("{}: cannot create a work directory", work.display()))?;
    let path = dir.path().join("card.img");
    let target = Target::File(ImageFile {
        path: path.clone(),
        existing_size: None,
    });
    let spec = TargetSpec {
        path: path.clone(),
        device: false,
        expect: None,
        file_mode: FileMode::Replace,
        force_unsafe: None,
    };
    let job = plan_card(&req, &target, spec, &SystemTools, &mut |_| {})?;
    for w in &job.card.warnings {
        eprintln!("skiff: warning: {w}");
    }
    execute(&job.plan, &Environment::host(), sink, cancel)?;
    Ok(BuiltImage {
        path,
        name: format!("{} (built)", req.stack),
        _dir: dir,
    })
}

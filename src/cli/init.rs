//! `skiff init DIR`: make a project (own configs/, overrides/, workspaces/) on the bundled layers.

use crate::model::project;
use anyhow::Result;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
#[command(after_help = "\
The project's configs/ holds your own layers (CATEGORY/NAME/), searched before the bundled
ones; workspaces/ receives what configure and build write. Run skiff inside DIR (or any
directory below it), e.g. `skiff init demo && cd demo && skiff configure pi/4,skiff/core`.")]
pub struct InitArgs {
    /// Directory of the new project (created if missing).
    pub dir: PathBuf,
}

pub fn run(a: &InitArgs) -> Result<i32> {
    project::init(&a.dir)?;
    eprintln!(
        "skiff: made a project in {} (base: the layers bundled with skiff); next: cd {} && skiff configure STACK",
        a.dir.display(),
        a.dir.display()
    );
    Ok(super::exit::OK)
}

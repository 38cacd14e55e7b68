//! `skiff source`: Buildroot's `make source`, every source archive the stack needs, to fill a
//! download directory on a connected machine for offline builds.

use super::build::{BuildArgs, Ready, prepare_build, run_make};
use super::{Cli, exit};
use anyhow::Result;

/// Same arguments as `build` (`-v`, `--json`, `--buildroot`, `--dl-dir`).
pub fn run(cli: &Cli, a: &BuildArgs) -> Result<i32> {
    let Ready {
        prepared,
        env,
        display,
        ..
    } = prepare_build(cli, a, "source")?;
    let dir = env.first().map(|(_, d)| d.clone());
    let code = run_make(
        &prepared,
        vec!["source".into()],
        "source",
        false,
        env,
        display,
    );
    if code == exit::OK && !a.json {
        eprintln!(
            "skiff: source archives are in {}; build offline with `skiff build --dl-dir DIR`",
            dir.unwrap_or_else(|| prepared.buildroot.dir.join("dl").display().to_string())
        );
    }
    Ok(code)
}

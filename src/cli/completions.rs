//! Shell completions and manual pages, generated from the same clap definitions as the parser.

use super::Cli;
use crate::model::files::write_atomic;
use anyhow::{Context, Result};
use clap::{CommandFactory, ValueEnum};
use std::path::{Path, PathBuf};

/// A shell clap_complete can write a completion script for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ShellName {
    Bash,
    Zsh,
    Fish,
    Elvish,
    Powershell,
}

impl ShellName {
    fn shell(self) -> clap_complete::Shell {
        use clap_complete::Shell;
        match self {
            ShellName::Bash => Shell::Bash,
            ShellName::Zsh => Shell::Zsh,
            ShellName::Fish => Shell::Fish,
            ShellName::Elvish => Shell::Elvish,
            ShellName::Powershell => Shell::PowerShell,
        }
    }
}

#[derive(Debug, clap::Args)]
#[command(after_help = "\
Load them for the current bash session with `source <(skiff completions bash)`, or install
them: bash ~/.local/share/bash-completion/completions/skiff, zsh a directory on $fpath as
_skiff, fish ~/.config/fish/completions/skiff.fish.")]
pub struct CompletionsArgs {
    /// The shell to write completions for.
    #[arg(value_enum)]
    pub shell: ShellName,
}

#[derive(Debug, clap::Args)]
pub struct ManpagesArgs {
    /// Directory to write skiff.1 and one skiff-COMMAND.1 per subcommand into (created).
    pub dir: PathBuf,
}

/// The completion script for `shell`, as text.
pub fn completion_script(shell: ShellName) -> Vec<u8> {
    let mut out = Vec::new();
    clap_complete::generate(shell.shell(), &mut Cli::command(), "skiff", &mut out);
    out
}

pub fn run_completions(a: &CompletionsArgs) -> Result<i32> {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(&completion_script(a.shell))
        .and_then(|_| stdout.flush())
        .context("cannot write the completions to stdout")?;
    Ok(super::exit::OK)
}

pub fn run_manpages(a: &ManpagesArgs) -> Result<i32> {
    let written = write_manpages(&a.dir)?;
    eprintln!(
        "skiff: wrote {} manual pages to {}",
        written.len(),
        a.dir.display()
    );
    Ok(super::exit::OK)
}

/// Write `skiff.1` and a page for every visible subcommand (nested ones as
/// `skiff-config-show.1`), each atomically. Returns the files written.
pub fn write_manpages(dir: &Path) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).with_context(|| format!("{}: cannot create", dir.display()))?;
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    let mut written = Vec::new();
    let mut todo = vec![cmd];
    while let Some(cmd) = todo.pop() {
        todo.extend(cmd.get_subcommands().filter(|s| !s.is_hide_set()).cloned());
        let man = clap_mangen::Man::new(cmd);
        let path = dir.join(man.get_filename());
        let mut text = Vec::new();
        man.render(&mut text)
            .with_context(|| format!("{}: cannot render", path.display()))?;
        write_atomic(&path, &text)?;
        written.push(path);
    }
    written.sort();
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shell_gets_a_script_naming_the_commands() {
        for shell in ShellName::value_variants() {
            let text = String::from_utf8(completion_script(*shell)).unwrap();
            assert!(text.contains("configure"), "{shell:?}");
        }
    }

    #[test]
    fn one_manual_page_per_visible_command() {
        let dir = tempfile::tempdir().unwrap();
        let written = write_manpages(dir.path()).unwrap();
        let names: Vec<String> = written
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        for want in [
            "skiff.1",
            "skiff-configure.1",
            "skiff-config-show.1",
            "skiff-image-build.1",
        ] {
            assert!(
                names.contains(&want.to_string()),
                "{want} missing from {names:?}"
            );
        }
        assert!(!names.iter().any(|n| n.contains("flash-helper")));
        let page = std::fs::read_to_string(dir.path().join("skiff-configure.1")).unwrap();
        assert!(page.starts_with(".ie") || page.contains(".TH"), "{page}");
        assert!(page.contains("workspace"));
    }
}

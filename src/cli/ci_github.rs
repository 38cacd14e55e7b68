//! The GitHub Actions workflow `skiff ci github` writes: a matrix of one job per stack.

use crate::model::ModelError;
use anyhow::{Result, bail};

/// One matrix entry: the stack and the job/workspace/artifact name made from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    pub stack: String,
    pub board: String,
}

impl Job {
    /// `pi/4,skiff/core` becomes the board name `pi-4-skiff-core`. Stacks may only hold the
    /// characters of layer names and separators, so the workflow never embeds anything else.
    pub fn new(stack: &str) -> Result<Job> {
        let stack = stack.trim();
        if let Some(c) = stack
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || "_./,+- ".contains(*c)))
        {
            bail!(ModelError::Invalid(format!(
                "stack `{stack}`: `{c}` cannot be part of a layer name or list"
            )));
        }
        let mut board = String::new();
        for c in stack.chars() {
            if c.is_ascii_alphanumeric() || c == '.' || c == '_' {
                board.push(c.to_ascii_lowercase());
            } else if !board.ends_with('-') {
                board.push('-');
            }
        }
        let board = board.trim_matches('-').to_string();
        if board.is_empty() {
            bail!(ModelError::EmptyStack);
        }
        let stack = stack
            .split([',', ' '])
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(",");
        Ok(Job { stack, board })
    }
}

/// Everything else the workflow depends on.
#[derive(Debug, Clone)]
pub struct WorkflowOptions {
    pub runs_on: String,
    pub install_skiff: String,
    /// Buildroot tree relative to the repository; None = the tree's own buildroot/.
    pub buildroot: Option<String>,
    /// The arguments the workflow was generated with, for its header comment.
    pub command_line: String,
}

/// A YAML double-quoted scalar (a JSON string is one).
fn quoted(s: &str) -> String {
    serde_json::Value::String(s.to_string()).to_string()
}

/// Host packages: Buildroot's mandatory ones, what `cargo install` of skiff needs, and the
/// tools `skiff image build` runs.
const HOST_PACKAGES: &str = "build-essential bc bzip2 cpio file patch perl python3 rsync unzip \
wget libudev-dev pkg-config fdisk gdisk dosfstools mtools e2fsprogs squashfs-tools zstd";

/// The workflow text.
pub fn render(jobs: &[Job], o: &WorkflowOptions) -> Result<String> {
    if jobs.is_empty() {
        bail!(ModelError::EmptyStack);
    }
    let header: String = o
        .command_line
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let mut matrix = String::new();
    for j in jobs {
        matrix.push_str(&format!(
            "          - board: {}\n            stack: {}\n",
            quoted(&j.board),
            quoted(&j.stack)
        ));
    }
    let buildroot_env = match &o.buildroot {
        Some(dir) => format!(
            "      SKIFF_BUILDROOT: {}\n",
            quoted(&format!("${{{{ github.workspace }}}}/{dir}"))
        ),
        None => String::new(),
    };
    Ok(format!(
        r#"# Written by `skiff {header}`.
# Regenerate it with that command instead of editing; docs/ci.md in skiff explains it.
name: skiff images

on:
  push:
  pull_request:
  workflow_dispatch:

permissions:
  contents: read

concurrency:
  group: skiff-images-${{{{ github.ref }}}}
  cancel-in-progress: true

jobs:
  image:
    name: ${{{{ matrix.board }}}}
    runs-on: {runs_on}
    timeout-minutes: 360
    strategy:
      fail-fast: false
      matrix:
        include:
{matrix}    env:
      SKIFF_CONFIG: ${{{{ matrix.stack }}}}
      SKIFF_WORKSPACE: ${{{{ matrix.board }}}}
      BR2_DL_DIR: ${{{{ github.workspace }}}}/.skiff-cache/dl
      BR2_CCACHE_DIR: ${{{{ github.workspace }}}}/.skiff-cache/ccache
{buildroot_env}    steps:
      - uses: actions/checkout@v4
        with:
          submodules: recursive

      - name: Host packages
        run: |
          sudo apt-get update -qq
          sudo apt-get install -y -qq --no-install-recommends {HOST_PACKAGES}

      - name: Install skiff
        run: {install}

      - name: Configuration hash
        id: config
        run: |
          hash="$(skiff config hash)"
          echo "hash=$hash" >> "$GITHUB_OUTPUT"
          echo "Configuration hash of $SKIFF_CONFIG: $hash"

      - name: Buildroot downloads (cache)
        uses: actions/cache@v4
        with:
          path: .skiff-cache/dl
          key: skiff-dl-${{{{ matrix.board }}}}-${{{{ steps.config.outputs.hash }}}}
          restore-keys: |
            skiff-dl-${{{{ matrix.board }}}}-
            skiff-dl-

      - name: Compiler cache
        uses: actions/cache@v4
        with:
          path: .skiff-cache/ccache
          key: skiff-ccache-${{{{ matrix.board }}}}-${{{{ steps.config.outputs.hash }}}}-${{{{ github.run_id }}}}
          restore-keys: |
            skiff-ccache-${{{{ matrix.board }}}}-${{{{ steps.config.outputs.hash }}}}-
            skiff-ccache-${{{{ matrix.board }}}}-

      - name: Build
        id: build
        run: skiff build --json > build.jsonl

      - name: Report (annotations and summary)
        if: ${{{{ always() && steps.config.outcome == 'success' }}}}
        run: skiff ci report build.jsonl --board "$SKIFF_WORKSPACE" --stack "$SKIFF_CONFIG" --hash "${{{{ steps.config.outputs.hash }}}}" --summary "$GITHUB_STEP_SUMMARY"

      - name: Card image
        run: |
          mkdir -p out
          skiff image build --out "out/$SKIFF_WORKSPACE.img.zst"
          ls -l out
          echo "| image | $(du -h "out/$SKIFF_WORKSPACE.img.zst" | cut -f1) compressed, with a .bmap |" >> "$GITHUB_STEP_SUMMARY"

      - name: Upload the image and its block map
        uses: actions/upload-artifact@v4
        with:
          name: ${{{{ matrix.board }}}}
          path: |
            out/*.img.zst
            out/*.bmap
          if-no-files-found: error

      - name: Upload the build logs
        if: ${{{{ failure() }}}}
        uses: actions/upload-artifact@v4
        with:
          name: ${{{{ matrix.board }}}}-logs
          path: |
            build.jsonl
            workspaces/${{{{ matrix.board }}}}/logs/
          if-no-files-found: ignore
"#,
        runs_on = quoted(&o.runs_on),
        install = quoted(&o.install_skiff),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn board_names_come_from_the_stack_and_odd_characters_are_refused() {
        let j = Job::new(" pi/4, skiff/core ").unwrap();
        assert_eq!(j.board, "pi-4-skiff-core");
        assert_eq!(j.stack, "pi/4,skiff/core");
        assert_eq!(
            Job::new("odroid/c4 skiff/core").unwrap().stack,
            "odroid/c4,skiff/core"
        );
        let err = Job::new("pi/4;rm -rf /").unwrap_err().to_string();
        assert!(err.contains("`;`"), "{err}");
        assert!(Job::new(",,").is_err());
    }

    #[test]
    fn user_text_is_quoted_and_the_header_stays_one_line() {
        let o = WorkflowOptions {
            runs_on: "self-hosted: big".into(),
            install_skiff: "sudo apt-get install -y ./skiff.deb".into(),
            buildroot: Some("third_party/buildroot".into()),
            command_line: "ci github x\nname: evil".into(),
        };
        let text = render(&[Job::new("pi/4").unwrap()], &o).unwrap();
        assert!(text.contains("runs-on: \"self-hosted: big\""));
        assert!(text.contains("# Written by `skiff ci github x name: evil`."));
        assert!(
            text.contains("SKIFF_BUILDROOT: \"${{ github.workspace }}/third_party/buildroot\"")
        );
        let parsed: serde_json::Value = yaml_serde::from_str(&text).unwrap();
        assert_eq!(parsed["name"], "skiff images");
        assert_eq!(
            parsed["jobs"]["image"]["strategy"]["matrix"]["include"][0]["stack"],
            "pi/4"
        );
    }
}

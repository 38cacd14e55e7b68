//! The card-job planner: the one place that turns "this stack's layout, onto this target" into
//! a write plan. Every driver (`skiff format`, `install`, `image build`, the TUI's flash screen,
//! and later the batch station and push) builds a [`CardJobRequest`] and calls [`plan_card`].
//!
//! Decisions made here and nowhere else: which layout (the last layer of the chain that has
//! one), which images/ directory and architecture (defaults from the workspace), the size of a
//! new image file ([`new_image_size`]), where the work directory goes, that install needs an
//! existing card, and reading the card's current table for install.

use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::Serialize;

use super::card::table::FoundPartition;
use super::card::{CardMode, CardPlan, CardRequest, ToolRunner, arch_from_config, assemble};
use super::card::{flash_plan, read_head};
use super::error::FlashError;
use super::event::{FlashEvent, Phase};
use super::plan::{FlashPlan, TargetSpec};
use super::target::Target;
use crate::model::layout::Layout;

/// What a driver asks for. Paths are used as given; [`plan_card`] makes them absolute.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CardJobRequest {
    /// The stack as text, for messages (`pi/4,skiff/core`).
    pub stack: String,
    /// Directories of the stack's layers, in chain order.
    pub layers: Vec<PathBuf>,
    /// The workspace's build directory (`workspaces/<ws>`): default images/ and `.config`.
    pub workspace: PathBuf,
    /// The build's images/ directory (default: `<workspace>/images`).
    pub images: Option<PathBuf>,
    /// Architecture for compiled boot scripts (default: `BR2_ARCH` of `<workspace>/.config`).
    pub arch: Option<String>,
    pub mode: CardMode,
    /// Size asked for a new image file (default: see [`new_image_size`]).
    pub size: Option<u64>,
    pub verify: bool,
}

/// Every decision of a job, before anything is built: what the drivers must agree on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CardJobDecision {
    /// `layout.yaml` the card follows.
    pub layout: String,
    pub mode: CardMode,
    pub card_size: u64,
    pub images: PathBuf,
    pub layers: Vec<PathBuf>,
    pub arch: String,
    pub verify: bool,
    pub target: TargetSpec,
}

/// A planned job: the decisions, the assembled card and the plan to run. `work` holds the file
/// system images the plan reads, so it must outlive the write.
pub struct CardJob {
    pub decision: CardJobDecision,
    pub layout: Layout,
    pub card: CardPlan,
    pub plan: FlashPlan,
    pub work: tempfile::TempDir,
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// The layout a stack uses: the one of the last layer of the chain that has a `layout.yaml`.
pub fn layout_for(layers: &[PathBuf], stack: &str) -> Result<Layout, FlashError> {
    Layout::for_chain(layers)
        .map_err(|e| FlashError::Layout {
            detail: e.to_string(),
        })?
        .ok_or_else(|| FlashError::Layout {
            detail: format!("no layer of the stack {stack} has a layout.yaml"),
        })
}

/// The size of a new image file: the size asked for, else the layout's `image_size`, else the
/// layout's smallest card rounded up to a whole MiB. The one rule of every driver.
pub fn new_image_size(layout: &Layout, asked: Option<u64>) -> Result<u64, FlashError> {
    const MIB: u64 = 1 << 20;
    let size = asked
        .or(layout.image_size.map(|s| s.0))
        .unwrap_or_else(|| layout.min_card_size().div_ceil(MIB) * MIB);
    if size == 0 {
        return Err(FlashError::Layout {
            detail: format!(
                "{}: the layout places nothing, so it gives no image size; give a size",
                layout.origin
            ),
        });
    }
    Ok(size)
}

/// The card size a job writes: the device's, an existing image file's, or a new file's.
pub fn card_size(
    layout: &Layout,
    mode: CardMode,
    target: &Target,
    asked: Option<u64>,
) -> Result<u64, FlashError> {
    match target {
        Target::Device(d) => Ok(d.size),
        Target::File(f) => match (f.existing_size, mode) {
            (Some(len), CardMode::Format | CardMode::Install) => Ok(len),
            (None, CardMode::Install) => Err(FlashError::Plan {
                detail: format!(
                    "{}: does not exist; install writes into a formatted card or image (run skiff format first)",
                    f.path.display()
                ),
            }),
            (_, CardMode::Build | CardMode::Format) => new_image_size(layout, asked),
        },
    }
}

/// Makes every decision of a job for `target` (resolved and confirmed by the driver) and the
/// plan's target `spec`, without building anything.
pub fn decide(
    req: &CardJobRequest,
    target: &Target,
    spec: TargetSpec,
) -> Result<(CardJobDecision, Layout), FlashError> {
    let layout = layout_for(&req.layers, &req.stack)?;
    let card_size = card_size(&layout, req.mode, target, req.size)?;
    let images = absolute(
        &req.images
            .clone()
            .unwrap_or_else(|| req.workspace.join("images")),
    );
    let arch = req
        .arch
        .clone()
        .or_else(|| arch_from_config(&req.workspace.join(".config")))
        .unwrap_or_default();
    let decision = CardJobDecision {
        layout: layout.origin.clone(),
        mode: req.mode,
        card_size,
        images,
        layers: req.layers.iter().map(|l| absolute(l)).collect(),
        arch,
        verify: req.verify,
        target: spec,
    };
    Ok((decision, layout))
}

/// What a card job would read from the build's images/ and does not find there. Drivers check
/// it before asking for confirmation, so a job that cannot run is not offered.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct MissingInputs {
    /// images/ exists and holds something (the workspace was built).
    pub built: bool,
    /// Bootloader files the layout writes to the card, as the layout names them.
    pub bootloaders: Vec<String>,
    /// Install's files (its copy rules' sources) that match nothing.
    pub files: Vec<String>,
}

/// What a job of `mode` with `layout` lacks in `images`, or `None` when it has everything:
/// format needs the layout's bootloader files; install and build need a build, those files
/// and every non-optional copy source.
pub fn missing_inputs(layout: &Layout, images: &Path, mode: CardMode) -> Option<MissingInputs> {
    let needs_build = mode != CardMode::Format;
    let missing = MissingInputs {
        built: super::card::assemble::dir_has_entries(images),
        bootloaders: super::card::assemble::missing_bootloaders(layout, images),
        files: if needs_build {
            super::card::stage::missing_copies(layout, images)
        } else {
            Vec::new()
        },
    };
    let lacking = !missing.bootloaders.is_empty()
        || !missing.files.is_empty()
        || (needs_build && !missing.built);
    lacking.then_some(missing)
}

/// A work directory for file system images: beside an image file target, in the workspace for
/// a device, else in the system's temporary directory.
fn work_dir(target: &Target, workspace: &Path) -> Result<tempfile::TempDir, FlashError> {
    let near = match target {
        Target::File(f) => f.path.parent().map(Path::to_path_buf),
        Target::Device(_) => Some(workspace.to_path_buf()),
    }
    .filter(|d| d.is_dir())
    .unwrap_or_else(std::env::temp_dir);
    tempfile::Builder::new()
        .prefix(".skiff-card-")
        .tempdir_in(&near)
        .map_err(|e| FlashError::io(&near, "create a work directory", e))
}

/// Plans a card job: the decisions, then the card assembled with `tools` into a plan.
/// `progress` receives the assemble phase's start and end.
pub fn plan_card(
    req: &CardJobRequest,
    target: &Target,
    spec: TargetSpec,
    tools: &dyn ToolRunner,
    progress: &mut dyn FnMut(FlashEvent),
) -> Result<CardJob, FlashError> {
    let (decision, layout) = decide(req, target, spec)?;
    let existing: Option<Vec<FoundPartition>> = match req.mode {
        CardMode::Install => {
            read_head(&decision.target.path).and_then(|h| super::card::table::read(&h))
        }
        CardMode::Format | CardMode::Build => None,
    };
    let work = work_dir(target, &req.workspace)?;
    progress(FlashEvent::PhaseStarted {
        phase: Phase::Assemble,
        total: None,
    });
    let started = Instant::now();
    let card = assemble(
        &CardRequest {
            layout: &layout,
            card_size: decision.card_size,
            images: &decision.images,
            layers: &decision.layers,
            arch: &decision.arch,
            mode: decision.mode,
            work: work.path(),
            existing,
        },
        tools,
    )?;
    progress(FlashEvent::PhaseDone {
        phase: Phase::Assemble,
        bytes: card.segments.iter().map(|s| s.len()).sum(),
        secs: started.elapsed().as_secs_f64(),
        rate: 0.0,
    });
    let plan = flash_plan(&card, decision.target.clone(), decision.verify);
    Ok(CardJob {
        decision,
        layout,
        card,
        plan,
        work,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const LAYOUT: &str = "about: test card\ntable: mbr\npartitions:\n  - { name: boot, type: fat16, fs: vfat, start: 1MiB, size: 16MiB }\n  - { name: persist, type: linux, fs: ext4, size: 16MiB }\nraw:\n  - { file: u-boot.bin, offset: 512, max_len: 512KiB }\n  - { file: extra.bin, offset: 600KiB, max_len: 64KiB, optional: true }\ninstall:\n  persist: persist\n  copy:\n    - { from: [Image, zImage], to: \"boot:/\" }\n    - { from: [dtbs/], to: \"boot:/\", optional: true }\n";

    #[test]
    fn missing_inputs_name_the_bootloaders_and_files_a_job_needs() {
        let layout = Layout::parse(LAYOUT, "test/layout.yaml").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let images = dir.path().join("images");
        // Never built: format lacks the bootloader, install the build itself.
        let format = missing_inputs(&layout, &images, CardMode::Format).unwrap();
        assert!(!format.built);
        assert_eq!(format.bootloaders, ["u-boot.bin"]);
        assert!(format.files.is_empty(), "format copies nothing");
        let install = missing_inputs(&layout, &images, CardMode::Install).unwrap();
        assert_eq!(install.files, ["Image or zImage"]);
        // Built with the kernel but without the bootloader.
        std::fs::create_dir_all(&images).unwrap();
        std::fs::write(images.join("zImage"), b"k").unwrap();
        let format = missing_inputs(&layout, &images, CardMode::Format).unwrap();
        assert!(format.built);
        assert_eq!(format.bootloaders, ["u-boot.bin"]);
        let install = missing_inputs(&layout, &images, CardMode::Install).unwrap();
        assert!(install.files.is_empty(), "{install:?}");
        // Everything there (optional ones may stay missing).
        std::fs::write(images.join("u-boot.bin"), b"b").unwrap();
        assert_eq!(missing_inputs(&layout, &images, CardMode::Format), None);
        assert_eq!(missing_inputs(&layout, &images, CardMode::Install), None);
        // A layout without bootloaders formats without a build; install still needs one.
        let plain = Layout::parse(
            "about: plain\ntable: mbr\npartitions:\n  - { name: boot, type: fat16, fs: vfat, start: 1MiB, size: 16MiB }\ninstall:\n  persist: boot\n",
            "plain/layout.yaml",
        )
        .unwrap();
        let empty = dir.path().join("never-built");
        assert_eq!(missing_inputs(&plain, &empty, CardMode::Format), None);
        assert!(
            !missing_inputs(&plain, &empty, CardMode::Install)
                .unwrap()
                .built
        );
    }
}

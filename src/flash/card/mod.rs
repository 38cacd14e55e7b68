//! Cards from a board layout: partition tables, file system images built with the real tools,
//! bootloader blobs at their offsets, install's copy rules, all turned into a write plan.

pub mod assemble;
pub mod fs;
pub mod post;
pub mod stage;
pub mod table;
pub mod tools;
pub mod uimage;

pub use assemble::{CardMode, CardPlan, CardRequest, PartitionAction, assemble};
pub use tools::{SystemTools, ToolRunner};

use std::path::Path;

use crate::flash::plan::{FlashPlan, PLAN_VERSION, SourceSpec, TargetSpec};

/// The write plan for an assembled card.
pub fn flash_plan(card: &CardPlan, target: TargetSpec, verify: bool) -> FlashPlan {
    FlashPlan {
        version: PLAN_VERSION,
        target,
        source: SourceSpec::Assembly {
            size: card.size,
            segments: card.segments.clone(),
        },
        verify,
        wipe_ends: card.wipe_ends,
        expect_partitions: card.expect.clone(),
        post: card.post.clone(),
    }
}

/// `BR2_ARCH="aarch64"` in a Buildroot .config, mapped to U-Boot's names.
pub fn arch_from_config(config: &Path) -> Option<String> {
    let text = std::fs::read_to_string(config).ok()?;
    let value = text
        .lines()
        .find_map(|l| l.strip_prefix("BR2_ARCH="))?
        .trim_matches('"');
    Some(
        match value {
            "aarch64" | "aarch64_be" => "arm64",
            "arm" | "armeb" => "arm",
            "riscv64" | "riscv32" | "riscv" => "riscv",
            "x86_64" => "x86_64",
            "i386" | "i486" | "i586" | "i686" => "x86",
            other => other,
        }
        .to_string(),
    )
}

/// The first MiB of a card or image file (less when it is shorter), to read its table.
pub fn read_head(path: &Path) -> Option<Vec<u8>> {
    use std::io::Read;
    let mut f = std::fs::File::open(path).ok()?;
    let mut head = vec![0u8; 1 << 20];
    let mut got = 0;
    while got < head.len() {
        match f.read(&mut head[got..]) {
            Ok(0) | Err(_) => break,
            Ok(n) => got += n,
        }
    }
    head.truncate(got);
    Some(head)
}

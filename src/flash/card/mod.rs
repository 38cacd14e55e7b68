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

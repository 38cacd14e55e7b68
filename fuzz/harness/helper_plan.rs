//! Fuzz body: the privileged helper's reading of the plan an unprivileged process sends on
//! its stdin (the first line). Nothing is executed: an accepted plan is checked for the
//! properties the helper relies on, and for surviving the trip skiff sends it on.

use skiff::flash::FlashPlan;
use skiff::flash::plan::SourceSpec;

pub fn run(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // The helper reads one line, newline included.
    let line = text.split_inclusive('\n').next().unwrap_or("");
    let Ok(plan) = FlashPlan::from_json(line) else {
        return;
    };
    if let SourceSpec::Assembly { size, segments } = &plan.source {
        let mut end = 0u64;
        for s in segments {
            assert!(
                s.offset >= end,
                "{} overlaps the segment before it",
                s.label
            );
            end = s
                .offset
                .checked_add(s.len())
                .expect("segment end overflows");
            assert!(end <= *size, "{} ends beyond the card", s.label);
        }
    }
    // skiff sends the plan compact (one line); `to_json` is the pretty form for people.
    let wire = serde_json::to_string(&plan).expect("a plan encodes");
    assert!(!wire.contains('\n'));
    assert_eq!(
        FlashPlan::from_json(&wire).expect("own wire form reads back"),
        plan
    );
    assert_eq!(
        FlashPlan::from_json(&plan.to_json()).expect("pretty form reads back"),
        plan
    );
}

//! Fuzz body: `skiff check`'s reading of what the Kconfig engine wrote (the final `.config`)
//! and its explanation of every requested value that did not survive, against a Kconfig tree;
//! plus the menuconfig delta built from two `.config` files. The input is three parts split
//! at NUL bytes: Kconfig text, `.config` text, the merged fragment.

use skiff::build::delta::{changes, delta, values};
use skiff::build::kconfig::check::classify;
use skiff::build::kconfig::parse::{KconfigTree, read_tree};
use skiff::model::accumulate::{Accumulator, FileRef};
use std::collections::HashMap;

fn tree_of(kconfig: &[u8]) -> KconfigTree {
    let Ok(dir) = tempfile::tempdir() else {
        return KconfigTree::default();
    };
    if std::fs::write(dir.path().join("Config.in"), kconfig).is_err() {
        return KconfigTree::default();
    }
    read_tree(dir.path(), "Config.in", &HashMap::new()).unwrap_or_default()
}

pub fn run(data: &[u8]) {
    let mut parts = data.splitn(3, |&b| b == 0);
    let kconfig = parts.next().unwrap_or_default();
    let config = String::from_utf8_lossy(parts.next().unwrap_or_default());
    let fragment = String::from_utf8_lossy(parts.next().unwrap_or_default());
    let tree = tree_of(kconfig);
    let final_values = values(&config);
    let mut acc = Accumulator::default();
    acc.merge_fragment(
        &fragment,
        FileRef {
            layer: "fuzz/layer".into(),
            path: "buildroot/fuzz".into(),
        },
    );
    let requests = acc.provenance();
    for d in classify(&tree, &requests, &final_values) {
        assert!(requests.iter().any(|h| h.symbol == d.symbol), "{d:?}");
        assert_eq!(d.actual.as_ref(), final_values.get(&d.symbol), "{d:?}");
        assert!(d.line >= 1);
        let _ = d.reason.describe();
    }
    // The saved delta, merged later as a fragment, states exactly the changed values.
    assert_eq!(
        values(&delta(&config, &fragment)),
        changes(&config, &fragment)
    );
}

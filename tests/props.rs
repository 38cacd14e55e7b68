//! Property tests of stack resolution over the fixture tree.

mod common;

use proptest::prelude::*;
use skiff::model::{Catalog, resolve};
use std::sync::OnceLock;

fn catalog() -> &'static Catalog {
    static CAT: OnceLock<(tempfile::TempDir, Catalog)> = OnceLock::new();
    &CAT.get_or_init(|| {
        let (t, root) = common::fixture("upstream");
        let (_, cat) = common::catalog(&root);
        (t, cat)
    })
    .1
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, .. ProptestConfig::default() })]

    #[test]
    fn resolution_is_stable_complete_and_unique(picks in proptest::collection::vec(0usize..64, 0..8)) {
        let cat = catalog();
        let names: Vec<&str> = picks.iter().map(|i| cat.layers[i % cat.layers.len()].name.as_str()).collect();
        let r = resolve(cat, &names).unwrap();
        // No layer twice.
        let mut seen = std::collections::HashSet::new();
        for l in &r.layers {
            prop_assert!(seen.insert(l.clone()), "{l} twice in {:?}", r.layers);
        }
        // Every dependency present.
        for l in &r.layers {
            for d in &cat.lookup(l).unwrap().meta.dependencies {
                prop_assert!(r.layers.contains(d), "{d} (needed by {l}) missing from {:?}", r.layers);
            }
        }
        // Every requested layer present.
        for n in &names {
            prop_assert!(r.layers.iter().any(|l| l == n));
        }
        // Resolving a resolved stack changes nothing.
        let again: Vec<&str> = r.layers.iter().map(String::as_str).collect();
        let r2 = resolve(cat, &again).unwrap();
        prop_assert_eq!(&r2.layers, &r.layers);
    }
}

//! Which layers are boards: the rule behind the "two board layers" warning.
//!
//! A SkiffOS stack normally names one target (a board family such as `pi`, `odroid`,
//! `pine64`, or a virtual target under `virt`) plus distributions and apps. Categories
//! that are not targets are listed here; every other category is a board family.

use crate::model::Catalog;
use std::collections::HashSet;

/// Categories whose layers are not boards (distros, apps, skiff internals, helpers).
pub const NON_BOARD_CATEGORIES: [&str; 8] = [
    "android", "apps", "browser", "core", "driver", "misc", "skiff", "util",
];

/// True when the layer's category is a board family.
pub fn is_board(name: &str) -> bool {
    let cat = name.split('/').next().unwrap_or("").to_ascii_lowercase();
    !cat.is_empty() && !NON_BOARD_CATEGORIES.contains(&cat.as_str())
}

/// Every layer `name` pulls in through its dependencies, transitively.
pub fn dependency_closure(catalog: &Catalog, name: &str) -> HashSet<String> {
    let mut seen = HashSet::new();
    let mut todo = vec![name.to_string()];
    while let Some(n) = todo.pop() {
        let Some(l) = catalog.lookup(&n) else {
            continue;
        };
        for d in &l.meta.dependencies {
            if let Some(dl) = catalog.lookup(d)
                && seen.insert(dl.name.clone())
            {
                todo.push(dl.name.clone());
            }
        }
    }
    seen
}

/// Pairs of typed board layers where neither pulls in the other (`pi/4` with `pi/common`
/// is one board; `pi/4` with `odroid/xu` is two). Each pair is (earlier, later).
pub fn board_conflicts(catalog: &Catalog, typed: &[String]) -> Vec<(String, String)> {
    let boards: Vec<(&String, HashSet<String>)> = typed
        .iter()
        .filter(|n| is_board(n) && catalog.lookup(n).is_some())
        .map(|n| (n, dependency_closure(catalog, n)))
        .collect();
    let canon = |n: &str| {
        catalog
            .lookup(n)
            .map(|l| l.name.clone())
            .unwrap_or_default()
    };
    let mut out = Vec::new();
    for (i, (a, deps_a)) in boards.iter().enumerate() {
        for (b, deps_b) in &boards[i + 1..] {
            if !deps_a.contains(&canon(b)) && !deps_b.contains(&canon(a)) && canon(a) != canon(b) {
                out.push(((*a).clone(), (*b).clone()));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories() {
        assert!(is_board("pi/4"));
        assert!(is_board("virt/qemu"));
        assert!(!is_board("core/fedora"));
        assert!(!is_board("skiff/core"));
        assert!(!is_board("Apps/docker"));
        assert!(!is_board(""));
    }
}

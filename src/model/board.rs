//! Which layers are boards, and the stack rule "one board per stack": the warning the CLI
//! (`skiff stack resolve`, `skiff configure`, `skiff build`) and the TUI both show.
//!
//! A SkiffOS stack normally names one target (a board family such as `pi`, `odroid`,
//! `pine64`, or a virtual target under `virt`) plus distributions and apps. Categories
//! that are not targets are listed here; every other category is a board family.

use super::catalog::Catalog;
use super::error::{Warning, WarningKind};
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

/// Typed board layers grouped into boards: two layers are one board when one pulls in
/// the other (`pi/4` with `pi/common`), else they are two (`pi/4` with `odroid/xu`).
/// Each group is listed by its layers in typed order; groups in order of first appearance.
pub fn board_groups(catalog: &Catalog, typed: &[String]) -> Vec<Vec<String>> {
    let boards: Vec<(String, HashSet<String>)> = typed
        .iter()
        .filter(|n| is_board(n))
        .filter_map(|n| catalog.lookup(n))
        .map(|l| (l.name.clone(), dependency_closure(catalog, &l.name)))
        .collect();
    // Union-find over the typed boards.
    let mut parent: Vec<usize> = (0..boards.len()).collect();
    fn root(p: &mut [usize], mut i: usize) -> usize {
        while p[i] != i {
            p[i] = p[p[i]];
            i = p[i];
        }
        i
    }
    for i in 0..boards.len() {
        for j in i + 1..boards.len() {
            let (a, da) = &boards[i];
            let (b, db) = &boards[j];
            if a == b || da.contains(b) || db.contains(a) {
                let (ri, rj) = (root(&mut parent, i), root(&mut parent, j));
                parent[rj.max(ri)] = rj.min(ri);
            }
        }
    }
    let mut groups: Vec<(usize, Vec<String>)> = Vec::new();
    for (i, (name, _)) in boards.iter().enumerate() {
        let r = root(&mut parent, i);
        match groups.iter_mut().find(|(g, _)| *g == r) {
            Some((_, v)) => {
                if !v.contains(name) {
                    v.push(name.clone())
                }
            }
            None => groups.push((r, vec![name.clone()])),
        }
    }
    groups.into_iter().map(|(_, v)| v).collect()
}

/// One warning per board beyond the first among the typed items: "a stack targets one
/// board". The warning's layer is the first layer of the extra board.
pub fn board_warnings(catalog: &Catalog, typed: &[String]) -> Vec<Warning> {
    let groups = board_groups(catalog, typed);
    groups
        .iter()
        .skip(1)
        .map(|g| {
            Warning::new(
                WarningKind::TwoBoards,
                format!(
                    "{} and {} are both board layers; a stack targets one board, remove one",
                    groups[0][0], g[0]
                ),
            )
            .layer(&g[0])
        })
        .collect()
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

    #[test]
    fn groups_follow_dependencies() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/upstream");
        let cat = Catalog::discover(&super::super::DiscoverOptions {
            configs_dir: dir.join("configs"),
            ..Default::default()
        })
        .unwrap();
        let t = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let g = board_groups(&cat, &t(&["pi/4", "odroid/xu", "pi/common", "core/fedora"]));
        assert_eq!(g, [t(&["pi/4", "pi/common"]), t(&["odroid/xu"])]);
        let g = board_groups(&cat, &t(&["virt/wsl", "intel/desktop"]));
        assert_eq!(g, [t(&["virt/wsl", "intel/desktop"])]);
        assert!(board_groups(&cat, &t(&["core/fedora"])).is_empty());
    }
}

//! No import rings between the files of src/: every `use` and every `crate::`/`super::`
//! path of every file is resolved to the file it names (through `pub use` re-exports of
//! module files), and the file graph must have no cycle. A failure prints each ring.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A module of the crate: its path (`["model", "merge"]`) and its file (relative to src/).
struct Module {
    file: String,
    text: String,
}

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every module file by module path; `lib.rs` is the empty path.
fn modules() -> BTreeMap<Vec<String>, Module> {
    let mut out = BTreeMap::new();
    let mut stack = vec![src_dir()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            if p.extension().is_none_or(|x| x != "rs") {
                continue;
            }
            let rel = p
                .strip_prefix(src_dir())
                .unwrap()
                .to_string_lossy()
                .into_owned();
            if rel == "main.rs" {
                continue;
            }
            let mut segs: Vec<String> = rel
                .trim_end_matches(".rs")
                .split('/')
                .map(String::from)
                .collect();
            if segs.last().is_some_and(|s| s == "mod" || s == "lib") {
                segs.pop();
            }
            let text = std::fs::read_to_string(&p).unwrap();
            out.insert(segs, Module { file: rel, text });
        }
    }
    out
}

/// The text without comments, string literals and `#[cfg(test)] mod tests { ... }` blocks.
fn code_of(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(i) => &text[..i],
        None => text,
    };
    let mut out = String::with_capacity(text.len());
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i..].starts_with(b"//") {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if b[i..].starts_with(b"/*") {
            i += 2;
            while i < b.len() && !b[i..].starts_with(b"*/") {
                i += 1;
            }
            i += 2;
        } else if b[i] == b'"' {
            i += 1;
            while i < b.len() && b[i] != b'"' {
                i += if b[i] == b'\\' { 2 } else { 1 };
            }
            i += 1;
            out.push_str("\"\"");
        } else if b[i] == b'\'' && i + 2 < b.len() && (b[i + 2] == b'\'' || b[i + 1] == b'\\') {
            // A char literal ('x' or '\n'); lifetimes have no closing quote.
            i += 1;
            while i < b.len() && b[i] != b'\'' {
                i += if b[i] == b'\\' { 2 } else { 1 };
            }
            i += 1;
        } else {
            out.push(b[i] as char);
            i += 1;
        }
    }
    out
}

/// Expand a `use` tree (`a::{b, c::{d, e}}`) into flat paths.
fn expand(text: &str) -> Vec<Vec<String>> {
    // Drop renames (`X as Y`), keeping the punctuation after the new name, then spaces.
    let mut tree = String::new();
    let mut words = text.split_whitespace();
    while let Some(w) = words.next() {
        if w == "as" {
            let renamed = words.next().unwrap_or_default();
            tree.extend(
                renamed
                    .chars()
                    .filter(|c| !(c.is_alphanumeric() || *c == '_')),
            );
        } else {
            tree.push_str(w);
        }
    }
    let mut out = Vec::new();
    expand_into(&tree, &[], &mut out);
    out
}

fn expand_into(tree: &str, prefix: &[String], out: &mut Vec<Vec<String>>) {
    if let Some(open) = tree.find('{') {
        let head = &tree[..open];
        let body = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
        let base: Vec<String> = head
            .split("::")
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect();
        let mut depth = 0;
        let mut start = 0;
        let mut parts = Vec::new();
        for (i, c) in body.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    parts.push(&body[start..i]);
                    start = i + 1;
                }
                _ => {}
            }
        }
        parts.push(&body[start..]);
        for part in parts.into_iter().filter(|p| !p.is_empty()) {
            let mut p = prefix.to_vec();
            p.extend(base.iter().cloned());
            expand_into(part, &p, out);
        }
    } else {
        let mut p = prefix.to_vec();
        p.extend(tree.split("::").filter(|s| !s.is_empty()).map(String::from));
        out.push(p);
    }
}

/// Every path a file names: its `use` trees and the `crate::`/`super::` paths in its code.
fn paths_of(code: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(i) = rest.find("use ") {
        let before = rest[..i].chars().last();
        rest = &rest[i + 4..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let end = rest.find(';').unwrap_or(rest.len());
        out.extend(expand(&rest[..end]));
    }
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    for start in ["crate::", "super::"] {
        let mut from = 0;
        while let Some(i) = code[from..].find(start) {
            let at = from + i;
            from = at + start.len();
            if code[..at]
                .chars()
                .last()
                .is_some_and(|c| ident(c) || c == ':')
            {
                continue;
            }
            let path: String = code[at..]
                .chars()
                .take_while(|&c| ident(c) || c == ':')
                .collect();
            if path.ends_with("::") {
                continue; // the head of a `use` tree, expanded above
            }
            let segs: Vec<String> = path
                .split("::")
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect();
            out.push(segs);
        }
    }
    out
}

/// The module path a `use` path names, made absolute from the module `here`.
fn absolute(
    here: &[String],
    path: &[String],
    mods: &BTreeMap<Vec<String>, Module>,
) -> Option<Vec<String>> {
    let first = path.first()?;
    let mut base: Vec<String> = match first.as_str() {
        "crate" => Vec::new(),
        "self" => here.to_vec(),
        "super" => {
            let mut b = here.to_vec();
            b.pop();
            b
        }
        _ => {
            // A child module declared by this file (`use child::X`); else another crate.
            let mut child = here.to_vec();
            child.push(first.clone());
            if !mods.contains_key(&child) {
                return None;
            }
            let mut p = here.to_vec();
            p.extend(path.iter().cloned());
            return Some(p);
        }
    };
    let mut rest = &path[1..];
    while rest.first().is_some_and(|s| s == "super") {
        base.pop();
        rest = &rest[1..];
    }
    base.extend(rest.iter().cloned());
    Some(base)
}

/// The file an absolute path lands in: the deepest module prefix, following `pub use`
/// re-exports of that module for the next segment.
fn target(
    path: &[String],
    mods: &BTreeMap<Vec<String>, Module>,
    exports: &BTreeMap<Vec<String>, BTreeMap<String, Vec<String>>>,
    depth: usize,
) -> Option<String> {
    let mut n = path.len();
    while n > 0 && !mods.contains_key(&path[..n]) {
        n -= 1;
    }
    let module = path[..n].to_vec();
    if depth < 8
        && let Some(item) = path.get(n)
        && let Some(to) = exports.get(&module).and_then(|m| m.get(item))
    {
        let mut next = to.clone();
        next.extend(path[n + 1..].iter().cloned());
        if next != path {
            return target(&next, mods, exports, depth + 1);
        }
    }
    mods.get(&module).map(|m| m.file.clone())
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let mods = modules();
    let mut exports: BTreeMap<Vec<String>, BTreeMap<String, Vec<String>>> = BTreeMap::new();
    for (here, m) in &mods {
        let code = code_of(&m.text);
        let mut rest = code.as_str();
        while let Some(i) = rest.find("pub use ") {
            rest = &rest[i + 8..];
            let end = rest.find(';').unwrap_or(rest.len());
            for p in expand(&rest[..end]) {
                if let (Some(abs), Some(last)) = (absolute(here, &p, &mods), p.last()) {
                    exports
                        .entry(here.clone())
                        .or_default()
                        .insert(last.clone(), abs);
                }
            }
        }
    }
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (here, m) in &mods {
        let code = code_of(&m.text);
        let edges = g.entry(m.file.clone()).or_default();
        for p in paths_of(&code) {
            let Some(abs) = absolute(here, &p, &mods) else {
                continue;
            };
            if let Some(t) = target(&abs, &mods, &exports, 0)
                && t != m.file
            {
                edges.insert(t);
            }
        }
    }
    g
}

/// Strongly connected components with more than one file (Tarjan).
fn rings(g: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct S<'a> {
        g: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        on: BTreeSet<&'a str>,
        stack: Vec<&'a str>,
        next: usize,
        out: Vec<Vec<String>>,
    }
    fn visit<'a>(s: &mut S<'a>, v: &'a str) {
        s.index.insert(v, s.next);
        s.low.insert(v, s.next);
        s.next += 1;
        s.stack.push(v);
        s.on.insert(v);
        for w in s.g.get(v).into_iter().flatten() {
            let w = w.as_str();
            if !s.index.contains_key(w) {
                visit(s, w);
                let l = s.low[w].min(s.low[v]);
                s.low.insert(v, l);
            } else if s.on.contains(w) {
                let l = s.index[w].min(s.low[v]);
                s.low.insert(v, l);
            }
        }
        if s.low[v] == s.index[v] {
            let mut comp = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on.remove(w);
                comp.push(w.to_string());
                if w == v {
                    break;
                }
            }
            if comp.len() > 1 {
                comp.sort();
                s.out.push(comp);
            }
        }
    }
    let mut s = S {
        g,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        on: BTreeSet::new(),
        stack: Vec::new(),
        next: 0,
        out: Vec::new(),
    };
    for v in g.keys() {
        if !s.index.contains_key(v.as_str()) {
            visit(&mut s, v);
        }
    }
    s.out
}

/// One concrete cycle through a ring, for the message: a -> b -> ... -> a.
fn cycle_in(g: &BTreeMap<String, BTreeSet<String>>, ring: &[String]) -> String {
    let inside: BTreeSet<&String> = ring.iter().collect();
    let start = &ring[0];
    let mut prev: BTreeMap<&String, &String> = BTreeMap::new();
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(v) = queue.pop_front() {
        for w in g
            .get(v)
            .into_iter()
            .flatten()
            .filter(|w| inside.contains(w))
        {
            if w == start {
                let mut path = vec![v];
                let mut at = v;
                while at != start {
                    at = prev[at];
                    path.push(at);
                }
                path.reverse();
                path.push(start);
                return path
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(" -> ");
            }
            if !prev.contains_key(w) {
                prev.insert(w, v);
                queue.push_back(w);
            }
        }
    }
    ring.join(", ")
}

#[test]
fn no_import_rings_between_files_of_src() {
    let g = graph();
    let mut failures = Vec::new();
    for ring in rings(&g) {
        let cycle = cycle_in(&g, &ring);
        failures.push(format!(
            "ring of {} files ({}): {cycle}",
            ring.len(),
            ring.join(", ")
        ));
    }
    assert!(
        failures.is_empty(),
        "import rings in src/:\n{}",
        failures.join("\n")
    );
}

#[test]
fn the_ring_finder_finds_a_ring_and_resolves_re_exports() {
    let g = graph();
    assert!(
        g["cli/configure.rs"].contains("build/workspace.rs"),
        "{:?}",
        g["cli/configure.rs"]
    );
    // `crate::model::Catalog` is a re-export of model/mod.rs: it lands in catalog.rs.
    assert!(g["model/merge.rs"].contains("model/catalog.rs"));
    let mut fake = g.clone();
    fake.get_mut("model/tree.rs")
        .unwrap()
        .insert("model/merge.rs".into());
    let found = rings(&fake);
    assert!(
        found
            .iter()
            .any(|r| r.contains(&"model/tree.rs".to_string())),
        "{found:?}"
    );
}

#[test]
fn model_starts_no_process() {
    for m in modules().values().filter(|m| m.file.starts_with("model/")) {
        let code = code_of(&m.text);
        for bad in ["std::process", "Command::new", "process::Command"] {
            assert!(
                !code.contains(bad),
                "src/{} names {bad}: src/model is pure data; run processes from src/build",
                m.file
            );
        }
    }
}

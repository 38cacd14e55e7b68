//! The configuration hash: one digest of everything a stack's merge decides, independent of
//! where the tree is checked out, for cache keys (`skiff config hash`, `skiff ci github`).

use super::catalog::Catalog;
use super::error::Result;
use super::fragment::ConfigKind;
use super::merge::{MergeContext, merge, sources};
use super::stack::ResolvedStack;
use super::tree::Tree;
use sha2::{Digest, Sha256};

/// Placeholders for the values that depend on the machine or the checkout, not the stack.
const FIXED_CONTEXT: [&str; 4] = ["<final>/", "<version>", "<commit>", "<ccache>"];

/// Hex SHA-256 (first 16 digits) of the resolved chain and every merged output (the four
/// configurations, users, cflags, overlays, patches, externals, hooks), with the tree and
/// base roots written as placeholders and the version, final directory and ccache fixed.
/// Two checkouts of the same tree at different paths, or at different commits that change
/// no layer, get the same hash; any change to a merged value changes it.
pub fn config_hash(
    tree: &Tree,
    catalog: &Catalog,
    stack: &ResolvedStack,
    ws: &str,
) -> Result<String> {
    let [final_dir_text, version, version_commit, ccache_dir] = FIXED_CONTEXT.map(String::from);
    let ctx = MergeContext {
        final_dir_text,
        version,
        version_commit,
        ccache_dir,
    };
    let merged = merge(&sources(tree, catalog, stack, ws), &ctx)?;
    let mut text = format!("chain {}\n", stack.joined());
    for kind in ConfigKind::ALL {
        text.push_str(&format!(
            "== {}\n{}\n",
            kind.dir_name(),
            merged.config(kind).text
        ));
    }
    for (name, list) in [
        ("overlays", &merged.overlays),
        ("kernel_patches", &merged.kernel_patches),
        ("uboot_patches", &merged.uboot_patches),
        ("buildroot_patches", &merged.buildroot_patches),
        ("externals", &merged.externals),
    ] {
        text.push_str(&format!("== {name}\n{}\n", list.join("\n")));
    }
    for (name, hooks) in [("pre", &merged.pre_hooks), ("post", &merged.post_hooks)] {
        text.push_str(&format!("== {name}_hooks\n{hooks:?}\n"));
    }
    text.push_str(&format!(
        "== users\n{}\n== cflags\n{}\n",
        merged.users, merged.cflags
    ));
    // Longest root first, so a project inside its base (or the reverse) maps consistently.
    let mut roots = vec![(tree.root.display().to_string(), "<root>")];
    if let Some(b) = &tree.base {
        roots.push((b.display().to_string(), "<base>"));
    }
    roots.sort_by_key(|(r, _)| std::cmp::Reverse(r.len()));
    for (root, mark) in roots {
        text = text.replace(&root, mark);
    }
    Ok(Sha256::digest(text.as_bytes())
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect())
}

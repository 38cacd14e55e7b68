//! Generator of a synthetic SkiffOS tree for benchmarks: many layers, many fragment files.

use std::fmt::Write as _;
use std::path::Path;

/// Shape of the generated tree.
pub struct TreeShape {
    pub categories: usize,
    pub layers_per_category: usize,
    pub files_per_kind: usize,
    pub lines_per_file: usize,
}

impl Default for TreeShape {
    /// 180 layers and about 1,900 files.
    fn default() -> Self {
        TreeShape {
            categories: 30,
            layers_per_category: 6,
            files_per_kind: 4,
            lines_per_file: 25,
        }
    }
}

/// Write the tree under `root` (configs/, configs-base/, overrides/) and return a stack of
/// five layers that resolves to ten (each pulls in one dependency).
pub fn generate(root: &Path, shape: &TreeShape) -> std::io::Result<String> {
    let w = |rel: &str, text: &str| -> std::io::Result<()> {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().expect("relative path has a parent"))?;
        std::fs::write(p, text)
    };
    for kind in ["buildroot", "kernel"] {
        for f in 0..shape.files_per_kind {
            w(
                &format!("configs-base/pre/{kind}/base{f}"),
                &fragment(kind, 1000 + f, shape.lines_per_file),
            )?;
        }
    }
    w(
        "configs-base/post/buildroot/config",
        "BR2_ROOTFS_OVERLAY=\"REPLACEME_ROOTFS_OVERLAY\"\n",
    )?;
    std::fs::create_dir_all(root.join("overrides"))?;
    for c in 0..shape.categories {
        for l in 0..shape.layers_per_category {
            let name = format!("cat{c:02}/layer{l}");
            let base = format!("configs/{name}");
            w(
                &format!("{base}/metadata/description"),
                &format!("Synthetic layer {c}/{l} for benchmarks.\n"),
            )?;
            if l > 0 {
                w(
                    &format!("{base}/metadata/dependencies"),
                    &format!("cat{c:02}/layer{}\n", l - 1),
                )?;
            }
            if l == 0 && c % 3 == 0 {
                w(&format!("{base}/metadata/unlisted"), "")?;
            }
            for kind in ["buildroot", "kernel"] {
                for f in 0..shape.files_per_kind {
                    let seed = c * 100 + l * 10 + f;
                    w(
                        &format!("{base}/{kind}/{f:02}-frag"),
                        &fragment(kind, seed, shape.lines_per_file),
                    )?;
                }
            }
        }
    }
    let stack: Vec<String> = (0..5)
        .map(|i| format!("cat{:02}/layer1", i * 6 % shape.categories))
        .collect();
    Ok(stack.join(","))
}

fn fragment(kind: &str, seed: usize, lines: usize) -> String {
    let mut s = String::from("# generated fragment\n");
    for i in 0..lines {
        // Overlapping symbol names across layers so de-duplication has work to do.
        let sym = (seed * 7 + i * 13) % 400;
        if kind == "kernel" {
            if i % 5 == 0 {
                let _ = writeln!(s, "# CONFIG_SYM_{sym} is not set");
            } else {
                let _ = writeln!(s, "CONFIG_SYM_{sym}=y");
            }
        } else {
            let _ = writeln!(s, "BR2_PACKAGE_SYM_{sym}=y");
        }
    }
    s
}

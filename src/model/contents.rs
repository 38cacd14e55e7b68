//! What a layer directory contributes: fragment files per kind, overlay and patch dirs, hooks.

use super::error::Warning;
use super::fragment::list_dir;
use serde::Serialize;
use std::path::Path;

/// Fragment directories, in merge order.
pub const FRAGMENT_DIRS: [&str; 6] = ["buildroot", "busybox", "cflags", "kernel", "uboot", "users"];
/// Directories merged as a whole.
pub const TREE_DIRS: [&str; 5] = [
    "root_overlay",
    "kernel_patches",
    "uboot_patches",
    "buildroot_patches",
    "buildroot_ext",
];

/// A summary of one layer directory, for `layer show` and the TUI detail pane.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LayerContents {
    /// (fragment kind, file names in merge order)
    pub fragments: Vec<(String, Vec<String>)>,
    pub directories: Vec<String>,
    pub hooks: Vec<String>,
    pub readme: Option<String>,
    #[serde(skip)]
    pub warnings: Vec<Warning>,
}

impl LayerContents {
    /// Read a layer directory (missing parts are simply absent).
    pub fn load(dir: &Path, layer: &str) -> LayerContents {
        let mut c = LayerContents::default();
        for kind in FRAGMENT_DIRS {
            let files = list_dir(&dir.join(kind), layer, &mut c.warnings).unwrap_or_default();
            if !files.is_empty() {
                let names = files
                    .iter()
                    .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
                    .collect();
                c.fragments.push((kind.to_string(), names));
            }
        }
        c.directories = TREE_DIRS
            .iter()
            .filter(|d| dir.join(d).is_dir())
            .map(|d| d.to_string())
            .collect();
        c.hooks = ["pre.sh", "post.sh"]
            .iter()
            .filter(|h| dir.join("hooks").join(h).is_file())
            .map(|h| format!("hooks/{h}"))
            .collect();
        c.readme = super::text::read_text(&dir.join("README.md")).ok();
        c
    }
}

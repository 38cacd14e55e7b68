//! Which skiff-core YAML a stack's build installs as `/opt/skiff/coreenv/defconfig.yaml`:
//! every package of an enabled layer that installs one (in install order), then every root
//! overlay that carries one (overlays are copied after all packages, in merge order). The last
//! one wins.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::model::fragment::Value;
use crate::model::merge::{MergeSource, MergedConfig};

/// Where the image carries the default that seeds it.
pub const IMAGE_PATH: &str = "opt/skiff/coreenv/defconfig.yaml";

/// How a candidate reaches the image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "via", rename_all = "snake_case")]
pub enum Via {
    /// A Buildroot package of the layer's `buildroot_ext` installs it.
    Package { package: String, symbol: String },
    /// The layer's `root_overlay` carries it.
    Overlay,
}

/// One YAML that lands at the installed path, in the order the build writes them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Candidate {
    /// The merge source (layer, `overrides`, `overrides/workspaces/<ws>`).
    pub layer: String,
    pub path: PathBuf,
    #[serde(flatten)]
    pub via: Via,
}

impl Candidate {
    /// Why this one is written where it is in the order.
    pub fn reason(&self) -> String {
        match &self.via {
            Via::Package { package, symbol } => format!(
                "package {package} of {} installs it ({symbol}=y); packages of later layers install later",
                self.layer
            ),
            Via::Overlay => format!(
                "root overlay of {}: overlays are copied over the target after every package, in merge order",
                self.layer
            ),
        }
    }
}

/// Where the TUI editor saves a workspace's config: its root overlay, the last one merged
/// before `configs-base/post`, so it wins over every layer.
pub fn override_path(overrides_dir: &Path, ws: &str) -> PathBuf {
    overrides_dir
        .join("workspaces")
        .join(ws)
        .join("root_overlay")
        .join(IMAGE_PATH)
}

/// Every YAML the build writes to the installed path, first to last; the last one wins.
pub fn candidates(sources: &[MergeSource], buildroot: &MergedConfig) -> Vec<Candidate> {
    let mut out = Vec::new();
    for s in sources {
        for (package, path) in packages(&s.dir) {
            let symbol = format!(
                "BR2_PACKAGE_{}",
                package.to_ascii_uppercase().replace('-', "_")
            );
            let enabled = buildroot
                .symbol(&symbol)
                .is_some_and(|h| h.effective.value == Value::Set("y".into()));
            if enabled {
                out.push(Candidate {
                    layer: s.label.clone(),
                    path,
                    via: Via::Package { package, symbol },
                });
            }
        }
    }
    for s in sources {
        let path = s.dir.join("root_overlay").join(IMAGE_PATH);
        if path.is_file() {
            out.push(Candidate {
                layer: s.label.clone(),
                path,
                via: Via::Overlay,
            });
        }
    }
    out
}

/// Packages under `buildroot_ext/package/` that ship a `defconfig.yaml` and whose `.mk`
/// installs it to the skiff-core default path, by name.
pub fn packages(layer: &Path) -> Vec<(String, PathBuf)> {
    let Ok(read) = std::fs::read_dir(layer.join("buildroot_ext").join("package")) else {
        return Vec::new();
    };
    let mut out: Vec<(String, PathBuf)> = read
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let yaml = e.path().join("defconfig.yaml");
            let mk = std::fs::read_to_string(e.path().join(format!("{name}.mk"))).ok()?;
            (yaml.is_file() && mk.contains("coreenv/defconfig.yaml")).then_some((name, yaml))
        })
        .collect();
    out.sort();
    out
}

/// The candidates of a resolved stack in workspace `ws`, first to last (the last one wins).
pub fn for_stack(
    tree: &crate::model::Tree,
    catalog: &crate::model::Catalog,
    stack: &crate::model::ResolvedStack,
    ws: &str,
) -> crate::model::Result<Vec<Candidate>> {
    // Which packages are selected does not depend on the version or ccache strings.
    let version = crate::model::version::Version {
        version: String::new(),
        commit: String::new(),
    };
    let merged = crate::model::merge::merge_stack(tree, catalog, stack, ws, &version, None)?;
    Ok(candidates(
        &crate::model::merge::sources(tree, catalog, stack, ws),
        merged.config(crate::model::ConfigKind::Buildroot),
    ))
}

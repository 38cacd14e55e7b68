//! Layer discovery: the search roots, upstream's name rules, shadowing and env overrides.

use super::error::{ModelError, Result, Warning, WarningKind};
use super::metadata::Metadata;
use super::names::{help_sort_key, is_valid_layer_name, layer_id};
use serde::Serialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Where a layer was found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind", content = "value")]
pub enum LayerSource {
    /// A `SKIFF_EXTRA_CONFIGS_PATH` root.
    Extra(PathBuf),
    /// The tree's own `configs/`.
    Builtin,
    /// A preset `SKIFF_CONFIG_PATH_<ID>` variable.
    Env(String),
}

/// One discovered layer.
#[derive(Debug, Clone, Serialize)]
pub struct Layer {
    pub name: String,
    pub id: String,
    pub dir: PathBuf,
    pub source: LayerSource,
    pub meta: Metadata,
    /// Set when the layer cannot be used (unreadable metadata, missing directory).
    pub error: Option<String>,
}

/// Inputs of discovery, taken from flags and environment by the caller.
#[derive(Debug, Clone, Default)]
pub struct DiscoverOptions {
    pub configs_dir: PathBuf,
    pub extra_paths: Vec<PathBuf>,
    /// Preset `SKIFF_CONFIG_PATH_<ID>` values: (ID, directory).
    pub env_paths: Vec<(String, PathBuf)>,
}

impl DiscoverOptions {
    /// Read preset `SKIFF_CONFIG_PATH_<ID>` variables from an environment listing.
    pub fn env_paths_from(
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> Vec<(String, PathBuf)> {
        let mut v: Vec<_> = vars
            .into_iter()
            .filter_map(|(k, val)| {
                let id = k.strip_prefix("SKIFF_CONFIG_PATH_")?;
                (!id.is_empty() && !val.is_empty()).then(|| (id.to_string(), PathBuf::from(val)))
            })
            .collect();
        v.sort();
        v
    }
}

/// Every layer of a tree, in upstream's help order, with an index by ID.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    pub layers: Vec<Layer>,
    by_id: HashMap<String, usize>,
    pub warnings: Vec<Warning>,
}

impl Catalog {
    /// Discover layers: extra roots left to right, then `configs/`; first of an ID wins,
    /// preset variables beat all.
    pub fn discover(opts: &DiscoverOptions) -> Result<Catalog> {
        let mut cat = Catalog::default();
        let mut found: Vec<(String, PathBuf, LayerSource)> = Vec::new();
        let mut seen: HashMap<String, usize> = HashMap::new();
        for (id, dir) in &opts.env_paths {
            seen.insert(id.clone(), found.len());
            let name = name_from_id(id);
            found.push((
                name,
                dir.clone(),
                LayerSource::Env(format!("SKIFF_CONFIG_PATH_{id}")),
            ));
        }
        let mut roots: Vec<(PathBuf, bool)> =
            opts.extra_paths.iter().map(|p| (p.clone(), true)).collect();
        roots.push((opts.configs_dir.clone(), false));
        for (root, extra) in roots {
            let names = match scan_root(&root, &mut cat.warnings) {
                Some(n) => n,
                None if extra => continue,
                None => return Err(ModelError::NoTree { path: root }),
            };
            for name in names {
                let id = layer_id(&name);
                let dir = root.join(&name);
                if let Some(&prev) = seen.get(&id) {
                    if let LayerSource::Env(_) = found[prev].2 {
                        // A preset variable keeps its path; take the real spelling of the name.
                        if found[prev].0 == name_from_id(&id) {
                            found[prev].0 = name;
                        }
                    } else if found[prev].1.parent().and_then(Path::parent) == Some(root.as_path())
                    {
                        cat.warnings.push(
                            Warning::new(
                                WarningKind::SkippedDirectory,
                                format!(
                                    "`{name}` has the same ID {id} as `{}`; the first one wins",
                                    found[prev].0
                                ),
                            )
                            .at(&dir, None),
                        );
                    }
                    continue;
                }
                seen.insert(id, found.len());
                let source = if extra {
                    LayerSource::Extra(root.clone())
                } else {
                    LayerSource::Builtin
                };
                found.push((name, dir, source));
            }
        }
        for (name, dir, source) in found {
            let id = layer_id(&name);
            let (meta, error) = if dir.is_dir() {
                match Metadata::load(&dir, &name) {
                    Ok(m) => (m, None),
                    Err(e) => (Metadata::default(), Some(e.to_string())),
                }
            } else {
                (
                    Metadata::default(),
                    Some(format!("{}: not a directory", dir.display())),
                )
            };
            cat.warnings.extend(meta.warnings.iter().cloned());
            cat.layers.push(Layer {
                name,
                id,
                dir,
                source,
                meta,
                error,
            });
        }
        cat.layers.sort_by_key(|a| help_sort_key(&a.id));
        cat.by_id = cat
            .layers
            .iter()
            .enumerate()
            .map(|(i, l)| (l.id.clone(), i))
            .collect();
        Ok(cat)
    }

    /// Look a stack item up like upstream: case-insensitive through its ID.
    pub fn lookup(&self, item: &str) -> Option<&Layer> {
        self.by_id.get(&layer_id(item)).map(|&i| &self.layers[i])
    }

    /// Layers shown by default (not `unlisted`).
    pub fn listed(&self) -> impl Iterator<Item = &Layer> {
        self.layers.iter().filter(|l| !l.meta.unlisted)
    }

    /// The closest layer names to `wanted`, best first, for "did you mean" hints.
    pub fn suggest(&self, wanted: &str) -> Vec<String> {
        let w = wanted.to_ascii_lowercase();
        let mut scored: Vec<(usize, &str)> = self
            .layers
            .iter()
            .map(|l| {
                let n = l.name.to_ascii_lowercase();
                let mut d = edit_distance(&w, &n);
                let tail = w.rsplit('/').next().unwrap_or(&w);
                if !tail.is_empty() && n.rsplit('/').next() == Some(tail) {
                    d = d.min(2);
                }
                (d, l.name.as_str())
            })
            .filter(|(d, _)| *d <= 3.max(w.len() / 3))
            .collect();
        scored.sort();
        scored
            .into_iter()
            .take(3)
            .map(|(_, n)| n.to_string())
            .collect()
    }
}

/// List `<cat>/<name>` directories of one root, byte-sorted; None if the root is unreadable.
fn scan_root(root: &Path, warnings: &mut Vec<Warning>) -> Option<Vec<String>> {
    let cats = match std::fs::read_dir(root) {
        Ok(r) => r,
        Err(e) => {
            warnings.push(
                Warning::new(
                    WarningKind::InaccessiblePath,
                    format!("cannot read configs path ({e}); it is ignored"),
                )
                .at(root, None),
            );
            return None;
        }
    };
    let mut names = Vec::new();
    for cat in cats.flatten() {
        // Like `find -type d` without -L: symbolic links are not followed.
        if !cat.file_type().map(|t| t.is_dir()).unwrap_or(false) {
            continue;
        }
        let Some(cat_name) = cat.file_name().to_str().map(str::to_string) else {
            continue;
        };
        let inner = match std::fs::read_dir(cat.path()) {
            Ok(r) => r,
            Err(e) => {
                warnings.push(
                    Warning::new(
                        WarningKind::SkippedDirectory,
                        format!("cannot read category directory ({e})"),
                    )
                    .at(cat.path(), None),
                );
                continue;
            }
        };
        for ent in inner.flatten() {
            if !ent.file_type().map(|t| t.is_dir()).unwrap_or(false) {
                continue;
            }
            let file_name = ent.file_name();
            let Some(n) = file_name.to_str() else {
                warnings.push(
                    Warning::new(
                        WarningKind::SkippedDirectory,
                        "layer directory name is not UTF-8; ignored",
                    )
                    .at(ent.path(), None),
                );
                continue;
            };
            let name = format!("{cat_name}/{n}");
            if is_valid_layer_name(&name) {
                names.push(name);
            } else if !n.starts_with('.') && !cat_name.starts_with('.') {
                warnings.push(
                    Warning::new(
                        WarningKind::SkippedDirectory,
                        format!("`{name}` ignored: layer names may only use letters, digits and _"),
                    )
                    .at(ent.path(), None),
                );
            }
        }
    }
    names.sort();
    Some(names)
}

/// Best guess of a layer name from an ID: lower case, first `_` as the category separator.
fn name_from_id(id: &str) -> String {
    id.to_ascii_lowercase().replacen('_', "/", 1)
}

/// Levenshtein distance in characters, for "did you mean" hints.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance() {
        assert_eq!(edit_distance("pi/4", "pi/4"), 0);
        assert_eq!(edit_distance("pi/5", "pi/4"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
    }

    #[test]
    fn env_paths() {
        let v = DiscoverOptions::env_paths_from([
            ("SKIFF_CONFIG_PATH_MY_BOARD".to_string(), "/x".to_string()),
            ("OTHER".to_string(), "/y".to_string()),
        ]);
        assert_eq!(v, [("MY_BOARD".to_string(), PathBuf::from("/x"))]);
        assert_eq!(name_from_id("MY_BOARD_X"), "my/board_x");
    }
}

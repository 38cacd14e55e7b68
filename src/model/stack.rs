//! Stack resolution: SKIFF_CONFIG parsing, de-duplication and upstream's dependency insertion.

use super::catalog::Catalog;
use super::error::{ModelError, Result, Warning, WarningKind};
use super::names::{is_well_formed_item, split_list};
use serde::Serialize;

/// A resolved SKIFF_CONFIG chain.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ResolvedStack {
    /// The items as the user typed them (well-formed ones).
    pub requested: Vec<String>,
    /// The resolved chain, in merge order (later wins).
    pub layers: Vec<String>,
    /// Layers that resolution added, each with the layer that needed it first.
    pub inserted: Vec<(String, String)>,
    /// Buildroot make goal from `metadata/buildtarget`, if any layer sets one.
    pub build_target: Option<String>,
    pub warnings: Vec<Warning>,
}

impl ResolvedStack {
    /// The chain as upstream writes it to `skiff_config`: comma-joined.
    pub fn joined(&self) -> String {
        self.layers.join(",")
    }
}

/// Parse and resolve a SKIFF_CONFIG value against the catalog.
pub fn resolve_text(catalog: &Catalog, text: &str) -> Result<ResolvedStack> {
    resolve(catalog, &split_list(text))
}

/// Resolve stack items exactly like upstream's enumeration loop: each pass walks the list,
/// inserts every missing dependency just before the first layer that needs it, and the loop
/// repeats until a pass adds nothing. Unknown layers are errors with suggestions.
pub fn resolve(catalog: &Catalog, items: &[&str]) -> Result<ResolvedStack> {
    let mut out = ResolvedStack::default();
    let mut input: Vec<String> = Vec::new();
    for &item in items {
        if !is_well_formed_item(item) {
            out.warnings.push(
                Warning::new(
                    WarningKind::MalformedItem,
                    format!("`{item}` is not category/name; ignored"),
                )
                .layer(item),
            );
            continue;
        }
        out.requested.push(item.to_string());
        let layer = catalog
            .lookup(item)
            .ok_or_else(|| unknown(catalog, item, None))?;
        if layer.name != item && !input.contains(&layer.name) {
            out.warnings.push(
                Warning::new(
                    WarningKind::Duplicate,
                    format!(
                        "`{item}` is spelled `{}` in the tree; using that",
                        layer.name
                    ),
                )
                .layer(&layer.name),
            );
        }
        if input.contains(&layer.name) {
            out.warnings.push(
                Warning::new(
                    WarningKind::Duplicate,
                    format!("`{item}` is listed twice; the first place is kept"),
                )
                .layer(&layer.name),
            );
            continue;
        }
        input.push(layer.name.clone());
    }
    // Upstream loops until nothing changes; a chain can grow by at most one pass per layer,
    // so this bound is never reached by a terminating tree and guards against surprises.
    for _ in 0..=catalog.layers.len() + 1 {
        let mut next: Vec<String> = Vec::new();
        let mut changed = false;
        for name in &input {
            if next.contains(name) {
                continue;
            }
            let layer = catalog
                .lookup(name)
                .ok_or_else(|| unknown(catalog, name, None))?;
            if let Some(err) = &layer.error {
                return Err(ModelError::Invalid(format!(
                    "layer {name} cannot be used: {err}"
                )));
            }
            for dep in &layer.meta.dependencies {
                let dep_layer = catalog
                    .lookup(dep)
                    .ok_or_else(|| unknown(catalog, dep, Some(name)))?;
                let dep_name = &dep_layer.name;
                if !input.contains(dep_name) && !next.contains(dep_name) {
                    next.push(dep_name.clone());
                    out.inserted.push((dep_name.clone(), name.clone()));
                    changed = true;
                }
            }
            if out.build_target.is_none() {
                out.build_target = layer.meta.buildtarget.clone();
            }
            next.push(name.clone());
        }
        input = next;
        if !changed {
            break;
        }
    }
    out.layers = input;
    out.warnings.extend(order_warnings(catalog, &out.layers));
    for name in &out.layers {
        if let Some(layer) = catalog.lookup(name) {
            out.warnings.extend(layer.meta.warnings.iter().cloned());
        }
    }
    Ok(out)
}

/// A dependency placed after the layer that needs it overrides that layer: say so.
fn order_warnings(catalog: &Catalog, layers: &[String]) -> Vec<Warning> {
    let mut out = Vec::new();
    for (pos, name) in layers.iter().enumerate() {
        let Some(layer) = catalog.lookup(name) else {
            continue;
        };
        for dep in &layer.meta.dependencies {
            let dep_pos = catalog
                .lookup(dep)
                .and_then(|d| layers.iter().position(|n| *n == d.name));
            if let Some(dp) = dep_pos.filter(|&dp| dp > pos) {
                out.push(
                    Warning::new(
                        WarningKind::DependencyAfterDependent,
                        format!(
                            "{name} depends on {} but {} comes later in the stack, so it overrides {name}",
                            layers[dp], layers[dp]
                        ),
                    )
                    .layer(name),
                );
            }
        }
    }
    out
}

fn unknown(catalog: &Catalog, name: &str, required_by: Option<&str>) -> ModelError {
    ModelError::UnknownLayer {
        name: name.to_string(),
        required_by: required_by.map(str::to_string),
        suggestions: catalog.suggest(name),
    }
}

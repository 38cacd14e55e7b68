//! The environment upstream exports to hooks and extension commands (`bind_env.sh`).

use super::catalog::{Catalog, Layer};
use super::stack::ResolvedStack;
use super::tree::Tree;
use super::version::Version;
use std::collections::BTreeMap;

/// Inputs that decide the configure-time environment.
pub struct EnvInput<'a> {
    pub tree: &'a Tree,
    pub catalog: &'a Catalog,
    pub stack: &'a ResolvedStack,
    pub workspace: &'a str,
    pub version: &'a Version,
    pub ccache_dir: &'a str,
    pub extra_paths: &'a str,
}

/// Every variable upstream has set by the time it configures, by name.
pub fn environment(input: &EnvInput) -> BTreeMap<String, String> {
    let t = input.tree;
    let ws = input.workspace;
    let s = |p: std::path::PathBuf| p.display().to_string();
    let mut v = BTreeMap::new();
    let root = s(t.root.clone());
    let ws_dir = s(t.workspace_dir(ws));
    for (k, val) in [
        ("ROOT_DIR", root.clone()),
        ("SKIFF_ROOT_DIR", root.clone()),
        ("SKIFF_CONFIGS_DIR", s(t.configs_dir())),
        ("SKIFF_WORKSPACES_DIR", s(t.workspaces_dir())),
        ("SKIFF_OVERRIDES_DIR", s(t.overrides_dir())),
        ("SKIFF_RESOURCES_DIR", s(t.root.join("resources"))),
        ("SKIFF_BASE_CONFIGS_DIR", s(t.base_dir())),
        ("SKIFF_SCRIPTS_DIR", s(t.root.join("scripts"))),
        ("SKIFF_VERSION", input.version.version.clone()),
        ("SKIFF_VERSION_COMMIT", input.version.commit.clone()),
        ("SKIFF_WORKSPACE", ws.to_string()),
        ("SKIFF_FINAL_CONFIG_DIR", format!("{}/", s(t.final_dir(ws)))),
        (
            "SKIFF_WS_OVERRIDES_DIR",
            format!("{}/", s(t.overrides_dir().join("workspaces").join(ws))),
        ),
        ("BR2_CCACHE_DIR", input.ccache_dir.to_string()),
        ("BUILDROOT_DEFAULT_DIR", s(t.root.join("buildroot"))),
        ("WORKSPACE_DIR", ws_dir.clone()),
        ("BUILDROOT_DIR", ws_dir.clone()),
        ("SKIFF_BUILDROOT_DIR", ws_dir.clone()),
        ("SKIFF_WORKSPACE_DIR", ws_dir),
        ("SKIFF_HAS_ENUMERATED_CONFIGS", "yes".to_string()),
    ] {
        v.insert(k.to_string(), val);
    }
    if !input.extra_paths.is_empty() {
        v.insert(
            "SKIFF_EXTRA_CONFIGS_PATH".into(),
            input.extra_paths.to_string(),
        );
    }
    let chain: Vec<_> = input
        .stack
        .layers
        .iter()
        .filter_map(|n| input.catalog.lookup(n))
        .collect();
    v.insert("SKIFF_CONFIG".into(), input.stack.joined());
    v.insert("SKIFF_CONFIGS".into(), input.stack.layers.join(" "));
    v.insert(
        "SKIFF_CONFIG_FULL".into(),
        chain
            .iter()
            .map(|l| l.id.as_str())
            .collect::<Vec<_>>()
            .join(" "),
    );
    v.insert(
        "SKIFF_CONFIG_PATH_VAR".into(),
        chain
            .iter()
            .map(|l| format!("SKIFF_CONFIG_PATH_{}", l.id))
            .collect::<Vec<_>>()
            .join(" "),
    );
    v.insert(
        "SKIFF_CONFIG_PATH".into(),
        chain
            .iter()
            .map(|l| l.dir.display().to_string())
            .collect::<Vec<_>>()
            .join(" "),
    );
    if let Some(bt) = &input.stack.build_target {
        v.insert("SKIFF_BUILD_TARGET_OVERRIDE".into(), bt.clone());
    }
    for l in &input.catalog.layers {
        v.insert(
            format!("SKIFF_CONFIG_PATH_{}", l.id),
            l.dir.display().to_string(),
        );
        v.insert(format!("SKIFF_CONFIG_NAME_{}", l.id), l.name.clone());
    }
    command_vars(&chain, &mut v);
    v
}

/// The extension commands of the chain's layers: `SKIFF_<ID>_COMMAND_LIST`, `_PATHS` and
/// one `_DESCRIP` per command.
fn command_vars(chain: &[&Layer], v: &mut BTreeMap<String, String>) {
    for l in chain {
        let cmds = l.meta.runnable_commands();
        if cmds.is_empty() {
            continue;
        }
        let ext = format!("{}/extensions/", l.dir.display());
        v.insert(
            format!("SKIFF_{}_COMMAND_LIST", l.id),
            cmds.iter()
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>()
                .join(" "),
        );
        v.insert(
            format!("SKIFF_{}_COMMAND_PATHS", l.id),
            vec![ext; cmds.len()].join(" "),
        );
        for c in cmds {
            let up = c.name.to_ascii_uppercase().replace('-', "_");
            v.insert(
                format!("SKIFF_{}_COMMAND_{up}_DESCRIP", l.id),
                c.description.clone(),
            );
        }
    }
}

/// Quote a value for a POSIX shell: single quotes, with `'` written as `'\''`.
pub fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// The text of `bind_env.sh`: every variable exported, safely quoted, plus the host PATH.
pub fn bind_env_script(vars: &BTreeMap<String, String>, workspace_dir: &str) -> String {
    let mut out = String::from(
        "#!/bin/bash\n# Environment of the skiff configure run; sourced by hooks and commands.\n",
    );
    for (k, val) in vars {
        out.push_str(&format!("export {k}={}\n", shell_quote(val)));
    }
    out.push_str(&format!(
        "export PATH={}:\"$PATH\"\n",
        shell_quote(&format!("{workspace_dir}/output/host/bin"))
    ));
    out
}

/// Read back a `bind_env.sh` written by [`bind_env_script`] (PATH line excluded).
pub fn parse_bind_env(text: &str) -> BTreeMap<String, String> {
    let mut v = BTreeMap::new();
    for line in text.lines() {
        let Some(rest) = line.strip_prefix("export ") else {
            continue;
        };
        let Some((k, q)) = rest.split_once('=') else {
            continue;
        };
        if k == "PATH" {
            continue;
        }
        if let Some(val) = unquote(q) {
            v.insert(k.to_string(), val);
        }
    }
    v
}

fn unquote(q: &str) -> Option<String> {
    let mut out = String::new();
    let mut rest = q;
    loop {
        let body = rest.strip_prefix('\'')?;
        let end = body.find('\'')?;
        out.push_str(&body[..end]);
        rest = &body[end + 1..];
        if rest.is_empty() {
            return Some(out);
        }
        rest = rest.strip_prefix("\\'")?;
        out.push('\'');
        if rest.is_empty() {
            return Some(out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_round_trips() {
        let mut v = BTreeMap::new();
        v.insert("A".to_string(), "it's \"x\" $HOME".to_string());
        v.insert("B".to_string(), String::new());
        let text = bind_env_script(&v, "/w");
        assert_eq!(parse_bind_env(&text), v);
    }
}

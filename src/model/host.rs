//! `HostEnv`: the variables of the user's environment that skiff honours, as typed values.
//! The CLI reads the process environment once into one of these and passes it down; nothing
//! below reads variables itself. An empty variable means unset, everywhere.

use std::path::PathBuf;

/// The SkiffOS variables of the environment skiff was started in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HostEnv {
    /// SKIFF_ROOT: the tree root.
    pub root: Option<PathBuf>,
    /// SKIFF_WORKSPACE.
    pub workspace: Option<String>,
    /// SKIFF_EXTRA_CONFIGS_PATH, colon-separated as given.
    pub extra_configs_path: Option<String>,
    /// SKIFF_CONFIG: the stack text.
    pub config: Option<String>,
    /// SKIFF_BUILD_TARGET_OVERRIDE, trimmed.
    pub build_target_override: Option<String>,
    /// SKIFF_BUILDROOT: the Buildroot tree.
    pub buildroot: Option<PathBuf>,
    /// BR2_CCACHE_DIR: a compiler cache shared outside the workspace.
    pub ccache_dir: Option<String>,
    /// SKIFF_FORCE_RECONFIG.
    pub force_reconfig: bool,
    /// SKIFF_NO_INTERACTIVE.
    pub no_interactive: bool,
    /// SKIFF_KEEP_CCACHE.
    pub keep_ccache: bool,
    /// Preset `SKIFF_CONFIG_PATH_<ID>` values: (ID, directory), sorted.
    pub config_paths: Vec<(String, PathBuf)>,
    /// Every variable that mentions SKIFF in its name or value, except the
    /// `SKIFF_CONFIG_PATH_<ID>` presets (configure recomputes those): kept in `bind_env.sh`
    /// like upstream does, sorted by name.
    pub inherited: Vec<(String, String)>,
}

impl HostEnv {
    /// Parse an environment listing; empty values count as unset.
    pub fn from_vars(vars: impl IntoIterator<Item = (String, String)>) -> HostEnv {
        let mut h = HostEnv::default();
        for (k, v) in vars {
            if v.is_empty() {
                continue;
            }
            if k.contains("SKIFF") || v.contains("SKIFF") {
                if let Some(id) = k.strip_prefix("SKIFF_CONFIG_PATH_") {
                    if !id.is_empty() {
                        h.config_paths.push((id.to_string(), PathBuf::from(&v)));
                    }
                } else {
                    h.inherited.push((k.clone(), v.clone()));
                }
            }
            match k.as_str() {
                "SKIFF_ROOT" => h.root = Some(PathBuf::from(v)),
                "SKIFF_WORKSPACE" => h.workspace = Some(v),
                "SKIFF_EXTRA_CONFIGS_PATH" => h.extra_configs_path = Some(v),
                "SKIFF_CONFIG" if !v.trim().is_empty() => h.config = Some(v),
                "SKIFF_BUILD_TARGET_OVERRIDE" if !v.trim().is_empty() => {
                    h.build_target_override = Some(v.trim().to_string())
                }
                "SKIFF_BUILDROOT" => h.buildroot = Some(PathBuf::from(v)),
                "BR2_CCACHE_DIR" => h.ccache_dir = Some(v),
                "SKIFF_FORCE_RECONFIG" => h.force_reconfig = true,
                "SKIFF_NO_INTERACTIVE" => h.no_interactive = true,
                "SKIFF_KEEP_CCACHE" => h.keep_ccache = true,
                _ => {}
            }
        }
        h.config_paths.sort();
        h.inherited.sort();
        h
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(list: &[(&str, &str)]) -> HostEnv {
        HostEnv::from_vars(list.iter().map(|(k, v)| (k.to_string(), v.to_string())))
    }

    #[test]
    fn empty_values_are_unset() {
        let h = vars(&[
            ("BR2_CCACHE_DIR", ""),
            ("SKIFF_ROOT", ""),
            ("SKIFF_WORKSPACE", ""),
            ("SKIFF_CONFIG", "  "),
            ("SKIFF_FORCE_RECONFIG", ""),
            ("SKIFF_CONFIG_PATH_pi", ""),
        ]);
        assert_eq!(h.ccache_dir, None);
        assert_eq!(h.root, None);
        assert_eq!(h.workspace, None);
        assert_eq!(h.config, None);
        assert!(!h.force_reconfig);
        assert!(h.config_paths.is_empty());
    }

    #[test]
    fn skiff_variables_are_inherited_except_path_presets() {
        let h = vars(&[
            ("SKIFF_WORKSPACE", "dev"),
            ("MY_NOTE", "uses SKIFF"),
            ("HOME", "/home/u"),
            ("SKIFF_CONFIG_PATH_pi_4", "/layers/pi/4"),
            ("BR2_CCACHE_DIR", "/cache"),
        ]);
        assert_eq!(
            h.inherited,
            vec![
                ("MY_NOTE".to_string(), "uses SKIFF".to_string()),
                ("SKIFF_WORKSPACE".to_string(), "dev".to_string()),
            ]
        );
        assert_eq!(
            h.config_paths,
            vec![("pi_4".to_string(), PathBuf::from("/layers/pi/4"))]
        );
        assert_eq!(h.ccache_dir.as_deref(), Some("/cache"));
        assert_eq!(h.workspace.as_deref(), Some("dev"));
    }
}

//! The merge of a resolved stack: pre, layers, overrides, workspace overrides, post, cflags.

use super::accumulate::{Accumulator, FileRef};
use super::catalog::Catalog;
use super::error::{ModelError, Result, Warning, WarningKind};
use super::fragment::{ConfigKind, lint, list_dir};
use super::provenance::SymbolHistory;
use super::stack::ResolvedStack;
use super::text::read_text;
use super::tree::Tree;
use super::version::Version;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One directory merged as a layer, with the label provenance shows for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergeSource {
    pub label: String,
    /// The directory as written into generated files (upstream keeps trailing slashes).
    pub dir_text: String,
    pub dir: PathBuf,
}

/// Values that go into the generated files besides the layers themselves.
#[derive(Debug, Clone)]
pub struct MergeContext {
    /// The final config directory as text, with its trailing slash.
    pub final_dir_text: String,
    pub version: String,
    pub version_commit: String,
    pub ccache_dir: String,
}

/// A hook script a layer contributes to the pre/post build wrappers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hook {
    pub layer: String,
    pub conf_dir: String,
    pub script: String,
}

/// One merged Kconfig file: its text and per-symbol provenance.
#[derive(Debug, Clone, Default)]
pub struct MergedConfig {
    pub text: String,
    pub symbols: Vec<SymbolHistory>,
}

impl MergedConfig {
    pub fn symbol(&self, name: &str) -> Option<&SymbolHistory> {
        self.symbols.iter().find(|h| h.symbol == name)
    }
}

/// Everything a merge produces, before it is written anywhere.
#[derive(Debug, Clone, Default)]
pub struct Merged {
    pub configs: BTreeMap<ConfigKind, MergedConfig>,
    pub users: String,
    pub cflags: String,
    pub overlays: Vec<String>,
    pub kernel_patches: Vec<String>,
    pub uboot_patches: Vec<String>,
    pub buildroot_patches: Vec<String>,
    pub externals: Vec<String>,
    pub pre_hooks: Vec<Hook>,
    pub post_hooks: Vec<Hook>,
    pub warnings: Vec<Warning>,
}

impl Merged {
    pub fn config(&self, kind: ConfigKind) -> &MergedConfig {
        static EMPTY: std::sync::OnceLock<MergedConfig> = std::sync::OnceLock::new();
        self.configs
            .get(&kind)
            .unwrap_or_else(|| EMPTY.get_or_init(MergedConfig::default))
    }
}

/// The merge sequence: configs-base/pre, the chain, overrides, workspace overrides, post.
pub fn sources(
    tree: &Tree,
    catalog: &Catalog,
    stack: &ResolvedStack,
    ws: &str,
) -> Vec<MergeSource> {
    let text = |p: &Path| p.display().to_string();
    let mut v = vec![MergeSource {
        label: "configs-base/pre".into(),
        dir_text: text(&tree.base_dir().join("pre")),
        dir: tree.base_dir().join("pre"),
    }];
    for name in &stack.layers {
        if let Some(l) = catalog.lookup(name) {
            v.push(MergeSource {
                label: l.name.clone(),
                dir_text: text(&l.dir),
                dir: l.dir.clone(),
            });
        }
    }
    let ov = tree.overrides_dir();
    v.push(MergeSource {
        label: "overrides".into(),
        dir_text: text(&ov),
        dir: ov.clone(),
    });
    let wsd = ov.join("workspaces").join(ws);
    v.push(MergeSource {
        label: format!("overrides/workspaces/{ws}"),
        dir_text: format!("{}/", text(&wsd)),
        dir: wsd,
    });
    v.push(MergeSource {
        label: "configs-base/post".into(),
        dir_text: text(&tree.base_dir().join("post")),
        dir: tree.base_dir().join("post"),
    });
    v
}

/// The context values the merge needs for a workspace: `ccache_dir` is BR2_CCACHE_DIR
/// when the user set one, else the workspace's own cache ([`default_ccache`]).
pub fn merge_context(
    tree: &Tree,
    ws: &str,
    version: &Version,
    ccache_dir: Option<&str>,
) -> MergeContext {
    MergeContext {
        final_dir_text: format!("{}/", tree.final_dir(ws).display()),
        version: version.version.clone(),
        version_commit: version.commit.clone(),
        ccache_dir: ccache_dir
            .map(str::to_string)
            .unwrap_or_else(|| default_ccache(tree, ws)),
    }
}

/// The default ccache directory of a workspace.
pub fn default_ccache(tree: &Tree, ws: &str) -> String {
    tree.workspaces_dir()
        .join(".ccache")
        .join(ws)
        .display()
        .to_string()
}

/// Merge a resolved stack for a workspace, in memory: what configure writes, previews
/// show and checks evaluate. `version` is the tree's version, `ccache_dir` BR2_CCACHE_DIR
/// if the user set one (an empty value is unset).
pub fn merge_stack(
    tree: &Tree,
    catalog: &Catalog,
    stack: &ResolvedStack,
    ws: &str,
    version: &Version,
    ccache_dir: Option<&str>,
) -> Result<Merged> {
    let ccache_dir = ccache_dir.filter(|c| !c.is_empty());
    merge(
        &sources(tree, catalog, stack, ws),
        &merge_context(tree, ws, version, ccache_dir),
    )
}

/// Merge the sources in order, exactly as upstream's build_configs.sh does.
pub fn merge(sources: &[MergeSource], ctx: &MergeContext) -> Result<Merged> {
    let mut m = Merged::default();
    let mut acc: BTreeMap<ConfigKind, Accumulator> = ConfigKind::ALL
        .iter()
        .map(|k| (*k, Accumulator::default()))
        .collect();
    let mut cflags: Vec<String> = Vec::new();
    for src in sources.iter().filter(|s| s.dir.is_dir()) {
        merge_source(&mut m, &mut acc, &mut cflags, src)?;
    }
    m.cflags = cflags.join(" ");
    let br = acc
        .get_mut(&ConfigKind::Buildroot)
        .expect("all kinds present");
    if !cflags.is_empty() {
        if br.text().contains("BR2_TARGET_OPTIMIZATION") {
            m.warnings.push(Warning::new(
                WarningKind::FileQuirk,
                "BR2_TARGET_OPTIMIZATION set by a fragment is replaced by the layers' cflags",
            ));
        }
        br.terminate();
        br.merge_fragment(
            &format!("BR2_TARGET_OPTIMIZATION=\"{}\"\n", m.cflags),
            FileRef {
                layer: "(cflags)".into(),
                path: PathBuf::from("cflags"),
            },
        );
    }
    for (token, value) in &replacements(&m, ctx) {
        br.replace(token, value, None);
    }
    br.terminate();
    br.merge_fragment(
        &format!("BR2_CCACHE_DIR=\"{}\"\n", ctx.ccache_dir),
        FileRef {
            layer: "(workspace)".into(),
            path: PathBuf::from("BR2_CCACHE_DIR"),
        },
    );
    for (kind, a) in acc {
        let mut symbols = a.provenance();
        if kind == ConfigKind::Buildroot {
            SymbolHistory::mark_superseded_choices(&mut symbols);
        }
        m.configs.insert(
            kind,
            MergedConfig {
                text: a.text(),
                symbols,
            },
        );
    }
    Ok(m)
}

/// One source directory's contribution: externals, fragments, cflags, overlays, patches,
/// users and hooks, in upstream's order.
fn merge_source(
    m: &mut Merged,
    acc: &mut BTreeMap<ConfigKind, Accumulator>,
    cflags: &mut Vec<String>,
    src: &MergeSource,
) -> Result<()> {
    let sub = |name: &str| format!("{}/{name}", src.dir_text);
    let ext = src.dir.join("buildroot_ext");
    if ext.is_dir() {
        let missing: Vec<String> = ["external.mk", "external.desc", "Config.in"]
            .iter()
            .filter(|f| !ext.join(f).is_file())
            .map(|f| f.to_string())
            .collect();
        if !missing.is_empty() {
            return Err(ModelError::BadExternal { path: ext, missing });
        }
        m.externals.push(sub("buildroot_ext"));
    }
    for kind in [ConfigKind::Buildroot, ConfigKind::Busybox] {
        merge_kind(acc, kind, src, &mut m.warnings)?;
    }
    for file in list_dir(&src.dir.join("cflags"), &src.label, &mut m.warnings)? {
        let fname = file_name(&file);
        let flags = cflags_of(&read_text(&file)?);
        if flags.trim().is_empty() {
            m.warnings.push(
                Warning::new(
                    WarningKind::NoEffect,
                    "cflags file has no flags; it has no effect",
                )
                .layer(&src.label)
                .at(&file, None),
            );
            continue;
        }
        let br = acc
            .get_mut(&ConfigKind::Buildroot)
            .expect("all kinds present");
        br.echo("");
        br.echo(&format!(
            "# Configuration from {}/buildroot/{fname}",
            src.dir_text
        ));
        br.echo(&format!("# CFLAGS: \"{flags}\""));
        cflags.push(flags);
    }
    for kind in [ConfigKind::Kernel, ConfigKind::Uboot] {
        merge_kind(acc, kind, src, &mut m.warnings)?;
    }
    for (dir, list) in [
        ("root_overlay", &mut m.overlays),
        ("kernel_patches", &mut m.kernel_patches),
        ("uboot_patches", &mut m.uboot_patches),
        ("buildroot_patches", &mut m.buildroot_patches),
    ] {
        if src.dir.join(dir).is_dir() {
            list.push(sub(dir));
        }
    }
    for file in list_dir(&src.dir.join("users"), &src.label, &mut m.warnings)? {
        let text = read_text(&file)?;
        m.users.push_str(&text);
        if !text.is_empty() && !text.ends_with('\n') {
            m.users.push('\n');
        }
    }
    for (script, list) in [("pre.sh", &mut m.pre_hooks), ("post.sh", &mut m.post_hooks)] {
        if src.dir.join("hooks").join(script).is_file() {
            list.push(Hook {
                layer: src.label.clone(),
                conf_dir: src.dir_text.clone(),
                script: format!("{}/hooks/{script}", src.dir_text),
            });
        }
    }
    Ok(())
}

/// The `REPLACEME_*` tokens of the Buildroot fragments and their values.
fn replacements(m: &Merged, ctx: &MergeContext) -> [(&'static str, String); 10] {
    let final_dir = &ctx.final_dir_text;
    [
        ("REPLACEME_BR_PATCHES", m.buildroot_patches.join(" ")),
        (
            "REPLACEME_BUSYBOX_FRAGMENTS",
            format!("{final_dir}/busybox/config"),
        ),
        (
            "REPLACEME_KERNEL_FRAGMENTS",
            format!("{final_dir}/kernel/config"),
        ),
        ("REPLACEME_KERNEL_PATCHES", m.kernel_patches.join(" ")),
        (
            "REPLACEME_UBOOT_FRAGMENTS",
            format!("{final_dir}/uboot/config"),
        ),
        ("REPLACEME_UBOOT_PATCHES", m.uboot_patches.join(" ")),
        ("REPLACEME_ROOTFS_OVERLAY", m.overlays.join(" ")),
        ("REPLACEME_FINAL_CONFIG_DIR", final_dir.clone()),
        ("REPLACEME_SKIFF_VERSION_COMMIT", ctx.version_commit.clone()),
        ("REPLACEME_SKIFF_VERSION", ctx.version.clone()),
    ]
}

fn merge_kind(
    acc: &mut BTreeMap<ConfigKind, Accumulator>,
    kind: ConfigKind,
    src: &MergeSource,
    warnings: &mut Vec<Warning>,
) -> Result<()> {
    let files = list_dir(&src.dir.join(kind.dir_name()), &src.label, warnings)?;
    let a = acc.get_mut(&kind).expect("all kinds present");
    for file in files {
        let text = read_text(&file)?;
        warnings.extend(lint(kind, &text, &file, &src.label));
        a.echo("");
        a.echo(&format!(
            "# Configuration from {}/{}/{}",
            src.dir_text,
            kind.dir_name(),
            file_name(&file)
        ));
        let idx = a.file_count();
        a.merge_fragment(
            &text,
            FileRef {
                layer: src.label.clone(),
                path: file.clone(),
            },
        );
        a.replace("SKIFF_CONFIG_ROOT", &src.dir_text, Some(idx));
    }
    Ok(())
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// A cflags file's flags: comment lines dropped, the rest joined with spaces (each line is
/// followed by one space, as upstream's `tr '\n' ' '` leaves it).
pub fn cflags_of(text: &str) -> String {
    text.lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .map(|l| format!("{l} "))
        .collect()
}

//! Discovery: name rules, extra configs paths, shadowing, env overrides and bad input.

mod common;

use skiff::model::{Catalog, DiscoverOptions, LayerSource, Tree, WarningKind, resolve_text};
use std::path::PathBuf;

fn discover(root: &std::path::Path, extra: Vec<PathBuf>, env: Vec<(String, PathBuf)>) -> Catalog {
    let tree = Tree::open(root).unwrap();
    Catalog::discover(&DiscoverOptions {
        configs_dir: tree.configs_dir(),
        extra_paths: extra,
        env_paths: env,
    })
    .unwrap()
}

#[test]
fn help_order_sorts_by_env_variable_name() {
    let (_t, root) = common::fixture("upstream");
    let cat = discover(&root, vec![], vec![]);
    let names: Vec<&str> = cat.layers.iter().map(|l| l.name.as_str()).collect();
    let pine = names.iter().position(|n| *n == "pine64/book").unwrap();
    let pine_a64 = names.iter().position(|n| *n == "pine64/book_a64").unwrap();
    let pi4 = names.iter().position(|n| *n == "pi/4").unwrap();
    let pi4x32 = names.iter().position(|n| *n == "pi/4x32").unwrap();
    assert!(
        pine < pine_a64 && pine_a64 < pi4 && pi4 < pi4x32,
        "{names:?}"
    );
    assert!(
        !cat.listed().any(|l| l.name == "pi/common"),
        "unlisted layers are hidden"
    );
}

#[test]
fn invalid_names_hidden_files_and_symlinks_are_skipped() {
    let (_t, root) = common::fixture("upstream");
    common::write(
        &root,
        "configs/odroid/xu-4/metadata/description",
        "bad name\n",
    );
    common::write(&root, "configs/pi/README.md", "a file at depth 2\n");
    common::write(&root, "configs/.hidden/x/metadata/description", "hidden\n");
    std::os::unix::fs::symlink(root.join("configs/pi/4"), root.join("configs/pi/link")).unwrap();
    // A symlink loop must not hang discovery.
    std::os::unix::fs::symlink(root.join("configs"), root.join("configs/loop")).unwrap();
    let cat = discover(&root, vec![], vec![]);
    for missing in [
        "odroid/xu-4",
        "pi/README.md",
        ".hidden/x",
        "pi/link",
        "loop/pi",
    ] {
        assert!(cat.lookup(missing).is_none(), "{missing}");
    }
    assert!(
        cat.warnings
            .iter()
            .any(|w| w.message.contains("odroid/xu-4")),
        "{:?}",
        cat.warnings
    );
}

#[test]
fn extra_paths_shadow_whole_layers_and_env_beats_all() {
    let (_t, root) = common::fixture("upstream");
    let extra1 = root.join("extra1");
    let extra2 = root.join("extra2");
    common::write(&extra1, "pi/4/metadata/description", "My own Pi 4.\n");
    common::write(&extra2, "pi/4/metadata/description", "Second extra Pi 4.\n");
    common::write(
        &extra2,
        "my/board/metadata/description",
        "A board only in extra2.\n",
    );
    let cat = discover(
        &root,
        vec![extra1.clone(), extra2.clone(), root.join("missing")],
        vec![],
    );
    let pi4 = cat.lookup("pi/4").unwrap();
    assert_eq!(pi4.meta.description.as_deref(), Some("My own Pi 4."));
    assert_eq!(pi4.source, LayerSource::Extra(extra1.clone()));
    assert!(
        pi4.meta.dependencies.is_empty(),
        "no merging with the shadowed layer"
    );
    assert!(cat.lookup("my/board").is_some());
    assert!(
        cat.warnings
            .iter()
            .any(|w| w.kind == WarningKind::InaccessiblePath)
    );

    let own = root.join("elsewhere/pi4");
    common::write(&own, "metadata/description", "From the environment.\n");
    common::write(&root, "envonly/metadata/description", "Brand new.\n");
    let cat = discover(
        &root,
        vec![extra1],
        vec![
            ("PI_4".into(), own.clone()),
            ("NEW_LAYER".into(), root.join("envonly")),
        ],
    );
    assert_eq!(cat.lookup("pi/4").unwrap().dir, own);
    let new = cat.lookup("new/layer").unwrap();
    assert_eq!(new.meta.description.as_deref(), Some("Brand new."));
    assert!(resolve_text(&cat, "NEW/layer").is_ok());
}

#[test]
fn broken_metadata_marks_the_layer_but_the_tree_still_loads() {
    let (_t, root) = common::fixture("upstream");
    std::fs::write(
        root.join("configs/pi/4/metadata/description"),
        b"bad \xff bytes\n",
    )
    .unwrap();
    common::write(&root, "configs/util/bin/metadata/dependencies", "a/b\0");
    let cat = discover(&root, vec![], vec![]);
    let pi4 = cat.lookup("pi/4").unwrap();
    let err = pi4.error.as_deref().unwrap();
    assert!(
        err.contains("pi/4/metadata/description:1") && err.contains("UTF-8"),
        "{err}"
    );
    assert!(
        cat.lookup("util/bin")
            .unwrap()
            .error
            .as_deref()
            .unwrap()
            .contains("NUL")
    );
    assert!(cat.lookup("odroid/xu").unwrap().error.is_none());
    let e = resolve_text(&cat, "pi/4").unwrap_err();
    assert!(e.to_string().contains("pi/4 cannot be used"), "{e}");
}

#[test]
fn bad_fragments_are_reported_with_file_and_line() {
    let (_t, root) = common::fixture("upstream");
    common::write(
        &root,
        "configs/pi/4/buildroot/junk",
        "BR2_OK=y\nthis is not kconfig\nCONFIG_USB=y\n",
    );
    std::fs::write(
        root.join("configs/pi/4/kernel/blob"),
        b"CONFIG_A=y\n\x00\x01\x02",
    )
    .unwrap();
    let (tree, cat) = common::catalog(&root);
    let stack = resolve_text(&cat, "pi/4").unwrap();
    let e =
        skiff::build::workspace::merge_current(&tree, &cat, &stack, "default", &Default::default())
            .unwrap_err();
    assert!(
        e.to_string().contains("pi/4/kernel/blob:2") && e.to_string().contains("NUL"),
        "{e}"
    );
    std::fs::remove_file(root.join("configs/pi/4/kernel/blob")).unwrap();
    let m =
        skiff::build::workspace::merge_current(&tree, &cat, &stack, "default", &Default::default())
            .unwrap();
    let w: Vec<String> = m.warnings.iter().map(|w| w.to_string()).collect();
    assert!(
        w.iter()
            .any(|w| w.contains("buildroot/junk:2:") && w.contains("not an assignment")),
        "{w:?}"
    );
    assert!(
        w.iter()
            .any(|w| w.contains("buildroot/junk:3:") && w.contains("CONFIG_USB")),
        "{w:?}"
    );
}

#[test]
fn huge_files_are_refused() {
    let (_t, root) = common::fixture("upstream");
    let f = std::fs::File::create(root.join("configs/pi/4/metadata/description")).unwrap();
    f.set_len(skiff::model::text::MAX_TEXT_FILE + 1).unwrap();
    let cat = discover(&root, vec![], vec![]);
    assert!(
        cat.lookup("pi/4")
            .unwrap()
            .error
            .as_deref()
            .unwrap()
            .contains("limit")
    );
}

#[test]
fn missing_configs_dir_is_a_clear_error() {
    let t = tempfile::tempdir().unwrap();
    let e = Tree::open(t.path()).unwrap_err();
    assert!(e.to_string().contains("no configs/ directory"), "{e}");
}

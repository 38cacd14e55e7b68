//! Stack resolution against upstream's verified examples, errors and warnings.

mod common;

use skiff::model::{ModelError, WarningKind, resolve_text};

const EXAMPLES: &[(&str, &str)] = &[
    (
        "pi/4,skiff/core",
        "skiff/moduleimg,pi/common,pi/4x64,pi/4,apps/runc,apps/containerd,apps/docker,skiff/core",
    ),
    (
        "skiff/core,pi/4",
        "apps/runc,apps/containerd,apps/docker,skiff/core,skiff/moduleimg,pi/common,pi/4x64,pi/4",
    ),
    (
        "odroid/xu4",
        "skiff/moduleimg,odroid/common,odroid/xu,odroid/xu4",
    ),
    (
        "pine64/phone,core/nixos_xfce",
        "pine64/common,skiff/moduleimg,pine64/phone,apps/runc,apps/containerd,apps/docker,skiff/core,core/nixos,core/nixos_xfce",
    ),
    (
        "apps/docker,apps/runc",
        "apps/containerd,apps/docker,apps/runc",
    ),
    (
        "intel/desktop,core/fedora",
        "intel/x64,intel/desktop,apps/runc,apps/containerd,apps/docker,skiff/core,core/fedora",
    ),
    (
        "virt/wsl,skiff/core",
        "intel/x64,intel/desktop,util/rootlogin,virt/wsl,apps/runc,apps/containerd,apps/docker,skiff/core",
    ),
    ("pi/4,pi/4", "skiff/moduleimg,pi/common,pi/4x64,pi/4"),
    (
        " pi/4 ,, skiff/core ",
        "skiff/moduleimg,pi/common,pi/4x64,pi/4,apps/runc,apps/containerd,apps/docker,skiff/core",
    ),
    (
        "pi/4 skiff/core",
        "skiff/moduleimg,pi/common,pi/4x64,pi/4,apps/runc,apps/containerd,apps/docker,skiff/core",
    ),
    ("foo", ""),
];

#[test]
fn upstream_examples_resolve_identically() {
    let (_t, root) = common::fixture("upstream");
    let (_, cat) = common::catalog(&root);
    for (input, want) in EXAMPLES {
        let r = resolve_text(&cat, input).unwrap_or_else(|e| panic!("{input}: {e}"));
        assert_eq!(r.joined(), *want, "input {input}");
    }
}

#[test]
fn unknown_layer_is_an_error_with_suggestions() {
    let (_t, root) = common::fixture("upstream");
    let (_, cat) = common::catalog(&root);
    let e = resolve_text(&cat, "pi/5,skiff/core").unwrap_err();
    match &e {
        ModelError::UnknownLayer {
            name, suggestions, ..
        } => {
            assert_eq!(name, "pi/5");
            assert_eq!(
                suggestions.first().map(String::as_str),
                Some("pi/4"),
                "{suggestions:?}"
            );
        }
        other => panic!("unexpected {other}"),
    }
    assert!(e.to_string().contains("did you mean pi/4"), "{e}");
    let e = resolve_text(&cat, "skiff/cor").unwrap_err();
    assert!(e.to_string().contains("skiff/core"), "{e}");
}

#[test]
fn unknown_dependency_names_the_layer_that_needs_it() {
    let (_t, root) = common::fixture("upstream");
    common::write(
        &root,
        "configs/my/board/metadata/dependencies",
        "pi/common, pi/commom\n",
    );
    let (_, cat) = common::catalog(&root);
    let e = resolve_text(&cat, "my/board").unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("pi/commom")
            && msg.contains("dependency of my/board")
            && msg.contains("pi/common"),
        "{msg}"
    );
}

#[test]
fn warnings_for_malformed_items_and_late_dependencies() {
    let (_t, root) = common::fixture("upstream");
    let (_, cat) = common::catalog(&root);
    let r = resolve_text(&cat, "junk,apps/docker,apps/runc").unwrap();
    let kinds: Vec<_> = r.warnings.iter().map(|w| w.kind).collect();
    assert!(kinds.contains(&WarningKind::MalformedItem), "{kinds:?}");
    assert!(
        kinds.contains(&WarningKind::DependencyAfterDependent),
        "{kinds:?}"
    );
}

#[test]
fn case_variants_map_to_one_layer() {
    let (_t, root) = common::fixture("upstream");
    let (_, cat) = common::catalog(&root);
    let r = resolve_text(&cat, "Pi/4,pi/4").unwrap();
    assert_eq!(r.joined(), "skiff/moduleimg,pi/common,pi/4x64,pi/4");
    assert!(r.warnings.iter().any(|w| w.kind == WarningKind::Duplicate));
}

#[test]
fn multi_line_dependencies_are_accepted_with_a_warning() {
    let (_t, root) = common::fixture("upstream");
    common::write(
        &root,
        "configs/my/board/metadata/dependencies",
        "pi/common\nutil/rootlogin\n",
    );
    let (_, cat) = common::catalog(&root);
    let r = resolve_text(&cat, "my/board").unwrap();
    assert_eq!(
        r.joined(),
        "skiff/moduleimg,pi/common,util/rootlogin,my/board"
    );
    assert!(
        r.warnings
            .iter()
            .any(|w| w.kind == WarningKind::MultiLineDependencies)
    );
}

#[test]
fn dependency_cycles_terminate() {
    let (_t, root) = common::fixture("upstream");
    common::write(&root, "configs/cyc/a/metadata/dependencies", "cyc/b\n");
    common::write(&root, "configs/cyc/b/metadata/dependencies", "cyc/c\n");
    common::write(&root, "configs/cyc/c/metadata/dependencies", "cyc/a\n");
    let (_, cat) = common::catalog(&root);
    let r = resolve_text(&cat, "cyc/a").unwrap();
    assert_eq!(r.joined(), "cyc/c,cyc/b,cyc/a");
    assert!(
        r.warnings
            .iter()
            .any(|w| w.kind == WarningKind::DependencyAfterDependent)
    );
}

#[test]
fn first_processed_buildtarget_wins() {
    let (_t, root) = common::fixture("upstream");
    common::write(&root, "configs/pi/4/metadata/buildtarget", "pi-image\n");
    let (_, cat) = common::catalog(&root);
    let r = resolve_text(&cat, "odroid/xu4,pi/4").unwrap();
    // odroid/xu (which has a buildtarget) is only added in a later pass; pi/4 is user-listed.
    assert_eq!(r.build_target.as_deref(), Some("pi-image"));
    let r = resolve_text(&cat, "odroid/xu4").unwrap();
    assert_eq!(r.build_target.as_deref(), Some("odroid-image"));
}

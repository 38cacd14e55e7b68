//! An installed skiff outside its checkout: the bundled layers from an empty directory, the
//! refusal to write workspaces there, and a `skiff init` project building on them.

mod common;

use std::path::Path;

/// skiff in `cwd`, with a private cache and none of the caller's skiff variables.
fn skiff(cwd: &Path, cache: &Path, args: &[&str]) -> std::process::Output {
    common::skiff_in(cwd)
        .env("XDG_CACHE_HOME", cache)
        .args(args)
        .output()
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn an_empty_directory_lists_the_bundled_layers_and_refuses_to_write() {
    let tmp = tempfile::tempdir().unwrap();
    let (empty, cache) = (tmp.path().join("empty"), tmp.path().join("cache"));
    std::fs::create_dir(&empty).unwrap();
    let out = skiff(&empty, &cache, &["layers", "--all"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    // The same list the checkout's own tree gives.
    let checkout = skiff(
        Path::new(env!("CARGO_MANIFEST_DIR")),
        &cache,
        &["layers", "--all"],
    );
    assert_eq!(text(&out.stdout), text(&checkout.stdout));
    assert!(text(&out.stdout).contains("skiff/core"));

    let out = skiff(&empty, &cache, &["configure", "pi/4,skiff/core"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("skiff init DIR"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(
        std::fs::read_dir(&empty).unwrap().count(),
        0,
        "nothing written"
    );
    let out = skiff(&empty, &cache, &["build", "pi/4,skiff/core"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("skiff init DIR"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn init_then_configure_writes_the_project_workspace_with_its_own_layers() {
    let tmp = tempfile::tempdir().unwrap();
    let cache = tmp.path().join("cache");
    let out = skiff(tmp.path(), &cache, &["init", "demo"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let demo = tmp.path().join("demo");
    // A layer of the project's own, next to the bundled ones.
    let own = demo.join("configs/acme/extras");
    std::fs::create_dir_all(own.join("metadata")).unwrap();
    std::fs::create_dir_all(own.join("buildroot")).unwrap();
    std::fs::write(own.join("metadata/description"), "Acme's extra tools.\n").unwrap();
    std::fs::write(own.join("buildroot/acme"), "BR2_PACKAGE_HTOP=y\n").unwrap();

    let out = skiff(&demo, &cache, &["layers"]);
    let listed = text(&out.stdout);
    assert!(
        listed.contains("acme/extras") && listed.contains("pi/4"),
        "{listed}"
    );

    let out = skiff(&demo, &cache, &["configure", "pi/4,skiff/core,acme/extras"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let fin = demo.join("workspaces/.config_default");
    let config = std::fs::read_to_string(fin.join("buildroot/config")).unwrap();
    assert!(
        config.contains("BR2_PACKAGE_RPI_FIRMWARE=y"),
        "bundled pi layers merged"
    );
    assert!(
        config.contains("BR2_PACKAGE_HTOP=y"),
        "the project's layer merged"
    );
    let chain = std::fs::read_to_string(fin.join("skiff_config")).unwrap();
    assert!(
        chain
            .trim()
            .ends_with("pi/4,apps/runc,apps/containerd,apps/docker,skiff/core,acme/extras"),
        "{chain}"
    );
    // From a subdirectory, the same project.
    let sub = demo.join("overrides");
    let out = skiff(&sub, &cache, &["workspaces"]);
    assert!(
        text(&out.stdout).contains("acme/extras"),
        "{}",
        text(&out.stdout)
    );
    // Init refuses to overwrite.
    let out = skiff(tmp.path(), &cache, &["init", "demo"]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn version_names_the_crate_version() {
    let tmp = tempfile::tempdir().unwrap();
    let out = skiff(tmp.path(), tmp.path(), &["--version"]);
    let v = text(&out.stdout);
    assert!(
        v.starts_with(&format!("skiff {}", env!("CARGO_PKG_VERSION"))),
        "{v}"
    );
}

//! The Debian package: built with `scripts/package-deb` from the test binary (dev profile,
//! `cargo deb --no-build`), unpacked with `dpkg-deb -x`, and the unpacked binary run
//! against its unpacked layers. Needs cargo-deb (scripts/deps installs it).

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn run(c: &mut Command) -> String {
    let out = c.output().unwrap_or_else(|e| panic!("{c:?}: {e}"));
    assert!(
        out.status.success(),
        "{c:?} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The unpacked binary, with a cache directory it must not need and none of our variables.
fn installed(root: &Path, cwd: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(root.join("usr/bin/skiff"));
    for (k, _) in std::env::vars() {
        if k.starts_with("SKIFF_") {
            c.env_remove(k);
        }
    }
    c.current_dir(cwd)
        .env("XDG_CACHE_HOME", root.join("no-cache"))
        .args(args);
    c
}

#[test]
fn the_package_installs_a_binary_that_finds_its_layers() {
    // The test binary is what gets packaged (dev profile, no second build).
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_skiff"));
    assert!(bin.ends_with("debug/skiff"), "{}", bin.display());
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("deb");
    std::fs::create_dir(&out).unwrap();
    run(Command::new(repo().join("scripts/package-deb"))
        .env("PROFILE", "dev")
        .env("SKIP_BUILD", "1")
        .env("CARGO_TARGET_DIR", bin.parent().unwrap().parent().unwrap())
        .args(["--fast", "--output"])
        .arg(&out));
    let deb = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "deb"))
        .expect("a .deb was written");

    let depends = run(Command::new("dpkg-deb").arg("-f").arg(&deb).arg("Depends"));
    for pkg in ["make", "e2fsprogs", "dosfstools", "mtools", "libudev1"] {
        assert!(depends.contains(pkg), "Depends lacks {pkg}: {depends}");
    }
    let root = tmp.path().join("root");
    run(Command::new("dpkg-deb").arg("-x").arg(&deb).arg(&root));
    for f in [
        "usr/share/skiff/configs/pi/4/metadata/description",
        "usr/share/skiff/configs-base/pre",
        "usr/share/man/man1/skiff-configure.1.gz",
        "usr/share/bash-completion/completions/skiff",
        "usr/share/zsh/vendor-completions/_skiff",
        "usr/share/fish/vendor_completions.d/skiff.fish",
    ] {
        assert!(root.join(f).exists(), "package lacks {f}");
    }
    // Modes and links of the layers survive packaging.
    let link = root.join(
        "usr/share/skiff/configs-base/pre/root_overlay/etc/systemd/system/sysinit.target.wants/skiff-init.service",
    );
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );

    let empty = tmp.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let listed = run(&mut installed(&root, &empty, &["layers"]));
    assert!(
        listed.contains("pi/4") && listed.contains("skiff/core"),
        "{listed}"
    );
    assert!(
        !root.join("no-cache").exists(),
        "the packaged binary used its compiled-in copy instead of /usr/share/skiff"
    );
    run(&mut installed(&root, &empty, &["init", "demo"]));
    let demo = empty.join("demo");
    run(&mut installed(
        &root,
        &demo,
        &["configure", "pi/4,skiff/core"],
    ));
    let config =
        std::fs::read_to_string(demo.join("workspaces/.config_default/buildroot/config")).unwrap();
    assert!(config.contains("BR2_PACKAGE_RPI_FIRMWARE=y"));
    // The workspace points at the packaged layers, not at this checkout.
    let env = std::fs::read_to_string(demo.join("workspaces/.config_default/bind_env.sh")).unwrap();
    assert!(
        env.contains(&root.join("usr/share/skiff/configs").display().to_string()),
        "{env}"
    );
}

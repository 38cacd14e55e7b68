//! Installing a skiff-core config into a card's persist partition without mounting: the
//! debugfs writer on a bare ext4 image, and `skiff install --core-config` on an image file,
//! read back with debugfs.

mod flash_support;

use std::path::Path;

use flash_support::*;
use skiff::flash::card::SystemTools;
use skiff::flash::persist::{PersistFile, write_ext4};
use skiff::model::core_config;

fn shipped() -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("configs/skiff/core/buildroot_ext/package/skiff-core-defconfig/defconfig.yaml"),
    )
    .unwrap()
}

/// An ext4 file system 1 MiB into an image file, like a partition.
fn ext4_at_offset(dir: &Path) -> (std::path::PathBuf, String) {
    let img = dir.join("disk.img");
    let f = std::fs::File::create(&img).unwrap();
    f.set_len(9 * 1024 * 1024).unwrap();
    let (code, _, err) = run(
        "mke2fs",
        &[
            "-q",
            "-F",
            "-t",
            "ext4",
            "-E",
            "offset=1048576",
            img.to_str().unwrap(),
            "8M",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let spec = format!("{}?offset=1048576", img.display());
    (img, spec)
}

#[test]
fn the_writer_creates_directories_replaces_files_and_sets_modes() {
    let dir = tempfile::tempdir().unwrap();
    let (img, spec) = ext4_at_offset(dir.path());
    let first = [
        PersistFile::new("/skiff/core/config.yaml", "old\n", 0o644),
        PersistFile::new("/skiff/keys/me.pub", "ssh-ed25519 AAAA me\n", 0o600),
    ];
    write_ext4(&SystemTools, &img, 1048576, &first).unwrap();
    let edited = shipped().replace("/bin/bash", "/bin/zsh");
    let second = [PersistFile::new(
        "/skiff/core/config.yaml",
        edited.clone(),
        0o644,
    )];
    write_ext4(&SystemTools, &img, 1048576, &second).unwrap();

    let (code, out, _) = run("debugfs", &["-R", "cat /skiff/core/config.yaml", &spec]);
    assert_eq!((code, out.as_str()), (0, edited.as_str()));
    let (code, out, _) = run("debugfs", &["-R", "cat /skiff/keys/me.pub", &spec]);
    assert_eq!(
        (code, out.as_str()),
        (0, "ssh-ed25519 AAAA me\n"),
        "other files kept"
    );
    let (_, stat, _) = run("debugfs", &["-R", "stat /skiff/keys/me.pub", &spec]);
    assert!(stat.contains("Mode:  0600"), "{stat}");
    assert!(stat.contains("User:     0"), "{stat}");
    let (_, stat, _) = run("debugfs", &["-R", "stat /skiff/core", &spec]);
    assert!(
        stat.contains("Type: directory") && stat.contains("Mode:  0755"),
        "{stat}"
    );
    let (code, _, err) = run("e2fsck", &["-fn", &spec]);
    assert_eq!(code, 0, "the file system stays clean: {err}");

    let clash = [PersistFile::new("/skiff/core", "x", 0o644)];
    let e = write_ext4(&SystemTools, &img, 1048576, &clash).unwrap_err();
    assert!(e.to_string().contains("/skiff/core is a directory"), "{e}");
}

#[test]
fn install_writes_an_edited_core_config_into_the_persist_partition() {
    let dir = tempfile::tempdir().unwrap();
    let layouts: Vec<_> = tree_layouts().into_iter().map(|(_, l)| l).collect();
    let images = fake_images(dir.path(), &layouts);
    let card = dir.path().join("card.img");
    let board = |verb: &str, extra: &[&str]| pcduino(verb, &card, &images, extra);
    let (code, _, stderr) = board("format", &["--size", "800MiB"]);
    assert_eq!(code, 0, "{stderr}");

    let broken = dir.path().join("broken.yaml");
    std::fs::write(
        &broken,
        shipped().replace("container: core", "container: kore"),
    )
    .unwrap();
    let before = std::fs::read(&card).unwrap();
    let (code, _, stderr) = board("install", &["--core-config", broken.to_str().unwrap()]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("users.core.container: container `kore`"),
        "{stderr}"
    );
    assert!(std::fs::read(&card).unwrap() == before, "nothing written");

    let edited = dir.path().join("config.yaml");
    let text = shipped().replace("/bin/bash", "/bin/zsh");
    std::fs::write(&edited, &text).unwrap();
    let (code, stdout, stderr) = board(
        "install",
        &[
            "--core-config",
            edited.to_str().unwrap(),
            "--dry-run",
            "--json",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let preview: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let step = preview["post"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(step["step"], "write_files");
    assert_eq!(step["partition"], "persist");
    assert_eq!(step["files"][0]["path"], "/skiff/core/config.yaml");
    assert_eq!(step["files"][0]["bytes"], text.as_str());
    let (code, _, stderr) = board("install", &["--core-config", edited.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");

    let (_, parts) = sfdisk(&card);
    let persist = format!("{}?offset={}", card.display(), parts[2].0 * 512);
    let (code, out, _) = run("debugfs", &["-R", "cat /skiff/core/config.yaml", &persist]);
    assert_eq!(code, 0);
    assert_eq!(out, text, "byte for byte, comments included");
    let read_back = core_config::parse(&out).expect("checks clean");
    assert_eq!(
        read_back.users[0].value.container_shell,
        vec!["/bin/zsh".to_string()]
    );
    let (code, out, _) = run("debugfs", &["-R", "cat /skiff/hostname", &persist]);
    assert_eq!(
        (code, out.as_str()),
        (0, "testhost\n"),
        "persist_part still copied"
    );
    let (code, _, err) = run("e2fsck", &["-fn", &persist]);
    assert_eq!(code, 0, "{err}");

    let (code, _, stderr) = board("format", &["--core-config", edited.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("--core-config works with skiff install"),
        "{stderr}"
    );
}

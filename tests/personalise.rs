//! Personalisation end to end: a card image built by skiff is flashed to an image file with
//! --hostname, --ssh-key, --wifi and --persist-files, and every file is read back from the
//! persist partition with debugfs (content and mode); install and image build carry the same
//! flags; bad inputs are refused before anything is written.

mod flash_support;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use flash_support::*;

const KEY: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl tech@lab";

struct Inputs {
    key: PathBuf,
    psk: PathBuf,
    files: PathBuf,
}

fn inputs(dir: &Path) -> Inputs {
    let key = dir.join("tech.pub");
    std::fs::write(&key, format!("# the lab's key\n{KEY}\n")).unwrap();
    let psk = dir.join("psk");
    std::fs::write(&psk, "correct horse battery\n").unwrap();
    let files = dir.join("persist");
    std::fs::create_dir_all(files.join("skiff/etc")).unwrap();
    let motd = files.join("skiff/etc/motd");
    std::fs::write(&motd, "welcome to the lab\n").unwrap();
    std::fs::set_permissions(&motd, std::fs::Permissions::from_mode(0o640)).unwrap();
    let tool = files.join("bin-tool");
    std::fs::write(&tool, "#!/bin/sh\necho hi\n").unwrap();
    std::fs::set_permissions(&tool, std::fs::Permissions::from_mode(0o755)).unwrap();
    Inputs { key, psk, files }
}

fn flags(i: &Inputs) -> Vec<String> {
    [
        "--hostname",
        "robot-{n:02}",
        "--number",
        "7",
        "--ssh-key",
        i.key.to_str().unwrap(),
        "--wifi",
        "Lab Net",
        "--wifi-psk-file",
        i.psk.to_str().unwrap(),
        "--persist-files",
        i.files.to_str().unwrap(),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// A pcDuino card image built by skiff (its persist partition is ext4, label persist).
fn card(dir: &Path) -> PathBuf {
    card_named(dir, "card.img")
}

fn card_named(dir: &Path, name: &str) -> PathBuf {
    let layouts: Vec<_> = tree_layouts().into_iter().map(|(_, l)| l).collect();
    let images = fake_images(dir, &layouts);
    let card = dir.join(name);
    let (code, _, err) = output(
        skiff()
            .args(["image", "build", "--out"])
            .arg(&card)
            .args(["pcduino/3", "--arch", "arm", "--size", "800MiB", "--images"])
            .arg(&images),
    );
    assert_eq!(code, 0, "{err}");
    card
}

fn persist_spec(image: &Path) -> String {
    let (_, parts) = sfdisk(image);
    let last = parts.last().unwrap();
    format!("{}?offset={}", image.display(), last.0 * 512)
}

fn cat(spec: &str, path: &str) -> String {
    let (code, out, err) = run("debugfs", &["-R", &format!("cat {path}"), spec]);
    assert_eq!(code, 0, "{err}");
    out
}

fn mode(spec: &str, path: &str) -> String {
    let (_, stat, _) = run("debugfs", &["-R", &format!("stat {path}"), spec]);
    let at = stat
        .find("Mode:")
        .unwrap_or_else(|| panic!("{path}: {stat}"));
    stat[at + 5..]
        .split_whitespace()
        .next()
        .unwrap()
        .to_string()
}

/// Checks every personalised file on the persist partition of `image`.
fn check_persist(image: &Path, hostname: &str) {
    let spec = persist_spec(image);
    assert_eq!(cat(&spec, "/skiff/hostname"), format!("{hostname}\n"));
    assert_eq!(mode(&spec, "/skiff/hostname"), "0644");
    assert_eq!(cat(&spec, "/skiff/keys/tech.pub"), format!("{KEY}\n"));
    assert_eq!(mode(&spec, "/skiff/keys/tech.pub"), "0644");
    let conn = "/skiff/connections/Lab_Net-";
    let (_, listing, _) = run("debugfs", &["-R", "ls -p /skiff/connections", &spec]);
    let name = listing
        .lines()
        .filter_map(|l| l.split('/').nth(5))
        .find(|n| n.ends_with(".nmconnection"))
        .unwrap_or_else(|| panic!("no connection in {listing}"));
    let path = format!("/skiff/connections/{name}");
    assert!(path.starts_with(conn), "{path}");
    let keyfile = cat(&spec, &path);
    assert!(keyfile.contains("\nssid=Lab Net\n"), "{keyfile}");
    assert!(
        keyfile.contains("\npsk=correct horse battery\n"),
        "{keyfile}"
    );
    assert!(keyfile.contains("\nkey-mgmt=wpa-psk\n"), "{keyfile}");
    assert_eq!(mode(&spec, &path), "0600");
    assert_eq!(cat(&spec, "/skiff/etc/motd"), "welcome to the lab\n");
    assert_eq!(mode(&spec, "/skiff/etc/motd"), "0640");
    assert_eq!(cat(&spec, "/bin-tool"), "#!/bin/sh\necho hi\n");
    assert_eq!(mode(&spec, "/bin-tool"), "0755");
    let (code, _, err) = run("e2fsck", &["-fn", &spec]);
    assert_eq!(code, 0, "the file system stays clean: {err}");
}

#[test]
fn flash_personalises_the_persist_partition() {
    let dir = tempfile::tempdir().unwrap();
    let card = card(dir.path());
    let before = std::fs::read(&card).unwrap();
    let i = inputs(dir.path());
    let out = dir.path().join("out.img");
    // A dry run lists the files and writes nothing.
    let dry = |json: bool| {
        output(
            skiff()
                .arg("flash")
                .arg(&card)
                .arg("--to")
                .arg(&out)
                .arg("--dry-run")
                .args(json.then_some("--json"))
                .args(flags(&i)),
        )
    };
    let (code, stdout, err) = dry(false);
    assert_eq!(code, 0, "{err}");
    assert!(
        stdout.contains("file  persist (partition 3): /skiff/hostname (mode 0644, 9 bytes)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("/skiff/etc/motd (mode 0640, 19 bytes)"),
        "{stdout}"
    );
    let (code, stdout, err) = dry(true);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["post"][0]["step"], "write_files");
    assert_eq!(v["post"][0]["files"].as_array().unwrap().len(), 5);
    assert!(!out.exists(), "a dry run writes nothing");
    let (code, stdout, err) = output(
        skiff()
            .arg("flash")
            .arg(&card)
            .arg("--to")
            .arg(&out)
            .arg("--json")
            .args(flags(&i)),
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        stdout.contains("wrote /skiff/hostname (9 bytes, mode 0644)"),
        "{stdout}"
    );
    assert!(
        stdout.lines().last().unwrap().contains("\"done\""),
        "{stdout}"
    );
    check_persist(&out, "robot-07");
    assert!(
        std::fs::read(&card).unwrap() == before,
        "the source is unchanged"
    );
    let hidden: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains("skiff-partial"))
        .collect();
    assert!(hidden.is_empty(), "no partial file left");
}

#[test]
fn a_compressed_image_is_personalised_too() {
    let dir = tempfile::tempdir().unwrap();
    let card = card_named(dir.path(), "card.img.zst");
    let i = inputs(dir.path());
    let out = dir.path().join("out.img");
    let (code, _, err) = output(
        skiff()
            .arg("flash")
            .arg(&card)
            .arg("--to")
            .arg(&out)
            .args(flags(&i)),
    );
    assert_eq!(code, 0, "{err}");
    check_persist(&out, "robot-07");
}

#[test]
fn install_and_image_build_personalise_too() {
    let dir = tempfile::tempdir().unwrap();
    let layouts: Vec<_> = tree_layouts().into_iter().map(|(_, l)| l).collect();
    let images = fake_images(dir.path(), &layouts);
    let i = inputs(dir.path());
    let built = dir.path().join("built.img");
    let (code, _, err) = output(
        skiff()
            .args(["image", "build", "--out"])
            .arg(&built)
            .args(["pcduino/3", "--arch", "arm", "--size", "800MiB", "--images"])
            .arg(&images)
            .args(flags(&i)),
    );
    assert_eq!(code, 0, "{err}");
    check_persist(&built, "robot-07");

    let card = dir.path().join("card.img");
    let (code, _, err) = pcduino("format", &card, &images, &["--size", "800MiB"]);
    assert_eq!(code, 0, "{err}");
    let mut extra = flags(&i);
    extra[1] = "lab-{n}".into();
    extra.extend(["--dry-run".to_string()]);
    let refs: Vec<&str> = extra.iter().map(String::as_str).collect();
    let (code, stdout, err) = pcduino("install", &card, &images, &refs);
    assert_eq!(code, 0, "{err}");
    assert!(
        stdout.contains("file  persist: /skiff/hostname (mode 0644, 6 bytes)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("file  persist: /skiff/etc/motd (mode 0640, 19 bytes)"),
        "{stdout}"
    );
    let (code, _, err) = pcduino("install", &card, &images, &refs[..refs.len() - 1]);
    assert_eq!(code, 0, "{err}");
    check_persist(&card, "lab-7");
    let spec = persist_spec(&card);
    assert_eq!(
        cat(&spec, "/skiff/hostname"),
        "lab-7\n",
        "the flag wins over persist_part's hostname"
    );

    let (code, _, err) = pcduino("format", &card, &images, &["--hostname", "x"]);
    assert_eq!(code, 1);
    assert!(err.contains("not format"), "{err}");
}

fn refused(card: &Path, out: &Path, extra: &[&str]) -> String {
    let (code, stdout, err) = output(
        skiff()
            .arg("flash")
            .arg(card)
            .arg("--to")
            .arg(out)
            .arg("--json")
            .args(extra),
    );
    assert_eq!(code, 1, "{err}");
    assert!(!out.exists(), "nothing written");
    let last: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    assert_eq!(last["reason"], "personalise", "{stdout}");
    err
}

#[test]
fn bad_inputs_are_refused_before_writing() {
    let dir = tempfile::tempdir().unwrap();
    let card = card(dir.path());
    let out = dir.path().join("out.img");

    let private = dir.path().join("id_ed25519");
    std::fs::write(
        &private,
        "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n",
    )
    .unwrap();
    let err = refused(&card, &out, &["--ssh-key", private.to_str().unwrap()]);
    assert!(err.contains("id_ed25519: this is a private key"), "{err}");

    let err = refused(&card, &out, &["--hostname", "robot_{n}"]);
    assert!(
        err.contains("hostname template `robot_{n}`: `_` cannot be in a hostname"),
        "{err}"
    );
    let err = refused(&card, &out, &["--hostname", "cam-{serial}"]);
    assert!(err.contains("{serial} is not known"), "{err}");

    let files = dir.path().join("files");
    std::fs::create_dir_all(&files).unwrap();
    std::os::unix::fs::symlink("/etc/passwd", files.join("passwd")).unwrap();
    let err = refused(&card, &out, &["--persist-files", files.to_str().unwrap()]);
    assert!(err.contains("passwd: is a symbolic link"), "{err}");

    let psk = dir.path().join("psk");
    std::fs::write(&psk, "short\n").unwrap();
    let err = refused(
        &card,
        &out,
        &["--wifi", "lab", "--wifi-psk-file", psk.to_str().unwrap()],
    );
    assert!(err.contains("8 to 63 characters"), "{err}");

    // An image without a persist partition: one FAT partition.
    let plain = dir.path().join("plain.img");
    std::fs::write(&plain, card_image(4 << 20, 3)).unwrap();
    let err = refused(&plain, &out, &["--hostname", "x"]);
    assert!(err.contains("no SkiffOS persist partition"), "{err}");
}

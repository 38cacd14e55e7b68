//! Shared helpers of the flash tests: a fake build output (images/), fake layers with boot
//! scripts, the tree's board layouts, and readers for what real tools say about an image.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use skiff::model::layout::{Kind, Layout};

pub const MIB: u64 = 1 << 20;

/// The skiff binary with the tree as its root, no stack or fake system from the environment,
/// and no terminal on stdin.
pub fn skiff() -> Command {
    use assert_cmd::cargo::CommandCargoExt;
    let mut c = Command::cargo_bin("skiff").unwrap();
    c.env_remove("SKIFF_CONFIG")
        .env_remove("SKIFF_SYSROOT")
        .env("SKIFF_ROOT", env!("CARGO_MANIFEST_DIR"))
        .stdin(std::process::Stdio::null());
    c
}

/// `skiff VERB CARD pcduino/3 --arch arm --images IMAGES EXTRA...` (format or install).
pub fn pcduino(verb: &str, card: &Path, images: &Path, extra: &[&str]) -> (i32, String, String) {
    output(
        skiff()
            .arg(verb)
            .arg(card)
            .arg("pcduino/3")
            .args(["--arch", "arm", "--images"])
            .arg(images)
            .args(extra),
    )
}

/// A stand-in escalation command: instead of `skiff __flash-helper` with root rights it runs
/// the test-only helper, which checks the fake machine under `root` (the real helper always
/// checks the host).
pub fn escalation_for(dir: &Path, root: &Path) -> PathBuf {
    let escalate = dir.join("run-as-root");
    std::fs::write(
        &escalate,
        format!(
            "#!/bin/sh\nexec '{}' '{}' \"$@\"\n",
            env!("CARGO_BIN_EXE_fake_flash_helper"),
            root.display()
        ),
    )
    .unwrap();
    let mut perms = std::fs::metadata(&escalate).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
    std::fs::set_permissions(&escalate, perms).unwrap();
    escalate
}

/// Exit code, stdout and stderr of a finished command.
pub fn output(cmd: &mut Command) -> (i32, String, String) {
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Deterministic, incompressible bytes.
pub fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

/// Deterministic bytes that start with a DOS partition table (one partition), so content
/// recognition takes them for a card image.
pub fn card_image(len: usize, seed: u64) -> Vec<u8> {
    let mut bytes = noise(len, seed);
    if bytes.len() >= 512 {
        bytes[446..512].fill(0);
        bytes[446 + 4] = 0x83;
        bytes[446 + 8] = 8;
        bytes[446 + 12] = 8;
        bytes[510] = 0x55;
        bytes[511] = 0xaa;
    }
    bytes
}

fn put(path: &Path, bytes: &[u8]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

/// A fake images/ directory with every file the tree's layouts copy or write raw.
pub fn fake_images(dir: &Path, layouts: &[Layout]) -> PathBuf {
    let images = dir.join("images");
    put(&images.join("zImage"), &noise(300_000, 1));
    put(&images.join("Image"), &noise(200_000, 2));
    put(&images.join("board-a.dtb"), b"dtb a");
    put(&images.join("board-b.dtb"), b"dtb b");
    put(&images.join("rootfs.squashfs"), &noise(500_000, 3));
    put(&images.join("rootfs.cpio.uboot"), &noise(100_000, 4));
    put(&images.join("rootfs.cpio.lz4"), &noise(100_000, 5));
    put(&images.join("skiff-init/skiff-init"), b"#!/bin/init\n");
    put(
        &images.join("skiff-init/resize2fs.conf"),
        b"/dev/mmcblk0p2\n",
    );
    put(&images.join("boot_part/extra.txt"), b"from boot_part\n");
    put(
        &images.join("rootfs_part/modules.squashfs"),
        &noise(150_000, 6),
    );
    put(
        &images.join("rootfs_part/etc/os-release"),
        b"NAME=skiff-test\n",
    );
    put(&images.join("persist_part/skiff/hostname"), b"testhost\n");
    put(&images.join("rpi-firmware/start4.elf"), &noise(50_000, 7));
    put(
        &images.join("rpi-firmware/config.txt"),
        b"# firmware default\n",
    );
    put(&images.join("rpi-firmware/overlays/test.dtbo"), b"overlay");
    // Whatever else a layout copies: its first candidate, as a file, a directory or a glob.
    for rule in layouts
        .iter()
        .flat_map(|l| l.install.iter().flat_map(|i| &i.copy))
    {
        let Some(first) = rule.from.first() else {
            continue;
        };
        if let Some(dir) = first.strip_suffix('/') {
            let dir = images.join(dir);
            if !dir.exists() {
                put(
                    &dir.join("README"),
                    format!("contents of {first}\n").as_bytes(),
                );
                put(&dir.join("sub/file.bin"), &noise(5000, 13));
            }
        } else if let Some(suffix) = first.strip_prefix('*') {
            let path = images.join(format!("generated{suffix}"));
            if !path.exists() {
                put(&path, format!("matches {first}\n").as_bytes());
            }
        } else if !images.join(first).exists() {
            put(&images.join(first), &noise(20_000, first.len() as u64));
        }
    }
    let mut sizes: std::collections::BTreeMap<&str, u64> = Default::default();
    for raw in layouts.iter().flat_map(|l| &l.raw) {
        let len = raw.skip.0 + raw.length.map_or(70_000.min(raw.reserved()), |l| l.0);
        let size = sizes.entry(&raw.file).or_default();
        *size = (*size).max(len);
    }
    for (file, len) in sizes {
        put(&images.join(file), &noise(len as usize, len));
    }
    images
}

/// One fake layer holding every boot file the layouts pick.
pub fn fake_layer(dir: &Path, layouts: &[Layout]) -> PathBuf {
    let layer = dir.join("layers/board");
    for layout in layouts {
        for pick in &layout.boot {
            for name in &pick.pick {
                put(
                    &layer.join(&pick.dir).join(name),
                    format!("# {name}\nsetenv bootargs console=ttyS0 root=/dev/mmcblk0p2 rw\n")
                        .as_bytes(),
                );
            }
        }
    }
    layer
}

/// Every card layout in the tree's configs/.
pub fn tree_layouts() -> Vec<(PathBuf, Layout)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("configs");
    let mut found = Vec::new();
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().filter_map(Result::ok) {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.file_name().is_some_and(|n| n == "layout.yaml") {
                let layout = Layout::load(&path).unwrap_or_else(|e| panic!("{e}"));
                if layout.kind == Kind::Card {
                    found.push((path, layout));
                }
            }
        }
    }
    found.sort_by(|a, b| a.0.cmp(&b.0));
    found
}

/// The card size used for a layout in tests: at least 256 MiB, else the layout's minimum
/// rounded up to a MiB.
pub fn test_card_size(layout: &Layout) -> u64 {
    let min = layout.min_card_size().div_ceil(MIB) * MIB;
    min.max(256 * MIB)
}

pub fn run(program: &str, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(program)
        .args(args)
        .env("MTOOLS_SKIP_CHECK", "1")
        .env("LC_ALL", "C")
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e}"));
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Partitions from `sfdisk --json`: (start sector, size in sectors, type).
pub fn sfdisk(image: &Path) -> (String, Vec<(u64, u64, String)>) {
    let (code, out, err) = run("sfdisk", &["--json", &image.display().to_string()]);
    assert_eq!(code, 0, "sfdisk: {err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let table = &json["partitiontable"];
    let parts = table["partitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["start"].as_u64().unwrap(),
                p["size"].as_u64().unwrap(),
                p["type"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    (table["label"].as_str().unwrap().to_string(), parts)
}

/// Copies a byte range of a (sparse) image into a new sparse file.
pub fn extract(image: &Path, start: u64, len: u64, out: &Path) {
    use std::os::unix::fs::FileExt;
    let src = std::fs::File::open(image).unwrap();
    let dst = std::fs::File::create(out).unwrap();
    dst.set_len(len).unwrap();
    let extents = skiff::flash::sparse::data_extents(&src, start, start + len).unwrap();
    let mut buf = vec![0u8; 1 << 20];
    for (s, e) in extents {
        let mut pos = s;
        while pos < e {
            let n = (e - pos).min(buf.len() as u64) as usize;
            src.read_exact_at(&mut buf[..n], pos).unwrap();
            dst.write_all_at(&buf[..n], pos - start).unwrap();
            pos += n as u64;
        }
    }
}

pub fn read_range(image: &Path, offset: u64, len: usize) -> Vec<u8> {
    use std::os::unix::fs::FileExt;
    let f = std::fs::File::open(image).unwrap();
    let mut buf = vec![0u8; len];
    f.read_exact_at(&mut buf, offset).unwrap();
    buf
}

/// A 12 MiB card image: a DOS table with a boot partition of data (1-3 MiB) and an ext4
/// partition labelled persist (3-12 MiB), made by sfdisk and mke2fs.
pub fn persist_image(dir: &Path) -> PathBuf {
    let img = dir.join("os.img");
    let mut bytes = card_image(12 * MIB as usize, 3);
    bytes[3 * MIB as usize..].fill(0);
    std::fs::write(&img, &bytes).unwrap();
    let table = "label: dos\nstart=2048, size=4096, type=c\nstart=6144, type=83\n";
    let mut sf = std::process::Command::new("sfdisk")
        .args(["--no-reread", "-q"])
        .arg(&img)
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(sf.stdin.as_mut().unwrap(), table.as_bytes()).unwrap();
    assert!(sf.wait().unwrap().success());
    let spec = img.display().to_string();
    let (code, _, err) = run(
        "mke2fs",
        &[
            "-q",
            "-F",
            "-t",
            "ext4",
            "-L",
            "persist",
            "-E",
            &format!("offset={}", 3 * MIB),
            &spec,
            "9M",
        ],
    );
    assert_eq!(code, 0, "{err}");
    img
}

/// A file of the persist partition of a written card (`None` when missing).
pub fn persist_cat(card: &Path, path: &str) -> Option<String> {
    let spec = format!("{}?offset={}", card.display(), 3 * MIB);
    let (code, out, _) = run("debugfs", &["-R", &format!("cat {path}"), &spec]);
    (code == 0 && !out.is_empty()).then_some(out)
}

/// Each line of `--json` output as a JSON value (a line that is not JSON fails the test).
pub fn json_lines(stdout: &str) -> Vec<serde_json::Value> {
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect()
}

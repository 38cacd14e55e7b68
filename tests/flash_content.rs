//! Content recognition end to end: `skiff flash` fed every recognised and every refused kind
//! of file (real zips from `zip`, real tables from sfdisk and sgdisk), checking the exit code,
//! the message, the final JSON event, and that a refused input never opens the target.

mod flash_support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use flash_support::*;

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    /// The last stdout line, parsed: the final event.
    fn last(&self) -> serde_json::Value {
        let line = self.stdout.lines().last().unwrap_or_default();
        serde_json::from_str(line).unwrap_or_else(|e| panic!("{line:?}: {e}\n{}", self.stderr))
    }
}

fn flash(image: &Path, out: &Path, extra: &[&str]) -> Run {
    let (code, stdout, stderr) = output(
        skiff()
            .arg("flash")
            .arg(image)
            .arg("--to")
            .arg(out)
            .arg("--json")
            .args(extra),
    );
    Run {
        code,
        stdout,
        stderr,
    }
}

fn run(cmd: &mut Command) {
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{cmd:?}: {out:?}");
}

/// A 4 MiB image with a real table from sfdisk (MBR) or sgdisk (GPT) and data after it.
fn table_image(dir: &Path, name: &str, gpt: bool) -> PathBuf {
    let path = dir.join(name);
    let mut bytes = noise(4 * MIB as usize, 21);
    bytes[..64 * 1024].fill(0);
    std::fs::write(&path, &bytes).unwrap();
    if gpt {
        run(Command::new("sgdisk").arg("-n").arg("1:2048:0").arg(&path));
    } else {
        let mut child = Command::new("sfdisk")
            .arg("--quiet")
            .arg(&path)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        std::io::Write::write_all(child.stdin.as_mut().unwrap(), b"2048,,c\n").unwrap();
        assert!(child.wait().unwrap().success());
    }
    path
}

/// Nothing was created next to the target: no target, no temporary file.
fn untouched(out: &Path) {
    assert!(!out.exists(), "{} was created", out.display());
    let dir = out.parent().unwrap();
    let stray: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(stray.is_empty(), "temporary files left: {stray:?}");
}

fn refused(image: &Path, out: &Path, looks_like: &str, reason: &str) -> Run {
    let r = flash(image, out, &[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains(looks_like), "{}", r.stderr);
    let last = r.last();
    assert_eq!(last["event"], "failed");
    assert_eq!(last["reason"], reason);
    assert_eq!(last["phase"], "prepare");
    assert_eq!(last["exit_code"], 1);
    untouched(out);
    r
}

#[test]
fn mbr_and_gpt_images_are_written() {
    let dir = tempfile::tempdir().unwrap();
    for (name, gpt) in [("mbr.img", false), ("gpt.img", true)] {
        let img = table_image(dir.path(), name, gpt);
        let out = dir.path().join("out").join(name);
        std::fs::create_dir_all(out.parent().unwrap()).unwrap();
        let r = flash(&img, &out, &[]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert_eq!(r.last()["event"], "done");
        assert_eq!(std::fs::read(&out).unwrap(), std::fs::read(&img).unwrap());
    }
}

#[test]
fn a_zip_with_one_image_is_streamed_and_with_three_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let img = table_image(dir.path(), "card.img", false);
    std::fs::write(dir.path().join("README.txt"), "read me\n").unwrap();
    std::fs::write(dir.path().join("card.img.sha256"), "abc  card.img\n").unwrap();
    run(Command::new("zip")
        .current_dir(dir.path())
        .args(["-q", "one.zip", "card.img"]));
    run(Command::new("zip").current_dir(dir.path()).args([
        "-q",
        "three.zip",
        "card.img",
        "README.txt",
        "card.img.sha256",
    ]));
    let outs = dir.path().join("out");
    std::fs::create_dir(&outs).unwrap();

    let out = outs.join("one.img");
    let r = flash(&dir.path().join("one.zip"), &out, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let started =
        serde_json::from_str::<serde_json::Value>(r.stdout.lines().next().unwrap()).unwrap();
    assert_eq!(started["event"], "started");
    assert_eq!(
        started["total"],
        4 * MIB,
        "the zip entry's size is the total"
    );
    assert_eq!(std::fs::read(&out).unwrap(), std::fs::read(&img).unwrap());

    let out = outs.join("three.img");
    let r = refused(
        &dir.path().join("three.zip"),
        &out,
        "a zip of 3 files (card.img, README.txt, card.img.sha256); name the card image with --member NAME",
        "zip_member",
    );
    assert!(r.last()["message"].as_str().unwrap().contains("--member"));
    let r = flash(
        &dir.path().join("three.zip"),
        &out,
        &["--member", "card.img"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(std::fs::read(&out).unwrap(), std::fs::read(&img).unwrap());
    std::fs::remove_file(&out).unwrap();
    let r = flash(
        &dir.path().join("three.zip"),
        &out,
        &["--member", "README.txt"],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("text (zipped, member README.txt)"),
        "{}",
        r.stderr
    );
    assert_eq!(r.last()["reason"], "not_a_disk_image");
    untouched(&out);
    let r = flash(
        &dir.path().join("three.zip"),
        &out,
        &["--member", "nope.img"],
    );
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("the zip has no member \"nope.img\""),
        "{}",
        r.stderr
    );
    untouched(&out);
}

#[test]
fn a_block_map_text_and_random_bytes_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let outs = dir.path().join("out");
    std::fs::create_dir(&outs).unwrap();
    let bmap = dir.path().join("card.img.bmap");
    std::fs::write(
        &bmap,
        "<?xml version=\"1.0\" ?>\n<bmap version=\"2.0\">\n<ImageSize> 4096 </ImageSize>\n</bmap>\n",
    )
    .unwrap();
    refused(
        &bmap,
        &outs.join("a.img"),
        "XML text (a block map?)",
        "not_a_disk_image",
    );
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "hello\n").unwrap();
    let r = refused(
        &text,
        &outs.join("b.img"),
        "looks like text",
        "not_a_disk_image",
    );
    assert!(r.stderr.contains("skiff flash --raw"), "{}", r.stderr);
    let random = dir.path().join("random.bin");
    std::fs::write(&random, noise(MIB as usize, 5)).unwrap();
    refused(
        &random,
        &outs.join("c.img"),
        "no partition table",
        "not_a_disk_image",
    );
    // Compressed text is text too.
    let gz = dir.path().join("notes.txt.gz");
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut enc, b"just words\n").unwrap();
    std::fs::write(&gz, enc.finish().unwrap()).unwrap();
    refused(
        &gz,
        &outs.join("d.img"),
        "text (gzip-compressed)",
        "not_a_disk_image",
    );
    // --raw writes what the user insists on.
    let out = outs.join("e.img");
    let r = flash(&random, &out, &["--raw"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(std::fs::read(&out).unwrap(), noise(MIB as usize, 5));
    // --member on something that is not a zip is a usage error, still with a final event.
    let r = flash(&random, &outs.join("f.img"), &["--member", "x"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(r.last()["reason"], "usage");
}

#[test]
fn xz_and_zstd_sizes_are_known_before_writing() {
    let dir = tempfile::tempdir().unwrap();
    let data = card_image(3 * MIB as usize, 8);
    let xz = dir.path().join("card.img.xz");
    let mut e = liblzma::write::XzEncoder::new(Vec::new(), 0);
    std::io::Write::write_all(&mut e, &data).unwrap();
    std::fs::write(&xz, e.finish().unwrap()).unwrap();
    let zst = dir.path().join("card.img.zst");
    std::fs::write(&zst, zstd::bulk::compress(&data, 3).unwrap()).unwrap();
    for (src, name) in [(&xz, "x.img"), (&zst, "z.img")] {
        let out = dir.path().join(name);
        let r = flash(src, &out, &[]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let started: serde_json::Value =
            serde_json::from_str(r.stdout.lines().next().unwrap()).unwrap();
        assert_eq!(started["total"], 3 * MIB, "{}", r.stdout);
        let progress_has_totals = r
            .stdout
            .lines()
            .filter(|l| l.contains("\"phase_started\"") && l.contains("\"write\""))
            .all(|l| l.contains(&format!("\"total\":{}", 3 * MIB)));
        assert!(progress_has_totals, "{}", r.stdout);
        assert_eq!(std::fs::read(&out).unwrap(), data);
    }
}

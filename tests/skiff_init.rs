//! skiff-init (configs-base's C init for squashfs roots) compiles cleanly with the host
//! compiler, and its parse-only build reads the skiff.* options of real kernel command
//! lines: the bundled boards' own, defaults, overlong values and bad input.

use std::path::{Path, PathBuf};
use std::process::Command;

fn source() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("configs-base/pre/buildroot_ext/package/skiff-init/src/skiff-init.c")
}

/// Compile with the host `cc` and warnings as errors; `defines` are extra `-D` flags.
fn compile(out: &Path, defines: &[&str]) {
    let o = Command::new("cc")
        .args(["-std=gnu11", "-Wall", "-Wextra", "-Werror", "-O2"])
        .args(defines)
        .arg("-o")
        .arg(out)
        .arg(source())
        .output()
        .expect("the host C compiler (cc) runs");
    assert!(
        o.status.success(),
        "{}: {}",
        source().display(),
        String::from_utf8_lossy(&o.stderr)
    );
}

fn parse(bin: &Path, cmdline: &str) -> (Option<i32>, String) {
    let o = Command::new(bin).arg(cmdline).output().unwrap();
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stdout).into_owned(),
    )
}

#[test]
fn the_init_compiles_without_warnings() {
    let dir = tempfile::tempdir().unwrap();
    compile(&dir.path().join("skiff-init"), &[]);
}

#[test]
fn parses_kernel_command_lines() {
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("skiff-init-parse");
    compile(&bin, &["-DSKIFF_INIT_PARSE_TEST"]);
    // The Raspberry Pi Zero's cmdline.txt of the bundled tree.
    let pi0 = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("configs/pi/0/resources/rpi/cmdline.txt"),
    )
    .unwrap();
    assert_eq!(
        parse(&bin, &pi0),
        (
            Some(0),
            "image=/rootfs.squashfs\nrootis=boot\noverlay=25%\n".into()
        )
    );
    // The PinePhone's and H64's: image under /boot of the persist partition.
    assert_eq!(
        parse(
            &bin,
            "console=ttyS0,115200 console=tty1 root=PARTUUID=1234-01 rw rootwait init=/boot/skiff-init/skiff-init skiff.image=/boot/rootfs.squashfs"
        ),
        (
            Some(0),
            "image=/boot/rootfs.squashfs\nrootis=persist\noverlay=25%\n".into()
        )
    );
    // No options: the defaults. Tabs and a trailing newline (as /proc/cmdline has) split
    // words; the last of repeated options wins.
    assert_eq!(
        parse(&bin, "quiet\tskiff.overlay=1G skiff.overlay=512M\n"),
        (
            Some(0),
            "image=/rootfs.squashfs\nrootis=persist\noverlay=512M\n".into()
        )
    );
    // A value too long for its buffer is ignored, not truncated or overflowed.
    let long = format!("skiff.image=/{}", "x".repeat(300));
    assert_eq!(
        parse(&bin, &long).1,
        "image=/rootfs.squashfs\nrootis=persist\noverlay=25%\n"
    );
    // A prefix that only looks like an option does not count.
    assert_eq!(
        parse(&bin, "myskiff.rootis=boot skiff.rootisx=boot").1,
        "image=/rootfs.squashfs\nrootis=persist\noverlay=25%\n"
    );
    // An unknown root kind is refused, as the init refuses to boot with it.
    let (code, _) = parse(&bin, "skiff.rootis=usb");
    assert_eq!(code, Some(1));
}

//! A real OpenSSH server on 127.0.0.1 for push tests: throwaway host and user keys, its own
//! config, a free port; stopped when dropped. Plus a workspace with a fake build and a
//! "device" made of plain directories.
#![allow(dead_code)]

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const SSHD: &str = "/usr/sbin/sshd";

pub struct Sshd {
    pub dir: tempfile::TempDir,
    pub port: u16,
    pub user: String,
    child: Child,
}

fn keygen(path: &Path) {
    let ok = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(path)
        .status()
        .expect("ssh-keygen")
        .success();
    assert!(ok, "ssh-keygen failed");
}

fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

/// None when sshd is missing outside CI (CI installs it with scripts/deps and must run these).
pub fn start() -> Option<Sshd> {
    if !Path::new(SSHD).exists() {
        assert!(
            std::env::var("CI").is_err(),
            "{SSHD} is missing: run scripts/deps (openssh-server)"
        );
        eprintln!("skipping: {SSHD} is not installed (scripts/deps installs openssh-server)");
        return None;
    }
    let user = String::from_utf8(Command::new("id").arg("-un").output().expect("id").stdout)
        .expect("utf8")
        .trim()
        .to_string();
    if user == "root" {
        // sshd started by root needs its privilege separation directory.
        let _ = std::fs::create_dir_all("/run/sshd");
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    keygen(&d.join("host_key"));
    keygen(&d.join("user_key"));
    std::fs::copy(d.join("user_key.pub"), d.join("authorized_keys")).expect("copy key");
    let port = free_port();
    let config = format!(
        "Port {port}\nListenAddress 127.0.0.1\nHostKey {d}/host_key\n\
         AuthorizedKeysFile {d}/authorized_keys\nPermitRootLogin prohibit-password\n\
         PasswordAuthentication no\nKbdInteractiveAuthentication no\nStrictModes no\n\
         UsePAM no\nPidFile none\nSubsystem sftp /usr/lib/openssh/sftp-server\n",
        d = d.display()
    );
    std::fs::write(d.join("sshd_config"), config).expect("config");
    let child = Command::new(SSHD)
        .arg("-D")
        .arg("-f")
        .arg(d.join("sshd_config"))
        .arg("-E")
        .arg(d.join("sshd.log"))
        .stdin(Stdio::null())
        .spawn()
        .expect("start sshd");
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "sshd did not listen: {}",
            std::fs::read_to_string(d.join("sshd.log")).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Some(Sshd {
        dir,
        port,
        user,
        child,
    })
}

impl Sshd {
    pub fn key(&self) -> PathBuf {
        self.dir.path().join("user_key")
    }

    pub fn destination(&self) -> String {
        format!("{}@127.0.0.1", self.user)
    }

    /// Arguments that reach this server with `skiff push` (or ssh/scp with `-o`).
    pub fn ssh_args(&self) -> Vec<String> {
        vec![
            "-p".into(),
            self.port.to_string(),
            "-i".into(),
            self.key().display().to_string(),
            "--ssh-option".into(),
            format!(
                "UserKnownHostsFile={}",
                self.dir.path().join("known_hosts").display()
            ),
            "--ssh-option".into(),
            "StrictHostKeyChecking=accept-new".into(),
        ]
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A tree with one board layer (test/board) whose layout installs like a card board, a
/// workspace build in `workspaces/default/images`, and a device tree of plain directories.
pub struct Setup {
    pub tmp: tempfile::TempDir,
    pub root: PathBuf,
    pub images: PathBuf,
    pub device: PathBuf,
}

pub const LAYOUT: &str = r#"about: push test board
table: mbr
partitions:
  - { name: boot, type: fat32, fs: vfat, label: boot, start: 1MiB, end: 64MiB }
  - { name: rootfs, type: linux, fs: ext4, label: rootfs, end: 128MiB }
  - { name: persist, type: linux, fs: ext4, label: persist, size: rest }
install:
  persist: persist
  copy:
    - { from: [zImage, Image], to: "boot:/" }
    - { from: "*.dtb", to: "boot:/" }
    - { from: rootfs.squashfs, to: "boot:/", optional: true }
    - { from: skiff-init/, to: "boot:/skiff-init/", optional: true }
    - { from: rootfs_part/, to: "rootfs:/" }
    - { from: persist_part/, to: "persist:/", optional: true }
boot:
  - { dir: resources/boot-scripts, pick: [boot.txt], to: "boot:/", mkimage: boot.scr }
"#;

pub fn write(path: &Path, bytes: &[u8]) {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, bytes).expect("write");
}

pub fn setup(arch: &str) -> Setup {
    let (tmp, root) = super::common::fixture("build");
    write(
        &root.join("configs/test/board/layout.yaml"),
        LAYOUT.as_bytes(),
    );
    write(
        &root.join("configs/test/board/resources/boot-scripts/boot.txt"),
        b"setenv bootargs root=/dev/mmcblk0p2\n",
    );
    let ws = root.join("workspaces/default");
    write(
        &ws.join(".config"),
        format!("BR2_ARCH=\"{arch}\"\n").as_bytes(),
    );
    let images = ws.join("images");
    write(&images.join("zImage"), &pattern(3 << 20, 1));
    write(&images.join("board.dtb"), b"dtb v1");
    write(&images.join("rootfs.squashfs"), &pattern(5 << 20, 2));
    write(
        &images.join("skiff-init/skiff-init-squashfs"),
        b"#!/bin/sh\necho init\n",
    );
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(
        images.join("skiff-init/skiff-init-squashfs"),
        std::fs::Permissions::from_mode(0o755),
    )
    .expect("chmod");
    write(
        &images.join("rootfs_part/modules.squashfs"),
        &pattern(1 << 20, 3),
    );
    write(&images.join("persist_part/keep-me"), b"persist data");
    write(
        &images.join("skiff-release"),
        b"NAME=SkiffOS\nVERSION=\"2.0\"\nBUILD_CONFIG=\"test/board\"\n",
    );
    let device = tmp.path().join("device");
    for d in ["mnt/boot", "mnt/rootfs", "etc"] {
        std::fs::create_dir_all(device.join(d)).expect("mkdir");
    }
    write(
        &device.join("etc/skiff-release"),
        b"NAME=SkiffOS\nVERSION=\"1.0\"\nBUILD_CONFIG=\"test/board,skiff/core\"\n",
    );
    write(&device.join("mnt/boot/zImage"), b"old kernel");
    write(&device.join("mnt/boot/board.dtb"), b"dtb v1");
    write(&device.join("mnt/boot/boot.scr"), b"device boot script");
    Setup {
        tmp,
        root,
        images,
        device,
    }
}

/// Deterministic, non-repeating-looking bytes.
pub fn pattern(len: usize, seed: u8) -> Vec<u8> {
    let mut x: u32 = 0x9e37_79b9 ^ u32::from(seed);
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            (x >> 24) as u8
        })
        .collect()
}

impl Setup {
    pub fn boot(&self) -> PathBuf {
        self.device.join("mnt/boot")
    }

    pub fn rootfs(&self) -> PathBuf {
        self.device.join("mnt/rootfs")
    }

    /// `skiff push` arguments for this setup, to the server.
    pub fn push_args(&self, sshd: &Sshd) -> Vec<String> {
        let mut args = vec![
            "--root".to_string(),
            self.root.display().to_string(),
            "push".into(),
            sshd.destination(),
        ];
        args.extend(sshd.ssh_args());
        args.extend([
            "--boot-dir".into(),
            self.boot().display().to_string(),
            "--rootfs-dir".into(),
            self.rootfs().display().to_string(),
            "--device-release-file".into(),
            self.device.join("etc/skiff-release").display().to_string(),
            "--device-mount-cmd".into(),
            "true".into(),
        ]);
        args
    }
}

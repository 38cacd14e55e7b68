//! A fake sysfs, /dev, mount table and swap table under a directory, for tests of discovery,
//! safety rules and the device write path (the fake device nodes are plain files). Test
//! support only: it lives under tests/ so the release library never carries it.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use skiff::flash::SystemView;

/// An engine environment on the fake system under `root` (no udev properties, the real file
/// system tools) with small blocks, so tests exercise many of them.
pub fn fake_env(root: &Path, chunk_size: usize, ring: usize) -> skiff::flash::Environment {
    skiff::flash::Environment {
        view: SystemView::under(root),
        props: Box::new(skiff::flash::system::NoProperties),
        tools: Box::new(skiff::flash::card::SystemTools),
        config: skiff::flash::engine::EngineConfig { chunk_size, ring },
    }
}

/// One fake disk. Sizes are in bytes; partitions are laid out back to back from 1 MiB.
#[derive(Clone, Debug)]
pub struct FakeDisk {
    pub name: String,
    pub major: u32,
    pub minor: u32,
    pub size: u64,
    pub removable: bool,
    pub read_only: bool,
    /// `usb`, `mmc-sd`, `mmc-emmc`, `ata`, `nvme` or `virtio`: decides the sysfs path shape.
    pub attachment: &'static str,
    pub vendor: Option<String>,
    pub model: Option<String>,
    pub serial: Option<String>,
    pub partitions: Vec<u64>,
    /// Holders per partition number (1-based); 0 means the whole disk.
    pub holders: Vec<(u32, String)>,
    /// USB port such as `1-2`, used for USB attachments.
    pub usb_port: String,
    /// For device-mapper or RAID volumes: the kernel names they are built on.
    pub slaves: Vec<String>,
}

impl FakeDisk {
    pub fn new(name: &str, major: u32, minor: u32, size: u64) -> FakeDisk {
        FakeDisk {
            name: name.to_string(),
            major,
            minor,
            size,
            removable: false,
            read_only: false,
            attachment: "ata",
            vendor: None,
            model: None,
            serial: None,
            partitions: Vec::new(),
            holders: Vec::new(),
            usb_port: "1-1".to_string(),
            slaves: Vec::new(),
        }
    }

    /// A device-mapper volume (LVM, LUKS) stacked on `slaves`.
    pub fn mapper(name: &str, minor: u32, size: u64, slaves: &[&str]) -> FakeDisk {
        let mut disk = FakeDisk::new(name, 254, minor, size);
        disk.attachment = "virtual";
        disk.slaves = slaves.iter().map(|s| s.to_string()).collect();
        disk
    }

    /// A USB card reader with a card in it.
    pub fn usb_card(name: &str, minor: u32, size: u64, port: &str) -> FakeDisk {
        let mut disk = FakeDisk::new(name, 8, minor, size);
        disk.attachment = "usb";
        disk.removable = true;
        disk.vendor = Some("Generic".into());
        disk.model = Some("STORAGE DEVICE".into());
        disk.serial = Some(format!("0000000{minor:04}"));
        disk.usb_port = port.to_string();
        disk
    }

    pub fn partition_name(&self, number: u32) -> String {
        let needs_p = self.name.ends_with(|c: char| c.is_ascii_digit());
        if needs_p {
            format!("{}p{number}", self.name)
        } else {
            format!("{}{number}", self.name)
        }
    }
}

/// Builds the tree; call `write` once all disks, mounts and swaps are added.
pub struct FakeSystem {
    root: PathBuf,
    disks: Vec<FakeDisk>,
    mountinfo: Vec<String>,
    swaps: Vec<String>,
}

impl FakeSystem {
    pub fn new(root: &Path) -> FakeSystem {
        FakeSystem {
            root: root.to_path_buf(),
            disks: Vec::new(),
            mountinfo: Vec::new(),
            swaps: Vec::new(),
        }
    }

    pub fn disk(&mut self, disk: FakeDisk) -> &mut FakeSystem {
        self.disks.push(disk);
        self
    }

    /// Mounts `major:minor` on `mount_point`.
    pub fn mount(
        &mut self,
        major: u32,
        minor: u32,
        mount_point: &str,
        source: &str,
    ) -> &mut FakeSystem {
        let id = 20 + self.mountinfo.len();
        let point = mount_point.replace(' ', "\\040");
        self.mountinfo.push(format!(
            "{id} 1 {major}:{minor} / {point} rw,relatime shared:{id} - ext4 {source} rw"
        ));
        self
    }

    /// Adds a pseudo file system (no backing device), as every real table has.
    pub fn pseudo_mount(&mut self, mount_point: &str, fstype: &str) -> &mut FakeSystem {
        let id = 20 + self.mountinfo.len();
        self.mountinfo.push(format!(
            "{id} 1 0:{id} / {mount_point} rw,relatime - {fstype} {fstype} rw"
        ));
        self
    }

    pub fn swap(&mut self, filename: &str) -> &mut FakeSystem {
        self.swaps
            .push(format!("{filename}\tpartition\t1048572\t0\t-2"));
        self
    }

    /// Writes sysfs, dev nodes (sparse plain files of the disk's size) and proc tables.
    pub fn write(&self) -> std::io::Result<SystemView> {
        let view = SystemView::under(&self.root);
        for dir in [
            view.sys.join("block"),
            view.sys.join("devices"),
            view.dev.clone(),
            self.root.join("proc/self"),
        ] {
            std::fs::create_dir_all(dir)?;
        }
        for disk in &self.disks {
            self.write_disk(&view, disk)?;
        }
        let mut mountinfo = self.mountinfo.join("\n");
        mountinfo.push('\n');
        std::fs::write(&view.mountinfo, mountinfo)?;
        let mut swaps = String::from("Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n");
        for line in &self.swaps {
            swaps.push_str(line);
            swaps.push('\n');
        }
        std::fs::write(&view.swaps, swaps)?;
        Ok(view)
    }

    fn write_disk(&self, view: &SystemView, disk: &FakeDisk) -> std::io::Result<()> {
        let parent = match disk.attachment {
            "usb" => format!(
                "pci0000:00/0000:00:14.0/usb1/{port}/{port}:1.0/host6/target6:0:0/6:0:0:0",
                port = disk.usb_port
            ),
            "mmc-sd" | "mmc-emmc" => "platform/soc/fe340000.mmc/mmc_host/mmc0/mmc0:aaaa".into(),
            "nvme" => "pci0000:00/0000:00:1d.0/0000:3d:00.0/nvme/nvme0".into(),
            "virtio" => "pci0000:00/0000:00:04.0/virtio1".into(),
            "virtual" => "virtual".into(),
            _ => "pci0000:00/0000:00:17.0/ata1/host0/target0:0:0/0:0:0:0".into(),
        };
        let device_dir = view.sys.join("devices").join(&parent);
        let dir = device_dir.join("block").join(&disk.name);
        std::fs::create_dir_all(dir.join("queue"))?;
        std::fs::create_dir_all(dir.join("holders"))?;
        std::fs::create_dir_all(dir.join("slaves"))?;
        for slave in &disk.slaves {
            std::fs::write(dir.join("slaves").join(slave), "")?;
        }
        let put = |rel: &str, value: &str| std::fs::write(dir.join(rel), format!("{value}\n"));
        put("dev", &format!("{}:{}", disk.major, disk.minor))?;
        put("size", &(disk.size / 512).to_string())?;
        put("removable", if disk.removable { "1" } else { "0" })?;
        put("ro", if disk.read_only { "1" } else { "0" })?;
        put("queue/logical_block_size", "512")?;
        put("queue/physical_block_size", "512")?;
        let put_dev =
            |rel: &str, value: &str| std::fs::write(device_dir.join(rel), format!("{value}\n"));
        match disk.attachment {
            "mmc-sd" | "mmc-emmc" => {
                put_dev(
                    "type",
                    if disk.attachment == "mmc-sd" {
                        "SD"
                    } else {
                        "MMC"
                    },
                )?;
                if let Some(model) = &disk.model {
                    put_dev("name", model)?;
                }
                if let Some(serial) = &disk.serial {
                    put_dev("serial", serial)?;
                }
            }
            _ => {
                if let Some(model) = &disk.model {
                    put_dev("model", model)?;
                }
                if let Some(vendor) = &disk.vendor {
                    put_dev("vendor", vendor)?;
                }
                if let Some(serial) = &disk.serial {
                    let usb_dir = view
                        .sys
                        .join("devices/pci0000:00/0000:00:14.0/usb1")
                        .join(&disk.usb_port);
                    if disk.attachment == "usb" {
                        std::fs::write(usb_dir.join("serial"), format!("{serial}\n"))?;
                    } else {
                        put_dev("serial", serial)?;
                    }
                }
            }
        }
        std::os::unix::fs::symlink(&device_dir, dir.join("device"))?;
        let mut start = 2048u64;
        for (i, size) in disk.partitions.iter().enumerate() {
            let number = i as u32 + 1;
            let name = disk.partition_name(number);
            let pdir = dir.join(&name);
            std::fs::create_dir_all(pdir.join("holders"))?;
            let putp =
                |rel: &str, value: &str| std::fs::write(pdir.join(rel), format!("{value}\n"));
            putp("partition", &number.to_string())?;
            putp("start", &start.to_string())?;
            putp("size", &(size / 512).to_string())?;
            putp("dev", &format!("{}:{}", disk.major, disk.minor + number))?;
            start += size / 512;
            std::fs::File::create(view.dev.join(&name))?;
        }
        for (number, holder) in &disk.holders {
            let holders = if *number == 0 {
                dir.join("holders")
            } else {
                dir.join(disk.partition_name(*number)).join("holders")
            };
            std::fs::write(holders.join(holder), "")?;
        }
        std::os::unix::fs::symlink(&dir, view.sys.join("block").join(&disk.name))?;
        let node = std::fs::File::create(view.dev.join(&disk.name))?;
        node.set_len(disk.size)?;
        Ok(())
    }
}

/// An in-memory card for engine tests, with fault injection and a log of write offsets.
pub struct MemTarget {
    pub data: std::sync::Mutex<Vec<u8>>,
    /// Writes touching this byte range fail with EIO (a failing card, or one pulled mid-write).
    pub fail_writes_in: Option<(u64, u64)>,
    /// The errno of those failures (EIO by default; ENOSPC for a full file system).
    pub fail_errno: i32,
    /// Behave as an image file written in place rather than a device.
    pub file: bool,
    /// Reads return this byte flipped (a card that does not keep what it was given).
    pub corrupt_read_at: Option<u64>,
    /// Offsets of every write, in order.
    pub writes: std::sync::Mutex<Vec<(u64, usize)>>,
}

impl MemTarget {
    pub fn new(size: usize, fill: u8) -> MemTarget {
        MemTarget {
            data: std::sync::Mutex::new(vec![fill; size]),
            fail_writes_in: None,
            fail_errno: 5,
            file: false,
            corrupt_read_at: None,
            writes: std::sync::Mutex::new(Vec::new()),
        }
    }

    pub fn snapshot(&self) -> Vec<u8> {
        self.data.lock().map(|d| d.clone()).unwrap_or_default()
    }
}

impl skiff::flash::target_io::BlockTarget for MemTarget {
    fn name(&self) -> &str {
        "memcard"
    }

    fn capacity(&self) -> Option<u64> {
        self.data.lock().ok().map(|d| d.len() as u64)
    }

    fn holes_read_as_zero(&self) -> bool {
        false
    }

    fn is_file(&self) -> bool {
        self.file
    }

    fn write_at(&self, buf: &[u8], offset: u64) -> std::io::Result<()> {
        if let Some((from, to)) = self.fail_writes_in
            && offset < to
            && offset + buf.len() as u64 > from
        {
            return Err(std::io::Error::from_raw_os_error(self.fail_errno));
        }
        let mut data = self
            .data
            .lock()
            .map_err(|_| std::io::Error::other("poisoned"))?;
        let start = offset as usize;
        let end = start + buf.len();
        if end > data.len() {
            return Err(std::io::Error::from_raw_os_error(28));
        }
        data[start..end].copy_from_slice(buf);
        if let Ok(mut log) = self.writes.lock() {
            log.push((offset, buf.len()));
        }
        Ok(())
    }

    fn read_at(&self, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
        let data = self
            .data
            .lock()
            .map_err(|_| std::io::Error::other("poisoned"))?;
        let start = (offset as usize).min(data.len());
        let n = buf.len().min(data.len() - start);
        buf[..n].copy_from_slice(&data[start..start + n]);
        if let Some(bad) = self.corrupt_read_at
            && bad >= offset
            && bad < offset + n as u64
        {
            buf[(bad - offset) as usize] ^= 0xff;
        }
        Ok(n)
    }

    fn sync(&self) -> std::io::Result<()> {
        Ok(())
    }

    fn drop_cache(&self, _offset: u64, _len: u64) {}

    fn direct(&self) -> bool {
        true
    }

    fn commit(&mut self, _image_len: u64) -> std::io::Result<()> {
        Ok(())
    }

    fn discard(&mut self) {}
}

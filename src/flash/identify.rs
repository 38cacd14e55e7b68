//! Guessing a disk's bus, physical port and serial number from its sysfs path, for when no
//! udev database answers.

use std::path::Path;

use super::device::Bus;

fn read_trimmed(path: &Path) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

pub fn bus_from_path(name: &str, syspath: &Path) -> Bus {
    let text = syspath.to_string_lossy();
    if text.contains("/usb") {
        Bus::Usb
    } else if name.starts_with("mmcblk") || text.contains("/mmc_host/") {
        Bus::Mmc
    } else if name.starts_with("nvme") {
        Bus::Nvme
    } else if text.contains("/virtio") || name.starts_with("vd") {
        Bus::Virtio
    } else if text.contains("/ata") {
        Bus::Ata
    } else if text.contains("/devices/virtual/") {
        Bus::Virtual
    } else if name.starts_with("sd") {
        Bus::Scsi
    } else {
        Bus::Other
    }
}

/// A stable physical position from the sysfs path: `<controller>-usb-<port>` or `mmc<N>`.
pub fn port_from_path(syspath: &Path) -> Option<String> {
    let parts: Vec<String> = syspath
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let is_usb_port = |s: &str| {
        let Some((bus, port)) = s.split_once('-') else {
            return false;
        };
        !bus.is_empty()
            && bus.bytes().all(|b| b.is_ascii_digit())
            && !port.is_empty()
            && port.bytes().all(|b| b.is_ascii_digit() || b == b'.')
    };
    if let Some(pos) = parts.iter().rposition(|s| is_usb_port(s)) {
        let controller = parts[..pos]
            .iter()
            .rev()
            .find(|s| s.contains(':') && s.contains('.'))
            .cloned();
        return Some(match controller {
            Some(c) => format!("{c}-usb-{}", parts[pos]),
            None => format!("usb-{}", parts[pos]),
        });
    }
    parts
        .iter()
        .find(|s| s.starts_with("mmc") && s[3..].bytes().all(|b| b.is_ascii_digit()) && s.len() > 3)
        .cloned()
}

/// The nearest `serial` attribute walking up from the device (USB devices keep it a few levels up).
pub fn serial_from_path(sys: &Path, syspath: &Path) -> Option<String> {
    let mut dir = syspath.join("device");
    if let Some(serial) = read_trimmed(&dir.join("serial")) {
        return Some(serial);
    }
    dir = std::fs::canonicalize(&dir).ok()?;
    let sys = std::fs::canonicalize(sys).unwrap_or_else(|_| sys.to_path_buf());
    while dir.starts_with(&sys) && dir != sys {
        if let Some(serial) = read_trimmed(&dir.join("serial")) {
            return Some(serial);
        }
        dir = dir.parent()?.to_path_buf();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_paths() {
        let usb = Path::new(
            "/sys/devices/pci0000:00/0000:00:14.0/usb2/2-1/2-1.3/2-1.3:1.0/host6/target6:0:0/6:0:0:0/block/sdb",
        );
        assert_eq!(
            port_from_path(usb).as_deref(),
            Some("0000:00:14.0-usb-2-1.3")
        );
        let mmc = Path::new(
            "/sys/devices/platform/soc/fe340000.mmc/mmc_host/mmc0/mmc0:aaaa/block/mmcblk0",
        );
        assert_eq!(port_from_path(mmc).as_deref(), Some("mmc0"));
        assert_eq!(
            port_from_path(Path::new("/sys/devices/virtual/block/loop0")),
            None
        );
    }
}

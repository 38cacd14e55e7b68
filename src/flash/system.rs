//! Where the host's device facts live (sysfs root, /dev, mount and swap tables), injectable for tests.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The paths discovery reads. `host()` is the running system; tests point it at a fake tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SystemView {
    pub sys: PathBuf,
    pub dev: PathBuf,
    pub mountinfo: PathBuf,
    pub swaps: PathBuf,
}

/// Environment variable that points discovery at a fake root (`<root>/sys`, `<root>/dev`,
/// `<root>/proc/self/mountinfo`, `<root>/proc/swaps`); used by tests of the binary.
pub const SYSROOT_ENV: &str = "SKIFF_SYSROOT";

impl SystemView {
    pub fn host() -> SystemView {
        SystemView {
            sys: PathBuf::from("/sys"),
            dev: PathBuf::from("/dev"),
            mountinfo: PathBuf::from("/proc/self/mountinfo"),
            swaps: PathBuf::from("/proc/swaps"),
        }
    }

    /// A fake system laid out under `root` like the real one.
    pub fn under(root: &Path) -> SystemView {
        SystemView {
            sys: root.join("sys"),
            dev: root.join("dev"),
            mountinfo: root.join("proc/self/mountinfo"),
            swaps: root.join("proc/swaps"),
        }
    }

    /// The host, unless `SKIFF_SYSROOT` names a fake root.
    pub fn from_env() -> SystemView {
        match std::env::var_os(SYSROOT_ENV) {
            Some(root) if !root.is_empty() => SystemView::under(Path::new(&root)),
            _ => SystemView::host(),
        }
    }

    pub fn is_host(&self) -> bool {
        self.sys == Path::new("/sys")
    }
}

/// Optional udev properties of a device (ID_BUS, ID_MODEL, ID_SERIAL_SHORT, ID_PATH, ...).
/// No udev daemon runs in containers and CI, so every caller must cope with an empty map.
pub trait DeviceProperties {
    fn properties(&self, syspath: &Path) -> HashMap<String, String>;
}

/// Reads properties from the udev database through libudev.
pub struct UdevProperties;

impl DeviceProperties for UdevProperties {
    fn properties(&self, syspath: &Path) -> HashMap<String, String> {
        let Ok(device) = udev::Device::from_syspath(syspath) else {
            return HashMap::new();
        };
        device
            .properties()
            .map(|p| {
                (
                    p.name().to_string_lossy().into_owned(),
                    p.value().to_string_lossy().into_owned(),
                )
            })
            .collect()
    }
}

/// No properties at all: the situation without a udev daemon, and the default for fake trees.
pub struct NoProperties;

impl DeviceProperties for NoProperties {
    fn properties(&self, _syspath: &Path) -> HashMap<String, String> {
        HashMap::new()
    }
}

/// Fixed properties per device name, for tests.
#[derive(Default)]
pub struct FixedProperties(pub HashMap<String, HashMap<String, String>>);

impl DeviceProperties for FixedProperties {
    fn properties(&self, syspath: &Path) -> HashMap<String, String> {
        let name = syspath
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        self.0.get(&name).cloned().unwrap_or_default()
    }
}

/// udev for the host, nothing for a fake tree.
pub fn default_properties(view: &SystemView) -> Box<dyn DeviceProperties + Send + Sync> {
    if view.is_host() {
        Box::new(UdevProperties)
    } else {
        Box::new(NoProperties)
    }
}

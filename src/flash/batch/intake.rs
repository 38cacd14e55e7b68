//! Which appearing disks become cards: the reader allow-list (model, serial or USB port path),
//! then every safety rule of `flash`. Decided from sysfs and the mount table alone: a refused
//! device is never opened.

use std::collections::BTreeMap;

use super::card::CardJob;
use crate::flash::device::BlockDevice;
use crate::flash::discover::discover;
use crate::flash::plan::{FileMode, TargetSpec};
use crate::flash::rules::judge;
use crate::flash::system::{DeviceProperties, SystemView};

/// `--reader` patterns: a device is allowed when one pattern matches its model, serial or port
/// path (`*` any run of characters, `?` one character). A port path such as
/// `pci-0000:00:14.0-usb-0:1.2:1.0` or `0000:00:14.0-usb-1-1.2` also matches by its part after
/// `-usb-` alone (`1-1.2`, `1-1.*`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReaderFilter {
    pub patterns: Vec<String>,
}

/// Wildcard match of a whole string.
pub fn wildcard(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

impl ReaderFilter {
    pub fn allows(&self, device: &BlockDevice) -> bool {
        let usb_port = device
            .port_path
            .as_deref()
            .and_then(|p| p.rsplit_once("-usb-"))
            .map(|(_, port)| port);
        let fields = [
            device.model.as_deref(),
            device.serial.as_deref(),
            device.port_path.as_deref(),
            usb_port,
        ];
        self.patterns.iter().any(|pattern| {
            fields
                .iter()
                .flatten()
                .any(|value| wildcard(pattern, value.trim()))
        })
    }
}

/// What became of an appearing disk.
#[derive(Clone, Debug, PartialEq)]
pub enum Arrival {
    /// A card to write, numbered.
    Card(CardJob),
    /// Listed with its reason, never opened.
    Refused {
        name: String,
        slot: String,
        reason: String,
    },
    /// The disk is already being written, or it vanished before it could be looked at.
    Ignored,
}

/// Numbers cards, remembers which disks are being written, and decides each arrival.
pub struct Intake {
    pub view: SystemView,
    pub props: Box<dyn DeviceProperties + Send + Sync>,
    pub filter: ReaderFilter,
    /// Bytes the image needs on a card.
    pub needed: u64,
    next_number: u32,
    busy: BTreeMap<String, u32>,
}

/// The slot of a device: its stable USB port path, or its name when it has none.
pub fn slot_of(device: &BlockDevice) -> String {
    device
        .port_path
        .clone()
        .unwrap_or_else(|| device.name.clone())
}

impl Intake {
    /// `first_number` is 1, or one after the last number of a resumed report.
    pub fn new(
        view: SystemView,
        props: Box<dyn DeviceProperties + Send + Sync>,
        filter: ReaderFilter,
        needed: u64,
        first_number: u32,
    ) -> Intake {
        Intake {
            view,
            props,
            filter,
            needed,
            next_number: first_number.max(1),
            busy: BTreeMap::new(),
        }
    }

    /// Decides what to do with the disk `name` that just appeared.
    pub fn arrive(&mut self, name: &str) -> Arrival {
        if self.busy.contains_key(name) {
            return Arrival::Ignored;
        }
        let devices = match discover(&self.view, self.props.as_ref()) {
            Ok(devices) => devices,
            Err(e) => {
                return Arrival::Refused {
                    name: name.to_string(),
                    slot: name.to_string(),
                    reason: format!("cannot read the system's devices: {e}"),
                };
            }
        };
        let Some(device) = devices.into_iter().find(|d| d.name == name) else {
            return Arrival::Ignored;
        };
        let slot = slot_of(&device);
        if !self.filter.allows(&device) {
            return Arrival::Refused {
                name: device.name.clone(),
                slot,
                reason: format!(
                    "not in a chosen reader (model {:?}, serial {:?}, port {:?}); add a --reader pattern to use it",
                    device.model.as_deref().unwrap_or("-"),
                    device.serial.as_deref().unwrap_or("-"),
                    device.port_path.as_deref().unwrap_or("-")
                ),
            };
        }
        let verdict = judge(&device, Some(self.needed));
        if !verdict.writable {
            return Arrival::Refused {
                name: device.name.clone(),
                slot,
                reason: verdict.describe(),
            };
        }
        let number = self.next_number;
        self.next_number += 1;
        self.busy.insert(device.name.clone(), number);
        Arrival::Card(CardJob {
            number,
            slot,
            target: TargetSpec {
                path: device.path.clone(),
                device: true,
                expect: Some(device.identity()),
                file_mode: FileMode::default(),
                force_unsafe: None,
            },
            reader_model: device.model.clone().unwrap_or_default(),
            reader_serial: device.serial.clone().unwrap_or_default(),
            card_size: device.size,
            identity: String::new(),
            post: Vec::new(),
        })
    }

    /// The disk `name` ended its card or went away: a new card there is a new arrival.
    pub fn release(&mut self, name: &str) {
        self.busy.remove(name);
    }

    /// The number the next card gets.
    pub fn next_number(&self) -> u32 {
        self.next_number
    }
}

#[cfg(test)]
mod tests {
    use super::wildcard;

    #[test]
    fn wildcards_match_whole_strings() {
        assert!(wildcard("1-2.*", "1-2.3"));
        assert!(wildcard("*STORAGE*", "Generic STORAGE DEVICE"));
        assert!(wildcard("00?0", "0010"));
        assert!(!wildcard("1-2", "1-2.3"));
        assert!(!wildcard("1-2.?", "1-2.10"));
        assert!(wildcard("*", ""));
        assert!(!wildcard("a*b", "acbc"));
    }
}

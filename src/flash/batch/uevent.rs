//! Cards learnt of from uevents: the udev monitor where a udev daemon runs, else the kernel's
//! own uevents (both through libudev), else sysfs polling; chosen at runtime. A uevent only
//! says which disk to look at again: whether it holds a medium is read from sysfs, so a card
//! inserted into a reader (a `change` event) and a reader plugged in with a card (`add`) are
//! both an arrival.

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};

use super::hotplug::{CardWatcher, HotplugEvent, Next, POLL_INTERVAL, Presence, SysfsPoll};
use crate::flash::system::SystemView;

/// Where uevents come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UeventSource {
    /// The udev daemon's monitor (events after udev's rules ran: the device node exists and
    /// its properties, such as `ID_PATH`, are known).
    Udev,
    /// The kernel's uevents (no udev daemon, as in containers and small systems).
    Kernel,
}

/// A uevent about a whole disk, as far as the watcher cares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiskUevent {
    /// `add`, `change`, `remove` (others are ignored).
    pub action: String,
    /// The disk's name in /sys/block (`sdb`, `mmcblk0`).
    pub name: String,
}

/// Reads a uevent's properties (`ACTION`, `SUBSYSTEM`, `DEVTYPE`, `DEVPATH`, `DEVNAME`): a
/// disk event gives its name, anything else (partitions, other subsystems, bind) is `None`.
pub fn disk_uevent(properties: &HashMap<String, String>) -> Option<DiskUevent> {
    let get = |key: &str| properties.get(key).map(String::as_str).unwrap_or_default();
    if get("SUBSYSTEM") != "block" || get("DEVTYPE") != "disk" {
        return None;
    }
    let action = get("ACTION");
    if !matches!(action, "add" | "change" | "remove") {
        return None;
    }
    let name = get("DEVPATH")
        .rsplit('/')
        .next()
        .filter(|n| !n.is_empty())
        .or_else(|| get("DEVNAME").rsplit('/').next().filter(|n| !n.is_empty()))?;
    if name.contains("..") {
        return None;
    }
    Some(DiskUevent {
        action: action.to_string(),
        name: name.to_string(),
    })
}

/// How often the uevent watcher also rescans sysfs, in case an event was lost.
const RESYNC: Duration = Duration::from_secs(5);

/// Turns disk uevents into arrivals and removals, checked against sysfs.
pub struct UeventWatcher {
    presence: Presence,
    events: Receiver<DiskUevent>,
    source: Option<UeventSource>,
    pending: Vec<HotplugEvent>,
    last_scan: Option<Instant>,
}

impl UeventWatcher {
    /// A watcher fed by `events` (tests send them; [`UeventWatcher::start`] runs a monitor).
    /// Disks present at the first look are reported as added.
    pub fn fed(view: SystemView, events: Receiver<DiskUevent>) -> UeventWatcher {
        UeventWatcher {
            presence: Presence::new(view),
            events,
            source: None,
            pending: Vec::new(),
            last_scan: None,
        }
    }

    /// Listens to `source` on a thread of its own (libudev's monitor cannot move between
    /// threads); fails when the socket cannot be opened.
    pub fn start(view: SystemView, source: UeventSource) -> std::io::Result<UeventWatcher> {
        let (tx, rx) = crossbeam_channel::unbounded();
        let (ready_tx, ready_rx) = crossbeam_channel::bounded(1);
        std::thread::Builder::new()
            .name("skiff-uevents".into())
            .spawn(move || monitor(source, tx, ready_tx))?;
        ready_rx
            .recv()
            .map_err(|_| std::io::Error::other("the uevent monitor stopped"))??;
        let mut watcher = UeventWatcher::fed(view, rx);
        watcher.source = Some(source);
        Ok(watcher)
    }

    fn resync_due(&self) -> bool {
        self.last_scan.is_none_or(|t| t.elapsed() >= RESYNC)
    }

    fn resync(&mut self) {
        let mut events = self.presence.rescan();
        events.reverse();
        self.pending.extend(events);
        self.last_scan = Some(Instant::now());
    }
}

impl CardWatcher for UeventWatcher {
    fn next(&mut self, timeout: Duration) -> Next {
        let deadline = Instant::now() + timeout;
        loop {
            if self.resync_due() {
                self.resync();
            }
            if let Some(event) = self.pending.pop() {
                return Next::Event(event);
            }
            let wait = deadline
                .saturating_duration_since(Instant::now())
                .min(RESYNC);
            match self.events.recv_timeout(wait) {
                Ok(uevent) if uevent.name.is_empty() => {}
                Ok(uevent) => {
                    if let Some(event) = self.presence.check(&uevent.name) {
                        return Next::Event(event);
                    }
                }
                Err(RecvTimeoutError::Timeout) if Instant::now() >= deadline => return Next::Idle,
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return Next::Ended,
            }
        }
    }

    fn describe(&self) -> String {
        match self.source {
            Some(UeventSource::Udev) => "udev monitor".into(),
            Some(UeventSource::Kernel) => "kernel uevents".into(),
            None => "fed uevents".into(),
        }
    }
}

/// The monitor thread: opens the socket (saying so through `ready`), then forwards disk
/// events until the watcher is dropped.
fn monitor(source: UeventSource, events: Sender<DiskUevent>, ready: Sender<std::io::Result<()>>) {
    let socket = (match source {
        UeventSource::Udev => udev::MonitorBuilder::new(),
        UeventSource::Kernel => udev::MonitorBuilder::new_kernel(),
    })
    .and_then(|b| b.match_subsystem_devtype("block", "disk"))
    .and_then(|b| b.listen());
    let socket = match socket {
        Ok(socket) => {
            let _ = ready.send(Ok(()));
            socket
        }
        Err(e) => {
            let _ = ready.send(Err(e));
            return;
        }
    };
    loop {
        let mut fds = [rustix::event::PollFd::new(
            &socket,
            rustix::event::PollFlags::IN,
        )];
        let timeout = rustix::event::Timespec {
            tv_sec: 1,
            tv_nsec: 0,
        };
        if let Err(e) = rustix::event::poll(&mut fds, Some(&timeout))
            && e != rustix::io::Errno::INTR
        {
            return;
        }
        for event in socket.iter() {
            let properties: HashMap<String, String> = event
                .properties()
                .map(|p| {
                    (
                        p.name().to_string_lossy().into_owned(),
                        p.value().to_string_lossy().into_owned(),
                    )
                })
                .collect();
            if let Some(uevent) = disk_uevent(&properties)
                && events.send(uevent).is_err()
            {
                return;
            }
        }
        // The watcher is gone: stop listening.
        if events.send(DiskUevent::tick()).is_err() {
            return;
        }
    }
}

impl DiskUevent {
    /// A no-op event the monitor sends once a second, to learn whether the watcher is gone.
    fn tick() -> DiskUevent {
        DiskUevent {
            action: "tick".into(),
            name: String::new(),
        }
    }
}

/// The best watcher for the disks under `view`: on the host, the udev monitor when a udev
/// daemon runs (its control socket exists), else kernel uevents; sysfs polling when neither
/// opens, and always for a fake system (tests).
pub fn choose_watcher(view: &SystemView) -> Box<dyn CardWatcher> {
    if view.is_host() {
        let udevd = Path::new("/run/udev/control").exists();
        let order: &[UeventSource] = if udevd {
            &[UeventSource::Udev, UeventSource::Kernel]
        } else {
            &[UeventSource::Kernel]
        };
        for source in order {
            if let Ok(watcher) = UeventWatcher::start(view.clone(), *source) {
                return Box::new(watcher);
            }
        }
    }
    Box::new(SysfsPoll::new(view.clone(), POLL_INTERVAL))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads a kernel uevent datagram (`add@/devices/...` then `KEY=VALUE` fields, each ended
    /// by a NUL byte) into its properties, as libudev does for its kernel source; `None` for
    /// anything else (libudev's own messages): real messages as the tests' input.
    fn parse_kernel_message(bytes: &[u8]) -> Option<HashMap<String, String>> {
        let mut fields = bytes.split(|b| *b == 0).filter(|f| !f.is_empty());
        let head = String::from_utf8_lossy(fields.next()?);
        let (action, devpath) = head.split_once('@')?;
        if action.is_empty() || !devpath.starts_with('/') {
            return None;
        }
        let mut properties: HashMap<String, String> = fields
            .filter_map(|f| {
                let text = String::from_utf8_lossy(f);
                let (key, value) = text.split_once('=')?;
                Some((key.to_string(), value.to_string()))
            })
            .collect();
        properties
            .entry("ACTION".into())
            .or_insert_with(|| action.to_string());
        properties
            .entry("DEVPATH".into())
            .or_insert_with(|| devpath.to_string());
        Some(properties)
    }

    fn props(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn kernel_messages_parse_into_disk_events() {
        let msg = b"change@/devices/pci0000:00/0000:00:14.0/usb1/1-1/1-1.2/1-1.2:1.0/host6/target6:0:0/6:0:0:0/block/sdc\0ACTION=change\0DEVPATH=/devices/pci0000:00/0000:00:14.0/usb1/1-1/1-1.2/1-1.2:1.0/host6/target6:0:0/6:0:0:0/block/sdc\0SUBSYSTEM=block\0DISK_MEDIA_CHANGE=1\0MAJOR=8\0MINOR=32\0DEVNAME=sdc\0DEVTYPE=disk\0SEQNUM=4711\0";
        let p = parse_kernel_message(msg).unwrap();
        assert_eq!(p["DISK_MEDIA_CHANGE"], "1");
        assert_eq!(
            disk_uevent(&p),
            Some(DiskUevent {
                action: "change".into(),
                name: "sdc".into()
            })
        );
        // A partition, another subsystem, libudev's own header, garbage: no disk event.
        let part = b"add@/devices/x/block/sdc/sdc1\0ACTION=add\0SUBSYSTEM=block\0DEVTYPE=partition\0DEVNAME=sdc1\0";
        assert_eq!(disk_uevent(&parse_kernel_message(part).unwrap()), None);
        let usb = b"add@/devices/x/1-1.2\0ACTION=add\0SUBSYSTEM=usb\0DEVTYPE=usb_device\0";
        assert_eq!(disk_uevent(&parse_kernel_message(usb).unwrap()), None);
        assert_eq!(parse_kernel_message(b"libudev\0\xfe\xed\xca\xfe"), None);
        assert_eq!(parse_kernel_message(b""), None);
        assert_eq!(parse_kernel_message(b"add@relative\0"), None);
    }

    #[test]
    fn disk_events_take_the_name_from_devpath_or_devname() {
        let base = [("SUBSYSTEM", "block"), ("DEVTYPE", "disk")];
        let with = |extra: &[(&'static str, &'static str)]| {
            let mut all = base.to_vec();
            all.extend_from_slice(extra);
            disk_uevent(&props(&all))
        };
        assert_eq!(
            with(&[("ACTION", "remove"), ("DEVNAME", "/dev/mmcblk0")]).map(|e| e.name),
            Some("mmcblk0".into())
        );
        assert_eq!(with(&[("ACTION", "bind"), ("DEVNAME", "/dev/sdb")]), None);
        assert_eq!(with(&[("ACTION", "add")]), None);
        assert_eq!(with(&[("ACTION", "add"), ("DEVPATH", "/devices/..")]), None);
    }

    #[test]
    fn uevents_are_checked_against_sysfs() {
        let dir = tempfile::tempdir().unwrap();
        let view = SystemView::under(dir.path());
        let disk = |name: &str, sectors: u64| {
            let d = view.sys.join("block").join(name);
            std::fs::create_dir_all(&d).unwrap();
            std::fs::write(d.join("size"), format!("{sectors}\n")).unwrap();
        };
        disk("sda", 1000);
        disk("sdb", 0);
        let (tx, rx) = crossbeam_channel::unbounded();
        let mut watcher = UeventWatcher::fed(view.clone(), rx);
        let short = Duration::from_millis(20);
        assert_eq!(
            watcher.next(short),
            Next::Event(HotplugEvent::Added("sda".into()))
        );
        assert_eq!(watcher.next(short), Next::Idle);
        let event = |action: &str, name: &str| DiskUevent {
            action: action.into(),
            name: name.into(),
        };
        // A card goes into the empty reader sdb: the kernel says `change`.
        disk("sdb", 2048);
        tx.send(event("change", "sdb")).unwrap();
        assert_eq!(
            watcher.next(short),
            Next::Event(HotplugEvent::Added("sdb".into()))
        );
        // The same event again changes nothing.
        tx.send(event("change", "sdb")).unwrap();
        assert_eq!(watcher.next(short), Next::Idle);
        // Pulled: size 0 again; then the reader itself goes.
        disk("sdb", 0);
        tx.send(event("change", "sdb")).unwrap();
        assert_eq!(
            watcher.next(short),
            Next::Event(HotplugEvent::Removed("sdb".into()))
        );
        std::fs::remove_dir_all(view.sys.join("block/sda")).unwrap();
        tx.send(event("remove", "sda")).unwrap();
        assert_eq!(
            watcher.next(short),
            Next::Event(HotplugEvent::Removed("sda".into()))
        );
        drop(tx);
        assert_eq!(watcher.next(short), Next::Ended);
    }
}

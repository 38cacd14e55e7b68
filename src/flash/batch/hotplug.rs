//! Cards appearing and disappearing, behind one trait: sysfs polling works everywhere (no udev
//! daemon needed); tests inject events through a channel. The uevent watcher (udev monitor or
//! kernel uevents) is in `uevent.rs`.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError};

use crate::flash::system::SystemView;

/// A whole disk with a medium appeared or went away (named as in /sys/block).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HotplugEvent {
    Added(String),
    Removed(String),
}

/// What a watcher has to say after waiting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Next {
    Event(HotplugEvent),
    /// Nothing happened within the timeout.
    Idle,
    /// The source ended: no event will ever come.
    Ended,
}

/// A source of hotplug events.
pub trait CardWatcher: Send {
    /// The next event, waiting at most `timeout`.
    fn next(&mut self, timeout: Duration) -> Next;

    /// How this watcher learns of cards, for the user ("sysfs polling").
    fn describe(&self) -> String {
        "injected events".into()
    }
}

/// How often sysfs is polled when nothing better is available.
pub const POLL_INTERVAL: Duration = Duration::from_millis(250);

/// Which disks under a system view hold a medium: a disk counts as present while its size in
/// sysfs is non-zero, so a card inserted into a reader that was already there appears too.
pub struct Presence {
    view: SystemView,
    present: BTreeSet<String>,
}

impl Presence {
    pub fn new(view: SystemView) -> Presence {
        Presence {
            view,
            present: BTreeSet::new(),
        }
    }

    fn has_medium(&self, name: &str) -> bool {
        std::fs::read_to_string(self.view.sys.join("block").join(name).join("size"))
            .ok()
            .and_then(|s| s.trim().parse::<u64>().ok())
            .is_some_and(|sectors| sectors > 0)
    }

    fn scan(&self) -> BTreeSet<String> {
        let dir = self.view.sys.join("block");
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return BTreeSet::new();
        };
        entries
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|name| self.has_medium(name))
            .collect()
    }

    /// Every disk that came or went since the last look (removals first).
    pub fn rescan(&mut self) -> Vec<HotplugEvent> {
        let now = self.scan();
        let mut events: Vec<HotplugEvent> = self
            .present
            .difference(&now)
            .map(|gone| HotplugEvent::Removed(gone.clone()))
            .collect();
        events.extend(
            now.difference(&self.present)
                .map(|new| HotplugEvent::Added(new.clone())),
        );
        self.present = now;
        events
    }

    /// Looks at one disk again (after a uevent named it).
    pub fn check(&mut self, name: &str) -> Option<HotplugEvent> {
        let now = self.has_medium(name);
        match (self.present.contains(name), now) {
            (false, true) => {
                self.present.insert(name.to_string());
                Some(HotplugEvent::Added(name.to_string()))
            }
            (true, false) => {
                self.present.remove(name);
                Some(HotplugEvent::Removed(name.to_string()))
            }
            _ => None,
        }
    }

    pub fn view(&self) -> &SystemView {
        &self.view
    }
}

/// Polls /sys/block (works everywhere, no udev daemon needed). Disks present at the first poll
/// are reported as added.
pub struct SysfsPoll {
    presence: Presence,
    interval: Duration,
    pending: Vec<HotplugEvent>,
    last: Option<Instant>,
}

impl SysfsPoll {
    pub fn new(view: SystemView, interval: Duration) -> SysfsPoll {
        SysfsPoll {
            presence: Presence::new(view),
            interval,
            pending: Vec::new(),
            last: None,
        }
    }

    fn poll(&mut self) {
        let mut events = self.presence.rescan();
        events.reverse();
        self.pending = events;
        self.last = Some(Instant::now());
    }
}

impl CardWatcher for SysfsPoll {
    fn next(&mut self, timeout: Duration) -> Next {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(event) = self.pending.pop() {
                return Next::Event(event);
            }
            let due = self.last.map_or(Instant::now(), |t| t + self.interval);
            let now = Instant::now();
            if due > now {
                if due > deadline {
                    std::thread::sleep(deadline.saturating_duration_since(now));
                    return Next::Idle;
                }
                std::thread::sleep(due - now);
            }
            self.poll();
        }
    }

    fn describe(&self) -> String {
        format!(
            "polling {} every {} ms",
            self.presence.view().sys.join("block").display(),
            self.interval.as_millis()
        )
    }
}

/// Events sent by a test (or any other producer) through a channel.
pub struct Injected(pub Receiver<HotplugEvent>);

impl CardWatcher for Injected {
    fn next(&mut self, timeout: Duration) -> Next {
        match self.0.recv_timeout(timeout) {
            Ok(event) => Next::Event(event),
            Err(RecvTimeoutError::Timeout) => Next::Idle,
            Err(RecvTimeoutError::Disconnected) => Next::Ended,
        }
    }
}

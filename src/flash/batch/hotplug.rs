//! Cards appearing and disappearing, behind one trait: sysfs polling works everywhere (no udev
//! daemon needed); tests inject events through a channel.

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

/// The best watcher this system offers for the disks under `view`.
pub fn choose_watcher(view: &SystemView) -> Box<dyn CardWatcher> {
    Box::new(SysfsPoll::new(view.clone(), POLL_INTERVAL))
}

/// Polls /sys/block: a disk counts as present while it reports a non-zero size, so a card
/// inserted into a reader that was already there is an `Added` too. Disks present at the
/// first poll are reported as added.
pub struct SysfsPoll {
    view: SystemView,
    interval: Duration,
    present: BTreeSet<String>,
    pending: Vec<HotplugEvent>,
    last: Option<Instant>,
}

impl SysfsPoll {
    pub fn new(view: SystemView, interval: Duration) -> SysfsPoll {
        SysfsPoll {
            view,
            interval,
            present: BTreeSet::new(),
            pending: Vec::new(),
            last: None,
        }
    }

    fn scan(&self) -> BTreeSet<String> {
        let dir = self.view.sys.join("block");
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return BTreeSet::new();
        };
        entries
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|name| {
                std::fs::read_to_string(dir.join(name).join("size"))
                    .ok()
                    .and_then(|s| s.trim().parse::<u64>().ok())
                    .is_some_and(|sectors| sectors > 0)
            })
            .collect()
    }

    fn poll(&mut self) {
        let now = self.scan();
        for gone in self.present.difference(&now) {
            self.pending.push(HotplugEvent::Removed(gone.clone()));
        }
        for new in now.difference(&self.present) {
            self.pending.push(HotplugEvent::Added(new.clone()));
        }
        self.pending.reverse();
        self.present = now;
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
            self.view.sys.join("block").display(),
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

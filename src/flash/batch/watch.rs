//! The `--watch` loop: hotplug events in, cards started on the station, refusals reported,
//! until `count` cards were started or the run is cancelled; then the running cards finish.

use std::time::Duration;

use super::hotplug::{CardWatcher, HotplugEvent, Next};
use super::intake::{Arrival, Intake};
use super::station::{BatchEvent, Station};
use crate::flash::cancel::CancelToken;
use crate::flash::error::FlashError;

/// How often the loop looks at the cancel token while no event comes.
const TICK: Duration = Duration::from_millis(100);

/// Runs until `count` cards were started (without a count: until cancelled or the watcher
/// ends), then
/// waits for the running cards. `prepare` gives each card its identity before it starts; a
/// card it fails on ends failed with its reason (never opened), and the loop goes on.
/// Returns the number of cards started.
pub fn watch(
    watcher: &mut dyn CardWatcher,
    intake: &mut Intake,
    station: &mut Station,
    count: Option<u32>,
    cancel: &CancelToken,
    prepare: &mut dyn FnMut(&mut super::card::CardJob) -> Result<(), FlashError>,
) -> u32 {
    let mut started = 0;
    while !cancel.is_cancelled() && count.is_none_or(|n| started < n) {
        match watcher.next(TICK) {
            Next::Event(HotplugEvent::Added(name)) => match intake.arrive(&name) {
                Arrival::Card(mut job) => {
                    match prepare(&mut job) {
                        Ok(()) => station.start(job),
                        Err(e) => station.fail(job, &e),
                    }
                    started += 1;
                }
                Arrival::Refused { name, slot, reason } => {
                    station.notify(BatchEvent::Refused { name, slot, reason });
                }
                Arrival::Ignored => {}
            },
            Next::Event(HotplugEvent::Removed(name)) => {
                intake.release(&name);
                station.notify(BatchEvent::Removed { name });
            }
            Next::Idle => {}
            Next::Ended => break,
        }
    }
    station.join();
    started
}

//! One background job of a screen (a write, a batch, a push): its thread, cancel token and
//! id, the app channel its reports go to, and how it is cancelled or stopped when the app quits.

use crate::flash::CancelToken;
use crate::ui::msg::Msg;
use crossbeam_channel::Sender;
use std::sync::{Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// A lock that outlives a panicked holder (the data is plain state, still usable).
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

struct Job {
    id: u64,
    cancel: CancelToken,
    thread: JoinHandle<()>,
}

/// At most one running job and where its reports go.
#[derive(Default)]
pub struct JobSlot {
    sink: Mutex<Option<Sender<Msg>>>,
    job: Mutex<Option<Job>>,
}

impl JobSlot {
    /// Where reports go: the app's message channel.
    pub fn set_sink(&self, tx: Sender<Msg>) {
        *lock(&self.sink) = Some(tx);
    }

    /// The channel reports go to (`None` before the app set one: reports are dropped).
    pub fn sink(&self) -> Option<Sender<Msg>> {
        lock(&self.sink).clone()
    }

    pub fn is_running(&self) -> bool {
        lock(&self.job)
            .as_ref()
            .is_some_and(|j| !j.thread.is_finished())
    }

    /// Records the job just started (a finished earlier one is dropped).
    pub fn put(&self, id: u64, cancel: CancelToken, thread: JoinHandle<()>) {
        *lock(&self.job) = Some(Job { id, cancel, thread });
    }

    /// Asks job `id` to stop; false when it is not the running job any more.
    pub fn cancel(&self, id: u64) -> bool {
        match lock(&self.job).as_ref() {
            Some(j) if j.id == id && !j.thread.is_finished() => {
                j.cancel.cancel();
                true
            }
            _ => false,
        }
    }

    /// Cancels the running job and waits up to `timeout` for it to end (when the app quits).
    pub fn shutdown(&self, timeout: Duration) {
        if let Some(job) = lock(&self.job).take() {
            stop_thread(&job.cancel, job.thread, timeout);
        }
    }
}

/// Cancels a job's thread and waits up to `timeout` for it to end.
pub fn stop_thread(cancel: &CancelToken, thread: JoinHandle<()>, timeout: Duration) {
    cancel.cancel();
    let deadline = Instant::now() + timeout;
    while !thread.is_finished() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    if thread.is_finished() {
        let _ = thread.join();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cancel_reaches_only_the_running_job_and_shutdown_waits_for_it() {
        let slot = JobSlot::default();
        assert!(!slot.cancel(1), "no job yet");
        let cancel = CancelToken::new();
        let token = cancel.clone();
        let thread = std::thread::spawn(move || {
            while !token.is_cancelled() {
                std::thread::sleep(Duration::from_millis(5));
            }
        });
        slot.put(7, cancel, thread);
        assert!(slot.is_running());
        assert!(!slot.cancel(8), "another id is not cancelled");
        assert!(slot.is_running());
        slot.shutdown(Duration::from_secs(10));
        assert!(!slot.is_running());
    }
}

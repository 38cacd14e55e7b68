//! One background job of a screen (a write, a batch, a push): its thread, cancel token and
//! id, the app channel its reports go to, and how it is cancelled or stopped when the app quits.

use crate::flash::CancelToken;
use crate::ui::msg::Msg;
use crossbeam_channel::Sender;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// A lock that outlives a panicked holder (the data is plain state, still usable).
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Set by a job's thread just before it sends its final report: from then on the slot takes the
/// next job, even while the thread is still winding down (a key pressed right after the report
/// must not find the finished job "still running").
#[derive(Clone, Default)]
struct Done(Arc<AtomicBool>);

impl Done {
    fn set(&self) {
        self.0.store(true, Ordering::Release);
    }

    fn is_set(&self) -> bool {
        self.0.load(Ordering::Acquire)
    }
}

struct Job {
    id: u64,
    cancel: CancelToken,
    done: Done,
    thread: JoinHandle<()>,
}

impl Job {
    fn running(&self) -> bool {
        !self.done.is_set() && !self.thread.is_finished()
    }
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
        lock(&self.job).as_ref().is_some_and(Job::running)
    }

    /// Starts job `id` on its own thread: `work`, then the slot is free again, then `finish`
    /// with its result (the final report). A finished earlier job is dropped.
    pub fn start<R: 'static>(
        &self,
        id: u64,
        cancel: CancelToken,
        work: impl FnOnce() -> R + Send + 'static,
        finish: impl FnOnce(R) + Send + 'static,
    ) {
        let done = Done::default();
        let ended = done.clone();
        let thread = std::thread::spawn(move || {
            let result = work();
            ended.set();
            finish(result);
        });
        *lock(&self.job) = Some(Job {
            id,
            cancel,
            done,
            thread,
        });
    }

    /// Asks job `id` to stop; false when it is not the running job any more.
    pub fn cancel(&self, id: u64) -> bool {
        match lock(&self.job).as_ref() {
            Some(j) if j.id == id && j.running() => {
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
        slot.start(
            7,
            cancel,
            move || {
                while !token.is_cancelled() {
                    std::thread::sleep(Duration::from_millis(5));
                }
            },
            |()| {},
        );
        assert!(slot.is_running());
        assert!(!slot.cancel(8), "another id is not cancelled");
        assert!(slot.is_running());
        slot.shutdown(Duration::from_secs(10));
        assert!(!slot.is_running());
    }

    #[test]
    fn a_job_that_sent_its_final_report_is_not_running_while_its_thread_winds_down() {
        let slot = JobSlot::default();
        let (go, wait) = crossbeam_channel::bounded::<()>(0);
        // The final report went out; the thread lingers until told to end.
        slot.start(
            1,
            CancelToken::new(),
            || {},
            move |()| {
                let _ = wait.recv();
            },
        );
        let deadline = Instant::now() + Duration::from_secs(5);
        while slot.is_running() && Instant::now() < deadline {
            std::thread::yield_now();
        }
        assert!(!slot.is_running(), "the final report frees the slot");
        assert!(!slot.cancel(1), "nothing left to cancel");
        drop(go);
    }
}

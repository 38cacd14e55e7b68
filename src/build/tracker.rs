//! Turns make output and instrumentation calls into progress and a failure diagnosis.

use super::event::{CurrentStep, Failure, Progress};
use super::hook::{HookCall, step_message};
use super::lines::{MakeError, Marker, make_error, marker, plain};
use super::order::package_of_dir;
use super::timelog::Durations;
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::path::PathBuf;

/// Lines kept for the failure summary.
const TAIL: usize = 400;
/// Lines of the failing package shown in the summary.
pub const SUMMARY_LINES: usize = 20;

/// An output line with the package that was building when it was printed.
type Owned = (Option<String>, String);

#[derive(Debug, Clone)]
struct Active {
    version: Option<String>,
    step: String,
    since: f64,
}

/// Progress state of one build.
#[derive(Debug)]
pub struct Tracker {
    build_dir: Option<PathBuf>,
    order: Option<Vec<String>>,
    done: BTreeSet<String>,
    /// Packages that finished a step and may have become done.
    pending: BTreeSet<String>,
    active: BTreeMap<String, Active>,
    hooks_seen: bool,
    dirs: HashMap<String, String>,
    global: Option<String>,
    current_package: Option<String>,
    tail: VecDeque<Owned>,
    first_error: Option<(MakeError, Vec<Owned>)>,
    stamp_error: Option<MakeError>,
    durations: Durations,
    lines: u64,
}

impl Tracker {
    /// `build_dir` is the workspace's `build/` (for stamps); `durations` come from the
    /// previous build-time.log.
    pub fn new(build_dir: Option<PathBuf>, durations: Durations) -> Tracker {
        Tracker {
            build_dir,
            order: None,
            done: BTreeSet::new(),
            pending: BTreeSet::new(),
            active: BTreeMap::new(),
            hooks_seen: false,
            dirs: HashMap::new(),
            global: None,
            current_package: None,
            tail: VecDeque::new(),
            first_error: None,
            stamp_error: None,
            durations,
            lines: 0,
        }
    }

    /// The build order is known, with the packages already done from stamps.
    pub fn set_order(&mut self, order: Vec<String>, done: BTreeSet<String>) {
        self.done.extend(done);
        self.order = Some(order);
    }

    /// Feed one raw output line; true when progress changed.
    pub fn line(&mut self, raw: &str, now: f64) -> bool {
        self.lines += 1;
        let text = plain(raw);
        let mut changed = false;
        if let Some(m) = marker(&text) {
            changed = true;
            match m {
                Marker::Package {
                    name,
                    version,
                    message,
                } => {
                    let dir = if version.is_empty() {
                        name.clone()
                    } else {
                        format!("{name}-{version}")
                    };
                    self.dirs.insert(dir, name.clone());
                    if let Some(prev) = self.current_package.replace(name.clone())
                        && prev != name
                    {
                        self.pending.insert(prev.clone());
                        if !self.hooks_seen {
                            self.active.remove(&prev);
                        }
                    }
                    let since = self.active.get(&name).map(|a| a.since).unwrap_or(now);
                    let version = (!version.is_empty()).then_some(version);
                    self.active.insert(
                        name,
                        Active {
                            version,
                            step: message,
                            since,
                        },
                    );
                }
                Marker::Global { message } => {
                    if let Some(prev) = self.current_package.take() {
                        self.pending.insert(prev.clone());
                        if !self.hooks_seen {
                            self.active.remove(&prev);
                        }
                    }
                    self.global = Some(message);
                }
            }
            self.check_pending();
        }
        if let Some(e) = make_error(&text) {
            if self.first_error.is_none() {
                let before: Vec<_> = self.tail.iter().cloned().collect();
                self.first_error = Some((e.clone(), before));
            }
            if self.stamp_error.is_none() && e.stamp.is_some() {
                self.stamp_error = Some(e);
            }
        }
        if self.tail.len() == TAIL {
            self.tail.pop_front();
        }
        self.tail.push_back((self.current_package.clone(), text));
        changed
    }

    /// Feed one instrumentation call; true when progress changed.
    pub fn hook(&mut self, call: &HookCall, now: f64) -> bool {
        self.hooks_seen = true;
        if call.start {
            let step = step_message(&call.step);
            // The version comes from the package's `>>>` lines (dir = name-version).
            let version = self
                .active
                .get(&call.package)
                .and_then(|a| a.version.clone())
                .or_else(|| {
                    self.dirs
                        .iter()
                        .find(|(_, n)| **n == call.package)
                        .and_then(|(d, n)| d.strip_prefix(n.as_str())?.strip_prefix('-'))
                        .map(str::to_string)
                });
            let since = self
                .active
                .get(&call.package)
                .map(|a| a.since)
                .unwrap_or(now);
            self.active.insert(
                call.package.clone(),
                Active {
                    version,
                    step,
                    since,
                },
            );
        } else {
            self.active.remove(&call.package);
            self.pending.insert(call.package.clone());
        }
        self.check_pending();
        true
    }

    /// Re-check packages that ended a step: done once `.stamp_installed` exists.
    fn check_pending(&mut self) {
        let Some(build) = &self.build_dir else {
            self.pending.clear();
            return;
        };
        let mut found = Vec::new();
        for p in &self.pending {
            let dir = self
                .dirs
                .iter()
                .find(|(_, n)| *n == p)
                .map(|(d, _)| d.clone())
                .or_else(|| self.scan_dir(p));
            if dir.is_some_and(|d| build.join(d).join(".stamp_installed").exists()) {
                found.push(p.clone());
            }
        }
        for p in found {
            self.pending.remove(&p);
            self.done.insert(p);
        }
    }

    fn scan_dir(&self, package: &str) -> Option<String> {
        let build = self.build_dir.as_ref()?;
        let names: Vec<String> = match &self.order {
            Some(o) => o.clone(),
            None => vec![package.to_string()],
        };
        std::fs::read_dir(build).ok()?.flatten().find_map(|e| {
            let d = e.file_name().to_string_lossy().into_owned();
            (package_of_dir(&d, &names).as_deref() == Some(package)).then_some(d)
        })
    }

    /// A snapshot for the event stream.
    pub fn progress(&self, now: f64) -> Progress {
        let done = match &self.order {
            Some(o) => o.iter().filter(|p| self.done.contains(*p)).count(),
            None => self.done.len(),
        };
        let remaining = (!self.durations.is_empty()).then(|| {
            let left: Vec<&String> = match &self.order {
                Some(o) => o.iter().filter(|p| !self.done.contains(*p)).collect(),
                None => self
                    .durations
                    .per_package
                    .keys()
                    .filter(|p| !self.done.contains(*p))
                    .collect(),
            };
            let mut secs = self.durations.total(left.iter().copied());
            for (p, a) in &self.active {
                let prev = self.durations.per_package.get(p).copied().unwrap_or(0.0);
                secs -= prev.min(now - a.since).max(0.0);
            }
            secs.max(0.0)
        });
        Progress {
            total: self.order.as_ref().map(Vec::len),
            done,
            current: self
                .active
                .iter()
                .map(|(p, a)| CurrentStep {
                    package: p.clone(),
                    version: a.version.clone(),
                    step: a.step.clone(),
                })
                .collect(),
            global: self.global.clone(),
            elapsed_secs: now,
            remaining_secs: remaining,
            lines: self.lines,
        }
    }

    /// Re-read stamps of the whole order (at the end of a build).
    pub fn rescan(&mut self) {
        if let (Some(build), Some(order)) = (&self.build_dir, &self.order) {
            let done = super::order::done_packages(build, order);
            self.done.extend(done);
        }
        self.check_pending();
    }

    /// Why the build failed: the package and step from the first stamp error line, and the
    /// last lines of that package's output before make's first error.
    pub fn diagnose(&self) -> Failure {
        let mut f = Failure::default();
        let decisive = self
            .stamp_error
            .as_ref()
            .or(self.first_error.as_ref().map(|(e, _)| e));
        if let Some(e) = decisive {
            f.error_line = Some(e.text.clone());
            match &e.stamp {
                Some(s) => {
                    f.package = Some(self.package_for_dir(&s.dir));
                    f.step = Some(s.step());
                }
                None => f.step = e.target.clone(),
            }
        } else if let Some((p, a)) = self.active.iter().next() {
            f.package = Some(p.clone());
            f.step = Some(a.step.clone());
        }
        let context: Vec<Owned> = match &self.first_error {
            Some((_, before)) => before.clone(),
            None => self.tail.iter().cloned().collect(),
        };
        let own: Vec<&String> = match &f.package {
            Some(p) => context
                .iter()
                .filter(|(owner, _)| owner.as_ref() == Some(p))
                .map(|(_, l)| l)
                .collect(),
            None => Vec::new(),
        };
        let pick: Vec<&String> = if own.is_empty() {
            context.iter().map(|(_, l)| l).collect()
        } else {
            own
        };
        let start = pick.len().saturating_sub(SUMMARY_LINES);
        f.last_lines = pick[start..].iter().map(|s| s.to_string()).collect();
        f.hint = super::download::hint(&f);
        f
    }

    fn package_for_dir(&self, dir: &str) -> String {
        if let Some(p) = self.dirs.get(dir) {
            return p.clone();
        }
        if let Some(p) = self.order.as_ref().and_then(|o| package_of_dir(dir, o)) {
            return p;
        }
        dir.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serial_build_progress_and_failure() {
        let dir = tempfile::tempdir().unwrap();
        let build = dir.path().to_path_buf();
        let mut t = Tracker::new(Some(build.clone()), Durations::default());
        t.set_order(
            vec!["host-a".into(), "b".into()],
            BTreeSet::from(["host-a".to_string()]),
        );
        assert!(t.line("\x1b[7m>>> b 1.0 Building\x1b[27m", 1.0));
        assert!(!t.line("cc -c b.c", 1.1));
        assert!(!t.line("b.c:1: error: oops", 1.2));
        t.line("make[2]: *** [Makefile:3: all] Error 1", 1.3);
        t.line(
            &format!(
                "make[1]: *** [package/pkg-generic.mk:273: {}/b-1.0/.stamp_built] Error 2",
                build.display()
            ),
            1.4,
        );
        let p = t.progress(2.0);
        assert_eq!((p.total, p.done, p.lines), (Some(2), 1, 5));
        assert_eq!(p.current[0].step, "Building");
        let f = t.diagnose();
        assert_eq!(f.package.as_deref(), Some("b"));
        assert_eq!(f.step.as_deref(), Some("build"));
        assert_eq!(f.last_lines.last().unwrap(), "b.c:1: error: oops");
        assert!(f.error_line.unwrap().contains(".stamp_built"));
    }

    #[test]
    fn hooks_drive_done_through_stamps() {
        let dir = tempfile::tempdir().unwrap();
        let mut t = Tracker::new(Some(dir.path().to_path_buf()), Durations::default());
        t.set_order(vec!["x".into()], BTreeSet::new());
        let call = HookCall::parse("1.5 start build x").unwrap();
        t.hook(&call, 0.0);
        assert_eq!(t.progress(0.0).current[0].step, "Building");
        std::fs::create_dir_all(dir.path().join("x-2")).unwrap();
        std::fs::write(dir.path().join("x-2/.stamp_installed"), "").unwrap();
        t.hook(&HookCall::parse("2.0 end build x").unwrap(), 0.5);
        let p = t.progress(1.0);
        assert_eq!((p.done, p.current.len()), (1, 0));
        assert_eq!(HookCall::parse("1.0 middle build x"), None);
    }

    #[test]
    fn hook_steps_keep_the_version_from_step_lines() {
        let mut t = Tracker::new(None, Durations::default());
        t.line(">>> htop 3.3.0 Extracting", 0.0);
        t.hook(&HookCall::parse("1 start extract htop").unwrap(), 0.0);
        t.hook(&HookCall::parse("2 end extract htop").unwrap(), 0.0);
        t.hook(&HookCall::parse("3 start patch htop").unwrap(), 0.0);
        let c = &t.progress(0.0).current[0];
        assert_eq!(
            (c.version.as_deref(), c.step.as_str()),
            (Some("3.3.0"), "Patching")
        );
    }

    #[test]
    fn estimate_counts_packages_left() {
        let log = "10.0:start:build : a\n20.0:end  :build : a\n20.0:start:build : b\n50.0:end  :build : b\n";
        let mut t = Tracker::new(None, Durations::parse(log));
        t.set_order(vec!["a".into(), "b".into()], BTreeSet::from(["a".into()]));
        assert_eq!(t.progress(0.0).remaining_secs, Some(30.0));
        t.line(">>> b 1 Building", 0.0);
        assert_eq!(t.progress(10.0).remaining_secs, Some(20.0));
        assert_eq!(t.progress(99.0).remaining_secs, Some(0.0));
    }
}

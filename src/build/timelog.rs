//! Buildroot's `build/build-time.log`: per-package step durations of earlier builds, for estimates.

use std::collections::HashMap;

/// One line: `<epoch.nanos>:<start|end>:<step padded>: <package>`.
#[derive(Debug, Clone, PartialEq)]
pub struct TimeEntry {
    pub at: f64,
    pub start: bool,
    pub step: String,
    pub package: String,
}

/// Parse one line; anything else (a truncated line from a killed build) is skipped.
pub fn parse_line(line: &str) -> Option<TimeEntry> {
    let mut parts = line.splitn(4, ':');
    let at = parts.next()?.trim().parse::<f64>().ok()?;
    let start = match parts.next()?.trim() {
        "start" => true,
        "end" => false,
        _ => return None,
    };
    let step = parts.next()?.trim().to_string();
    let package = parts.next()?.trim().to_string();
    (!step.is_empty() && !package.is_empty() && at.is_finite()).then_some(TimeEntry {
        at,
        start,
        step,
        package,
    })
}

/// How long each package took last time, summed over its steps. The log accumulates over
/// every build of the workspace; the latest complete start/end pair of each step wins.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Durations {
    pub per_package: HashMap<String, f64>,
}

impl Durations {
    pub fn parse(text: &str) -> Durations {
        let mut open: HashMap<(String, String), f64> = HashMap::new();
        let mut steps: HashMap<(String, String), f64> = HashMap::new();
        for e in text.lines().filter_map(parse_line) {
            let key = (e.package, e.step);
            if e.start {
                open.insert(key, e.at);
            } else if let Some(s) = open.remove(&key) {
                steps.insert(key, (e.at - s).max(0.0));
            }
        }
        let mut per_package: HashMap<String, f64> = HashMap::new();
        for ((pkg, _), d) in steps {
            *per_package.entry(pkg).or_default() += d;
        }
        Durations { per_package }
    }

    pub fn is_empty(&self) -> bool {
        self.per_package.is_empty()
    }

    /// Seconds the given packages took last time; packages never built before count zero.
    pub fn total<'a>(&self, packages: impl IntoIterator<Item = &'a String>) -> f64 {
        packages
            .into_iter()
            .filter_map(|p| self.per_package.get(p))
            .sum()
    }
}

/// The package whose step started last and never ended: where an earlier build stopped.
pub fn unfinished(text: &str) -> Option<(String, String)> {
    let mut open: Vec<(String, String)> = Vec::new();
    for e in text.lines().filter_map(parse_line) {
        let key = (e.package, e.step);
        if e.start {
            open.push(key);
        } else {
            open.retain(|k| *k != key);
        }
    }
    open.pop()
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOG: &str = "\
1795626623.000000000:start:extract             : host-hello
1795626624.500000000:end  :extract             : host-hello
1795626624.500000000:start:build               : host-hello
1795626627.000000000:end  :build               : host-hello
1795626627.000000000:start:build               : host-fail
garbage line
";

    #[test]
    fn sums_steps_and_finds_the_unfinished_one() {
        let d = Durations::parse(LOG);
        assert_eq!(d.per_package.get("host-hello"), Some(&4.0));
        assert_eq!(d.per_package.get("host-fail"), None);
        assert_eq!(
            unfinished(LOG),
            Some(("host-fail".to_string(), "build".to_string()))
        );
    }

    #[test]
    fn later_runs_replace_earlier_ones() {
        let text = format!(
            "{LOG}1795627000.0:start:build               : host-hello\n1795627001.0:end  :build               : host-hello\n"
        );
        let d = Durations::parse(&text);
        assert_eq!(d.per_package.get("host-hello"), Some(&2.5));
        assert_eq!(d.total([&"host-hello".to_string(), &"x".to_string()]), 2.5);
    }
}

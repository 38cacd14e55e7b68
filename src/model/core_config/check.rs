//! Checks across the config: every user's container and every container's image exist, mounts
//! are `host:container[:options]`, pull policies, restart policies, stop signals and names are
//! ones skiff-core and Docker accept.

use super::Issue;
use super::node::Pos;
use super::types::{Container, CoreConfig, Spanned};

/// Pull policies skiff-core knows, plus `ifnotexists`, the spelling every shipped layer uses
/// (skiff-core treats any policy other than `always` and `ifbuildfails` as `ifnotpresent`).
pub const PULL_POLICIES: &[&str] = &["always", "ifnotpresent", "ifnotexists", "ifbuildfails"];

/// Docker restart policies (`on-failure` may carry `:N`, a retry count).
pub const RESTART_POLICIES: &[&str] = &["no", "always", "on-failure", "unless-stopped"];

/// Signal names Docker's stop signal parser accepts on Linux (with or without `SIG`), besides
/// `RTMIN+n`, `RTMAX-n` and numbers.
const SIGNALS: &[&str] = &[
    "ABRT", "ALRM", "BUS", "CHLD", "CLD", "CONT", "FPE", "HUP", "ILL", "INT", "IO", "IOT", "KILL",
    "PIPE", "POLL", "PROF", "PWR", "QUIT", "SEGV", "STKFLT", "STOP", "SYS", "TERM", "TRAP", "TSTP",
    "TTIN", "TTOU", "URG", "USR1", "USR2", "VTALRM", "WINCH", "XCPU", "XFSZ", "RTMIN", "RTMAX",
];

/// Bind mount options Docker accepts after the container path.
const MOUNT_OPTIONS: &[&str] = &[
    "ro", "rw", "z", "Z", "shared", "rshared", "slave", "rslave", "private", "rprivate", "nocopy",
];

pub(super) fn check(c: &CoreConfig, issues: &mut Vec<Issue>) {
    let mut push =
        |pos: Pos, path: String, message: String| issues.push(Issue { pos, path, message });
    if c.containers.is_empty() && c.users.is_empty() {
        push(
            Pos { line: 1, column: 1 },
            String::new(),
            "no containers and no users: skiff-core would set up nothing; start from a layer's defconfig.yaml (skiff core show)".into(),
        );
    }
    for e in &c.containers {
        let path = format!("containers.{}", e.name);
        if let Some(m) = container_name_problem(&e.name) {
            push(e.pos, path.clone(), m);
        }
        container(c, &e.value, &path, e.pos, &mut push);
    }
    for e in &c.users {
        let path = format!("users.{}", e.name);
        if let Some(m) = login_problem(&e.name) {
            push(e.pos, path.clone(), m);
        }
        match &e.value.container {
            None => push(
                e.pos,
                path,
                "the user names no container; add `container: NAME` with one of the containers"
                    .into(),
            ),
            Some(s) if c.container(&s.value).is_none() => push(
                s.pos,
                format!("{path}.container"),
                missing("container", &s.value, c.containers.iter().map(|e| &e.name)),
            ),
            Some(_) => {}
        }
    }
    for e in &c.images {
        let Some(p) = e
            .value
            .pull
            .as_ref()
            .and_then(|p| p.policy.as_ref().map(|s| (s, p.policy_key.as_str())))
        else {
            continue;
        };
        if !PULL_POLICIES.contains(&p.0.value.as_str()) {
            push(
                p.0.pos,
                format!("images.{}.pull.{}", e.name, p.1),
                format!(
                    "`{}` is not a pull policy; use one of {}",
                    p.0.value,
                    PULL_POLICIES.join(", ")
                ),
            );
        }
    }
}

fn container(
    c: &CoreConfig,
    ct: &Container,
    path: &str,
    pos: Pos,
    push: &mut impl FnMut(Pos, String, String),
) {
    match &ct.image {
        None => push(
            pos,
            path.to_string(),
            "the container names no image; add `image: REFERENCE` and describe it under images"
                .into(),
        ),
        Some(s) if c.image(&s.value).is_none() => push(
            s.pos,
            format!("{path}.image"),
            missing("image", &s.value, c.images.iter().map(|e| &e.name)),
        ),
        Some(_) => {}
    }
    for (i, m) in ct.mounts.iter().enumerate() {
        if let Some(problem) = mount_problem(&m.value) {
            push(m.pos, format!("{path}.mounts[{i}]"), problem);
        }
    }
    for ((dir, _), p) in ct.tmp_fs.iter().zip(&ct.tmp_fs_pos) {
        if !dir.starts_with('/') {
            push(
                *p,
                format!("{path}.tmpFs.{dir}"),
                format!("`{dir}` is not an absolute path in the container"),
            );
        }
    }
    if let Some(s) = &ct.stop_signal
        && !is_signal(&s.value)
    {
        push(
            s.pos,
            format!("{path}.stopSignal"),
            format!(
                "`{}` is not a signal; use a name like TERM, SIGINT or RTMIN+3, or a number",
                s.value
            ),
        );
    }
    if let Some(s) = &ct.restart_policy
        && !is_restart_policy(&s.value)
    {
        push(
            s.pos,
            format!("{path}.restartPolicy"),
            format!(
                "`{}` is not a restart policy; use one of {} (on-failure:N for a retry limit)",
                s.value,
                RESTART_POLICIES.join(", ")
            ),
        );
    }
    for (i, p) in ct.ports.iter().enumerate() {
        port(p, &format!("{path}.ports[{i}]"), push);
    }
}

fn port(
    p: &Spanned<crate::model::core_config::Port>,
    path: &str,
    push: &mut impl FnMut(Pos, String, String),
) {
    let v = p.value;
    if !(0..=65535).contains(&v.host_port) || !(1..=65535).contains(&v.container_port) {
        push(
            p.pos,
            path.to_string(),
            format!(
                "ports are 1 to 65535 (hostPort 0 picks a free one); found hostPort {} containerPort {}",
                v.host_port, v.container_port
            ),
        );
    }
}

fn missing<'a>(what: &str, name: &str, known: impl Iterator<Item = &'a String>) -> String {
    let known: Vec<&str> = known.map(String::as_str).collect();
    let under = if what == "image" {
        "images"
    } else {
        "containers"
    };
    if known.is_empty() {
        return format!("{what} `{name}` is not defined: there is no `{under}` entry; add one");
    }
    let close = known
        .iter()
        .min_by_key(|k| crate::model::catalog::edit_distance(name, k))
        .filter(|k| crate::model::catalog::edit_distance(name, k) <= 3.max(name.len() / 3));
    match close {
        Some(k) => format!("{what} `{name}` is not defined under {under}; did you mean `{k}`?"),
        None => format!(
            "{what} `{name}` is not defined under {under} (defined: {})",
            known.join(", ")
        ),
    }
}

/// Why a mount is not `host:container[:options]`, or None when it is.
pub fn mount_problem(m: &str) -> Option<String> {
    let shape = "mounts are `/host/path:/container/path` with an optional `:ro` or `:rw`";
    let parts: Vec<&str> = m.split(':').collect();
    if !(2..=3).contains(&parts.len()) {
        return Some(format!("`{m}`: {shape}"));
    }
    if !parts[0].starts_with('/') || !parts[1].starts_with('/') {
        return Some(format!("`{m}`: both paths must be absolute; {shape}"));
    }
    if let Some(opts) = parts.get(2) {
        let list: Vec<&str> = opts.split(',').collect();
        if let Some(bad) = list.iter().find(|o| !MOUNT_OPTIONS.contains(o)) {
            return Some(format!(
                "`{m}`: `{bad}` is not a mount option; use ro or rw (Docker also takes {})",
                MOUNT_OPTIONS[2..].join(", ")
            ));
        }
        if list.contains(&"ro") && list.contains(&"rw") {
            return Some(format!("`{m}`: ro and rw together; keep one"));
        }
    }
    None
}

/// A signal as Docker parses it: a number 1-64, or a name with or without `SIG`, any case.
pub fn is_signal(s: &str) -> bool {
    if let Ok(n) = s.parse::<u32>() {
        return (1..=64).contains(&n);
    }
    let up = s.to_ascii_uppercase();
    let name = up.strip_prefix("SIG").unwrap_or(&up);
    if SIGNALS.contains(&name) {
        return true;
    }
    let offset = |rest: &str, max: u32| rest.parse::<u32>().is_ok_and(|n| (1..=max).contains(&n));
    match (name.strip_prefix("RTMIN+"), name.strip_prefix("RTMAX-")) {
        (Some(n), _) => offset(n, 15),
        (_, Some(n)) => offset(n, 14),
        _ => false,
    }
}

fn is_restart_policy(s: &str) -> bool {
    match s.split_once(':') {
        Some(("on-failure", n)) => n.parse::<u32>().is_ok(),
        Some(_) => false,
        None => RESTART_POLICIES.contains(&s),
    }
}

/// Docker container names: `[a-zA-Z0-9][a-zA-Z0-9_.-]+`.
fn container_name_problem(name: &str) -> Option<String> {
    let mut chars = name.chars();
    let ok = name.len() >= 2
        && chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c));
    (!ok).then(|| {
        format!("`{name}` is not a Docker container name: 2 or more of letters, digits, _ . -, starting with a letter or digit")
    })
}

/// Login names the device's user tools accept: lower case letter or `_` first, then lower case
/// letters, digits, `_` or `-`, at most 32.
pub fn login_problem(name: &str) -> Option<String> {
    let mut chars = name.chars();
    let ok = (1..=32).contains(&name.len())
        && chars
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
    (!ok).then(|| {
        format!("`{name}` is not a login name: up to 32 lower case letters, digits, _ or -, starting with a letter or _")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signals() {
        for ok in ["RTMIN+3", "SIGTERM", "term", "9", "RTMAX-1", "SIGRTMIN"] {
            assert!(is_signal(ok), "{ok}");
        }
        for bad in ["RTMIN+16", "SIGFOO", "0", "65", "", "RTMAX+1"] {
            assert!(!is_signal(bad), "{bad}");
        }
    }

    #[test]
    fn mounts() {
        assert_eq!(mount_problem("/dev:/dev"), None);
        assert_eq!(mount_problem("/a:/b:ro"), None);
        assert_eq!(mount_problem("/a:/b:ro,rslave"), None);
        assert!(mount_problem("/a").is_some());
        assert!(mount_problem("a:/b").is_some());
        assert!(mount_problem("/a:/b:rx").is_some());
        assert!(mount_problem("/a:/b:ro:rw").is_some());
        assert!(mount_problem("/a:/b:ro,rw").is_some());
    }

    #[test]
    fn restart_and_names() {
        assert!(is_restart_policy("on-failure:3"));
        assert!(!is_restart_policy("never"));
        assert!(login_problem("core").is_none());
        assert!(login_problem("Core").is_some());
        assert!(container_name_problem("core").is_none());
        assert!(container_name_problem("c").is_some());
    }
}

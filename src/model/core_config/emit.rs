//! Writing the config back as YAML: the file's top comment block, then containers, users and
//! images in their order, each value in a stable style. Comments inside the body are not kept.

use std::fmt::Write as _;

use super::types::*;

/// The YAML text of `c`.
pub fn to_yaml(c: &CoreConfig) -> String {
    let mut out = String::new();
    for line in &c.header {
        out.push_str(line);
        out.push('\n');
    }
    if !c.containers.is_empty() {
        out.push_str("containers:\n");
        for e in &c.containers {
            let _ = writeln!(out, "  {}:", scalar(&e.name));
            container(&mut out, &e.value);
        }
    }
    if !c.users.is_empty() {
        out.push_str("users:\n");
        for e in &c.users {
            let _ = writeln!(out, "  {}:", scalar(&e.name));
            user(&mut out, &e.value);
        }
    }
    if !c.images.is_empty() {
        out.push_str("images:\n");
        for e in &c.images {
            let _ = writeln!(out, "  {}:", scalar(&e.name));
            image(&mut out, &e.value);
        }
    }
    out
}

const IN: &str = "    ";

fn text(out: &mut String, indent: &str, key: &str, v: &Option<String>) {
    if let Some(v) = v {
        let _ = writeln!(out, "{indent}{key}: {}", scalar(v));
    }
}

fn spanned(out: &mut String, indent: &str, key: &str, v: &Option<Spanned<String>>) {
    text(out, indent, key, &v.as_ref().map(|s| s.value.clone()));
}

fn flag(out: &mut String, indent: &str, key: &str, v: Option<bool>) {
    if let Some(v) = v {
        let _ = writeln!(out, "{indent}{key}: {v}");
    }
}

/// Short lists on one line (`[a, b]`), long ones as block lists.
fn list(out: &mut String, indent: &str, key: &str, v: &[String]) {
    if v.is_empty() {
        return;
    }
    let inline: Vec<String> = v.iter().map(|s| scalar(s)).collect();
    let one_line = format!("{indent}{key}: [{}]", inline.join(", "));
    if v.len() <= 3 && one_line.len() <= 80 {
        out.push_str(&one_line);
        out.push('\n');
        return;
    }
    let _ = writeln!(out, "{indent}{key}:");
    for s in inline {
        let _ = writeln!(out, "{indent}  - {s}");
    }
}

fn container(out: &mut String, c: &Container) {
    spanned(out, IN, "image", &c.image);
    list(out, IN, "entrypoint", &c.entrypoint);
    list(out, IN, "cmd", &c.cmd);
    list(out, IN, "env", &c.env);
    spanned(out, IN, "stopSignal", &c.stop_signal);
    flag(out, IN, "tty", c.tty);
    flag(out, IN, "disableInit", c.disable_init);
    flag(out, IN, "privileged", c.privileged);
    flag(out, IN, "startAfterCreate", c.start_after_create);
    spanned(out, IN, "restartPolicy", &c.restart_policy);
    text(out, IN, "workingDirectory", &c.working_directory);
    list(out, IN, "capAdd", &c.cap_add);
    flag(out, IN, "hostIPC", c.host_ipc);
    flag(out, IN, "hostPID", c.host_pid);
    flag(out, IN, "hostNetwork", c.host_network);
    flag(out, IN, "hostUTS", c.host_uts);
    list(out, IN, "securityOpt", &c.security_opt);
    list(out, IN, "dns", &c.dns);
    list(out, IN, "dnsSearch", &c.dns_search);
    list(out, IN, "hosts", &c.hosts);
    if !c.mounts.is_empty() {
        out.push_str("    mounts:\n");
        for m in &c.mounts {
            let _ = writeln!(out, "      - {}", scalar(&m.value));
        }
    }
    if !c.ports.is_empty() {
        out.push_str("    ports:\n");
        for p in &c.ports {
            let _ = writeln!(
                out,
                "      - {{ hostPort: {}, containerPort: {} }}",
                p.value.host_port, p.value.container_port
            );
        }
    }
    if !c.tmp_fs.is_empty() {
        out.push_str("    tmpFs:\n");
        for (k, v) in &c.tmp_fs {
            let _ = writeln!(out, "      {}: {}", scalar(k), scalar(v));
        }
    }
}

fn user(out: &mut String, u: &User) {
    spanned(out, IN, "container", &u.container);
    text(out, IN, "containerUser", &u.container_user);
    flag(out, IN, "createContainerUser", u.create_container_user);
    list(out, IN, "containerShell", &u.container_shell);
    if let Some(a) = &u.auth {
        out.push_str("    auth:\n");
        let i = "      ";
        flag(out, i, "copyRootKeys", a.copy_root_keys);
        list(out, i, "sshKeys", &a.ssh_keys);
        text(out, i, "password", &a.password);
        flag(out, i, "allowEmptyPassword", a.allow_empty_password);
        flag(out, i, "locked", a.locked);
    }
}

fn image(out: &mut String, img: &Image) {
    let i = "      ";
    if let Some(p) = &img.pull {
        out.push_str("    pull:\n");
        spanned(out, i, p.policy_key.as_str(), &p.policy);
        text(out, i, "registry", &p.registry);
    }
    if let Some(b) = &img.build {
        out.push_str("    build:\n");
        text(out, i, "source", &b.source);
        text(out, i, "root", &b.root);
        text(out, i, "dockerfile", &b.dockerfile);
        if !b.build_args.is_empty() {
            let _ = writeln!(out, "{i}buildArgs:");
            for (k, v) in &b.build_args {
                match v {
                    Some(v) => {
                        let _ = writeln!(out, "{i}  {}: {}", scalar(k), scalar(v));
                    }
                    None => {
                        let _ = writeln!(out, "{i}  {}: null", scalar(k));
                    }
                }
            }
        }
        flag(out, i, "preserveIntermediate", b.preserve_intermediate);
        flag(out, i, "scratchBuild", b.scratch_build);
        flag(out, i, "squash", b.squash);
    }
}

/// A string as a YAML scalar: plain when that reads back as the same string, else
/// double-quoted with every character outside printable ASCII escaped.
pub fn scalar(s: &str) -> String {
    if is_plain_safe(s) {
        return s.to_string();
    }
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            ' '..='~' => out.push(c),
            c if (c as u32) <= 0xffff => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    out.push('"');
    out
}

fn is_plain_safe(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    let reserved = [
        "true", "false", "yes", "no", "on", "off", "y", "n", "null", "~",
    ];
    (first.is_ascii_alphanumeric() || first == '/' || first == '_' || first == '.')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/_.+=,:@-".contains(c))
        && !s.contains(":,")
        && !s.ends_with(':')
        && !s.contains(',')
        && !reserved.contains(&s.to_ascii_lowercase().as_str())
        && s.parse::<f64>().is_err()
        && !s.starts_with("0x")
        && !s.starts_with("0o")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars() {
        assert_eq!(scalar("/dev:/dev"), "/dev:/dev");
        assert_eq!(
            scalar("skiffos/skiff-core-debian:latest"),
            "skiffos/skiff-core-debian:latest"
        );
        assert_eq!(scalar("RTMIN+3"), "RTMIN+3");
        assert_eq!(scalar("1.1.1.1"), "1.1.1.1");
        assert_eq!(scalar("8"), "\"8\"");
        assert_eq!(scalar("true"), "\"true\"");
        assert_eq!(scalar("a: b"), "\"a: b\"");
        assert_eq!(scalar(""), "\"\"");
        assert_eq!(scalar("rw,noexec"), "\"rw,noexec\"");
        assert_eq!(scalar("# x"), "\"# x\"");
        assert_eq!(
            scalar("a\"\\é\u{2028}😀"),
            "\"a\\\"\\\\\\u00e9\\u2028\\U0001f600\""
        );
    }
}

//! Turning the node tree into the typed config: known keys only (with "did you mean"), the
//! right kind of value under each, the last of repeated keys (as skiff-core's Go YAML does).

use super::Issue;
use super::node::{Node, NodeValue, Pos};
use super::types::*;

/// Collects every problem instead of stopping at the first.
pub(super) struct Decoder {
    pub issues: Vec<Issue>,
}

const TOP: &[&str] = &["containers", "users", "images"];
const CONTAINER: &[&str] = &[
    "image",
    "tty",
    "workingDirectory",
    "mounts",
    "disableInit",
    "privileged",
    "capAdd",
    "hostIPC",
    "hostPID",
    "hostUTS",
    "hostNetwork",
    "securityOpt",
    "tmpFs",
    "entrypoint",
    "cmd",
    "env",
    "ports",
    "dns",
    "dnsSearch",
    "hosts",
    "restartPolicy",
    "startAfterCreate",
    "stopSignal",
];
const PORT: &[&str] = &["hostPort", "containerPort"];
const USER: &[&str] = &[
    "container",
    "containerUser",
    "containerShell",
    "createContainerUser",
    "auth",
];
const AUTH: &[&str] = &[
    "copyRootKeys",
    "sshKeys",
    "password",
    "allowEmptyPassword",
    "locked",
];
const IMAGE: &[&str] = &["pull", "build"];
const PULL: &[&str] = &["policy", "pullPolicy", "registry"];
const BUILD: &[&str] = &[
    "source",
    "root",
    "dockerfile",
    "buildArgs",
    "preserveIntermediate",
    "scratchBuild",
    "squash",
];

/// The closest known key, when one is close enough to be a likely typo.
fn did_you_mean(key: &str, known: &[&str]) -> Option<String> {
    let lower = key.to_ascii_lowercase();
    known
        .iter()
        .map(|k| {
            (
                crate::model::catalog::edit_distance(&lower, &k.to_ascii_lowercase()),
                *k,
            )
        })
        .filter(|(d, k)| *d <= 2.max(k.len() / 4))
        .min()
        .map(|(_, k)| k.to_string())
}

impl Decoder {
    fn issue(&mut self, pos: Pos, path: &str, message: impl Into<String>) {
        self.issues.push(Issue {
            pos,
            path: path.to_string(),
            message: message.into(),
        });
    }

    fn wrong_kind(&mut self, node: &Node, path: &str, wanted: &str) {
        let msg = format!("expected {wanted}, found {}", node.kind());
        self.issue(node.pos, path, msg);
    }

    /// The entries of a mapping, keys checked against `known` (None: any key), the last of
    /// repeated keys kept. A null node is an empty mapping.
    fn map<'n>(
        &mut self,
        node: &'n Node,
        path: &str,
        known: Option<&[&str]>,
    ) -> Vec<(String, Pos, &'n Node)> {
        let entries = match &node.value {
            NodeValue::Map(e) => e,
            _ if node.is_null() => return Vec::new(),
            _ => {
                self.wrong_kind(node, path, "a mapping");
                return Vec::new();
            }
        };
        let mut out: Vec<(String, Pos, &Node)> = Vec::new();
        for (k, v) in entries {
            let Some(key) = k.scalar() else {
                self.issue(
                    k.pos,
                    path,
                    "a key must be a plain name, not a list or mapping",
                );
                continue;
            };
            let at = join(path, key);
            if let Some(known) = known
                && !known.contains(&key)
            {
                let hint = match did_you_mean(key, known) {
                    Some(s) => format!("; did you mean `{s}`?"),
                    None => format!("; known keys: {}", known.join(", ")),
                };
                self.issue(k.pos, &at, format!("unknown key `{key}`{hint}"));
                continue;
            }
            out.retain(|(name, _, _)| name != key);
            out.push((key.to_string(), k.pos, v));
        }
        out
    }

    fn string(&mut self, node: &Node, path: &str) -> Option<String> {
        match node.scalar() {
            Some(_) if node.is_null() => None,
            Some(s) => Some(s.to_string()),
            None => {
                self.wrong_kind(node, path, "a single value");
                None
            }
        }
    }

    fn spanned(&mut self, node: &Node, path: &str) -> Option<Spanned<String>> {
        self.string(node, path).map(|value| Spanned {
            value,
            pos: node.pos,
        })
    }

    fn bool(&mut self, node: &Node, path: &str) -> Option<bool> {
        if node.is_null() {
            return None;
        }
        let value = match (&node.value, node.scalar()) {
            (NodeValue::Scalar { plain: true, .. }, Some(s)) => parse_bool(s),
            _ => None,
        };
        if value.is_none() {
            self.wrong_kind(node, path, "true or false");
        }
        value
    }

    fn int(&mut self, node: &Node, path: &str) -> Option<i64> {
        let value = match (&node.value, node.scalar()) {
            (NodeValue::Scalar { plain: true, .. }, Some(s)) => s.parse::<i64>().ok(),
            _ => None,
        };
        if value.is_none() {
            self.wrong_kind(node, path, "a whole number");
        }
        value
    }

    fn list<'n>(&mut self, node: &'n Node, path: &str) -> Vec<&'n Node> {
        match &node.value {
            NodeValue::Seq(items) => items.iter().collect(),
            _ if node.is_null() => Vec::new(),
            _ => {
                self.wrong_kind(node, path, "a list");
                Vec::new()
            }
        }
    }

    fn strings(&mut self, node: &Node, path: &str) -> Vec<String> {
        self.spanned_strings(node, path)
            .into_iter()
            .map(|s| s.value)
            .collect()
    }

    fn spanned_strings(&mut self, node: &Node, path: &str) -> Vec<Spanned<String>> {
        let items = self.list(node, path);
        let mut out = Vec::new();
        for (i, item) in items.into_iter().enumerate() {
            if let Some(s) = self.spanned(item, &format!("{path}[{i}]")) {
                out.push(s);
            }
        }
        out
    }

    pub fn config(&mut self, root: &Node) -> CoreConfig {
        let mut c = CoreConfig::default();
        for (key, _, v) in self.map(root, "", Some(TOP)) {
            match key.as_str() {
                "containers" => c.containers = self.named(v, "containers", Self::container),
                "users" => c.users = self.named(v, "users", Self::user),
                _ => c.images = self.named(v, "images", Self::image),
            }
        }
        c
    }

    fn named<T: Default>(
        &mut self,
        node: &Node,
        path: &str,
        one: fn(&mut Self, &Node, &str) -> T,
    ) -> Vec<Entry<T>> {
        let mut out = Vec::new();
        for (name, pos, v) in self.map(node, path, None) {
            let at = join(path, &name);
            let value = one(self, v, &at);
            out.push(Entry { name, pos, value });
        }
        out
    }

    fn container(&mut self, node: &Node, path: &str) -> Container {
        let mut c = Container::default();
        for (key, _, v) in self.map(node, path, Some(CONTAINER)) {
            let at = join(path, &key);
            match key.as_str() {
                "image" => c.image = self.spanned(v, &at),
                "tty" => c.tty = self.bool(v, &at),
                "workingDirectory" => c.working_directory = self.string(v, &at),
                "mounts" => c.mounts = self.spanned_strings(v, &at),
                "disableInit" => c.disable_init = self.bool(v, &at),
                "privileged" => c.privileged = self.bool(v, &at),
                "capAdd" => c.cap_add = self.strings(v, &at),
                "hostIPC" => c.host_ipc = self.bool(v, &at),
                "hostPID" => c.host_pid = self.bool(v, &at),
                "hostUTS" => c.host_uts = self.bool(v, &at),
                "hostNetwork" => c.host_network = self.bool(v, &at),
                "securityOpt" => c.security_opt = self.strings(v, &at),
                "tmpFs" => {
                    for (path_in, pos, opts) in self.map(v, &at, None) {
                        let o = self.string(opts, &join(&at, &path_in)).unwrap_or_default();
                        c.tmp_fs.push((path_in, o));
                        c.tmp_fs_pos.push(pos);
                    }
                }
                "entrypoint" => c.entrypoint = self.strings(v, &at),
                "cmd" => c.cmd = self.strings(v, &at),
                "env" => c.env = self.strings(v, &at),
                "ports" => c.ports = self.ports(v, &at),
                "dns" => c.dns = self.strings(v, &at),
                "dnsSearch" => c.dns_search = self.strings(v, &at),
                "hosts" => c.hosts = self.strings(v, &at),
                "restartPolicy" => c.restart_policy = self.spanned(v, &at),
                "startAfterCreate" => c.start_after_create = self.bool(v, &at),
                _ => c.stop_signal = self.spanned(v, &at),
            }
        }
        c
    }

    fn ports(&mut self, node: &Node, path: &str) -> Vec<Spanned<Port>> {
        let mut out = Vec::new();
        for (i, item) in self.list(node, path).into_iter().enumerate() {
            let at = format!("{path}[{i}]");
            let mut p = Port::default();
            for (key, _, v) in self.map(item, &at, Some(PORT)) {
                let n = self.int(v, &join(&at, &key)).unwrap_or_default();
                match key.as_str() {
                    "hostPort" => p.host_port = n,
                    _ => p.container_port = n,
                }
            }
            out.push(Spanned {
                value: p,
                pos: item.pos,
            });
        }
        out
    }

    fn user(&mut self, node: &Node, path: &str) -> User {
        let mut u = User::default();
        for (key, _, v) in self.map(node, path, Some(USER)) {
            let at = join(path, &key);
            match key.as_str() {
                "container" => u.container = self.spanned(v, &at),
                "containerUser" => u.container_user = self.string(v, &at),
                "containerShell" => u.container_shell = self.strings(v, &at),
                "createContainerUser" => u.create_container_user = self.bool(v, &at),
                _ => u.auth = Some(self.auth(v, &at)),
            }
        }
        u
    }

    fn auth(&mut self, node: &Node, path: &str) -> Auth {
        let mut a = Auth::default();
        for (key, _, v) in self.map(node, path, Some(AUTH)) {
            let at = join(path, &key);
            match key.as_str() {
                "copyRootKeys" => a.copy_root_keys = self.bool(v, &at),
                "sshKeys" => a.ssh_keys = self.strings(v, &at),
                "password" => a.password = self.string(v, &at),
                "allowEmptyPassword" => a.allow_empty_password = self.bool(v, &at),
                _ => a.locked = self.bool(v, &at),
            }
        }
        a
    }

    fn image(&mut self, node: &Node, path: &str) -> Image {
        let mut img = Image::default();
        for (key, _, v) in self.map(node, path, Some(IMAGE)) {
            let at = join(path, &key);
            if key == "pull" {
                img.pull = Some(self.pull(v, &at));
            } else {
                img.build = Some(self.build(v, &at));
            }
        }
        img
    }

    fn pull(&mut self, node: &Node, path: &str) -> Pull {
        let mut p = Pull::default();
        for (key, _, v) in self.map(node, path, Some(PULL)) {
            let at = join(path, &key);
            match key.as_str() {
                "policy" | "pullPolicy" => {
                    p.policy = self.spanned(v, &at);
                    p.policy_key = if key == "policy" {
                        PolicyKey::Policy
                    } else {
                        PolicyKey::PullPolicy
                    };
                }
                _ => p.registry = self.string(v, &at),
            }
        }
        p
    }

    fn build(&mut self, node: &Node, path: &str) -> Build {
        let mut b = Build::default();
        for (key, _, v) in self.map(node, path, Some(BUILD)) {
            let at = join(path, &key);
            match key.as_str() {
                "source" => b.source = self.string(v, &at),
                "root" => b.root = self.string(v, &at),
                "dockerfile" => b.dockerfile = self.string(v, &at),
                "buildArgs" => {
                    for (name, _, value) in self.map(v, &at, None) {
                        let value = self.string(value, &join(&at, &name));
                        b.build_args.push((name, value));
                    }
                }
                "preserveIntermediate" => b.preserve_intermediate = self.bool(v, &at),
                "scratchBuild" => b.scratch_build = self.bool(v, &at),
                _ => b.squash = self.bool(v, &at),
            }
        }
        b
    }
}

/// YAML 1.1 booleans, as Go's yaml.v2 (used by skiff-core) reads them.
fn parse_bool(s: &str) -> Option<bool> {
    match s {
        "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "y" | "Y" => {
            Some(true)
        }
        "false" | "False" | "FALSE" | "no" | "No" | "NO" | "off" | "Off" | "OFF" | "n" | "N" => {
            Some(false)
        }
        _ => None,
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

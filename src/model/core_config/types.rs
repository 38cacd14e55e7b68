//! The skiff-core config as typed data: containers, users and images, in file order, with the
//! position of every value a check can complain about.

use serde::{Serialize, Serializer};

use super::node::Pos;

/// A value and where it was written (a default position for values made by the editor).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Spanned<T> {
    pub value: T,
    pub pos: Pos,
}

impl<T> Spanned<T> {
    pub fn new(value: T) -> Self {
        Spanned {
            value,
            pos: Pos::default(),
        }
    }
}

impl<T: Serialize> Serialize for Spanned<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(s)
    }
}

/// A named entry of `containers`, `users` or `images`; `pos` is its key's position.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Entry<T> {
    pub name: String,
    pub pos: Pos,
    pub value: T,
}

impl<T> Entry<T> {
    pub fn new(name: impl Into<String>, value: T) -> Self {
        Entry {
            name: name.into(),
            pos: Pos::default(),
            value,
        }
    }
}

/// Entries serialize as a JSON object in file order.
fn entries<T: Serialize, S: Serializer>(v: &[Entry<T>], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut m = s.serialize_map(Some(v.len()))?;
    for e in v {
        m.serialize_entry(&e.name, &e.value)?;
    }
    m.end()
}

fn pairs<S: Serializer>(v: &[(String, String)], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut m = s.serialize_map(Some(v.len()))?;
    for (k, val) in v {
        m.serialize_entry(k, val)?;
    }
    m.end()
}

/// The whole file (`/mnt/persist/skiff/core/config.yaml` on the device).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct CoreConfig {
    /// Comment lines at the top of the file, kept when the config is written back.
    #[serde(skip)]
    pub header: Vec<String>,
    #[serde(serialize_with = "entries")]
    pub containers: Vec<Entry<Container>>,
    #[serde(serialize_with = "entries")]
    pub users: Vec<Entry<User>>,
    #[serde(serialize_with = "entries")]
    pub images: Vec<Entry<Image>>,
}

impl CoreConfig {
    pub fn container(&self, name: &str) -> Option<&Container> {
        self.containers
            .iter()
            .find(|e| e.name == name)
            .map(|e| &e.value)
    }

    pub fn image(&self, name: &str) -> Option<&Image> {
        self.images
            .iter()
            .find(|e| e.name == name)
            .map(|e| &e.value)
    }
}

/// A Docker container skiff-core creates (`containers.<name>`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Container {
    pub image: Option<Spanned<String>>,
    pub tty: Option<bool>,
    pub working_directory: Option<String>,
    /// `host:container[:options]` bind mounts.
    pub mounts: Vec<Spanned<String>>,
    pub disable_init: Option<bool>,
    pub privileged: Option<bool>,
    pub cap_add: Vec<String>,
    #[serde(rename = "hostIPC")]
    pub host_ipc: Option<bool>,
    #[serde(rename = "hostPID")]
    pub host_pid: Option<bool>,
    #[serde(rename = "hostUTS")]
    pub host_uts: Option<bool>,
    pub host_network: Option<bool>,
    pub security_opt: Vec<String>,
    /// Container path to tmpfs options.
    #[serde(serialize_with = "pairs")]
    pub tmp_fs: Vec<(String, String)>,
    #[serde(skip)]
    pub tmp_fs_pos: Vec<Pos>,
    pub entrypoint: Vec<String>,
    pub cmd: Vec<String>,
    pub env: Vec<String>,
    pub ports: Vec<Spanned<Port>>,
    pub dns: Vec<String>,
    pub dns_search: Vec<String>,
    pub hosts: Vec<String>,
    pub restart_policy: Option<Spanned<String>>,
    pub start_after_create: Option<bool>,
    pub stop_signal: Option<Spanned<String>>,
}

/// One published TCP port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Port {
    pub host_port: i64,
    pub container_port: i64,
}

/// A login on the device that lands in a container (`users.<login>`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub container: Option<Spanned<String>>,
    pub container_user: Option<String>,
    pub container_shell: Vec<String>,
    pub create_container_user: Option<bool>,
    pub auth: Option<Auth>,
}

impl User {
    /// Whether root's SSH keys are copied to this user.
    pub fn copies_root_keys(&self) -> bool {
        self.auth
            .as_ref()
            .and_then(|a| a.copy_root_keys)
            .unwrap_or(false)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Auth {
    pub copy_root_keys: Option<bool>,
    pub ssh_keys: Vec<String>,
    pub password: Option<String>,
    pub allow_empty_password: Option<bool>,
    pub locked: Option<bool>,
}

/// How an image is obtained (`images.<reference>`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Image {
    pub pull: Option<Pull>,
    pub build: Option<Build>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Pull {
    pub policy: Option<Spanned<String>>,
    /// The key the policy was written under: `policy` (the shipped layers) or `pullPolicy`
    /// (skiff-core's own name).
    #[serde(skip)]
    pub policy_key: PolicyKey,
    pub registry: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PolicyKey {
    #[default]
    Policy,
    PullPolicy,
}

impl PolicyKey {
    pub fn as_str(self) -> &'static str {
        match self {
            PolicyKey::Policy => "policy",
            PolicyKey::PullPolicy => "pullPolicy",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Build {
    pub source: Option<String>,
    pub root: Option<String>,
    pub dockerfile: Option<String>,
    /// Docker build arguments; `None` passes the variable through from the environment.
    pub build_args: Vec<(String, Option<String>)>,
    pub preserve_intermediate: Option<bool>,
    pub scratch_build: Option<bool>,
    pub squash: Option<bool>,
}

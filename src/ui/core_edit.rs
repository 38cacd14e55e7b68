//! The skiff-core editor's data: the config the stack installs (loaded by a worker), the
//! distro images to pick from, and the edits (image, users, mounts) as plain functions.

use std::path::PathBuf;

use crate::model::core_config::check::mount_problem;
use crate::model::core_config::{
    Auth, Candidate, Container, CoreConfig, Entry, Image, Spanned, User, check::login_problem,
};

/// A distro a layer of the tree ships a skiff-core config for: its image, how skiff-core gets
/// it, the container settings that go with it (entrypoint, mounts...) and its login shell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageChoice {
    pub layer: String,
    pub name: String,
    pub image: Image,
    pub container: Container,
    pub shell: Vec<String>,
}

/// What a load found for a workspace and stack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoreLoaded {
    /// The YAML the build installs (None: no layer of the stack ships one).
    pub winner: Option<Candidate>,
    pub config: Option<CoreConfig>,
    /// Problems that kept the file from loading, one line each.
    pub problems: Vec<String>,
    pub choices: Vec<ImageChoice>,
    /// Where a save goes (the workspace override).
    pub save_path: PathBuf,
}

/// The editor's state, kept in `Shared` so worker results reach it.
#[derive(Debug, Clone, Default)]
pub struct CoreState {
    /// Workspace and resolved layers the loaded config is for.
    pub key: Option<(String, Vec<String>)>,
    /// Bumped by a save, so the editor loads again (the override now wins).
    pub generation: u64,
    pub loaded: Option<CoreLoaded>,
    /// The config being edited (starts as the loaded one).
    pub edit: Option<CoreConfig>,
    pub dirty: bool,
    pub error: Option<String>,
}

/// The container the editor works on: the first one.
pub fn main_container(c: &mut CoreConfig) -> Option<&mut Entry<Container>> {
    c.containers.first_mut()
}

/// Switches the main container to `choice`'s distro: its settings (entrypoint, mounts...)
/// replace the container's, `images` describes the new image (images no container uses any
/// more are dropped), and users on the previous distro's default shell get the new one's.
pub fn set_image(c: &mut CoreConfig, choice: &ImageChoice, choices: &[ImageChoice]) {
    let Some(main) = main_container(c) else {
        return;
    };
    let old_image = main.value.image.as_ref().map(|s| s.value.clone());
    let old_shell = choices
        .iter()
        .find(|ch| Some(&ch.name) == old_image.as_ref())
        .map(|ch| ch.shell.clone());
    main.value = choice.container.clone();
    main.value.image = Some(Spanned::new(choice.name.clone()));
    let main_name = main.name.clone();
    for u in &mut c.users {
        let on_main = u
            .value
            .container
            .as_ref()
            .is_some_and(|s| s.value == main_name);
        if on_main
            && !choice.shell.is_empty()
            && old_shell.as_ref() == Some(&u.value.container_shell)
        {
            u.value.container_shell = choice.shell.clone();
        }
    }
    match c.images.iter_mut().find(|e| e.name == choice.name) {
        Some(e) => e.value = choice.image.clone(),
        None => c
            .images
            .push(Entry::new(choice.name.clone(), choice.image.clone())),
    }
    let used: Vec<String> = c
        .containers
        .iter()
        .filter_map(|e| e.value.image.as_ref().map(|s| s.value.clone()))
        .collect();
    c.images.retain(|e| used.contains(&e.name));
}

/// The index of the choice after the one the main container uses.
pub fn next_choice(c: &CoreConfig, choices: &[ImageChoice]) -> Option<usize> {
    if choices.is_empty() {
        return None;
    }
    let current = c
        .containers
        .first()
        .and_then(|e| e.value.image.as_ref())
        .map(|s| s.value.as_str());
    let at = choices
        .iter()
        .position(|ch| Some(ch.name.as_str()) == current);
    Some(at.map_or(0, |i| (i + 1) % choices.len()))
}

/// Adds a login that lands in the main container as the same user (created there when
/// missing), with a bash shell and root's SSH keys.
pub fn add_user(c: &mut CoreConfig, name: &str) -> Result<(), String> {
    let name = name.trim();
    if let Some(p) = login_problem(name) {
        return Err(p);
    }
    if c.users.iter().any(|e| e.name == name) {
        return Err(format!("user {name} already exists"));
    }
    let Some(container) = c.containers.first().map(|e| e.name.clone()) else {
        return Err("the config has no container for the user to land in".into());
    };
    c.users.push(Entry::new(
        name,
        User {
            container: Some(Spanned::new(container)),
            container_user: Some(name.to_string()),
            container_shell: vec!["/bin/bash".into()],
            create_container_user: Some(true),
            auth: Some(Auth {
                copy_root_keys: Some(true),
                ..Auth::default()
            }),
        },
    ));
    Ok(())
}

/// Moves user `i` to the next container.
pub fn cycle_container(c: &mut CoreConfig, i: usize) {
    let names: Vec<String> = c.containers.iter().map(|e| e.name.clone()).collect();
    let Some(u) = c.users.get_mut(i) else {
        return;
    };
    if names.is_empty() {
        return;
    }
    let current = u.value.container.as_ref().map(|s| s.value.clone());
    let at = names.iter().position(|n| Some(n) == current.as_ref());
    let next = names[at.map_or(0, |p| (p + 1) % names.len())].clone();
    u.value.container = Some(Spanned::new(next));
}

/// Sets user `i`'s shell from a command line (split on white space).
pub fn set_shell(c: &mut CoreConfig, i: usize, text: &str) -> Result<(), String> {
    let argv: Vec<String> = text.split_whitespace().map(str::to_string).collect();
    if argv.first().is_none_or(|a| !a.starts_with('/')) {
        return Err("the shell is an absolute path, e.g. /bin/bash".into());
    }
    if let Some(u) = c.users.get_mut(i) {
        u.value.container_shell = argv;
    }
    Ok(())
}

/// Flips whether root's SSH keys are copied to user `i`.
pub fn toggle_keys(c: &mut CoreConfig, i: usize) {
    if let Some(u) = c.users.get_mut(i) {
        let on = u.value.copies_root_keys();
        u.value
            .auth
            .get_or_insert_with(Auth::default)
            .copy_root_keys = Some(!on);
    }
}

/// Adds a bind mount to the main container.
pub fn add_mount(c: &mut CoreConfig, text: &str) -> Result<(), String> {
    let m = text.trim();
    if let Some(p) = mount_problem(m) {
        return Err(p);
    }
    let Some(main) = main_container(c) else {
        return Err("the config has no container to mount into".into());
    };
    if main.value.mounts.iter().any(|x| x.value == m) {
        return Err(format!("{m} is already mounted"));
    }
    main.value.mounts.push(Spanned::new(m.to_string()));
    Ok(())
}

/// Replaces mount `j` of the main container.
pub fn replace_mount(c: &mut CoreConfig, j: usize, text: &str) -> Result<(), String> {
    let m = text.trim();
    if let Some(p) = mount_problem(m) {
        return Err(p);
    }
    let Some(main) = main_container(c) else {
        return Err("the config has no container to mount into".into());
    };
    let mounts = &mut main.value.mounts;
    if mounts
        .iter()
        .enumerate()
        .any(|(i, x)| i != j && x.value == m)
    {
        return Err(format!("{m} is already mounted"));
    }
    match mounts.get_mut(j) {
        Some(slot) => *slot = Spanned::new(m.to_string()),
        None => mounts.push(Spanned::new(m.to_string())),
    }
    Ok(())
}

/// One line of the editor, in display order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Row {
    Image,
    User(usize),
    UserContainer(usize),
    UserShell(usize),
    UserKeys(usize),
    AddUser,
    Mount(usize),
    AddMount,
}

pub fn rows(c: &CoreConfig) -> Vec<Row> {
    let mut v = vec![Row::Image];
    for i in 0..c.users.len() {
        v.extend([
            Row::User(i),
            Row::UserContainer(i),
            Row::UserShell(i),
            Row::UserKeys(i),
        ]);
    }
    v.push(Row::AddUser);
    let mounts = c.containers.first().map_or(0, |e| e.value.mounts.len());
    v.extend((0..mounts).map(Row::Mount));
    v.push(Row::AddMount);
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> CoreConfig {
        crate::model::core_config::parse(
            "containers:\n  core:\n    image: a:1\n    mounts: [\"/dev:/dev\"]\nusers:\n  core:\n    container: core\nimages:\n  a:1:\n    build:\n      source: /s\n",
        )
        .expect("base")
    }

    #[test]
    fn edits_keep_the_config_clean() {
        let mut c = base();
        let choice = ImageChoice {
            layer: "core/x".into(),
            name: "b:2".into(),
            image: Image::default(),
            container: Container {
                entrypoint: vec!["/init".into()],
                ..Container::default()
            },
            shell: vec!["/bin/sh".into()],
        };
        let old = ImageChoice {
            name: "a:1".into(),
            shell: Vec::new(),
            ..choice.clone()
        };
        set_image(&mut c, &choice, &[old, choice.clone()]);
        assert_eq!(c.images.len(), 1);
        assert_eq!(c.images[0].name, "b:2");
        assert_eq!(c.containers[0].value.entrypoint, ["/init"]);
        assert!(c.containers[0].value.mounts.is_empty());
        assert_eq!(
            c.users[0].value.container_shell,
            ["/bin/sh"],
            "default shell follows"
        );
        add_mount(&mut c, "/dev:/dev").unwrap();
        add_user(&mut c, "alice").unwrap();
        assert!(add_user(&mut c, "alice").is_err());
        assert!(add_user(&mut c, "Bob").is_err());
        set_shell(&mut c, 1, "/bin/zsh -l").unwrap();
        assert!(set_shell(&mut c, 1, "zsh").is_err());
        toggle_keys(&mut c, 1);
        assert!(!c.users[1].value.copies_root_keys());
        add_mount(&mut c, "/mnt/persist/data:/data:rw").unwrap();
        assert!(add_mount(&mut c, "/data").is_err());
        replace_mount(&mut c, 0, "/dev:/dev:ro").unwrap();
        assert!(replace_mount(&mut c, 0, "/mnt/persist/data:/data:rw").is_err());
        assert_eq!(c.containers[0].value.mounts[0].value, "/dev:/dev:ro");
        assert!(crate::model::core_config::check(&c).is_empty());
        assert_eq!(rows(&c).len(), 1 + 8 + 1 + 2 + 1);
    }
}

//! A SkiffOS tree root: where configs/, configs-base/, overrides/ and workspaces/ live.

use super::error::{ModelError, Result};
use std::path::{Path, PathBuf};

/// The root of a SkiffOS-format tree, or of a project building on one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tree {
    /// Where overrides/ and workspaces/ live (and, in a project, its own configs/).
    pub root: PathBuf,
    /// A project's base tree (see [`super::project`]): its configs/ are searched after the
    /// project's own and its configs-base/ is merged around every stack. None for a tree.
    pub base: Option<PathBuf>,
    /// False for the bundled layers opened outside any project: no workspace is written there.
    pub writable: bool,
}

impl Tree {
    /// Open a tree at `root`, which must hold `configs/`.
    pub fn open(root: &Path) -> Result<Tree> {
        let root = std::path::absolute(root).map_err(|e| ModelError::io(root, e))?;
        if !root.join("configs").is_dir() {
            return Err(ModelError::NoTree { path: root });
        }
        Ok(Tree {
            root,
            base: None,
            writable: true,
        })
    }

    /// `--root`/`SKIFF_ROOT` if given, else the nearest ancestor of `cwd` with `configs/`;
    /// a project there gets its base (`bundled` asks for the bundled layers' root). With
    /// neither, the bundled layers themselves, read-only.
    pub fn locate(
        explicit: Option<&Path>,
        cwd: &Path,
        bundled: &dyn Fn() -> Result<PathBuf>,
    ) -> Result<Tree> {
        let found = match explicit {
            Some(p) => Some(p.to_path_buf()),
            None => cwd
                .ancestors()
                .find(|d| d.join("configs").is_dir())
                .map(Path::to_path_buf),
        };
        let Some(root) = found else {
            let mut tree = Tree::open(&bundled()?)?;
            tree.writable = false;
            return Ok(tree);
        };
        let mut tree = Tree::open(&root)?;
        tree.base = match super::project::read(&tree.root)? {
            None => None,
            Some(super::project::Base::Bundled) => Some(bundled()?),
            Some(super::project::Base::Tree(p)) => Some(Tree::open(&p)?.root),
        };
        Ok(tree)
    }

    /// Err when nothing may write workspaces here (the bundled layers outside a project),
    /// saying how to make a project.
    pub fn check_writable(&self) -> Result<()> {
        if self.writable {
            return Ok(());
        }
        Err(ModelError::Invalid(format!(
            "no skiff project here: skiff is using the layers bundled with it ({}), which \
             hold no workspaces; make a project with `skiff init DIR` and run skiff inside \
             it, or pass --root to a SkiffOS tree",
            self.root.display()
        )))
    }

    /// The layers of the tree, or of a project's base (the project's own are
    /// [`Tree::own_configs_dir`]).
    pub fn configs_dir(&self) -> PathBuf {
        self.base.as_ref().unwrap_or(&self.root).join("configs")
    }
    /// A project's own configs/, searched before [`Tree::configs_dir`]; None for a tree.
    pub fn own_configs_dir(&self) -> Option<PathBuf> {
        self.base.as_ref().map(|_| self.root.join("configs"))
    }
    pub fn base_dir(&self) -> PathBuf {
        self.base
            .as_ref()
            .unwrap_or(&self.root)
            .join("configs-base")
    }
    pub fn overrides_dir(&self) -> PathBuf {
        self.root.join("overrides")
    }
    pub fn workspaces_dir(&self) -> PathBuf {
        self.root.join("workspaces")
    }
    /// `workspaces/.config_<ws>` (the final config directory).
    pub fn final_dir(&self, ws: &str) -> PathBuf {
        self.workspaces_dir().join(format!(".config_{ws}"))
    }
    /// `workspaces/<ws>` (Buildroot's output directory).
    pub fn workspace_dir(&self, ws: &str) -> PathBuf {
        self.workspaces_dir().join(ws)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locate_picks_a_tree_a_project_on_its_base_or_the_read_only_bundle() {
        let tmp = tempfile::tempdir().unwrap();
        let bundle = tmp.path().join("bundle");
        std::fs::create_dir_all(bundle.join("configs")).unwrap();
        let bundled = || Ok(bundle.clone());

        let empty = tmp.path().join("empty");
        std::fs::create_dir(&empty).unwrap();
        let t = Tree::locate(None, &empty, &bundled).unwrap();
        assert_eq!((t.root.as_path(), t.writable), (bundle.as_path(), false));
        assert!(
            t.check_writable()
                .unwrap_err()
                .to_string()
                .contains("skiff init DIR")
        );

        let proj = tmp.path().join("proj");
        crate::model::project::init(&proj).unwrap();
        std::fs::create_dir(proj.join("overrides/sub")).unwrap();
        let t = Tree::locate(None, &proj.join("overrides/sub"), &bundled).unwrap();
        assert_eq!(t.root, proj);
        assert_eq!(t.base.as_deref(), Some(bundle.as_path()));
        assert_eq!(t.configs_dir(), bundle.join("configs"));
        assert_eq!(t.own_configs_dir(), Some(proj.join("configs")));
        assert_eq!(t.base_dir(), bundle.join("configs-base"));
        assert_eq!(t.workspaces_dir(), proj.join("workspaces"));
        assert!(t.check_writable().is_ok());

        // A plain tree never asks for the bundle.
        let never = || -> Result<PathBuf> { panic!("bundle asked for") };
        let t = Tree::locate(Some(&bundle), &empty, &never).unwrap();
        assert_eq!((t.base, t.writable), (None, true));
    }
}

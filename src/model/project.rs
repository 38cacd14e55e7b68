//! A skiff project: a directory with `skiff-project.yaml`, its own configs/, overrides/ and
//! workspaces/, building on a base tree (the layers bundled with skiff, or a SkiffOS checkout).

use super::error::{ModelError, Result};
use super::files::write_new;
use std::path::{Path, PathBuf};

/// The file that marks a project root.
pub const PROJECT_FILE: &str = "skiff-project.yaml";

/// What the project builds on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Base {
    /// The layers that ship with skiff.
    Bundled,
    /// A SkiffOS tree (holds configs/ and configs-base/), relative to the project or absolute.
    Tree(PathBuf),
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ProjectFile {
    base: String,
}

/// The project's base, or None when `root` has no project file.
pub fn read(root: &Path) -> Result<Option<Base>> {
    let path = root.join(PROJECT_FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(ModelError::io(&path, e)),
    };
    let file: ProjectFile = yaml_serde::from_str(&text).map_err(|e| ModelError::BadFile {
        path: path.clone(),
        line: e.location().map(|l| l.line()).unwrap_or(1),
        what: format!("{e}; expected `base: bundled` or `base: PATH-TO-SKIFFOS`"),
    })?;
    Ok(Some(match file.base.trim() {
        "bundled" => Base::Bundled,
        "" => {
            return Err(ModelError::BadFile {
                path,
                line: 1,
                what: "`base` is empty; write `base: bundled` or a SkiffOS tree's path".into(),
            });
        }
        p => Base::Tree(root.join(p)),
    }))
}

/// Lay out a new project in `dir` (created if missing; an existing tree or project is
/// refused): configs/, overrides/, workspaces/, a .gitignore for the build output, and the
/// project file written last. Returns the paths created.
pub fn init(dir: &Path) -> Result<Vec<PathBuf>> {
    for taken in [PROJECT_FILE, "configs"] {
        if dir.join(taken).exists() {
            return Err(ModelError::Invalid(format!(
                "{}: already a project or SkiffOS tree (it has {taken}); run skiff inside it",
                dir.display()
            )));
        }
    }
    let mut made = Vec::new();
    for sub in ["configs", "overrides", "workspaces"] {
        let p = dir.join(sub);
        std::fs::create_dir_all(&p).map_err(|e| ModelError::io(&p, e))?;
        made.push(p);
    }
    let readme = dir.join("configs/README.md");
    write_new(&readme, CONFIGS_README.as_bytes())?;
    made.push(readme);
    let ignore = dir.join(".gitignore");
    if !ignore.exists() {
        write_new(&ignore, b"/workspaces/\n")?;
        made.push(ignore);
    }
    let file = dir.join(PROJECT_FILE);
    write_new(&file, PROJECT_TEMPLATE.as_bytes())?;
    made.push(file);
    Ok(made)
}

const PROJECT_TEMPLATE: &str = "\
# A skiff project. configs/ holds this project's own layers (category/name/), searched
# before the base's; overrides/ and workspaces/ are used as in a SkiffOS tree.
# base: `bundled` = the layers that ship with skiff; or the path of a SkiffOS checkout.
base: bundled
";

const CONFIGS_README: &str = "\
Your own layers go here, one directory per layer: configs/CATEGORY/NAME/ with
metadata/description, buildroot/, kernel/, root_overlay/ and so on, as in SkiffOS.
A layer here with the same name as a bundled one replaces it. `skiff layers` lists both.
";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn init_lays_out_a_project_that_reads_back_as_bundled() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("demo");
        init(&dir).unwrap();
        for d in ["configs", "overrides", "workspaces"] {
            assert!(dir.join(d).is_dir(), "{d}");
        }
        assert_eq!(read(&dir).unwrap(), Some(Base::Bundled));
        let again = init(&dir).unwrap_err().to_string();
        assert!(again.contains("already a project"), "{again}");
    }

    #[test]
    fn a_path_base_is_relative_to_the_project_and_bad_files_name_the_line() {
        let tmp = tempfile::tempdir().unwrap();
        assert_eq!(read(tmp.path()).unwrap(), None);
        let f = tmp.path().join(PROJECT_FILE);
        std::fs::write(&f, "base: ../skiffos\n").unwrap();
        assert_eq!(
            read(tmp.path()).unwrap(),
            Some(Base::Tree(tmp.path().join("../skiffos")))
        );
        std::fs::write(&f, "# c\nbase: bundled\nextra: 1\n").unwrap();
        let err = read(tmp.path()).unwrap_err().to_string();
        assert!(err.contains(PROJECT_FILE) && err.contains(":3:"), "{err}");
    }
}

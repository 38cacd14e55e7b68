//! Running effects: the blocking work behind each `Cmd` (merges, configure, listings),
//! called from the worker thread, or inline by tests and benchmarks.

use super::build_jobs::{BuildJobs, JobContext};
use super::msg::{Cmd, PreviewData, WorkerEvent};
use crate::build::workspace::{DefconfigStep, configure, merge_current};
use crate::model::configure::{ConfigureEnv, ConfigureRequest};
use crate::model::contents::LayerContents;
use crate::model::diff::diff_text_vs_merge;
use crate::model::names::workspace_name;
use crate::model::workspace::list;
use crate::model::{Catalog, ConfigKind, ResolvedStack, Tree};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::SystemTime;

/// What effects need besides the command itself.
pub struct Effects {
    pub tree: Tree,
    pub catalog: Arc<Catalog>,
    /// What configure takes from the environment: extra layer paths, the Buildroot tree
    /// for the final defconfig step (skipped when it has no Makefile), the compiler cache.
    pub env: ConfigureEnv,
    /// Builds started from the TUI (each on its own thread).
    pub builds: Arc<BuildJobs>,
    /// Device discovery and writes of the flash screen.
    pub flash: Arc<super::flash::jobs::FlashJobs>,
    /// Readiness, the remembered host and pushes of the push screen.
    pub push: Arc<super::push::jobs::PushJobs>,
    /// The batch screen's batch (decode once, a pipeline per card).
    pub batch: Arc<super::batch::jobs::BatchJobs>,
    /// PATH to check Buildroot's host tools against before a build; `None` skips it.
    pub host_path: Option<std::ffi::OsString>,
    /// Seconds since the epoch ("configured 5 min ago"); tests inject their own.
    pub clock: Clock,
}

/// Where the time comes from.
pub type Clock = Arc<dyn Fn() -> u64 + Send + Sync>;

/// The system clock, in seconds since the epoch (0 before 1970).
pub fn system_clock() -> Clock {
    Arc::new(|| {
        SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0)
    })
}

impl Effects {
    /// Effects for a tree with no extras (tests, benchmarks).
    pub fn plain(tree: Tree, catalog: Arc<Catalog>) -> Effects {
        let env = ConfigureEnv {
            buildroot: Some(tree.root.join("buildroot")),
            ..ConfigureEnv::default()
        };
        Effects {
            tree,
            catalog,
            env,
            builds: Arc::default(),
            flash: Arc::default(),
            push: Arc::default(),
            batch: Arc::default(),
            host_path: None,
            clock: system_clock(),
        }
    }

    /// What a build thread needs from the effects.
    pub fn job_context(&self) -> JobContext {
        JobContext {
            tree: self.tree.clone(),
            catalog: self.catalog.clone(),
            env: ConfigureEnv {
                buildroot: Some(
                    self.env
                        .buildroot
                        .clone()
                        .unwrap_or_else(|| self.tree.root.join("buildroot")),
                ),
                ..self.env.clone()
            },
            make: PathBuf::from("make"),
            host_path: self.host_path.clone(),
        }
    }

    /// Run one command. `Quit` is the runtime's business and yields nothing.
    pub fn perform(&self, cmd: &Cmd) -> Option<WorkerEvent> {
        Some(match cmd {
            Cmd::Quit { .. } | Cmd::Bell => return None,
            Cmd::LoadContents(name) => {
                let layer = self.catalog.lookup(name)?;
                WorkerEvent::Contents {
                    layer: layer.name.clone(),
                    contents: Box::new(LayerContents::load(&layer.dir, &layer.name)),
                }
            }
            Cmd::Merge {
                generation,
                workspace,
                stack,
            } => WorkerEvent::Merged {
                generation: *generation,
                result: self.preview(workspace, stack).map(Box::new),
            },
            Cmd::LoadWorkspaces => WorkerEvent::Workspaces {
                list: list(&self.tree),
                now: (self.clock)(),
            },
            Cmd::Stamp => WorkerEvent::Stamp {
                stamp: crate::model::workspace::stamp(&self.tree),
                now: (self.clock)(),
            },
            Cmd::Configure { workspace, stack } => WorkerEvent::Configured {
                workspace: workspace.clone(),
                result: self.configure(workspace, stack),
            },
            Cmd::CreateWorkspace(name) => WorkerEvent::WorkspaceCreated {
                name: name.clone(),
                result: self.create_workspace(name),
            },
            Cmd::StartBuild { workspace, stack } => {
                self.builds
                    .start(self.job_context(), workspace, stack.clone())
            }
            Cmd::CancelBuild { workspace } => WorkerEvent::Build {
                workspace: workspace.clone(),
                event: Box::new(crate::build::BuildEvent::Phase {
                    message: if self.builds.cancel(workspace) {
                        "interrupting make (SIGINT to its process group)".into()
                    } else {
                        "no build of this workspace is running".into()
                    },
                }),
            },
            Cmd::Flash(c) => self.flash.perform(c, &self.tree, &self.catalog),
            Cmd::Push(c) => self.push.perform(c, &self.tree, &self.catalog),
            Cmd::Batch(c) => self.batch.perform(c, &self.tree, &self.catalog),
            Cmd::Core(c) => WorkerEvent::Core(Box::new(super::core_jobs::perform(
                c,
                &self.tree,
                &self.catalog,
            ))),
        })
    }

    /// Merge in memory and compare with the workspace's last configure.
    fn preview(&self, ws: &str, stack: &ResolvedStack) -> Result<PreviewData, String> {
        let merged = merge_current(&self.tree, &self.catalog, stack, ws, &self.env)
            .map_err(|e| e.to_string())?;
        let fin = self.tree.final_dir(ws);
        let configured = fin.join("skiff_config").is_file();
        let mut diff = Vec::new();
        for kind in ConfigKind::ALL {
            let before = if configured {
                std::fs::read_to_string(fin.join(kind.dir_name()).join("config"))
                    .unwrap_or_default()
            } else {
                String::new()
            };
            diff.extend(diff_text_vs_merge(kind, &before, merged.config(kind)));
        }
        let (dropped, check_note) = self.kconfig_marks(ws, &merged);
        Ok(PreviewData {
            merged,
            diff,
            configured,
            dropped,
            check_note,
        })
    }

    /// Run `skiff check`'s Kconfig evaluation when a Buildroot tree is present, so the
    /// preview can mark requested values that will not survive.
    fn kconfig_marks(
        &self,
        ws: &str,
        merged: &crate::model::Merged,
    ) -> (std::collections::BTreeMap<String, String>, Option<String>) {
        use crate::build::kconfig::{CheckInput, check, find_engine};
        let Some(srctree) = self
            .env
            .buildroot
            .as_ref()
            .filter(|b| b.join("Config.in").is_file())
        else {
            return (Default::default(), None);
        };
        let br = merged.config(ConfigKind::Buildroot);
        let externals: Vec<PathBuf> = merged.externals.iter().map(PathBuf::from).collect();
        let result = find_engine(Some(&self.tree.workspace_dir(ws))).and_then(|engine| {
            check(CheckInput {
                engine: &engine,
                srctree,
                fragment: &br.text,
                requests: &br.symbols,
                externals: &externals,
                warnings: Vec::new(),
            })
        });
        match result {
            Ok(report) => (
                report
                    .dropped
                    .iter()
                    .filter(|d| d.severity == crate::build::kconfig::Severity::Error)
                    .map(|d| (d.symbol.clone(), d.reason.describe()))
                    .collect(),
                None,
            ),
            Err(e) => (
                Default::default(),
                Some(format!("Kconfig check failed: {e}")),
            ),
        }
    }

    fn configure(&self, ws: &str, stack: &ResolvedStack) -> Result<String, String> {
        let report = configure(&ConfigureRequest {
            tree: &self.tree,
            catalog: &self.catalog,
            stack,
            workspace: ws,
            env: &self.env,
        })
        .map_err(|e| e.to_string())?;
        let mut s = format!("configured workspace {ws}: {}", stack.joined());
        if let DefconfigStep::Skipped(_) = report.defconfig {
            s.push_str(" (Buildroot defconfig step skipped: no Buildroot tree)");
        }
        if report.stamps_removed > 0 {
            s.push_str(&format!(
                "; cflags changed, {} GCC stamps removed",
                report.stamps_removed
            ));
        }
        Ok(s)
    }

    fn create_workspace(&self, name: &str) -> Result<(), String> {
        if workspace_name(name) != name {
            return Err(format!(
                "`{name}` is not a valid name; use letters, digits, . _ - [ ]"
            ));
        }
        let dir = self.tree.workspace_dir(name);
        if dir.exists() || self.tree.final_dir(name).exists() {
            return Err(format!(
                "workspaces/{name} already exists; switch to it instead"
            ));
        }
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))
    }
}

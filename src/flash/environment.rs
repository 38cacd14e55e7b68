//! Where a plan runs: the system view devices are checked against, udev properties, engine
//! tuning and the file system tools of post steps.

use super::card::tools::{SystemTools, ToolRunner};
use super::config::EngineConfig;
use super::system::{DeviceProperties, SystemView};

/// Where a plan runs: the system view to re-check devices against, and engine tuning.
pub struct Environment {
    pub view: SystemView,
    pub props: Box<dyn DeviceProperties + Send + Sync>,
    pub config: EngineConfig,
    /// File system tools for post steps (install's copy into the kept partition).
    pub tools: Box<dyn ToolRunner>,
}

impl Environment {
    /// The running system, always: the privileged helper runs with this and never reads a
    /// fake system view from the environment (tests inject one in process).
    pub fn host() -> Environment {
        let view = SystemView::host();
        Environment {
            props: super::system::default_properties(&view),
            view,
            config: EngineConfig::default(),
            tools: Box::new(SystemTools),
        }
    }
}

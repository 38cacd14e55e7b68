//! The names of the app's screens, in tab order (the screens themselves are in screen.rs).

/// Every screen of the app, in tab order. Adding a screen: a file under `screens/`, a
/// variant here, its `name`/`title`, and one arm in `create` (see docs/tui.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScreenId {
    Layers,
    Stack,
    Preview,
    Workspaces,
    Build,
    Flash,
    Push,
    /// The batch station, reached from the flash screen (not a tab of its own).
    Batch,
}

impl ScreenId {
    pub const ALL: [ScreenId; 7] = [
        ScreenId::Layers,
        ScreenId::Stack,
        ScreenId::Preview,
        ScreenId::Workspaces,
        ScreenId::Build,
        ScreenId::Flash,
        ScreenId::Push,
    ];

    /// Every screen: the tabs, then the batch screen the flash screen opens.
    pub fn every() -> impl Iterator<Item = ScreenId> {
        ScreenId::ALL.into_iter().chain([ScreenId::Batch])
    }

    /// The tab a screen is shown under (the batch screen under Flash).
    pub fn tab(self) -> ScreenId {
        match self {
            ScreenId::Batch => ScreenId::Flash,
            s => s,
        }
    }

    /// Keymap section and `show-<name>` action name.
    pub fn name(self) -> &'static str {
        match self {
            ScreenId::Layers => "layers",
            ScreenId::Stack => "stack",
            ScreenId::Preview => "preview",
            ScreenId::Workspaces => "workspaces",
            ScreenId::Build => "build",
            ScreenId::Flash => "flash",
            ScreenId::Push => "push",
            ScreenId::Batch => "batch",
        }
    }

    /// Tab label.
    pub fn title(self) -> &'static str {
        match self {
            ScreenId::Layers => "Layers",
            ScreenId::Stack => "Stack",
            ScreenId::Preview => "Preview",
            ScreenId::Workspaces => "Workspaces",
            ScreenId::Build => "Build",
            ScreenId::Flash => "Flash",
            ScreenId::Push => "Push",
            ScreenId::Batch => "Batch",
        }
    }
}

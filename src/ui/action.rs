//! User intents: what a key means once the keymap of the focused pane has translated it.

use super::screen_id::ScreenId;

/// Everything a key can ask for. `update` matches on these, never on raw keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Quit,
    Help,
    Messages,
    NextScreen,
    PrevScreen,
    Show(ScreenId),
    Save,
    Undo,
    Redo,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Filter,
    ClearFilter,
    Add,
    ToggleUnlisted,
    DetailUp,
    DetailDown,
    MoveUp,
    MoveDown,
    Remove,
    PrevTab,
    NextTab,
    Search,
    ToggleDiff,
    ToggleOverridden,
    SwitchWorkspace,
    NewWorkspace,
    Refresh,
    Confirm,
    Cancel,
    StartBuild,
    CancelBuild,
    ToggleFollow,
    NextMatch,
    PrevMatch,
    Choose,
    Format,
    Install,
    WriteImage,
    ForceUnsafe,
    CancelWrite,
    Personalise,
    EditCore,
    CoreChange,
    CoreAdd,
    CoreSave,
    PushHost,
    PushSend,
    PushRollback,
    CancelPush,
    BatchImage,
    BatchBuild,
    BatchTarget,
    BatchReaders,
    BatchClear,
    BatchStart,
    BatchStop,
}

/// Actions that do not name a screen, with their keymap names and help text.
const TABLE: &[(Action, &str, &str)] = &[
    (Action::Quit, "quit", "quit skiff"),
    (Action::Help, "help", "show the keys of this pane"),
    (Action::Messages, "messages", "show the last 50 messages"),
    (Action::NextScreen, "next-screen", "next screen"),
    (Action::PrevScreen, "prev-screen", "previous screen"),
    (
        Action::Save,
        "save",
        "configure the workspace with the stack",
    ),
    (Action::Undo, "undo", "undo the last stack change"),
    (Action::Redo, "redo", "redo an undone stack change"),
    (Action::Up, "up", "move up"),
    (Action::Down, "down", "move down"),
    (Action::PageUp, "page-up", "one page up"),
    (Action::PageDown, "page-down", "one page down"),
    (Action::Top, "top", "first entry"),
    (Action::Bottom, "bottom", "last entry"),
    (Action::Filter, "filter", "type to filter (fuzzy)"),
    (Action::ClearFilter, "clear-filter", "clear the filter"),
    (Action::Add, "add", "add the layer to the stack"),
    (
        Action::ToggleUnlisted,
        "toggle-unlisted",
        "show or hide unlisted layers",
    ),
    (Action::DetailUp, "detail-up", "scroll the detail pane up"),
    (
        Action::DetailDown,
        "detail-down",
        "scroll the detail pane down",
    ),
    (Action::MoveUp, "move-up", "move the layer up"),
    (Action::MoveDown, "move-down", "move the layer down"),
    (
        Action::Remove,
        "remove",
        "remove the layer (core editor: user or mount)",
    ),
    (Action::PrevTab, "prev-tab", "previous configuration"),
    (Action::NextTab, "next-tab", "next configuration"),
    (Action::Search, "search", "search symbols and values"),
    (
        Action::ToggleDiff,
        "toggle-diff",
        "diff against the last configure",
    ),
    (
        Action::ToggleOverridden,
        "toggle-overridden",
        "only overridden symbols",
    ),
    (
        Action::SwitchWorkspace,
        "switch-workspace",
        "switch to the workspace and load its stack",
    ),
    (Action::NewWorkspace, "new-workspace", "create a workspace"),
    (
        Action::Refresh,
        "refresh",
        "reload the list (core editor: drop the edits)",
    ),
    (Action::Confirm, "confirm", "confirm"),
    (Action::Cancel, "cancel", "cancel or close"),
    (
        Action::StartBuild,
        "build",
        "build the workspace (configures first when needed)",
    ),
    (
        Action::CancelBuild,
        "cancel-build",
        "interrupt the running build",
    ),
    (
        Action::ToggleFollow,
        "toggle-follow",
        "follow the newest output, or hold the view",
    ),
    (Action::NextMatch, "next-match", "next search match"),
    (Action::PrevMatch, "prev-match", "previous search match"),
    (
        Action::Choose,
        "choose",
        "on “image file…”: type the path of an image file target",
    ),
    (
        Action::Format,
        "format",
        "format the target with the stack's layout (asks first)",
    ),
    (
        Action::Install,
        "install",
        "install the build into the formatted target (asks first)",
    ),
    (
        Action::WriteImage,
        "write-image",
        "write an image file to the target (asks for it, then asks first)",
    ),
    (
        Action::ForceUnsafe,
        "force-unsafe",
        "override the refusal of a non-removable disk (then type its name)",
    ),
    (
        Action::CancelWrite,
        "cancel-write",
        "stop the running write (asks first)",
    ),
    (
        Action::Personalise,
        "personalise",
        "hostname, SSH key and Wi-Fi written into persist after install or an image write",
    ),
    (
        Action::EditCore,
        "edit-core",
        "open or close the skiff-core editor",
    ),
    (
        Action::CoreChange,
        "core-change",
        "core editor: change the selected value",
    ),
    (
        Action::CoreAdd,
        "core-add",
        "core editor: add a user or a mount",
    ),
    (
        Action::CoreSave,
        "core-save",
        "core editor: save as the workspace override",
    ),
    (
        Action::PushHost,
        "push-host",
        "type the device's [USER@]HOST and preview what would be sent",
    ),
    (
        Action::PushSend,
        "push",
        "push the previewed files to the device (type its host first)",
    ),
    (
        Action::PushRollback,
        "push-rollback",
        "put back the files the last push replaced (type the host first)",
    ),
    (Action::CancelPush, "cancel-push", "stop the running push"),
    (
        Action::BatchImage,
        "batch-image",
        "batch: write an image file (asks for its path)",
    ),
    (
        Action::BatchBuild,
        "batch-build",
        "batch: write the workspace's build (the stack's layout, as image build)",
    ),
    (
        Action::BatchTarget,
        "batch-target",
        "batch: add an image file target (asks for its path)",
    ),
    (
        Action::BatchReaders,
        "batch-readers",
        "batch: write every card in readers matching patterns (model, serial, USB port)",
    ),
    (
        Action::BatchClear,
        "batch-clear",
        "batch: clear the targets",
    ),
    (
        Action::BatchStart,
        "batch-start",
        "batch: start (asks first; readers: type the allow-list back)",
    ),
    (
        Action::BatchStop,
        "batch-stop",
        "batch: stop (no new card; running cards end stopped; asks first)",
    ),
];

impl Action {
    /// Parse a keymap action name such as `move-up` or `show-stack`.
    pub fn parse(name: &str) -> Option<Action> {
        if let Some(screen) = name.strip_prefix("show-") {
            return ScreenId::every()
                .find(|s| s.name() == screen)
                .map(Action::Show);
        }
        TABLE
            .iter()
            .find(|(_, n, _)| *n == name)
            .map(|(a, _, _)| *a)
    }

    /// The keymap name of the action.
    pub fn name(self) -> String {
        match self {
            Action::Show(s) => format!("show-{}", s.name()),
            a => TABLE
                .iter()
                .find(|(x, _, _)| *x == a)
                .map(|(_, n, _)| n.to_string())
                .unwrap_or_default(),
        }
    }

    /// One line of help text.
    pub fn describe(self) -> String {
        match self {
            Action::Show(s) => format!("go to the {} screen", s.title()),
            a => TABLE
                .iter()
                .find(|(x, _, _)| *x == a)
                .map(|(_, _, d)| d.to_string())
                .unwrap_or_default(),
        }
    }

    /// Every action name, for documentation and error hints.
    pub fn all_names() -> Vec<String> {
        let mut v: Vec<String> = TABLE.iter().map(|(_, n, _)| n.to_string()).collect();
        v.extend(ScreenId::every().map(|s| format!("show-{}", s.name())));
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for n in Action::all_names() {
            let a = Action::parse(&n).expect(&n);
            assert_eq!(a.name(), n);
            assert!(!a.describe().is_empty(), "{n}");
        }
        assert_eq!(Action::parse("nope"), None);
        assert_eq!(Action::parse("show-nope"), None);
    }
}

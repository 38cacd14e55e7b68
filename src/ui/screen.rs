//! The contract every screen (one file under screens/, and ui/flash/) implements.

use super::action::Action;
use super::msg::Cmd;
pub use super::screen_id::ScreenId;
use super::shared::Shared;
use ratatui::Frame;
use ratatui::crossterm::event::{KeyEvent, MouseEvent};
use ratatui::layout::Rect;

/// One screen: its own UI state (cursor, filter, scroll) over the shared data.
/// `area` is always the rectangle the screen is drawn in, so key and mouse handling can
/// use the same layout as `render`.
pub trait Screen {
    fn id(&self) -> ScreenId;

    /// Handle an action of this screen's pane or a global one it cares about.
    fn update(&mut self, sh: &mut Shared, action: Action, area: Rect) -> Vec<Cmd>;

    /// While the screen is typing into a field, it receives raw keys here.
    /// `None` means "not typing": the key goes through the keymap instead.
    fn text_input(&mut self, _sh: &mut Shared, _key: &KeyEvent, _area: Rect) -> Option<Vec<Cmd>> {
        None
    }

    /// Mouse events inside the screen area.
    fn mouse(&mut self, _sh: &mut Shared, _ev: &MouseEvent, _area: Rect) -> Vec<Cmd> {
        Vec::new()
    }

    /// Shared data changed (stack edited, merge or workspace list arrived): re-derive
    /// anything cached, keep cursors in range, and ask for data the screen shows.
    fn refresh(&mut self, _sh: &Shared, _area: Rect) -> Vec<Cmd> {
        Vec::new()
    }

    /// Draw the screen. Reads state only.
    fn render(&self, sh: &Shared, frame: &mut Frame, area: Rect);

    /// Actions worth a hint in the status bar.
    fn hints(&self) -> &'static [super::action::Action] {
        &[]
    }
}

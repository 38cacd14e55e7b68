//! Making a screen from its id: the one place that names every screen type (apart from the
//! `Screen` trait in screen.rs, which the screens import).

use super::screen::{Screen, ScreenId};
use super::shared::Shared;

impl ScreenId {
    /// A fresh screen state.
    pub fn create(self, shared: &Shared) -> Box<dyn Screen> {
        use super::screens::*;
        match self {
            ScreenId::Layers => Box::new(layers::LayersScreen::new(shared)),
            ScreenId::Stack => Box::new(stack::StackScreen::default()),
            ScreenId::Preview => Box::new(preview::PreviewScreen::default()),
            ScreenId::Workspaces => Box::new(workspaces::WorkspacesScreen::default()),
            ScreenId::Build => Box::new(build::BuildScreen),
            ScreenId::Flash => Box::new(super::flash::screen::FlashScreen::default()),
        }
    }
}

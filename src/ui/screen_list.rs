//! Making the screens: one fresh state per `ScreenId` (apart from the `Screen` contract, so
//! the screens can implement it without importing the file that creates them).

use super::screen::{Screen, ScreenId};
use super::shared::Shared;

/// A fresh screen state for `id`.
pub fn create(id: ScreenId, shared: &Shared) -> Box<dyn Screen> {
    use super::screens::*;
    match id {
        ScreenId::Layers => Box::new(layers::LayersScreen::new(shared)),
        ScreenId::Stack => Box::new(stack::StackScreen::default()),
        ScreenId::Preview => Box::new(preview::PreviewScreen::default()),
        ScreenId::Workspaces => Box::new(workspaces::WorkspacesScreen::default()),
        ScreenId::Build => Box::new(build::BuildScreen),
        ScreenId::Flash => Box::new(super::flash::screen::FlashScreen::default()),
        ScreenId::Push => Box::new(super::push::screen::PushScreen::default()),
        ScreenId::Batch => Box::new(super::batch::screen::BatchScreen),
    }
}

//! The terminal UI: app state, messages, update, keymap, runtime and one file per screen.

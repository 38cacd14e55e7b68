//! Driving the app without a terminal: keys in, effects run inline, frames drawn into a
//! `TestBackend`. Test support only (never in the release library): used by the tests under
//! tests/ui_*.rs and, through `#[path]`, by the benchmarks.

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyEvent, KeyModifiers, MouseEvent, MouseEventKind};
use skiff::model::names::split_list;
use skiff::model::{Catalog, DiscoverOptions, ModelError, Tree};
use skiff::ui::app::App;
use skiff::ui::effects::Effects;
use skiff::ui::keys::KeySpec;
use skiff::ui::msg::{Cmd, Msg};
use skiff::ui::shared::Shared;
use std::path::Path;
use std::sync::Arc;

pub struct Harness {
    pub app: App,
    pub effects: Effects,
    pub terminal: Terminal<TestBackend>,
    /// Every effect run so far, in order.
    pub performed: Vec<Cmd>,
}

/// Discover the layers of the tree at `root` (its configs/ only).
pub fn open_tree(root: &Path) -> Result<(Tree, Catalog), ModelError> {
    let tree = Tree::open(root)?;
    let catalog = Catalog::discover(&DiscoverOptions {
        configs_dir: tree.configs_dir(),
        ..Default::default()
    })?;
    Ok((tree, catalog))
}

impl Harness {
    /// The app on the tree at `root`, workspace `ws`, stack `stack`, at `width`x`height`,
    /// after its start-up effects have run.
    pub fn open(
        root: &Path,
        ws: &str,
        stack: &str,
        width: u16,
        height: u16,
    ) -> Result<Harness, ModelError> {
        let (tree, catalog) = open_tree(root)?;
        let catalog = Arc::new(catalog);
        let typed = split_list(stack).into_iter().map(str::to_string).collect();
        let shared = Shared::new(catalog.clone(), tree.root.clone(), ws.to_string(), typed);
        let mut app = App::new(shared, width, height);
        let effects = Effects::plain(tree, catalog);
        let terminal = Terminal::new(TestBackend::new(width, height))
            .map_err(|e| ModelError::Invalid(e.to_string()))?;
        let init = app.init();
        let mut h = Harness {
            app,
            effects,
            terminal,
            performed: Vec::new(),
        };
        h.settle(init);
        Ok(h)
    }

    /// Send a message; return the effects it asked for directly, after running them
    /// (and whatever their results ask for) to completion.
    pub fn send(&mut self, msg: Msg) -> Vec<Cmd> {
        let cmds = self.app.update(msg);
        self.settle(cmds.clone());
        cmds
    }

    /// Run effects and feed their results back until nothing is left. Quit is recorded only.
    pub fn settle(&mut self, cmds: Vec<Cmd>) {
        let mut queue: std::collections::VecDeque<Cmd> = cmds.into();
        while let Some(cmd) = queue.pop_front() {
            let ev = self.effects.perform(&cmd);
            self.performed.push(cmd);
            if let Some(ev) = ev {
                queue.extend(self.app.update(Msg::Worker(ev)));
            }
        }
    }

    /// Press keys given by name, separated by spaces: `"down down a"`, `"ctrl-z"`, `"/"`.
    pub fn keys(&mut self, names: &str) -> Vec<Cmd> {
        let mut out = Vec::new();
        for n in names.split(' ').filter(|n| !n.is_empty()) {
            out.extend(self.key(n));
        }
        out
    }

    /// Press one key by name.
    pub fn key(&mut self, name: &str) -> Vec<Cmd> {
        let k = KeySpec::parse(name).unwrap_or_else(|| panic!("test uses unknown key {name}"));
        self.send(Msg::Key(KeyEvent::new(k.code, k.mods)))
    }

    /// Type text character by character.
    pub fn type_text(&mut self, text: &str) -> Vec<Cmd> {
        let mut out = Vec::new();
        for c in text.chars() {
            let k = KeySpec::new(
                ratatui::crossterm::event::KeyCode::Char(c),
                KeyModifiers::NONE,
            );
            out.extend(self.send(Msg::Key(KeyEvent::new(k.code, k.mods))));
        }
        out
    }

    /// A mouse event at a cell.
    pub fn mouse(&mut self, kind: MouseEventKind, column: u16, row: u16) -> Vec<Cmd> {
        self.send(Msg::Mouse(MouseEvent {
            kind,
            column,
            row,
            modifiers: KeyModifiers::NONE,
        }))
    }

    pub fn resize(&mut self, width: u16, height: u16) {
        self.terminal.backend_mut().resize(width, height);
        self.send(Msg::Resize(width, height));
    }

    /// Draw a frame and return it as text, one line per row, trailing spaces removed.
    pub fn render(&mut self) -> String {
        let app = &self.app;
        self.terminal
            .draw(|f| app.view(f))
            .expect("drawing into a TestBackend cannot fail");
        text_of(self.terminal.backend().buffer())
    }

    /// The buffer of the last frame.
    pub fn buffer(&self) -> &Buffer {
        self.terminal.backend().buffer()
    }

    /// Where `text` first appears in the last frame: (column, row).
    pub fn find(&self, text: &str) -> Option<(u16, u16)> {
        let buf = self.buffer();
        let w = buf.area.width;
        for y in 0..buf.area.height {
            let cells: Vec<&str> = (0..w).map(|x| buf[(x, y)].symbol()).collect();
            for x in 0..w as usize {
                let mut s = String::new();
                for c in &cells[x..] {
                    s.push_str(c);
                    if s.len() >= text.len() {
                        break;
                    }
                }
                if s.starts_with(text) {
                    return Some((x as u16, y));
                }
            }
        }
        None
    }
}

/// A buffer as plain text.
pub fn text_of(buf: &Buffer) -> String {
    let mut out = String::new();
    for y in 0..buf.area.height {
        let mut line = String::new();
        for x in 0..buf.area.width {
            line.push_str(buf[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

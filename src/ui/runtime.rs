//! The terminal loop: raw mode and restore, input and worker threads, drain-then-draw.

use super::app::App;
use super::effects::Effects;
use super::msg::{Cmd, Msg, WorkerEvent};
use crossbeam_channel::{Receiver, Sender, unbounded};
use ratatui::DefaultTerminal;
use ratatui::crossterm::event::{self, DisableMouseCapture, EnableMouseCapture, Event};
use ratatui::crossterm::execute;
use std::io;

/// Options of a run.
#[derive(Debug, Clone, Copy, Default)]
pub struct RunOptions {
    /// Draw the first frame and return (start-up benchmark).
    pub exit_after_first_frame: bool,
}

/// Take over the terminal, run the app until it quits, and give the terminal back, also
/// when something panics. Returns the exit code.
pub fn run(app: App, effects: Effects, opts: RunOptions) -> io::Result<i32> {
    let mut terminal = ratatui::try_init()?;
    let _ = execute!(io::stdout(), EnableMouseCapture);
    // ratatui's hook restores raw mode and the screen; mouse reporting is ours to undo.
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = execute!(io::stdout(), DisableMouseCapture);
        previous(info);
    }));
    let builds = effects.builds.clone();
    let flash = effects.flash.clone();
    let push = effects.push.clone();
    let batch = effects.batch.clone();
    let result = run_loop(&mut terminal, app, effects, opts);
    let _ = execute!(io::stdout(), DisableMouseCapture);
    ratatui::restore();
    // make runs in process groups of its own: stop builds rather than orphan them.
    builds.shutdown(std::time::Duration::from_secs(10));
    // A write stops between blocks; the helper also stops when its output closes.
    flash.shutdown(std::time::Duration::from_secs(10));
    push.shutdown(std::time::Duration::from_secs(10));
    // A batch stops starting cards; running cards stop between blocks.
    batch.shutdown(std::time::Duration::from_secs(10));
    result
}

fn run_loop(
    terminal: &mut DefaultTerminal,
    mut app: App,
    effects: Effects,
    opts: RunOptions,
) -> io::Result<i32> {
    let (msg_tx, msg_rx) = unbounded::<Msg>();
    let (cmd_tx, cmd_rx) = unbounded::<Cmd>();
    effects.builds.set_sink(msg_tx.clone());
    effects.flash.set_sink(msg_tx.clone());
    effects.push.set_sink(msg_tx.clone());
    effects.batch.set_sink(msg_tx.clone());
    let worker_tx = msg_tx.clone();
    std::thread::Builder::new()
        .name("skiff-worker".into())
        .spawn(move || worker(effects, cmd_rx, worker_tx))?;
    if !opts.exit_after_first_frame {
        let tick_tx = msg_tx.clone();
        std::thread::Builder::new()
            .name("skiff-input".into())
            .spawn(move || input(msg_tx))?;
        std::thread::Builder::new()
            .name("skiff-tick".into())
            .spawn(move || tick(tick_tx))?;
    }
    let size = terminal.size()?;
    let mut cmds = app.update(Msg::Resize(size.width, size.height));
    cmds.extend(app.init());
    if let Some(code) = dispatch(cmds, &cmd_tx) {
        return Ok(code);
    }
    terminal.draw(|f| app.view(f))?;
    if opts.exit_after_first_frame {
        return Ok(0);
    }
    loop {
        let Ok(first) = msg_rx.recv() else {
            return Ok(0);
        };
        let mut cmds = Vec::new();
        // Drain everything pending, then draw once.
        for msg in std::iter::once(first).chain(msg_rx.try_iter()) {
            if let Msg::Worker(WorkerEvent::Failed(e)) = msg {
                return Err(io::Error::other(e));
            }
            cmds.extend(app.update(msg));
        }
        if let Some(code) = dispatch(cmds, &cmd_tx) {
            return Ok(code);
        }
        terminal.draw(|f| app.view(f))?;
    }
}

/// Send effects to the worker; a quit ends the loop with its code. The bell is written here,
/// between frames, so it never lands inside a frame's escape sequences.
fn dispatch(cmds: Vec<Cmd>, tx: &Sender<Cmd>) -> Option<i32> {
    for c in cmds {
        match c {
            Cmd::Quit { code } => return Some(code),
            Cmd::Bell => {
                use std::io::Write;
                let mut out = io::stdout();
                let _ = out.write_all(b"\x07").and_then(|()| out.flush());
            }
            c => {
                let _ = tx.send(c);
            }
        }
    }
    None
}

/// A `Msg::Tick` once a second (the workspaces are looked at on each), until the app ends.
fn tick(tx: Sender<Msg>) {
    loop {
        std::thread::sleep(std::time::Duration::from_secs(1));
        if tx.send(Msg::Tick).is_err() {
            return;
        }
    }
}

/// Terminal events to messages.
fn input(tx: Sender<Msg>) {
    loop {
        let msg = match event::read() {
            Ok(Event::Key(k)) => Msg::Key(k),
            Ok(Event::Mouse(m)) => Msg::Mouse(m),
            Ok(Event::Resize(w, h)) => Msg::Resize(w, h),
            Ok(_) => continue,
            Err(e) => Msg::Worker(WorkerEvent::Failed(format!(
                "reading the terminal failed: {e}"
            ))),
        };
        let failed = matches!(msg, Msg::Worker(_));
        if tx.send(msg).is_err() || failed {
            return;
        }
    }
}

/// Run effects one at a time. Of several queued merges (and stamps) only the newest runs:
/// older ones would be dropped by `update` anyway.
fn worker(effects: Effects, rx: Receiver<Cmd>, tx: Sender<Msg>) {
    while let Ok(first) = rx.recv() {
        let mut batch: Vec<Cmd> = std::iter::once(first).chain(rx.try_iter()).collect();
        for newest_only in [
            |c: &Cmd| matches!(c, Cmd::Merge { .. }),
            |c: &Cmd| matches!(c, Cmd::Stamp),
        ] {
            if let Some(last) = batch.iter().rposition(newest_only) {
                let mut i = 0;
                batch.retain(|c| {
                    let keep = !newest_only(c) || i == last;
                    i += 1;
                    keep
                });
            }
        }
        for cmd in batch {
            let run =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| effects.perform(&cmd)));
            let msg = match run {
                Ok(Some(ev)) => Msg::Worker(ev),
                Ok(None) => continue,
                Err(_) => Msg::Worker(WorkerEvent::Failed(format!(
                    "internal error while running {cmd:?}; please report it"
                ))),
            };
            if tx.send(msg).is_err() {
                return;
            }
        }
    }
}

//! End to end: the real binary in tmux, driven with send-keys and read with capture-pane,
//! through picking a board and a distro, reordering, previewing and saving.

mod ui_common;

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// A private tmux server (its own socket) running one session; killed on drop.
struct Tmux {
    socket: String,
    /// Where the shell writes skiff's exit status.
    status: std::path::PathBuf,
}

impl Tmux {
    fn cmd(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .args(["-L", &self.socket, "-f", "/dev/null"])
            .args(args)
            .output()
            .expect("run tmux")
    }

    fn start(socket: &str, command: &str, status: &Path) -> Tmux {
        let t = Tmux {
            socket: socket.to_string(),
            status: status.to_path_buf(),
        };
        // The shell keeps the pane alive after skiff exits, so the screen can be checked.
        let shell = format!(
            "{command}; echo $? > {}; exec sleep 600",
            shell_quote(status)
        );
        let out = t.cmd(&[
            "new-session",
            "-d",
            "-s",
            "e2e",
            "-x",
            "100",
            "-y",
            "30",
            &shell,
        ]);
        assert!(out.status.success(), "tmux: {out:?}");
        t
    }

    fn keys(&self, keys: &[&str]) {
        for k in keys {
            let out = self.cmd(&["send-keys", "-t", "e2e", k]);
            assert!(out.status.success());
            // Separate keys so that Esc is not read as an Alt prefix.
            std::thread::sleep(Duration::from_millis(30));
        }
    }

    fn text(&self, s: &str) {
        self.cmd(&["send-keys", "-t", "e2e", "-l", s]);
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.cmd(&["capture-pane", "-p", "-t", "e2e"]).stdout).into()
    }

    /// A tmux format variable of the pane, such as `alternate_on`.
    fn var(&self, name: &str) -> String {
        let out = self.cmd(&[
            "display-message",
            "-p",
            "-t",
            "e2e",
            &format!("#{{{name}}}"),
        ]);
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// After exit: the alternate screen is left (the app's frame is gone) and mouse
    /// reporting is off.
    fn assert_restored(&self) {
        assert_eq!(self.var("alternate_on"), "0");
        assert_eq!(self.var("mouse_any_flag"), "0");
        let s = self.screen();
        assert!(!s.contains(APP_UP), "app frame left behind:\n{s}");
    }

    /// Wait until the screen shows `want` (the program runs asynchronously).
    fn wait_for(&self, want: &str) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if s.contains(want) {
                return s;
            }
            if start.elapsed() > Duration::from_secs(20) {
                panic!("timed out waiting for `{want}`; screen:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Wait for skiff to exit; its exit status.
    fn wait_until_dead(&self) -> String {
        let start = Instant::now();
        loop {
            if let Ok(s) = std::fs::read_to_string(&self.status)
                && s.ends_with('\n')
            {
                return s.trim().to_string();
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "skiff did not exit:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd(&["kill-server"]);
    }
}

/// Shown in the tab bar's status strip at every size while the app runs.
const APP_UP: &str = "card";

fn have_tmux() -> bool {
    Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn shell_quote(p: &Path) -> String {
    format!("'{}'", p.display().to_string().replace('\'', "'\\''"))
}

fn launch(tree: &Path, name: &str, args: &str) -> Tmux {
    let xdg = tree.join("xdg-config");
    let command = format!(
        "env -u SKIFF_CONFIG -u SKIFF_WORKSPACE TERM=xterm-256color XDG_CONFIG_HOME={} {} {args} --root {}",
        shell_quote(&xdg),
        shell_quote(Path::new(env!("CARGO_BIN_EXE_skiff"))),
        shell_quote(tree)
    );
    Tmux::start(
        &format!("skiff-e2e-{}-{name}", std::process::id()),
        &command,
        &tree.join("exit-status"),
    )
}

#[test]
fn pick_board_and_distro_reorder_preview_save() {
    if !have_tmux() {
        eprintln!("note: tmux is not installed; the end-to-end TUI test is skipped");
        return;
    }
    let tree = ui_common::tree();
    let t = launch(tree.path(), "flow", "tui");
    t.wait_for(APP_UP);
    assert_eq!(
        t.var("alternate_on"),
        "1",
        "the app uses the alternate screen"
    );

    // Pick a board: filter, accept, add.
    t.keys(&["/"]);
    t.text("pi4");
    t.wait_for("/ pi4");
    t.keys(&["Enter", "Enter"]);
    t.wait_for("added pi/4 to the stack");
    // Pick a distro.
    t.keys(&["/"]);
    t.text("fedora");
    t.wait_for("/ fedora");
    t.keys(&["Enter", "Enter"]);
    t.wait_for("added core/fedora to the stack (#2)");

    // Reorder on the stack screen: the distro goes first.
    t.keys(&["2"]);
    t.wait_for("Stack as typed (2)");
    t.keys(&["Down", "K"]);
    let s = t.wait_for("moved core/fedora to #1");
    assert!(s.contains("pi/4x64              + needed by pi/4"), "{s}");

    // Preview: the merged Buildroot values with the layer that set them.
    t.keys(&["3"]);
    let s = t.wait_for("BR2_PACKAGE_SKIFF_CORE=y");
    assert!(s.contains("skiff/core"));
    assert!(s.contains("BR2_aarch64=y"));
    t.keys(&["d"]);
    t.wait_for("Workspace default was never configured");

    // Save: confirmation first, then configure.
    t.keys(&["s"]);
    t.wait_for("Configure workspace default?");
    assert!(!tree.path().join("workspaces/.config_default").exists());
    t.keys(&["y"]);
    t.wait_for("configured workspace default");
    let written =
        std::fs::read_to_string(tree.path().join("workspaces/.config_default/skiff_config"))
            .unwrap();
    assert_eq!(
        written.trim(),
        "apps/runc,apps/containerd,apps/docker,skiff/core,core/fedora,skiff/moduleimg,pi/common,pi/4x64,pi/4"
    );
    t.wait_for("No differences");

    // Quit: exit code 0 and the terminal is back to normal.
    t.keys(&["q"]);
    assert_eq!(t.wait_until_dead(), "0");
    t.assert_restored();
}

#[test]
fn ctrl_c_restores_the_terminal_and_exits_130() {
    if !have_tmux() {
        eprintln!("note: tmux is not installed; the end-to-end TUI test is skipped");
        return;
    }
    let tree = ui_common::tree();
    let t = launch(tree.path(), "ctrlc", "");
    // `skiff` alone on a terminal opens the app.
    t.wait_for(APP_UP);
    assert_eq!(
        t.var("mouse_any_flag"),
        "1",
        "mouse reporting is on while running"
    );
    t.keys(&["/"]);
    t.text("pi");
    t.keys(&["C-c"]);
    assert_eq!(t.wait_until_dead(), "130");
    t.assert_restored();
}

#[test]
fn small_terminal_shows_a_message() {
    if !have_tmux() {
        eprintln!("note: tmux is not installed; the end-to-end TUI test is skipped");
        return;
    }
    let tree = ui_common::tree();
    let t = launch(tree.path(), "small", "tui");
    t.wait_for(APP_UP);
    t.cmd(&["resize-window", "-t", "e2e", "-x", "60", "-y", "20"]);
    t.wait_for("Terminal too small");
    t.cmd(&["resize-window", "-t", "e2e", "-x", "100", "-y", "30"]);
    t.wait_for(APP_UP);
    t.keys(&["q"]);
    assert_eq!(t.wait_until_dead(), "0");
}

#[test]
fn a_configure_from_another_terminal_shows_without_a_key() {
    if !have_tmux() {
        eprintln!("note: tmux is not installed; the end-to-end TUI test is skipped");
        return;
    }
    let tree = ui_common::tree();
    let t = launch(tree.path(), "watch", "tui");
    t.wait_for(APP_UP);
    t.keys(&["/"]);
    t.text("pi4");
    t.wait_for("/ pi4");
    t.keys(&["Enter", "Enter"]);
    t.wait_for("added pi/4 to the stack");
    t.keys(&["3", "d"]);
    let s = t.wait_for("was never configured");
    assert!(s.contains("unsaved"), "{s}");
    // The CLI configures the same workspace while the TUI is open.
    let out = Command::new(env!("CARGO_BIN_EXE_skiff"))
        .args(["configure", "pi/4", "--root"])
        .arg(tree.path())
        .env_remove("SKIFF_WORKSPACE")
        .env_remove("SKIFF_CONFIG")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    // No key is sent: the tab bar, the preview diff and the strip follow by themselves.
    let s = t.wait_for("No differences");
    assert!(!s.contains("unsaved"), "{s}");
    let s = t.wait_for("saved✓");
    assert!(s.contains("board✓"), "{s}");
    t.keys(&["q"]);
    assert_eq!(t.wait_until_dead(), "0");
    t.assert_restored();
}

/// The app on `tree` in a pane whose background is `bg` (tmux answers the OSC 11 query with
/// it), with no variable that picks a theme.
fn launch_on_background(tree: &Path, name: &str, bg: &str) -> Tmux {
    let status = tree.join("exit-status");
    let t = Tmux::start(
        &format!("skiff-e2e-{}-{name}", std::process::id()),
        "exec sleep 600",
        &status,
    );
    let out = t.cmd(&["set", "-g", "window-style", &format!("bg={bg}")]);
    assert!(out.status.success(), "tmux: {out:?}");
    let command = format!(
        "env -u SKIFF_CONFIG -u SKIFF_WORKSPACE -u SKIFF_THEME -u COLORFGBG -u NO_COLOR TERM=xterm-256color XDG_CONFIG_HOME={} {} tui --root {}; echo $? > {}; exec sleep 600",
        shell_quote(&tree.join("xdg-config")),
        shell_quote(Path::new(env!("CARGO_BIN_EXE_skiff"))),
        shell_quote(tree),
        shell_quote(&status)
    );
    let out = t.cmd(&["respawn-pane", "-k", "-t", "e2e", &command]);
    assert!(out.status.success(), "tmux: {out:?}");
    t
}

#[test]
fn the_terminal_background_picks_the_theme() {
    if !have_tmux() {
        eprintln!("note: tmux is not installed; the end-to-end TUI test is skipped");
        return;
    }
    // The themes' `text` backgrounds: 231 (light), 234 (dark).
    for (bg, theme_bg, other_bg) in [
        ("#ffffff", "48;5;231", "48;5;234"),
        ("#000000", "48;5;234", "48;5;231"),
    ] {
        let tree = ui_common::tree();
        let name = format!("bg{}", &bg[1..3]);
        let t = launch_on_background(tree.path(), &name, bg);
        let s = t.wait_for(APP_UP);
        // The terminal's answer is consumed, never shown or read as keys.
        assert!(!s.contains("rgb:"), "{s}");
        assert!(s.contains("Welcome to skiff"), "{s}");
        let out = t.cmd(&["capture-pane", "-e", "-p", "-t", "e2e"]);
        let styled = String::from_utf8_lossy(&out.stdout);
        assert!(styled.contains(theme_bg), "{bg}: {styled}");
        assert!(!styled.contains(other_bg), "{bg}: {styled}");
        t.keys(&["q"]);
        assert_eq!(t.wait_until_dead(), "0");
    }
}

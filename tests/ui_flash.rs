//! The flash screen on a fake sysfs (never a real device): targets greyed with their reasons,
//! the layout drawn on the selected target, danger confirmations and the typed-name override,
//! progress and verdicts from engine events.

mod ui_common;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEventKind};
use ratatui::style::Modifier;
use skiff::flash::reason::FailReason;
use skiff::flash::{FlashEvent, Phase, Summary};
use skiff::ui::flash::jobs::{Failure, FlashAction, FlashCmd, FlashReport};
use skiff::ui::theme::{Role, Theme};
use skiff::ui::{Cmd, Msg, WorkerEvent};
use ui_common::flash::*;
use ui_common::harness::Harness;
use ui_common::{snap, style_at};

#[test]
fn targets_are_listed_with_verdicts_and_refused_ones_greyed() {
    let mut f = open("pi/4", 100, 30);
    let h = &mut f.h;
    assert_eq!(rows(h), ["mmcblk0", "nvme0n1", "sdb", "sdc", "sdd"]);
    let text = h.render();
    assert!(text.contains("holds the system mount /"), "{text}");
    assert!(text.contains("sdc1 is mounted on /media/card"), "{text}");
    assert!(
        text.contains("not a removable disk · ! overrides"),
        "{text}"
    );
    assert!(
        text.contains("read-only (check the card's lock switch)"),
        "{text}"
    );
    assert!(text.contains("image file…"), "{text}");
    // The cursor starts on the first writable device.
    assert!(text.contains("Layout of pi/common on sdb"), "{text}");
    snap("flash_targets_100x30", h);
    // Refused rows are greyed, reason included; the writable card is not.
    h.key("G");
    h.render();
    let dim = Theme::defaults().style(Role::Dim);
    for text in [
        "SYSTEM SSD",
        "holds the system mount /",
        "SPARE DISK",
        "SD64M",
    ] {
        assert_eq!(style_at(h, text).fg, dim.fg, "{text} is not greyed");
    }
    assert_ne!(style_at(h, "Generic STORAGE DEVICE").fg, dim.fg);
    assert_eq!(
        style_at(h, "writable").fg,
        Theme::defaults().style(Role::Ok).fg
    );
    // A click selects a row; the layout follows the selection.
    let (_, y) = h.find("sdd ").unwrap();
    h.mouse(MouseEventKind::Down(MouseButton::Left), 10, y);
    assert!(
        h.render()
            .contains("Layout of pi/common on sdd (128.0 MiB)")
    );
    select(h, "sdb");
    h.resize(80, 24);
    snap("flash_targets_80x24", h);
}

#[test]
fn the_layout_is_drawn_on_the_selected_target() {
    let mut f = open("pi/4", 100, 30);
    let h = &mut f.h;
    select(h, "sdb");
    let text = h.render();
    assert!(
        text.contains("Layout of pi/common on sdb (64.0 MiB)"),
        "{text}"
    );
    assert!(text.contains("MBR layout on 64MiB"), "{text}");
    // Proportional: rootfs (24 MiB) gets more columns than boot (16 MiB).
    let bar = text.lines().find(|l| l.contains("|#")).unwrap();
    let count = |c: char| bar.chars().filter(|x| *x == c).count();
    assert!(count('2') >= count('3') && count('3') > count('1'), "{bar}");
    snap("flash_layout_sdb", h);
    // A disk smaller than the layout says so and is drawn on the smallest card.
    select(h, "mmcblk0");
    let text = h.render();
    assert!(text.contains("Layout of pi/common on mmcblk0"), "{text}");
    // Layouts without a card show their instructions; format is refused with them.
    let mut g = open("virt/wsl", 100, 30);
    let text = g.h.render();
    assert!(
        text.contains("image layout: WSL root file system tarball"),
        "{text}"
    );
    assert!(text.contains("flashed with: wsl --import"), "{text}");
    select(&mut g.h, "sdb");
    assert!(g.h.key("f").is_empty());
    assert!(g.h.app.overlay.is_none());
    assert!(
        status(&g.h).contains("no card for skiff to write"),
        "{}",
        status(&g.h)
    );
}

#[test]
fn nothing_is_written_without_the_danger_confirmation() {
    let mut f = open("pi/4", 100, 30);
    let h = &mut f.h;
    select(h, "sdb");
    assert!(starts(&h.key("f")).is_empty(), "no write before confirming");
    let text = h.render();
    assert!(text.contains("Format sdb?"), "{text}");
    assert!(
        text.contains("sdb: 64.0 MiB · usb · Generic STORAGE DEVICE"),
        "{text}"
    );
    assert!(text.contains("Layout of pi/common: MBR, boot vfat, rootfs ext4, persist ext4"));
    assert!(text.contains("sudo"), "{text}");
    snap("flash_confirm_format", h);
    h.resize(80, 24);
    snap("flash_confirm_format_80x24", h);
    h.resize(100, 30);
    // The dialog is drawn in the danger style.
    let danger = Theme::defaults().style(Role::Danger);
    assert_eq!(style_at(h, "Format sdb?").bg, danger.bg);
    assert_eq!(style_at(h, "[y] format sdb").bg, danger.bg);
    assert!(starts(&press(h, "n")).is_empty());
    assert!(h.app.overlay.is_none());
    assert_eq!(status(h), "cancelled; nothing was written");
    // Yes gives exactly one write, of the confirmed device with its identity.
    press(h, "f");
    let cmds = press(h, "y");
    let [req] = starts(&cmds)[..] else {
        panic!("{cmds:?}")
    };
    assert_eq!(req.action, FlashAction::Format);
    assert!(req.device);
    assert_eq!(req.target, f.view.dev.join("sdb"));
    let id = req.expect.as_ref().unwrap();
    assert_eq!((id.name.as_str(), id.size), ("sdb", 64 * MIB));
    assert_eq!(req.force_unsafe, None);
    assert_eq!(
        Some(&req.stack),
        h.app.shared.stack.analysis.resolved.as_ref()
    );
    // Install and write image ask the same way (install once the workspace was built).
    let mut f = open("pi/4", 100, 30);
    let images = f.dir.path().join("workspaces/default/images");
    std::fs::create_dir_all(&images).unwrap();
    std::fs::write(images.join("zImage"), b"kernel").unwrap();
    let h = &mut f.h;
    h.key("r");
    select(h, "sdb");
    assert!(starts(&h.key("i")).is_empty());
    assert!(h.render().contains("Install to sdb?"));
    assert!(h.render().contains("Keeps the table and partition persist"));
}

#[test]
fn a_refused_device_needs_the_override_and_its_typed_name() {
    let mut f = open("pi/4", 100, 30);
    let h = &mut f.h;
    // Absolute refusals: no key writes them, ! does not arm.
    for (name, why) in [
        ("nvme0n1", "holds the system mount /"),
        ("sdc", "is mounted"),
        ("mmcblk0", "read-only"),
    ] {
        select(h, name);
        for k in ["f", "i", "w"] {
            assert!(starts(&h.key(k)).is_empty());
            assert!(h.app.overlay.is_none() && h.app.shared.flash.prompt.is_none());
            assert!(status(h).contains(why), "{name}: {}", status(h));
        }
        h.key("!");
        assert!(status(h).contains("no override exists"), "{}", status(h));
        assert_eq!(h.app.shared.flash.armed, None);
    }
    // Not removable: refused until ! arms the override...
    select(h, "sdd");
    assert!(starts(&h.key("f")).is_empty());
    assert!(h.app.overlay.is_none());
    assert!(status(h).contains("! overrides it"), "{}", status(h));
    h.key("!");
    assert_eq!(h.app.shared.flash.armed.as_deref(), Some("sdd"));
    assert!(h.render().contains("override armed"));
    // ...then the name must be typed back; the prompt is the danger dialog.
    assert!(starts(&h.key("f")).is_empty());
    let text = h.render();
    assert!(text.contains("Refused: not a removable disk."), "{text}");
    assert!(text.contains("Type sdd to write it anyway"), "{text}");
    snap("flash_override_typed_name", h);
    let danger = Theme::defaults().style(Role::Danger);
    assert_eq!(style_at(h, "Format sdd? (override)").bg, danger.bg);
    // A wrong name writes nothing.
    assert!(starts(&h.type_text("sda")).is_empty());
    assert!(starts(&press(h, "enter")).is_empty());
    assert!(status(h).contains("is not \"sdd\"; nothing was written"));
    // The right one runs it, carrying the typed name for the helper to check again.
    press(h, "f");
    for c in "sdd".chars() {
        h.app.update(Msg::Key(KeyEvent::new(
            KeyCode::Char(c),
            KeyModifiers::NONE,
        )));
    }
    let cmds = press(h, "enter");
    let [req] = starts(&cmds)[..] else {
        panic!("{cmds:?}")
    };
    assert_eq!(req.force_unsafe.as_deref(), Some("sdd"));
    assert_eq!(req.expect.as_ref().unwrap().name, "sdd");
}

#[test]
fn write_image_asks_for_the_image_then_confirms() {
    let mut f = open("pi/4", 100, 30);
    let img = f.dir.path().join("os.img");
    card_image(&img, 2 * MIB);
    let h = &mut f.h;
    select(h, "sdb");
    assert!(h.key("w").is_empty());
    assert!(h.render().contains("Write an image to sdb"));
    h.type_text(&img.display().to_string());
    let cmds = h.key("enter");
    assert_eq!(cmds, [Cmd::Flash(FlashCmd::InspectImage(img.clone()))]);
    let text = h.render();
    assert!(text.contains("Write the image to sdb?"), "{text}");
    let line = format!("Image {}: raw, 2.0 MiB", img.display());
    assert!(text.contains(&line), "{text}");
    let cmds = press(h, "y");
    let [req] = starts(&cmds)[..] else {
        panic!("{cmds:?}")
    };
    assert_eq!(req.action, FlashAction::WriteImage);
    assert_eq!(req.image.as_deref(), Some(img.as_path()));
    // A missing image is an error on the status line, and nothing is asked.
    let h = &mut open("pi/4", 100, 30).h;
    select(h, "sdb");
    h.key("w");
    h.type_text("/nonexistent/os.img");
    h.key("enter");
    assert!(h.app.overlay.is_none());
    assert!(status(h).contains("/nonexistent/os.img"), "{}", status(h));
    // A file that is not a card image is refused the same way, saying what it looks like.
    let mut f = open("pi/4", 100, 30);
    let notes = f.dir.path().join("notes.txt");
    std::fs::write(&notes, "hello\n").unwrap();
    let h = &mut f.h;
    select(h, "sdb");
    h.key("w");
    h.type_text(&notes.display().to_string());
    h.key("enter");
    assert!(h.app.overlay.is_none());
    assert!(status(h).contains("not a card image"), "{}", status(h));
    assert!(status(h).contains("looks like text"), "{}", status(h));
}

/// Start a format of sdb without running it, and return the run's id.
fn confirmed_format(h: &mut Harness) -> u64 {
    select(h, "sdb");
    press(h, "f");
    let cmds = press(h, "y");
    starts(&cmds)[0].id
}

fn feed(h: &mut Harness, id: u64, events: Vec<FlashEvent>) {
    for event in events {
        h.send(Msg::Worker(WorkerEvent::Flash(Box::new(
            FlashReport::Event { id, event },
        ))));
    }
}

fn finish(h: &mut Harness, id: u64, result: Result<Summary, Failure>) {
    h.send(Msg::Worker(WorkerEvent::Flash(Box::new(
        FlashReport::Finished { id, result },
    ))));
}

fn write_half(h: &mut Harness, id: u64) {
    feed(
        h,
        id,
        vec![
            FlashEvent::PhaseStarted {
                phase: Phase::Assemble,
                total: None,
            },
            FlashEvent::PhaseDone {
                phase: Phase::Assemble,
                bytes: 41 * MIB,
                secs: 0.4,
                rate: 0.0,
            },
            FlashEvent::Notice {
                message: "writing sdb needs root: asking sudo to run skiff's helper".into(),
            },
            FlashEvent::PhaseStarted {
                phase: Phase::Prepare,
                total: None,
            },
            FlashEvent::PhaseDone {
                phase: Phase::Prepare,
                bytes: 0,
                secs: 0.1,
                rate: 0.0,
            },
            FlashEvent::PhaseStarted {
                phase: Phase::Write,
                total: Some(40 * MIB),
            },
            FlashEvent::Progress {
                phase: Phase::Write,
                bytes: 20 * MIB,
                total: Some(40 * MIB),
                rate: 8.0 * MIB as f64,
                eta_secs: Some(2.5),
            },
        ],
    );
}

#[test]
fn progress_then_a_verified_verdict() {
    let mut f = open("pi/4", 100, 30);
    let h = &mut f.h;
    let id = confirmed_format(h);
    write_half(h, id);
    let text = h.render();
    assert!(
        text.contains("✓ assemble · ✓ prepare · ▶ write · verify · finalize"),
        "{text}"
    );
    assert!(text.contains("write 20.0 MiB of 40.0 MiB (50%)"), "{text}");
    assert!(text.contains("8.0 MiB/s · ETA 0:03"), "{text}");
    snap("flash_progress", h);
    h.resize(80, 24);
    snap("flash_progress_80x24", h);
    h.resize(100, 30);
    feed(
        h,
        id,
        vec![
            FlashEvent::PhaseDone {
                phase: Phase::Write,
                bytes: 40 * MIB,
                secs: 5.0,
                rate: 8.0 * MIB as f64,
            },
            FlashEvent::PhaseStarted {
                phase: Phase::Verify,
                total: Some(40 * MIB),
            },
            FlashEvent::PhaseDone {
                phase: Phase::Verify,
                bytes: 40 * MIB,
                secs: 2.0,
                rate: 20.0 * MIB as f64,
            },
            FlashEvent::PhaseStarted {
                phase: Phase::Finalize,
                total: Some(MIB),
            },
            FlashEvent::PhaseDone {
                phase: Phase::Finalize,
                bytes: MIB,
                secs: 0.1,
                rate: 10.0 * MIB as f64,
            },
        ],
    );
    finish(
        h,
        id,
        Ok(Summary {
            written: 41 * MIB,
            verified: 41 * MIB,
            image_len: 64 * MIB,
            secs: 7.6,
        }),
    );
    let text = h.render();
    assert!(
        text.contains("✓ verified: 41.0 MiB written, 41.0 MiB read back and compared in 7.6 s"),
        "{text}"
    );
    assert!(
        text.contains("format of sdb: written and verified"),
        "{text}"
    );
    assert!(
        text.contains(
            "write 40.0 MiB in 5.0 s (8.0 MiB/s) · verify 40.0 MiB in 2.0 s (20.0 MiB/s)"
        ),
        "{text}"
    );
    snap("flash_verdict_ok", h);
    h.resize(80, 24);
    snap("flash_verdict_ok_80x24", h);
    h.resize(100, 30);
    let ok = Theme::defaults().style(Role::Ok);
    assert_eq!(style_at(h, "✓ verified").fg, ok.fg);
}

#[test]
fn a_failure_ends_with_the_error() {
    let mut f = open("pi/4", 100, 30);
    let h = &mut f.h;
    let id = confirmed_format(h);
    write_half(h, id);
    finish(
        h,
        id,
        Err(Failure {
            error: "sdb: write failed at byte 20971520: Input/output error (os error 5)".into(),
            exit_code: 3,
            reason: FailReason::WriteIo,
            phase: Phase::Write,
        }),
    );
    let text = h.render();
    assert!(
        text.contains("✗ failed: sdb: write failed at byte 20971520: Input/output error"),
        "{text}"
    );
    assert!(text.contains("✗ write"), "{text}");
    assert!(!text.contains("verified"), "{text}");
    snap("flash_verdict_failed", h);
    let err = Theme::defaults().style(Role::Error);
    assert_eq!(style_at(h, "✗ failed").fg, err.fg);
    assert!(
        style_at(h, "✗ failed")
            .add_modifier
            .contains(Modifier::BOLD)
    );
    h.resize(80, 24);
    snap("flash_verdict_failed_80x24", h);
}

#[test]
fn cancel_and_quit_ask_while_writing() {
    let mut f = open("pi/4", 100, 30);
    let h = &mut f.h;
    let id = confirmed_format(h);
    write_half(h, id);
    // A second write is refused while one runs.
    assert!(press(h, "f").is_empty());
    assert!(status(h).contains("a write is running"));
    assert!(press(h, "c").is_empty());
    let text = h.render();
    assert!(text.contains("Stop writing sdb?"), "{text}");
    snap("flash_cancel_confirm", h);
    assert_eq!(press(h, "y"), [Cmd::Flash(FlashCmd::Cancel { id })]);
    assert!(h.render().contains("cancelling: the write stops"));
    assert!(press(h, "q").is_empty());
    assert!(h.render().contains("Quit while writing?"));
    press(h, "n");
    finish(
        h,
        id,
        Err(Failure {
            error: "cancelled".into(),
            exit_code: 130,
            reason: FailReason::Cancelled,
            phase: Phase::Write,
        }),
    );
    assert!(
        h.render()
            .contains("cancelled: sdb has no valid partition table now")
    );
    assert_eq!(press(h, "q"), [Cmd::Quit { code: 0 }]);
}

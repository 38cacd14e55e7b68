//! The flash screen says what each action would do before any key: greyed with the reason
//! when it cannot run (never asking for `y`), real paths, what an existing image file loses,
//! Tab completion in path prompts, and a write pane that belongs to its workspace.

mod ui_common;

use skiff::flash::Phase;
use skiff::flash::reason::FailReason;
use skiff::ui::flash::jobs::{Failure, FlashAction, FlashCmd, FlashReport};
use skiff::ui::theme::{Role, Theme};
use skiff::ui::{Cmd, Msg, WorkerEvent};
use std::path::{Path, PathBuf};
use ui_common::flash::*;
use ui_common::harness::Harness;
use ui_common::{snap, style_at};

/// The test layout with a bootloader written raw before the first partition.
fn layout_with_bootloader() -> String {
    LAYOUT.replace(
        "partitions:\n",
        "raw:\n  - { file: u-boot.bin, offset: 8KiB, max_len: 512KiB }\npartitions:\n",
    )
}

/// A directory whose path has the same length on every machine (for snapshots showing it),
/// under the standard /tmp rather than TMPDIR, whose length varies.
fn fixed_dir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("skiff-flash-")
        .rand_bytes(6)
        .tempdir_in("/tmp")
        .unwrap()
}

/// Snapshot with the fixed directory written as a placeholder of the same length (so the
/// frame keeps its layout).
fn snap_in(name: &str, h: &mut Harness, dir: &Path) {
    let text = h.render();
    let real = dir.display().to_string();
    let placeholder = format!("<scratch{}>", "_".repeat(real.len().saturating_sub(9)));
    let text = text.replace(&real, &placeholder);
    insta::with_settings!({snapshot_path => "snapshots", prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!(name, text);
    });
}

/// The screen's text with every row's border and margin removed and the rows joined, so a
/// sentence wrapped over rows reads as one.
fn flat(text: &str) -> String {
    text.lines()
        .map(|l| l.trim_matches(|c: char| c == '│' || c == ' '))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The lines of the open confirmation, joined.
fn dialog(h: &Harness) -> String {
    match &h.app.overlay {
        Some(skiff::ui::overlay::Overlay::Confirm(c)) => c
            .lines
            .iter()
            .map(|(_, l)| l.as_str())
            .collect::<Vec<_>>()
            .join("\n"),
        _ => panic!("no confirmation is open"),
    }
}

fn line_with(text: &str, needle: &str) -> String {
    text.lines()
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no line with `{needle}`:\n{text}"))
        .to_string()
}

#[test]
fn an_action_that_cannot_run_says_why_and_never_asks() {
    let mut f = open_with("pi/4", 100, 30, &layout_with_bootloader());
    let images = f.dir.path().join("workspaces/default/images");
    let h = &mut f.h;
    select(h, "sdb");
    let text = h.render();
    assert!(text.contains("Actions on sdb"), "{text}");
    assert!(
        text.contains("✗ f format · i install: not built yet: build first, key 5 (the bootloader"),
        "{text}"
    );
    assert!(
        text.contains("✓ w write an image: ready, asks first"),
        "{text}"
    );
    assert!(!text.contains("raw["), "no layout jargon: {text}");
    snap("flash_not_built_100x30", h);
    h.resize(80, 24);
    snap("flash_not_built_80x24", h);
    h.resize(100, 30);
    // Greyed, and the keys say the same thing without opening any dialog.
    let dim = Theme::defaults().style(Role::Dim);
    assert_eq!(style_at(h, "✗ f format").fg, dim.fg);
    for k in ["f", "i"] {
        assert!(h.key(k).is_empty());
        assert!(h.app.overlay.is_none() && h.app.shared.flash.prompt.is_none());
        assert!(status(h).starts_with("not built yet"), "{}", status(h));
        assert!(
            starts(&h.key("y")).is_empty(),
            "y after a refusal writes nothing"
        );
    }
    // Built without the bootloader: the file is named, with where it was looked for.
    std::fs::create_dir_all(&images).unwrap();
    std::fs::write(images.join("zImage"), b"kernel").unwrap();
    h.key("r");
    let text = h.render();
    let line = line_with(&text, "✗ f format");
    assert!(line.contains("the build in"), "{text}");
    assert!(h.key("f").is_empty());
    assert!(h.app.overlay.is_none());
    assert_eq!(
        status(h),
        format!(
            "the build in {} has no bootloader u-boot.bin: build again, key 5",
            images.display()
        )
    );
    // A build that adds the bootloader is seen without a key: the once-a-second look at the
    // workspaces (a tick) notices images/ changed and the build is checked again.
    h.send(Msg::Tick);
    // Directory times can be as coarse as a clock tick (10 ms): let one pass.
    std::thread::sleep(std::time::Duration::from_millis(50));
    std::fs::write(images.join("u-boot.bin"), vec![1u8; 4096]).unwrap();
    let cmds = h.send(Msg::Tick);
    assert_eq!(cmds, [Cmd::Stamp]);
    let text = h.render();
    assert!(
        text.contains("✓ f format · i install · w write an image: ready, each asks first"),
        "{text}"
    );
    assert!(starts(&h.key("f")).is_empty());
    assert!(h.render().contains("Format sdb?"));
    // A refused disk's full reason is said for the selected row, wrapped in the pane.
    h.key("n");
    select(h, "nvme0n1");
    let text = h.render();
    let said = flat(&text);
    assert!(
        said.contains("nvme0n1 is refused: holds the system mount /; not a removable disk; no override exists for that"),
        "{text}"
    );
    // The row keeps the model and the verdict apart.
    assert!(
        line_with(&text, "SYSTEM SSD").contains("SYSTEM SSD            │ holds"),
        "{text}"
    );
}

/// Choose `card` as an image file target through the prompt.
fn add_file(h: &mut Harness, card: &Path) {
    h.key("G");
    h.key("enter");
    h.type_text(&card.display().to_string());
    h.key("enter");
}

#[test]
fn an_existing_image_file_says_what_it_loses() {
    let dir = fixed_dir();
    let card = dir.path().join("card.img");
    std::fs::File::create(&card)
        .unwrap()
        .set_len(12 << 30)
        .unwrap();
    let image = dir.path().join("os.img");
    card_image(&image, 4 * MIB);
    let mut f = open("pi/4", 100, 30);
    let h = &mut f.h;
    h.key("G");
    h.key("enter");
    // The prompt says what happens to an existing file, per action.
    let said: String = h.app.shared.flash.prompt.as_ref().unwrap().lines[0]
        .1
        .clone();
    assert!(
        said.contains("w replaces it with the image (its size becomes the image's)"),
        "{said}"
    );
    assert!(!said.contains("is written in place"), "{said}");
    h.key("esc");
    add_file(h, &card);
    let path = card.display().to_string();
    assert!(
        h.render()
            .contains(&format!("{path} (12.0 GiB image file)"))
    );
    // Write image: the file is replaced, and the confirmation says by what.
    h.key("w");
    h.type_text(&image.display().to_string());
    h.key("enter");
    let text = h.render();
    assert!(
        text.contains(&format!("Write the image to {path}?")),
        "{text}"
    );
    let said = dialog(h);
    assert!(
        said.contains(&format!(
            "{path}, 12.0 GiB, will be replaced by a 4.0 MiB image"
        )),
        "{said}"
    );
    assert!(!text.contains("<tree>"), "{text}");
    snap_in("flash_replace_file_100x30", h, dir.path());
    h.resize(80, 24);
    snap_in("flash_replace_file_80x24", h, dir.path());
    h.resize(100, 30);
    let cmds = press(h, "y");
    let [req] = starts(&cmds)[..] else {
        panic!("{cmds:?}")
    };
    assert_eq!(req.action, FlashAction::WriteImage);
    assert_eq!(req.target, card);
    // Format writes inside it: the file keeps its size.
    let mut f = open("pi/4", 100, 30);
    let h = &mut f.h;
    add_file(h, &card);
    h.key("f");
    let said = dialog(h);
    assert!(
        said.contains(&format!(
            "{path}, 12.0 GiB, is formatted in place: it keeps its size"
        )),
        "{said}"
    );
    let text = h.render();
    assert!(text.contains(&format!("[y] format {path}")), "{text}");
}

fn prompt_text(h: &Harness) -> String {
    h.app.shared.flash.prompt.as_ref().unwrap().text.clone()
}

#[test]
fn tab_completes_paths_in_the_flash_prompts() {
    let dir = fixed_dir();
    for name in ["card.img", "card-old.img", "notes.txt"] {
        std::fs::write(dir.path().join(name), b"x").unwrap();
    }
    std::fs::create_dir(dir.path().join("cards")).unwrap();
    let d = dir.path().display().to_string();
    let mut f = open("pi/4", 100, 30);
    let h = &mut f.h;
    h.key("G");
    h.key("enter");
    h.type_text(&format!("{d}/n"));
    let cmds = h.key("tab");
    assert_eq!(cmds, [Cmd::Flash(FlashCmd::Complete(format!("{d}/n")))]);
    assert_eq!(prompt_text(h), format!("{d}/notes.txt"));
    // Several names: their common start, and the list under the field.
    h.key("ctrl-u");
    h.type_text(&format!("{d}/c"));
    h.key("tab");
    assert_eq!(prompt_text(h), format!("{d}/card"));
    let text = h.render();
    assert!(
        text.contains("Tab: card-old.img · card.img · cards/"),
        "{text}"
    );
    assert!(text.contains("tab completes"), "{text}");
    snap_in("flash_tab_candidates_100x30", h, dir.path());
    h.resize(80, 24);
    snap_in("flash_tab_candidates_80x24", h, dir.path());
    h.resize(100, 30);
    // Tab again cycles through them, without listing the directory again.
    h.key("tab");
    assert_eq!(prompt_text(h), format!("{d}/card-old.img"));
    assert!(h.key("tab").is_empty());
    assert_eq!(prompt_text(h), format!("{d}/card.img"));
    // Typing ends the cycle; nothing matching says so.
    h.type_text("zz");
    h.key("tab");
    assert_eq!(prompt_text(h), format!("{d}/card.imgzz"));
    assert!(
        status(h).contains("no file name starts with"),
        "{}",
        status(h)
    );
    // Enter takes the completed path as the target.
    h.key("ctrl-u");
    h.type_text(&format!("{d}/card."));
    h.key("tab");
    h.key("enter");
    let expect = PathBuf::from(format!("{d}/card.img"));
    assert!(h.app.shared.flash.files.iter().any(|x| x.path == expect));
    // The typed-name prompt of an override is not a path: Tab does nothing there.
    select(h, "sdd");
    h.key("!");
    h.key("f");
    assert!(h.key("tab").is_empty());
    assert_eq!(prompt_text(h), "");
}

#[test]
fn the_write_pane_belongs_to_the_workspace_it_was_started_from() {
    let mut f = open("pi/4", 100, 30);
    std::fs::create_dir_all(f.dir.path().join("workspaces/default")).unwrap();
    let h = &mut f.h;
    select(h, "sdb");
    press(h, "f");
    let id = starts(&press(h, "y"))[0].id;
    h.send(Msg::Worker(WorkerEvent::Flash(Box::new(
        FlashReport::Finished {
            id,
            result: Err(Failure {
                error: "sdb: write failed at byte 0: Input/output error".into(),
                exit_code: 3,
                reason: FailReason::WriteIo,
                phase: Phase::Write,
            }),
        },
    ))));
    assert!(h.render().contains("✗ failed: sdb: write failed"));
    // Another workspace: its flash screen shows nothing of that write.
    h.key("4");
    h.key("n");
    h.type_text("other");
    h.key("enter");
    assert_eq!(h.app.shared.workspace, "other");
    h.key("6");
    let text = h.render();
    assert!(!text.contains("✗ failed"), "{text}");
    assert!(!text.contains("Format sdb"), "{text}");
    snap("flash_other_workspace", h);
    // Back on its own workspace, the verdict is there again.
    h.key("4");
    h.key("g");
    h.key("enter");
    assert_eq!(h.app.shared.workspace, "default");
    h.key("6");
    assert!(h.render().contains("✗ failed: sdb: write failed"));
}

//! The flash screen's personalisation form (`p`): typed values are checked like the CLI
//! flags, refused ones say why, and an accepted personalisation rides on the confirmed write.

mod ui_common;

use ui_common::flash::*;
use ui_common::snap;

const KEY: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl tech@lab";

#[test]
fn the_form_is_checked_and_rides_on_the_write() {
    for (w, ht) in [(100, 30), (80, 24)] {
        let mut f = open("pi/4", w, ht);
        let key = f.dir.path().join("tech.pub");
        std::fs::write(&key, format!("{KEY}\n")).unwrap();
        let h = &mut f.h;
        assert!(h.key("p").is_empty());
        assert!(h.render().contains("Personalise the card"));
        h.type_text("robot_{n:02}");
        h.keys("enter");
        // Not read yet: the hostname is checked first (and a fixed path keeps the snapshot).
        h.type_text("keys/tech.pub");
        h.key("enter");
        h.type_text("Lab Net");
        h.key("enter");
        h.type_text("correct horse");
        let text = h.render();
        assert!(
            text.contains("•••••••••••••"),
            "the passphrase is hidden: {text}"
        );
        assert!(!text.contains("correct horse"), "{text}");
        h.key("enter");
        let text = h.render();
        assert!(
            text.contains("`_` cannot be in a hostname"),
            "a bad template keeps the form open with the reason: {text}"
        );
        snap(&format!("flash_personalise_{w}x{ht}"), h);
        // Fix the hostname (first field), accept from the last field.
        h.key("tab");
        for _ in 0..12 {
            h.key("backspace");
        }
        h.type_text("robot-{n:02}");
        h.key("tab");
        for _ in 0.."keys/tech.pub".len() {
            h.key("backspace");
        }
        h.type_text(&key.display().to_string());
        h.keys("tab tab enter");
        assert!(!h.render().contains("Personalise the card"));
        assert!(
            status(h).contains("hostname robot-{n:02} · SSH key tech.pub · Wi-Fi Lab Net"),
            "{}",
            status(h)
        );
        // A confirmed format carries it (the planner ignores it for format).
        select(h, "sdb");
        h.key("f");
        let cmds = press(h, "y");
        let [req] = starts(&cmds)[..] else {
            panic!("{cmds:?}")
        };
        let persona = req.persona.as_ref().expect("the write carries the persona");
        assert_eq!(persona.wifi[0].psk, "correct horse");
        assert_eq!(persona.keys[0].name, "tech.pub");
    }
}

#[test]
fn esc_leaves_the_personalisation_unchanged_and_empty_fields_clear_it() {
    let mut f = open("pi/4", 100, 30);
    let h = &mut f.h;
    h.key("p");
    h.type_text("lab-{n}");
    h.keys("tab tab tab enter");
    assert!(h.app.shared.flash.persona.applied.is_some());
    h.key("p");
    h.key("esc");
    assert!(status(h).contains("unchanged"), "{}", status(h));
    assert!(h.app.shared.flash.persona.applied.is_some());
    h.key("p");
    for _ in 0..7 {
        h.key("backspace");
    }
    h.keys("tab tab tab enter");
    assert!(h.app.shared.flash.persona.applied.is_none());
    assert!(status(h).contains("no personalisation"), "{}", status(h));
}

#[test]
fn an_install_from_the_screen_writes_the_persona_into_persist() {
    let mut f = open("pi/4", 100, 30);
    let card = f.dir.path().join("card.img");
    let key = f.dir.path().join("tech.pub");
    std::fs::write(&key, format!("{KEY}\n")).unwrap();
    let images = f.dir.path().join("workspaces/default/images");
    std::fs::create_dir_all(&images).unwrap();
    std::fs::write(images.join("zImage"), b"kernel bytes").unwrap();
    let h = &mut f.h;
    let (tx, rx) = crossbeam_channel::unbounded();
    h.effects.flash.set_sink(tx);
    // The build appeared after the screen opened: look again, as the tick would.
    h.key("r");
    h.key("p");
    h.type_text("lab-{n:02}");
    h.key("enter");
    h.type_text(&key.display().to_string());
    h.keys("enter enter enter");
    assert!(status(h).contains("hostname lab-{n:02}"), "{}", status(h));
    h.keys("G enter");
    h.type_text(&card.display().to_string());
    h.key("enter");
    for action in ["f", "i"] {
        h.key(action);
        let cmds = h.key("y");
        let started = starts(&cmds);
        assert!(
            !started.is_empty(),
            "{action} did not start: {}",
            h.render()
        );
        let id = started[0].id;
        run_to_end(h, &rx, id);
        let text = h.render();
        assert!(text.contains("✓ verified:"), "{text}");
    }
    let spec = format!("{}?offset={}", card.display(), persist_offset(&card));
    let cat = |path: &str| {
        let out = std::process::Command::new("debugfs")
            .args(["-R", &format!("cat {path}"), &spec])
            .output()
            .expect("debugfs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    assert_eq!(cat("/skiff/hostname"), "lab-01\n");
    assert_eq!(cat("/skiff/keys/tech.pub"), format!("{KEY}\n"));
}

/// Byte offset of the last partition (persist) of an image file.
fn persist_offset(card: &std::path::Path) -> u64 {
    let out = std::process::Command::new("sfdisk")
        .arg("--json")
        .arg(card)
        .output()
        .expect("sfdisk");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let parts = v["partitiontable"]["partitions"].as_array().unwrap();
    parts.last().unwrap()["start"].as_u64().unwrap() * 512
}

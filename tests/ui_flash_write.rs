//! Writes started from the flash screen, run for real through the effects: an image file
//! formatted then installed in process, a fake USB card formatted through the helper binary.

mod ui_common;

use skiff::ui::flash_jobs::{FlashJobs, FlashReport};
use skiff::ui::{Msg, WorkerEvent};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use ui_common::flash::*;
use ui_common::harness::Harness;

/// Feed the job's messages to the app until the write with `id` has ended.
fn run_to_end(h: &mut Harness, rx: &crossbeam_channel::Receiver<Msg>, id: u64) {
    loop {
        let msg = rx
            .recv_timeout(Duration::from_secs(120))
            .expect("events of the write");
        let last = matches!(&msg, Msg::Worker(WorkerEvent::Flash(r))
            if matches!(r.as_ref(), FlashReport::Finished { id: i, .. } if *i == id));
        h.send(msg);
        if last {
            return;
        }
    }
}

fn sfdisk_partitions(path: &Path) -> usize {
    let out = std::process::Command::new("sfdisk")
        .arg("--json")
        .arg(path)
        .output()
        .expect("sfdisk");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v["partitiontable"]["partitions"].as_array().unwrap().len()
}

#[test]
fn formats_then_installs_an_image_file_through_the_effects() {
    let mut f = open("pi/4", 100, 30);
    let card: PathBuf = f.dir.path().join("card.img");
    let h = &mut f.h;
    let (tx, rx) = crossbeam_channel::unbounded();
    h.effects.flash.set_sink(tx);
    h.key("G");
    h.key("enter");
    h.type_text(&card.display().to_string());
    h.key("enter");
    assert!(h.render().contains("<tree>/card.img (new image file)"));
    h.key("f");
    let text = h.render();
    assert!(
        text.contains("<tree>/card.img: new image file of 64.0 MiB"),
        "{text}"
    );
    assert!(!card.exists(), "nothing is written before yes");
    let cmds = h.key("y");
    let id = starts(&cmds)[0].id;
    run_to_end(h, &rx, id);
    let text = h.render();
    assert!(text.contains("✓ verified:"), "{text}");
    assert!(text.contains("is ready"), "{text}");
    assert_eq!(std::fs::metadata(&card).unwrap().len(), 64 * MIB);
    assert_eq!(sfdisk_partitions(&card), 3);
    // The row now shows the existing file; install writes the build into it in place.
    assert!(h.render().contains("<tree>/card.img (64.0 MiB image file)"));
    let images = f.dir.path().join("workspaces/default/images");
    std::fs::create_dir_all(&images).unwrap();
    std::fs::write(images.join("zImage"), b"kernel bytes").unwrap();
    let h = &mut f.h;
    h.key("i");
    assert!(h.render().contains("Install to <tree>/card.img?"));
    let cmds = h.key("y");
    let id = starts(&cmds)[0].id;
    run_to_end(h, &rx, id);
    let text = h.render();
    assert!(text.contains("✓ verified:"), "{text}");
    let out = std::process::Command::new("mtype")
        .env("MTOOLS_SKIP_CHECK", "1")
        .arg("-i")
        .arg(format!("{}@@{}", card.display(), MIB))
        .arg("::/zImage")
        .output()
        .expect("mtools");
    assert_eq!(
        out.stdout,
        b"kernel bytes",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn devices_are_written_through_the_helper() {
    let mut f = open("pi/4", 100, 30);
    let root = f.dir.path().join("machine");
    let log = f.dir.path().join("escalation.log");
    let escalate = f.dir.path().join("run-as-root");
    std::fs::write(
        &escalate,
        format!(
            "#!/bin/sh\necho \"$@\" >> '{}'\nSKIFF_SYSROOT='{}' exec \"$@\"\n",
            log.display(),
            root.display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&escalate, std::fs::Permissions::from_mode(0o755)).unwrap();
    let mut jobs = FlashJobs::new(f.view.clone());
    jobs.helper_program = Some(PathBuf::from(env!("CARGO_BIN_EXE_skiff")));
    jobs.escalation = Some(vec![escalate.display().to_string()]);
    let (tx, rx) = crossbeam_channel::unbounded();
    jobs.set_sink(tx);
    let h = &mut f.h;
    h.effects.flash = Arc::new(jobs);
    h.key("r");
    select(h, "sdb");
    h.key("f");
    let cmds = h.key("y");
    let id = starts(&cmds)[0].id;
    run_to_end(h, &rx, id);
    let text = h.render();
    assert!(text.contains("✓ verified:"), "{text}");
    let args = std::fs::read_to_string(&log).unwrap();
    assert!(
        args.trim().ends_with("__flash-helper"),
        "the helper wrote the device: {args}"
    );
    assert_eq!(sfdisk_partitions(&f.view.dev.join("sdb")), 3);
}

//! Writes started from the flash screen, run for real through the effects: an image file
//! formatted then installed in process, a fake USB card formatted through the helper binary.

mod ui_common;

use skiff::ui::flash::jobs::FlashJobs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use ui_common::flash::*;

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
    let path = card.display().to_string();
    assert!(h.render().contains(&format!("{path} (new image file)")));
    h.key("f");
    let text = h.render();
    assert!(
        text.contains(&format!("{path}: new image file of 64.0 MiB")),
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
    assert!(
        h.render()
            .contains(&format!("{path} (64.0 MiB image file)"))
    );
    let images = f.dir.path().join("workspaces/default/images");
    std::fs::create_dir_all(&images).unwrap();
    std::fs::write(images.join("zImage"), b"kernel bytes").unwrap();
    let h = &mut f.h;
    h.key("r");
    h.key("i");
    assert!(h.render().contains(&format!("Install to {path}?")));
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
            "#!/bin/sh\necho \"$@\" >> '{}'\nexec '{}' '{}' \"$@\"\n",
            log.display(),
            env!("CARGO_BIN_EXE_fake_flash_helper"),
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

/// Records the file system tools the planner runs instead of running them: the file system
/// images stay empty sparse files, so two plans can be compared byte for byte.
#[derive(Default)]
struct Recorder(std::sync::Mutex<Vec<String>>);

impl skiff::flash::card::ToolRunner for Recorder {
    fn run(&self, program: &str, args: &[String]) -> Result<String, skiff::flash::FlashError> {
        self.0
            .lock()
            .unwrap()
            .push(format!("{program} {}", args.join(" ")));
        Ok(String::new())
    }
}

/// The CLI (`skiff format CARD pi/4`) and the flash screen (format on the same file) plan the
/// same job through the card-job planner: the same request, the same decisions, the same
/// tool runs, and card images equal byte for byte but for the MBR's random disk signature.
#[test]
fn cli_and_tui_plan_byte_identical_card_images() {
    use skiff::flash::card::CardMode;
    use skiff::flash::job::plan_card;
    use skiff::flash::system::NoProperties;
    let mut f = open("pi/4", 100, 30);
    let root = f.dir.path().to_path_buf();
    let card = root.join("card.img");
    // The TUI's request, taken from the confirmation without running it.
    let h = &mut f.h;
    h.key("G");
    h.key("enter");
    h.type_text(&card.display().to_string());
    h.key("enter");
    h.key("f");
    let cmds = press(h, "y");
    let tui_req = starts(&cmds)[0].clone();
    let (tree, catalog) = ui_common::harness::open_tree(&root).unwrap();
    let tui = skiff::ui::flash::jobs::card_job_request(&tree, &catalog, &tui_req);
    // The CLI's request for the same command line.
    let cli = <skiff::cli::Cli as clap::Parser>::try_parse_from([
        "skiff".as_ref(),
        "--root".as_ref(),
        root.as_os_str(),
        "format".as_ref(),
        card.as_os_str(),
        "pi/4".as_ref(),
    ])
    .unwrap();
    let Some(skiff::cli::Command::Format(args)) = &cli.command else {
        panic!("not a format command");
    };
    let cli_req = skiff::cli::flash::card::job_request(
        &cli,
        args.stack.as_deref(),
        &args.common,
        CardMode::Format,
    )
    .unwrap();
    let json = |v: &dyn erased::Json| v.json();
    assert_eq!(json(&cli_req), json(&tui));

    let target = skiff::flash::target::resolve(&f.view, &NoProperties, &card).unwrap();
    let spec = skiff::flash::TargetSpec {
        path: card.clone(),
        device: false,
        expect: None,
        file_mode: skiff::flash::FileMode::Replace,
        force_unsafe: None,
    };
    let mut images = Vec::new();
    let mut runs = Vec::new();
    for req in [&cli_req, &tui] {
        let tools = Recorder::default();
        let job = plan_card(req, &target, spec.clone(), &tools, &mut |_| {}).unwrap();
        let work = job.work.path().display().to_string();
        let calls = tools.0.lock().unwrap().join("\n").replace(&work, "<work>");
        runs.push((
            json(&job.decision),
            calls,
            json(&job.card.partitions),
            json(&job.card.post),
        ));
        let env = skiff::flash::Environment {
            view: f.view.clone(),
            props: Box::new(NoProperties),
            config: Default::default(),
            tools: Box::new(Recorder::default()),
        };
        let mut sink = |_: skiff::flash::FlashEvent| {};
        skiff::flash::execute(&job.plan, &env, &mut sink, &Default::default()).unwrap();
        let mut bytes = std::fs::read(&card).unwrap();
        // The MBR disk signature (bytes 440..444) is random for every new table.
        bytes[440..444].fill(0);
        images.push(bytes);
        std::fs::remove_file(&card).unwrap();
    }
    assert_eq!(runs[0], runs[1]);
    assert!(runs[0].1.contains("mkfs.fat"), "{}", runs[0].1);
    assert_eq!(images[0].len() as u64, 64 * MIB);
    assert!(images[0] == images[1], "the card images differ");
}

mod erased {
    /// Serialize anything the test compares, as JSON text.
    pub trait Json {
        fn json(&self) -> String;
    }
    impl<T: serde::Serialize> Json for T {
        fn json(&self) -> String {
            serde_json::to_string(self).unwrap()
        }
    }
}

//! Card images from board layouts, checked with the real tools: sfdisk, sgdisk, fsck.vfat,
//! mtools, e2fsck, debugfs, and byte comparison of bootloader blobs.

mod flash_support;

use std::path::{Path, PathBuf};

use flash_support::*;
use skiff::flash::card::tools::{Missing, Recording};
use skiff::flash::card::{CardMode, CardRequest, SystemTools, assemble, flash_plan};
use skiff::flash::engine::EngineConfig;
use skiff::flash::system::NoProperties;
use skiff::flash::{
    CancelToken, Environment, FileMode, FlashEvent, SystemView, TargetSpec, execute,
};
use skiff::model::layout::{Filesystem, Layout, TableType};

fn env(root: &Path) -> Environment {
    Environment {
        view: SystemView::under(root),
        props: Box::new(NoProperties),
        config: EngineConfig::default(),
        tools: Box::new(SystemTools),
    }
}

fn file_target(path: &Path, mode: FileMode) -> TargetSpec {
    TargetSpec {
        path: path.to_path_buf(),
        device: false,
        expect: None,
        file_mode: mode,
        force_unsafe: None,
    }
}

struct Fixture {
    dir: tempfile::TempDir,
    images: PathBuf,
    layer: PathBuf,
}

fn fixture(layouts: &[Layout]) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let images = fake_images(dir.path(), layouts);
    let layer = fake_layer(dir.path(), layouts);
    Fixture { dir, images, layer }
}

/// Assembles and writes a card for `mode`, returning the events.
fn write_card(
    fx: &Fixture,
    layout: &Layout,
    size: u64,
    mode: CardMode,
    out: &Path,
    file_mode: FileMode,
) -> Vec<FlashEvent> {
    let work = tempfile::tempdir_in(fx.dir.path()).unwrap();
    let existing = if mode == CardMode::Install {
        let head = read_range(out, 0, 1 << 20);
        skiff::flash::card::table::read(&head)
    } else {
        None
    };
    let card = assemble(
        &CardRequest {
            layout,
            card_size: size,
            images: &fx.images,
            layers: std::slice::from_ref(&fx.layer),
            arch: "arm",
            mode,
            work: work.path(),
            existing,
        },
        &SystemTools,
    )
    .unwrap_or_else(|e| panic!("{}: {e}", layout.origin));
    let plan = flash_plan(&card, file_target(out, file_mode), true);
    let mut events = Vec::new();
    let mut sink = |e: FlashEvent| events.push(e);
    execute(&plan, &env(fx.dir.path()), &mut sink, &CancelToken::new())
        .unwrap_or_else(|e| panic!("{}: {e}", layout.origin));
    events
}

/// Files a layout's copy rules put into `partition`: (path inside the partition, source file).
fn expected_files(layout: &Layout, images: &Path, partition: &str) -> Vec<(String, PathBuf)> {
    fn walk(dir: &Path, inner: &str, out: &mut Vec<(String, PathBuf)>) {
        for entry in std::fs::read_dir(dir).unwrap().filter_map(Result::ok) {
            let name = entry.file_name().to_string_lossy().into_owned();
            if entry.path().is_dir() {
                walk(&entry.path(), &format!("{inner}{name}/"), out);
            } else {
                out.push((format!("{inner}{name}"), entry.path()));
            }
        }
    }
    let mut out = Vec::new();
    for rule in layout.install.iter().flat_map(|i| &i.copy) {
        if rule.to.partition != partition {
            continue;
        }
        for candidate in &rule.from {
            let mut hits = Vec::new();
            if let Some(dir) = candidate.strip_suffix('/') {
                if images.join(dir).is_dir() {
                    walk(&images.join(dir), &rule.to.path, &mut hits);
                }
            } else if let Some(suffix) = candidate.strip_prefix('*') {
                for e in std::fs::read_dir(images).unwrap().filter_map(Result::ok) {
                    let n = e.file_name().to_string_lossy().into_owned();
                    if n.ends_with(suffix) {
                        hits.push((format!("{}{n}", rule.to.path), e.path()));
                    }
                }
            } else if images.join(candidate).is_file() {
                let dest = if rule.to.path.ends_with('/') {
                    format!("{}{candidate}", rule.to.path)
                } else {
                    rule.to.path.clone()
                };
                hits.push((dest, images.join(candidate)));
            }
            if !hits.is_empty() {
                out.extend(hits);
                break;
            }
        }
    }
    // Later rules overwrite earlier ones; boot picks overwrite rules (checked separately).
    let mut seen = std::collections::HashSet::new();
    out.reverse();
    out.retain(|(p, _)| seen.insert(p.clone()));
    let picked: Vec<String> = layout
        .boot
        .iter()
        .filter(|b| b.to.partition == partition)
        .flat_map(|b| b.pick.iter().map(move |n| format!("{}{n}", b.to.path)))
        .collect();
    out.retain(|(p, _)| !picked.contains(p));
    out
}

fn read_file_in(image: &Path, offset: u64, fs: Filesystem, path: &str) -> Vec<u8> {
    let out = match fs {
        Filesystem::Vfat => std::process::Command::new("mcopy")
            .args([
                "-i",
                &format!("{}@@{offset}", image.display()),
                &format!("::{path}"),
                "-",
            ])
            .env("MTOOLS_SKIP_CHECK", "1")
            .output()
            .unwrap(),
        Filesystem::Ext4 => std::process::Command::new("debugfs")
            .args([
                "-R",
                &format!("cat \"{path}\""),
                &format!("{}?offset={offset}", image.display()),
            ])
            .output()
            .unwrap(),
    };
    assert!(
        out.status.success(),
        "reading {path}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Everything the real tools can say about a written card.
fn check_card(image: &Path, layout: &Layout, size: u64, images: &Path, with_files: bool) {
    let origin = &layout.origin;
    assert_eq!(
        std::fs::metadata(image).unwrap().len(),
        size,
        "{origin}: image size"
    );
    let (label, parts) = sfdisk(image);
    let placed = layout.place(Some(size));
    assert_eq!(
        label,
        if layout.table == Some(TableType::Gpt) {
            "gpt"
        } else {
            "dos"
        },
        "{origin}"
    );
    assert_eq!(parts.len(), placed.len(), "{origin}: partition count");
    for (p, (start, sectors, _)) in placed.iter().zip(&parts) {
        assert_eq!(
            (p.start / 512, p.len() / 512),
            (*start, *sectors),
            "{origin}: partition geometry"
        );
    }
    if layout.table == Some(TableType::Gpt) {
        let (code, out, err) = run("sgdisk", &["-v", &image.display().to_string()]);
        assert!(
            code == 0 && out.contains("No problems found"),
            "{origin}: sgdisk: {out}{err}"
        );
    } else {
        let (code, out, err) = run("sfdisk", &["--verify", &image.display().to_string()]);
        assert_eq!(code, 0, "{origin}: sfdisk --verify: {out}{err}");
    }
    let scratch = tempfile::tempdir().unwrap();
    for p in &placed {
        let part = &layout.partitions[p.index];
        let Some(fs) = part.fs else { continue };
        let spec = format!("{}?offset={}", image.display(), p.start);
        match fs {
            Filesystem::Vfat => {
                let extracted = scratch.path().join(format!("{}.vfat", part.name));
                extract(image, p.start, p.len(), &extracted);
                let (code, out, err) = run("fsck.vfat", &["-n", &extracted.display().to_string()]);
                assert_eq!(code, 0, "{origin}: fsck.vfat {}: {out}{err}", part.name);
                if let Some(label) = &part.label {
                    let (_, out, _) = run(
                        "mlabel",
                        &[
                            "-s",
                            "-i",
                            &format!("{}@@{}", image.display(), p.start),
                            "::",
                        ],
                    );
                    assert!(
                        out.contains(label.as_str()),
                        "{origin}: label of {}: {out}",
                        part.name
                    );
                }
            }
            Filesystem::Ext4 => {
                let (code, out, err) = run("e2fsck", &["-fn", &spec]);
                assert_eq!(code, 0, "{origin}: e2fsck {}: {out}{err}", part.name);
                if let Some(label) = &part.label {
                    let (_, out, _) = run("dumpe2fs", &["-h", &spec]);
                    assert!(
                        out.contains(&format!("volume name:   {label}")),
                        "{origin}: label of {}",
                        part.name
                    );
                }
            }
        }
        if with_files {
            let expected = expected_files(layout, images, &part.name);
            for (inner, source) in expected {
                let got = read_file_in(image, p.start, fs, &inner);
                assert!(
                    got == std::fs::read(&source).unwrap(),
                    "{origin}: {}:{inner} differs from {}",
                    part.name,
                    source.display()
                );
                if fs == Filesystem::Ext4 {
                    let (_, out, _) = run("debugfs", &["-R", &format!("stat \"{inner}\""), &spec]);
                    assert!(
                        out.contains("User:     0   Group:     0"),
                        "{origin}: {inner} owned by root: {out}"
                    );
                }
            }
            for pick in layout.boot.iter().filter(|b| b.to.partition == part.name) {
                let name = &pick.pick[0];
                let got = read_file_in(image, p.start, fs, &format!("{}{name}", pick.to.path));
                assert!(
                    String::from_utf8_lossy(&got).starts_with(&format!("# {name}")),
                    "{origin}: boot pick {name}"
                );
                if let Some(compiled) = &pick.mkimage {
                    let scr =
                        read_file_in(image, p.start, fs, &format!("{}{compiled}", pick.to.path));
                    assert_eq!(
                        &scr[..4],
                        &[0x27, 0x05, 0x19, 0x56],
                        "{origin}: {compiled} is a uImage"
                    );
                    assert_eq!(scr[30], 6, "{origin}: {compiled} is a script image");
                }
            }
        }
    }
    for raw in &layout.raw {
        let source = std::fs::read(images.join(&raw.file)).unwrap();
        let body = &source[raw.skip.0 as usize..];
        let n = raw.length.map_or(body.len(), |l| l.0 as usize);
        assert!(
            read_range(image, raw.offset.0, n) == body[..n],
            "{origin}: raw {} at {}",
            raw.file,
            raw.offset.0
        );
    }
}

#[test]
fn every_tree_layout_builds_a_card_image_that_real_tools_accept() {
    let layouts: Vec<Layout> = tree_layouts().into_iter().map(|(_, l)| l).collect();
    assert!(!layouts.is_empty(), "the tree has card layouts");
    let fx = fixture(&layouts);
    for layout in &layouts {
        let size = test_card_size(layout);
        let out = fx.dir.path().join("card.img");
        let _ = std::fs::remove_file(&out);
        write_card(&fx, layout, size, CardMode::Build, &out, FileMode::Replace);
        check_card(&out, layout, size, &fx.images, true);
        let allocated =
            std::os::unix::fs::MetadataExt::blocks(&std::fs::metadata(&out).unwrap()) * 512;
        assert!(
            allocated < 400 * MIB,
            "{}: the image stays sparse ({allocated} bytes used)",
            layout.origin
        );
    }
}

/// A GPT board with bootloaders between the table and the first partition (RK3399 style).
const GPT_LAYOUT: &str = r#"
about: test GPT card with idbloader and u-boot between the table and the partitions
table: gpt
partitions:
  - { name: boot, type: efi, fs: vfat, label: EFI, mkfs: ["-F", "32"], start: 16MiB, size: 64MiB, flags: [bootable] }
  - { name: rootfs, type: linux, fs: ext4, label: rootfs, size: 96MiB }
  - { name: persist, type: linux, fs: ext4, label: persist, size: rest }
raw:
  - { file: idbloader.img, offset: 32KiB, max_len: 4064KiB }
  - { file: u-boot.itb, offset: 8MiB, max_len: 8MiB }
install:
  persist: persist
  copy:
    - { from: [Image, zImage], to: "boot:/" }
    - { from: "*.dtb", to: "boot:/dtbs/" }
    - { from: rootfs_part/, to: "rootfs:/" }
    - { from: persist_part/, to: "persist:/" }
"#;

/// An MBR board whose first-stage loader fills the boot-code area (Amlogic style).
const CODE_AREA_LAYOUT: &str = r#"
about: test MBR card with a loader head in the MBR code area and its tail from sector 1
table: mbr
partitions:
  - { name: boot, type: fat32, fs: vfat, label: BOOT, mkfs: ["-F", "32"], start: 4MiB, size: 64MiB }
  - { name: persist, type: linux, fs: ext4, label: persist, size: rest }
raw:
  - { file: bl1.bin, offset: 0, length: 440 }
  - { file: bl1.bin, offset: 512, skip: 512, max_len: 48KiB }
  - { file: u-boot.bin, offset: 97s, max_len: 1MiB }
install:
  persist: persist
  copy:
    - { from: zImage, to: "boot:/" }
    - { from: persist_part/, to: "persist:/" }
"#;

#[test]
fn gpt_card_with_bootloaders_between_table_and_partitions() {
    let layout = Layout::parse(GPT_LAYOUT, "gpt-test.yaml").unwrap();
    let fx = fixture(std::slice::from_ref(&layout));
    let out = fx.dir.path().join("gpt.img");
    write_card(
        &fx,
        &layout,
        512 * MIB,
        CardMode::Build,
        &out,
        FileMode::Replace,
    );
    check_card(&out, &layout, 512 * MIB, &fx.images, true);
    let (_, out_text, _) = run("sgdisk", &["-i", "1", &out.display().to_string()]);
    assert!(
        out_text.contains("C12A7328-F81F-11D2-BA4B-00A0C93EC93B"),
        "ESP type: {out_text}"
    );
    assert!(out_text.contains("Partition name: 'boot'"), "{out_text}");
}

#[test]
fn format_then_install_keeps_persist_and_the_table() {
    for text in [CODE_AREA_LAYOUT, GPT_LAYOUT] {
        let layout = Layout::parse(text, "install-test.yaml").unwrap();
        let fx = fixture(std::slice::from_ref(&layout));
        let card = fx.dir.path().join("card.img");
        std::fs::File::create(&card)
            .unwrap()
            .set_len(512 * MIB)
            .unwrap();
        write_card(
            &fx,
            &layout,
            512 * MIB,
            CardMode::Format,
            &card,
            FileMode::InPlace,
        );
        check_card(&card, &layout, 512 * MIB, &fx.images, false);
        let table_before = read_range(&card, 446, 66);

        // The user's data on persist, put there as the running system would.
        let placed = layout.place(Some(512 * MIB));
        let persist = placed
            .iter()
            .find(|p| layout.partitions[p.index].name == "persist")
            .unwrap();
        let spec = format!("{}?offset={}", card.display(), persist.start);
        let marker = fx.dir.path().join("marker");
        std::fs::write(&marker, b"user data").unwrap();
        let (code, _, err) = run(
            "debugfs",
            &[
                "-w",
                "-R",
                &format!("write {} /user-data", marker.display()),
                &spec,
            ],
        );
        assert_eq!(code, 0, "{err}");

        let events = write_card(
            &fx,
            &layout,
            512 * MIB,
            CardMode::Install,
            &card,
            FileMode::InPlace,
        );
        assert!(events.iter().any(|e| matches!(e, FlashEvent::Notice { message } if message.contains("kept partition persist"))));
        check_card(&card, &layout, 512 * MIB, &fx.images, true);
        assert_eq!(
            read_range(&card, 446, 66),
            table_before,
            "{}: the table is kept",
            layout.about
        );
        let (code, out, _) = run("debugfs", &["-R", "cat /user-data", &spec]);
        assert_eq!(
            (code, out.as_str()),
            (0, "user data"),
            "{}: persist data kept",
            layout.about
        );

        // Installing twice replaces files and keeps the file system clean.
        write_card(
            &fx,
            &layout,
            512 * MIB,
            CardMode::Install,
            &card,
            FileMode::InPlace,
        );
        check_card(&card, &layout, 512 * MIB, &fx.images, true);
    }
}

#[test]
fn install_refuses_a_card_without_the_layout() {
    let layout = Layout::parse(CODE_AREA_LAYOUT, "t.yaml").unwrap();
    let fx = fixture(std::slice::from_ref(&layout));
    let card = fx.dir.path().join("blank.img");
    std::fs::File::create(&card)
        .unwrap()
        .set_len(256 * MIB)
        .unwrap();
    let work = tempfile::tempdir_in(fx.dir.path()).unwrap();
    let plan = assemble(
        &CardRequest {
            layout: &layout,
            card_size: 256 * MIB,
            images: &fx.images,
            layers: std::slice::from_ref(&fx.layer),
            arch: "arm",
            mode: CardMode::Install,
            work: work.path(),
            existing: None,
        },
        &SystemTools,
    )
    .unwrap();
    let plan = flash_plan(&plan, file_target(&card, FileMode::InPlace), true);
    let mut sink = |_: FlashEvent| {};
    let err = execute(&plan, &env(fx.dir.path()), &mut sink, &CancelToken::new()).unwrap_err();
    assert!(err.to_string().contains("format it first"), "{err}");
    assert!(
        read_range(&card, 0, 1 << 20).iter().all(|b| *b == 0),
        "nothing written"
    );
}

#[test]
fn tools_are_called_with_explicit_geometry_and_nothing_is_mounted() {
    let layout = Layout::parse(CODE_AREA_LAYOUT, "t.yaml").unwrap();
    let fx = fixture(std::slice::from_ref(&layout));
    let work = tempfile::tempdir_in(fx.dir.path()).unwrap();
    let tools = Recording::new(SystemTools);
    assemble(
        &CardRequest {
            layout: &layout,
            card_size: 256 * MIB,
            images: &fx.images,
            layers: std::slice::from_ref(&fx.layer),
            arch: "arm",
            mode: CardMode::Build,
            work: work.path(),
            existing: None,
        },
        &tools,
    )
    .unwrap();
    let calls = tools.calls();
    let programs: Vec<&str> = calls.iter().map(|c| c.program.as_str()).collect();
    assert!(
        !programs
            .iter()
            .any(|p| p.contains("mount") || *p == "losetup"),
        "{programs:?}"
    );
    let mkfs_fat = calls.iter().find(|c| c.program == "mkfs.fat").unwrap();
    let h = mkfs_fat.args.iter().position(|a| a == "-h").unwrap();
    assert_eq!(
        mkfs_fat.args[h + 1],
        (4 * MIB / 512).to_string(),
        "hidden sectors = partition start"
    );
    let mke2fs = calls.iter().find(|c| c.program == "mke2fs").unwrap();
    assert!(mke2fs.args.iter().any(|a| a.contains("nodiscard")));
    assert_eq!(
        mke2fs.args.last().unwrap(),
        &((256 - 68) * MIB / 4096).to_string(),
        "explicit block count"
    );
    assert!(calls.iter().any(|c| c.program == "mcopy"));
}

#[test]
fn a_missing_tool_names_its_package() {
    let layout = Layout::parse(CODE_AREA_LAYOUT, "t.yaml").unwrap();
    let fx = fixture(std::slice::from_ref(&layout));
    let work = tempfile::tempdir_in(fx.dir.path()).unwrap();
    let tools = Missing {
        inner: SystemTools,
        program: "mkfs.fat".into(),
    };
    let req = CardRequest {
        layout: &layout,
        card_size: 256 * MIB,
        images: &fx.images,
        layers: std::slice::from_ref(&fx.layer),
        arch: "arm",
        mode: CardMode::Format,
        work: work.path(),
        existing: None,
    };
    let err = assemble(&req, &tools).err().unwrap();
    assert!(err.to_string().contains("install dosfstools"), "{err}");
}

#[test]
fn a_layout_that_does_not_fit_is_refused() {
    let layout = Layout::parse(GPT_LAYOUT, "gpt-test.yaml").unwrap();
    let fx = fixture(std::slice::from_ref(&layout));
    let work = tempfile::tempdir_in(fx.dir.path()).unwrap();
    let req = CardRequest {
        layout: &layout,
        card_size: 128 * MIB,
        images: &fx.images,
        layers: std::slice::from_ref(&fx.layer),
        arch: "arm",
        mode: CardMode::Format,
        work: work.path(),
        existing: None,
    };
    let err = assemble(&req, &SystemTools).err().unwrap();
    assert!(err.to_string().contains("does not fit"), "{err}");
    std::fs::remove_file(fx.images.join("u-boot.itb")).unwrap();
    let req = CardRequest {
        card_size: 512 * MIB,
        ..req
    };
    let err = assemble(&req, &SystemTools).err().unwrap();
    assert!(err.to_string().contains("u-boot.itb"), "{err}");
}

#[test]
fn layouts_without_a_card_are_refused_with_their_own_instructions() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("configs");
    let mut refused = 0;
    for dir in ["jetson/nano", "jetson/tx2", "virt/qemu", "intel/x64"] {
        let layout = Layout::load(&root.join(dir).join("layout.yaml")).unwrap();
        let fx = fixture(std::slice::from_ref(&layout));
        let work = tempfile::tempdir_in(fx.dir.path()).unwrap();
        let req = CardRequest {
            layout: &layout,
            card_size: 1 << 30,
            images: &fx.images,
            layers: std::slice::from_ref(&fx.layer),
            arch: "arm",
            mode: CardMode::Format,
            work: work.path(),
            existing: None,
        };
        let err = assemble(&req, &SystemTools).err().unwrap();
        assert!(
            err.to_string().contains("does not write to a card"),
            "{dir}: {err}"
        );
        refused += 1;
    }
    assert_eq!(refused, 4);
}

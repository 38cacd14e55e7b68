//! Layout format tests: the validator's failing cases, parse errors that name file and field, drawing, and every layout file of the bundled tree.

use skiff::model::layout::{Kind, Layout, LayoutError, MIB, Severity};

const SUNXI: &str = r#"
about: test sunxi card
table: mbr
wipe: 4900KiB
partitions:
  - name: boot
    type: fat32
    fs: vfat
    label: boot
    start: 1MiB
    end: 1GiB
    flags: [bootable]
  - name: persist
    type: linux
    fs: ext4
    label: persist
    mkfs: ["-O", "^64bit"]
    size: rest
    min: 64MiB
raw:
  - file: u-boot-sunxi-with-spl.bin
    offset: 8KiB
    max_len: 1016KiB
install:
  persist: persist
  swapfile: { to: "persist:/primary.swap", size: 2000MiB }
  copy:
    - from: [zImage, Image]
      to: "boot:/"
    - from: rootfs_part/
      to: "persist:/rootfs/"
boot:
  - dir: resources/boot-scripts
    pick: [boot.txt, boot.ini]
    to: "boot:/"
    mkimage: boot.scr
"#;

fn parse(text: &str) -> Layout {
    Layout::parse(text, "test/layout.yaml").unwrap_or_else(|e| panic!("{e}"))
}

fn errors_of(l: &Layout, card: Option<u64>) -> Vec<String> {
    l.check(card)
        .issues
        .iter()
        .filter(|i| i.severity == Severity::Error)
        .map(|i| format!("{}: {}", i.field, i.message))
        .collect()
}

#[test]
fn good_layout_passes_and_knows_its_minimum() {
    let l = parse(SUNXI);
    assert_eq!(l.kind, Kind::Card);
    assert_eq!(l.min_card_size(), (1 << 30) + 64 * MIB);
    let r = l.check(Some(8 << 30));
    assert!(r.is_ok(), "{r}");
    assert_eq!(r.issues, vec![]);
    assert_eq!(l.persist().map(|p| p.name.as_str()), Some("persist"));
}

#[test]
fn too_small_card_fails() {
    let l = parse(SUNXI);
    let errs = errors_of(&l, Some(1 << 30));
    assert!(errs.iter().any(|e| e.starts_with("card size")), "{errs:?}");
    assert!(
        errs.iter()
            .any(|e| e.contains("persist") && e.contains("only")),
        "{errs:?}"
    );
}

#[test]
fn raw_write_over_partition_table_fails() {
    let l = parse(&SUNXI.replace("offset: 8KiB", "offset: 256"));
    let errs = errors_of(&l, Some(8 << 30));
    assert!(
        errs.iter()
            .any(|e| e.contains("overlaps the partition table")),
        "{errs:?}"
    );
}

#[test]
fn raw_write_over_partition_fails() {
    let l = parse(&SUNXI.replace("max_len: 1016KiB", "max_len: 2MiB"));
    let errs = errors_of(&l, Some(8 << 30));
    assert!(
        errs.iter()
            .any(|e| e.starts_with("raw[0]") && e.contains("partition `boot`")),
        "{errs:?}"
    );
}

#[test]
fn gpt_primary_table_blocks_sunxi_offset() {
    let l = parse(&SUNXI.replace("table: mbr", "table: gpt"));
    let errs = errors_of(&l, Some(8 << 30));
    assert!(
        errs.iter()
            .any(|e| e.contains("overlaps the partition table")),
        "{errs:?}"
    );
}

#[test]
fn overlapping_partitions_fail() {
    let l = parse(&SUNXI.replace("    size: rest\n", "    start: 512MiB\n    size: rest\n"));
    let errs = errors_of(&l, Some(8 << 30));
    assert!(
        errs.iter().any(|e| e.contains("overlaps partition `boot`")),
        "{errs:?}"
    );
}

#[test]
fn misalignment_is_a_warning() {
    let l = parse(&SUNXI.replace("start: 1MiB", "start: 1028KiB"));
    let r = l.check(Some(8 << 30));
    assert!(r.is_ok(), "{r}");
    assert!(
        r.warnings().any(|w| w.field.ends_with("(boot).start")),
        "{r}"
    );
}

#[test]
fn unknown_field_names_file_and_field() {
    let e = Layout::parse(
        &SUNXI.replace("label: boot", "lable: boot"),
        "x/layout.yaml",
    )
    .unwrap_err();
    let msg = e.to_string();
    assert!(matches!(e, LayoutError::Syntax { line: Some(_), .. }));
    assert!(
        msg.starts_with("x/layout.yaml: partitions[0]: unknown field `lable`"),
        "{msg}"
    );
}

#[test]
fn structural_errors_name_the_field() {
    let cases = [
        (
            SUNXI.replace("persist: persist\n", "persist: data\n"),
            "install.persist",
        ),
        (
            SUNXI.replace(
                "    size: rest\n    min: 64MiB\n",
                "    end: 2GiB\n    size: 3GiB\n",
            ),
            "partitions[1] (persist)",
        ),
        (
            SUNXI.replace("type: linux", "type: 0FC63DAF-8483-4772-8E79-3D69D8477DE4"),
            "partitions[1] (persist).type",
        ),
        (
            SUNXI.replace("label: boot", "label: BOOTPARTITION"),
            "partitions[0] (boot).label",
        ),
        (
            SUNXI.replace("    max_len: 1016KiB\n", ""),
            "raw[0] (u-boot-sunxi-with-spl.bin)",
        ),
        (
            SUNXI.replace("to: \"boot:/\"\n    mkimage", "to: \"efi:/\"\n    mkimage"),
            "boot[0].to",
        ),
        (SUNXI.replace("offset: 8KiB", "offset: 8K"), ""),
    ];
    for (text, field) in cases {
        let e = Layout::parse(&text, "f.yaml").unwrap_err().to_string();
        assert!(
            e.starts_with("f.yaml: ") && e.contains(field),
            "{field}: {e}"
        );
    }
}

#[test]
fn usb_recovery_needs_no_card_but_says_what_it_makes() {
    let text = "kind: usb-recovery\nabout: tx2\nproduces:\n  - file: skiffos.ext2\n    about: persist image\nflash_with: L4T flash.sh over USB\n";
    let l = parse(text);
    assert!(!l.has_card());
    assert_eq!(l.min_card_size(), 0);
    assert!(l.check(None).is_ok());
    assert!(Layout::parse(&format!("{text}table: gpt\n"), "f").is_err());
    assert!(Layout::parse("kind: image\nabout: x\n", "f").is_err());
}

#[test]
fn drawing_is_proportional() {
    let l = parse(SUNXI);
    let bar = l.bar(8 << 30, 64);
    assert_eq!(bar.chars().count(), 66);
    let ones = bar.matches('1').count();
    let twos = bar.matches('2').count();
    assert!(twos > 5 * ones, "{bar}");
    assert!(bar.starts_with("|#"), "{bar}");
    assert!(bar.contains('!'), "{bar}");
    let text = l.render(8 << 30, 64);
    assert!(text.contains("u-boot-sunxi-with-spl.bin"), "{text}");
    assert!(text.contains("ext4 \"persist\""), "{text}");
}

#[test]
fn raw_write_size_limits() {
    let l = parse(SUNXI);
    let r = &l.raw[0];
    assert_eq!(r.bytes_to_write(500_000), Ok(500_000));
    assert!(r.bytes_to_write(2 << 20).is_err());
}

fn tree_layouts() -> Vec<std::path::PathBuf> {
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        let Ok(rd) = std::fs::read_dir(dir) else {
            return;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.file_name().is_some_and(|n| n == "layout.yaml") {
                out.push(p);
            }
        }
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    walk(&root.join("configs"), &mut out);
    walk(&root.join("configs-base"), &mut out);
    out.sort();
    out
}

#[test]
fn every_tree_layout_parses_and_validates() {
    let files = tree_layouts();
    assert!(!files.is_empty(), "no layout.yaml under configs/");
    let mut failures = Vec::new();
    for f in &files {
        let l = match Layout::load(f) {
            Ok(l) => l,
            Err(e) => {
                failures.push(e.to_string());
                continue;
            }
        };
        // Checked on its own default size and on common card sizes it fits.
        let mut sizes = vec![None, Some(32_000_000_000u64), Some(256 << 30)];
        if l.has_card() && l.min_card_size() <= 16_000_000_000 {
            sizes.push(Some(16_000_000_000));
        }
        for size in sizes {
            let r = l.check(size);
            if !r.is_ok() || r.warnings().next().is_some() {
                failures.push(format!("{r}"));
            }
        }
        // A layout file sits at the top level of a layer directory.
        let layer = f.parent().unwrap();
        assert!(
            layer.join("metadata").is_dir(),
            "{} is not at a layer's top level",
            f.display()
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

mod properties {
    use proptest::prelude::*;
    use skiff::model::layout::{Layout, SECTOR};

    #[derive(Debug, Clone)]
    struct Part {
        start: Option<u64>,
        size: u64,
    }

    fn yaml(gpt: bool, parts: &[Part], rest_last: bool, raws: &[(u64, u64)]) -> String {
        let mut s = format!(
            "about: generated\ntable: {}\npartitions:\n",
            if gpt { "gpt" } else { "mbr" }
        );
        for (i, p) in parts.iter().enumerate() {
            s.push_str(&format!("  - name: p{i}\n    type: linux\n    fs: ext4\n"));
            if let Some(st) = p.start {
                s.push_str(&format!("    start: {}s\n", st));
            }
            if rest_last && i == parts.len() - 1 {
                s.push_str("    size: rest\n");
            } else {
                s.push_str(&format!("    size: {}s\n", p.size));
            }
        }
        if !raws.is_empty() {
            s.push_str("raw:\n");
            for (i, (off, len)) in raws.iter().enumerate() {
                s.push_str(&format!(
                    "  - file: blob{i}.bin\n    offset: {off}\n    max_len: {len}\n"
                ));
            }
        }
        s.push_str("install:\n  persist: p0\n");
        s
    }

    fn part() -> impl Strategy<Value = Part> {
        (proptest::option::of(0u64..131_072), 1u64..65_536)
            .prop_map(|(start, size)| Part { start, size })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        #[test]
        fn validator_is_consistent(
            gpt in any::<bool>(),
            parts in proptest::collection::vec(part(), 1..5),
            rest_last in any::<bool>(),
            raws in proptest::collection::vec((0u64..4_194_304, 1u64..2_097_152), 0..3),
            card_sectors in 1u64..(1 << 31),
            width in 8usize..120,
        ) {
            let text = yaml(gpt, &parts, rest_last, &raws);
            let Ok(l) = Layout::parse(&text, "prop.yaml") else { return Ok(()) };
            let card = card_sectors * SECTOR;
            let r = l.check(Some(card));
            let bar = l.bar(card, width);
            let regions = l.regions(card);
            if regions.len() <= width {
                prop_assert_eq!(bar.chars().count(), width + 2);
            }
            if r.is_ok() {
                let placed = l.place(Some(card));
                for (i, a) in placed.iter().enumerate() {
                    prop_assert!(a.start >= l.first_usable() && a.end <= l.usable_end(card) && a.start < a.end);
                    for b in &placed[i + 1..] {
                        prop_assert!(a.end <= b.start || b.end <= a.start, "{:?} {:?}", a, b);
                    }
                    for j in 0..l.raw.len() {
                        let (s, e) = l.raw_span(j).unwrap();
                        prop_assert!(e <= a.start || a.end <= s);
                    }
                }
                // Fitting a card means fitting any bigger one (below MBR's 2 TiB limit).
                prop_assert!(l.check(Some(card * 2)).is_ok(), "{}", l.check(Some(card * 2)));
                prop_assert!(card >= l.min_card_size());
            }
        }
    }
}

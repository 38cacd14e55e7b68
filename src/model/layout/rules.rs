//! Structural rules a layout must satisfy to parse at all (fields that belong together, names that resolve); geometry is judged later by `check`.

use std::collections::HashSet;

use super::{Filesystem, Kind, Layout, PartSize, Partition, TableType};

/// A rule violation: (field path, message).
pub type RuleError = (String, String);

fn err<T>(field: impl Into<String>, msg: impl Into<String>) -> Result<T, RuleError> {
    Err((field.into(), msg.into()))
}

/// Field path of partition `i`, e.g. `partitions[1] (rootfs)`.
pub fn part_field(i: usize, p: &Partition) -> String {
    format!("partitions[{i}] ({})", p.name)
}

/// Checks the structure of a freshly deserialized layout.
pub fn validate(l: &Layout) -> Result<(), RuleError> {
    if l.about.trim().is_empty() {
        return err("about", "say in one line what this layout is for");
    }
    match l.kind {
        Kind::Card => card(l)?,
        Kind::VendorCard => vendor_card(l)?,
        Kind::UsbRecovery | Kind::Image => no_card(l)?,
    }
    if let Some(a) = l.align
        && (a.0 < 512 || a.0 % 512 != 0)
    {
        return err(
            "align",
            "must be a non-zero multiple of 512 bytes, e.g. 1MiB",
        );
    }
    partitions(l)?;
    raw(l)?;
    install(l)?;
    boot(l)
}

fn card(l: &Layout) -> Result<(), RuleError> {
    if l.table.is_none() {
        return err("table", "a card layout needs `table: mbr` or `table: gpt`");
    }
    if l.partitions.is_empty() {
        return err("partitions", "a card layout needs at least one partition");
    }
    if l.install.is_none() {
        return err(
            "install",
            "a card layout needs an install section naming the persist partition",
        );
    }
    no_artifacts(l)
}

fn vendor_card(l: &Layout) -> Result<(), RuleError> {
    if l.partitions.is_empty() {
        return err(
            "partitions",
            "list the partitions skiff uses, each with its `number`",
        );
    }
    if !l.raw.is_empty() {
        return err(
            "raw",
            "kind vendor-card: the vendor tool writes the bootloader; remove `raw`",
        );
    }
    if l.install.is_none() {
        return err(
            "install",
            "a vendor-card layout needs an install section naming the persist partition",
        );
    }
    if l.flash_with.is_none() {
        return err(
            "flash_with",
            "say which vendor tool writes the partition table",
        );
    }
    Ok(())
}

fn no_artifacts(l: &Layout) -> Result<(), RuleError> {
    if !l.produces.is_empty() {
        return err(
            "produces",
            "only layouts without a card (usb-recovery, image) list products",
        );
    }
    if l.flash_with.is_some() {
        return err(
            "flash_with",
            "only layouts without a skiff-written table say what flashes them",
        );
    }
    Ok(())
}

fn no_card(l: &Layout) -> Result<(), RuleError> {
    let present = [
        ("table", l.table.is_some()),
        ("wipe", l.wipe.is_some()),
        ("image_size", l.image_size.is_some()),
        ("partitions", !l.partitions.is_empty()),
        ("raw", !l.raw.is_empty()),
        ("install", l.install.is_some()),
        ("boot", !l.boot.is_empty()),
    ];
    if let Some((field, _)) = present.iter().find(|(_, p)| *p) {
        return err(*field, "this layout kind has no card; remove the field");
    }
    if l.produces.is_empty() {
        return err(
            "produces",
            "list the files the build produces for this target",
        );
    }
    if l.flash_with.as_deref().is_none_or(|s| s.trim().is_empty()) {
        return err("flash_with", "say how the build output reaches the device");
    }
    Ok(())
}

fn partitions(l: &Layout) -> Result<(), RuleError> {
    let mut names = HashSet::new();
    let mut numbers = HashSet::new();
    if l.table == Some(TableType::Mbr) && l.partitions.len() > 4 {
        return err(
            "partitions",
            "an MBR table holds at most 4 primary partitions",
        );
    }
    let last = l.partitions.len().saturating_sub(1);
    for (i, p) in l.partitions.iter().enumerate() {
        let f = part_field(i, p);
        if p.name.is_empty()
            || p.name.len() > 36
            || !p
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return err(
                format!("partitions[{i}].name"),
                "use 1 to 36 characters from A-Z a-z 0-9 _ -",
            );
        }
        if !names.insert(p.name.as_str()) {
            return err(format!("{f}.name"), "another partition has the same name");
        }
        if l.kind == Kind::VendorCard {
            let Some(n) = p.number else {
                return err(
                    format!("{f}.number"),
                    "kind vendor-card: give the partition number",
                );
            };
            if n == 0 || !numbers.insert(n) {
                return err(
                    format!("{f}.number"),
                    "numbers start at 1 and must be unique",
                );
            }
            if p.start.is_some() || p.size.is_some() || p.end.is_some() {
                return err(
                    f,
                    "kind vendor-card: the vendor tool places partitions; remove start/size/end",
                );
            }
        } else {
            placement(i, p, i == last)?;
        }
        if let Some(t) = &p.type_id {
            let ok = match l.table {
                Some(TableType::Mbr) => t.mbr_byte().is_some(),
                Some(TableType::Gpt) => t.gpt_guid().is_some(),
                None => true,
            };
            if !ok {
                return err(
                    format!("{f}.type"),
                    format!("type {t} cannot be used in this partition table"),
                );
            }
        }
        filesystem(&f, p)?;
    }
    Ok(())
}

fn placement(i: usize, p: &Partition, is_last: bool) -> Result<(), RuleError> {
    let f = part_field(i, p);
    if p.number.is_some() {
        return err(
            format!("{f}.number"),
            "only kind vendor-card numbers partitions; table order is the number",
        );
    }
    if p.type_id.is_none() {
        return err(
            format!("{f}.type"),
            "give the partition type (fat32, linux, efi, 0x.. or a GPT GUID)",
        );
    }
    match (p.size, p.end) {
        (Some(_), Some(_)) => return err(&f, "give `size` or `end`, not both"),
        (None, None) => return err(&f, "give `size` (bytes or `rest`) or `end`"),
        _ => {}
    }
    if p.size == Some(PartSize::Rest) && !is_last {
        return err(
            format!("{f}.size"),
            "only the last partition can take the rest of the card",
        );
    }
    if p.min.is_some() && p.size != Some(PartSize::Rest) {
        return err(
            format!("{f}.min"),
            "`min` only applies to a `size: rest` partition",
        );
    }
    if p.size == Some(PartSize::Bytes(0)) {
        return err(format!("{f}.size"), "a partition cannot be empty");
    }
    if let (Some(s), Some(e)) = (p.start, p.end)
        && e <= s
    {
        return err(format!("{f}.end"), "the end must lie after the start");
    }
    for (name, v) in [("start", p.start), ("end", p.end)] {
        if let Some(v) = v
            && v.0 % 512 != 0
        {
            return err(
                format!("{f}.{name}"),
                format!("{} is not a multiple of 512 bytes", v.0),
            );
        }
    }
    if let Some(PartSize::Bytes(n)) = p.size
        && n % 512 != 0
    {
        return err(
            format!("{f}.size"),
            format!("{n} is not a multiple of 512 bytes"),
        );
    }
    Ok(())
}

fn filesystem(f: &str, p: &Partition) -> Result<(), RuleError> {
    match p.fs {
        None if !p.mkfs.is_empty() || p.label.is_some() => err(
            f,
            "`mkfs` and `label` need a filesystem (`fs: vfat` or `fs: ext4`)",
        ),
        Some(Filesystem::Vfat)
            if p.label
                .as_ref()
                .is_some_and(|l| l.len() > 11 || !l.is_ascii()) =>
        {
            err(
                format!("{f}.label"),
                "a vfat label has at most 11 ASCII characters",
            )
        }
        Some(Filesystem::Ext4) if p.label.as_ref().is_some_and(|l| l.len() > 16) => {
            err(format!("{f}.label"), "an ext4 label has at most 16 bytes")
        }
        _ => Ok(()),
    }
}

/// Rejects absolute paths and `..` in paths relative to `images/` or to a layer.
fn relative(field: String, path: &str) -> Result<(), RuleError> {
    if path.is_empty() || path.starts_with('/') || path.split('/').any(|c| c == "..") {
        return err(
            field,
            format!("`{path}` must be a relative path without `..`"),
        );
    }
    Ok(())
}

fn raw(l: &Layout) -> Result<(), RuleError> {
    for (i, r) in l.raw.iter().enumerate() {
        let f = format!("raw[{i}] ({})", r.file);
        relative(format!("{f}.file"), &r.file)?;
        match (r.length, r.max_len) {
            (None, None) => {
                return err(
                    &f,
                    "give `length` or `max_len` so the space this write uses can be checked",
                );
            }
            (Some(len), Some(max)) if len > max => {
                return err(format!("{f}.length"), "length is larger than max_len");
            }
            (Some(len), _) | (None, Some(len)) if len.0 == 0 => {
                return err(&f, "a raw write of 0 bytes does nothing; remove it");
            }
            _ => {}
        }
    }
    Ok(())
}

fn has_fs(l: &Layout, field: String, name: &str) -> Result<(), RuleError> {
    match l.partition(name) {
        None => err(field, format!("no partition is named `{name}`")),
        Some(p) if p.fs.is_none() => err(
            field,
            format!("partition `{name}` has no filesystem to copy into"),
        ),
        Some(_) => Ok(()),
    }
}

fn install(l: &Layout) -> Result<(), RuleError> {
    let Some(ins) = &l.install else { return Ok(()) };
    has_fs(l, "install.persist".into(), &ins.persist)?;
    if let Some(sw) = &ins.swapfile {
        has_fs(l, "install.swapfile.to".into(), &sw.to.partition)?;
        if sw.to.is_dir() {
            return err(
                "install.swapfile.to",
                "name the swap file, e.g. persist:/primary.swap",
            );
        }
    }
    for (i, c) in ins.copy.iter().enumerate() {
        let f = format!("install.copy[{i}]");
        if c.from.is_empty() {
            return err(format!("{f}.from"), "name at least one path under images/");
        }
        for src in &c.from {
            relative(format!("{f}.from"), src)?;
        }
        has_fs(l, format!("{f}.to"), &c.to.partition)?;
    }
    Ok(())
}

fn boot(l: &Layout) -> Result<(), RuleError> {
    for (i, b) in l.boot.iter().enumerate() {
        let f = format!("boot[{i}]");
        relative(format!("{f}.dir"), &b.dir)?;
        if b.pick.is_empty() || b.pick.iter().any(|n| n.is_empty() || n.contains('/')) {
            return err(format!("{f}.pick"), "list one or more file names (no `/`)");
        }
        if b.mkimage
            .as_ref()
            .is_some_and(|n| n.is_empty() || n.contains('/'))
        {
            return err(
                format!("{f}.mkimage"),
                "give a plain file name such as boot.scr",
            );
        }
        has_fs(l, format!("{f}.to"), &b.to.partition)?;
        if let Some(p) = &b.root_partuuid
            && l.partition(p).is_none()
        {
            return err(
                format!("{f}.root_partuuid"),
                format!("no partition is named `{p}`"),
            );
        }
    }
    Ok(())
}

//! The `layout.yaml` schema as Rust types: layout kinds, partitions, raw writes, install
//! rules, and the errors of reading one.

use serde::{Deserialize, Serialize};

use super::fields::{Dest, PartSize, PartType};
use super::units::{MIB, Size};

/// File name of a layer's layout, at the layer's top level.
pub const LAYOUT_FILE: &str = "layout.yaml";

/// Errors reading or parsing a layout file. Each names the file and the field at fault.
#[derive(Debug, thiserror::Error)]
pub enum LayoutError {
    #[error("{origin}: cannot read the layout file: {source}")]
    Read {
        origin: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{origin}: {message}")]
    Syntax {
        origin: String,
        /// 1-based line of the problem, when the YAML parser knows it.
        line: Option<usize>,
        message: String,
    },
    #[error("{origin}: {field}: {message}")]
    Invalid {
        origin: String,
        field: String,
        message: String,
    },
}

/// What a board's build produces and how it reaches the device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// skiff writes the partition table, filesystems and raw bootloader blobs itself.
    #[default]
    Card,
    /// A vendor tool writes the partition table; skiff uses the partitions it lists by number.
    VendorCard,
    /// The device is flashed over USB in recovery mode by the vendor's tool; there is no card.
    UsbRecovery,
    /// The build output is a file (container image, VM kernel and initrd, tarball).
    Image,
}

impl Kind {
    /// The name used in layout files.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Card => "card",
            Kind::VendorCard => "vendor-card",
            Kind::UsbRecovery => "usb-recovery",
            Kind::Image => "image",
        }
    }
}

/// Partition table type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TableType {
    /// DOS/MBR table: up to four primary partitions, table bytes 446..512 of sector 0.
    Mbr,
    /// GPT: protective MBR, header and entries in sectors 0..34, backup in the last 33 sectors.
    Gpt,
}

/// Filesystem created on a partition at format time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Filesystem {
    Vfat,
    Ext4,
}

/// Partition flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Flag {
    /// MBR active flag; on GPT the legacy-BIOS-bootable attribute.
    Bootable,
}

/// One partition of the table, in table order.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Partition {
    /// Identifier used by `install` and `boot`; also the GPT partition name.
    pub name: String,
    /// Partition number, only for `kind: vendor-card` (the vendor tool decides the order).
    #[serde(default)]
    pub number: Option<u32>,
    /// Type: alias (`fat32`, `fat16`, `linux`, `efi`), MBR byte (`0x0c`) or GPT type GUID.
    #[serde(rename = "type", default)]
    pub type_id: Option<PartType>,
    #[serde(default)]
    pub fs: Option<Filesystem>,
    /// Filesystem label (vfat: at most 11 characters, ext4: at most 16).
    #[serde(default)]
    pub label: Option<String>,
    /// Extra mkfs options, one argument per item (e.g. `["-O", "^64bit"]`).
    #[serde(default)]
    pub mkfs: Vec<String>,
    /// Start offset; default: the end of the previous partition rounded up to `align`.
    #[serde(default)]
    pub start: Option<Size>,
    /// Size in bytes or `rest`; give either `size` or `end`.
    #[serde(default)]
    pub size: Option<PartSize>,
    /// Exclusive end offset; give either `size` or `end`.
    #[serde(default)]
    pub end: Option<Size>,
    /// Smallest acceptable size of a `size: rest` partition (default 1 MiB).
    #[serde(default)]
    pub min: Option<Size>,
    #[serde(default)]
    pub flags: Vec<Flag>,
}

/// A file from `images/` written byte for byte at a fixed card offset (bootloaders).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawWrite {
    /// Path relative to the build's `images/` directory.
    pub file: String,
    /// Byte offset on the card.
    pub offset: Size,
    /// Bytes skipped at the start of the file (default 0).
    #[serde(default)]
    pub skip: Size,
    /// Copy exactly this many bytes (after `skip`); the file must hold at least that many.
    #[serde(default)]
    pub length: Option<Size>,
    /// Space reserved on the card; a longer file is refused at write time.
    #[serde(default)]
    pub max_len: Option<Size>,
    /// A missing file is skipped instead of failing the format.
    #[serde(default)]
    pub optional: bool,
}

/// What `install` does: copy rules, the persist partition it keeps, the swap file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Install {
    /// Partition kept by install (never reformatted) and grown to fill the card on first boot.
    pub persist: String,
    #[serde(default)]
    pub swapfile: Option<Swapfile>,
    #[serde(default)]
    pub copy: Vec<CopyRule>,
}

/// A swap file created by install when absent.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Swapfile {
    pub to: Dest,
    pub size: Size,
}

/// Copy `from` (relative to `images/`) to `to`. A list in `from` means "the first that exists".
/// A trailing `/` copies a directory's contents; `*` in the last component is a glob.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CopyRule {
    #[serde(deserialize_with = "super::fields::one_or_many")]
    pub from: Vec<String>,
    pub to: Dest,
    /// Nothing matching `from` is not an error.
    #[serde(default)]
    pub optional: bool,
}

/// A boot script or config picked from the stack's layers: the last layer of the chain whose
/// `dir` holds any of `pick` wins; inside it, the first name of `pick` that exists.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BootSelect {
    /// Directory inside a layer, e.g. `resources/boot-scripts`.
    pub dir: String,
    /// Candidate file names, best first.
    pub pick: Vec<String>,
    pub to: Dest,
    /// When the picked file ends in `.txt` or `.cmd`, also compile it with `mkimage -T script`
    /// to this name next to it (e.g. `boot.scr`).
    #[serde(default)]
    pub mkimage: Option<String>,
    /// Replace every `root=...` argument with `root=PARTUUID=<uuid of this partition>`.
    #[serde(default)]
    pub root_partuuid: Option<String>,
}

/// A file the build leaves in `images/` for kinds without a card.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Artifact {
    pub file: String,
    pub about: String,
}

/// A parsed and structurally valid layout file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Layout {
    /// The file (or other origin) this layout was read from; used in every message.
    #[serde(skip)]
    pub origin: String,
    #[serde(default)]
    pub kind: Kind,
    /// One line saying what the layout is for.
    pub about: String,
    #[serde(default)]
    pub table: Option<TableType>,
    /// Partition start alignment the board expects (default 1 MiB); starts off it are warned.
    #[serde(default)]
    pub align: Option<Size>,
    /// Bytes zeroed at the start of the card before partitioning.
    #[serde(default)]
    pub wipe: Option<Size>,
    /// Size of the image file a card image build creates; the layout must fit in it.
    #[serde(default)]
    pub image_size: Option<Size>,
    #[serde(default)]
    pub partitions: Vec<Partition>,
    #[serde(default)]
    pub raw: Vec<RawWrite>,
    #[serde(default)]
    pub install: Option<Install>,
    #[serde(default)]
    pub boot: Vec<BootSelect>,
    /// For kinds without a card: what the build produces.
    #[serde(default)]
    pub produces: Vec<Artifact>,
    /// For kinds without a card: how the output reaches the device (a sentence).
    #[serde(default)]
    pub flash_with: Option<String>,
}

impl Layout {
    /// True when skiff itself writes a partition table for this layout.
    pub fn has_card(&self) -> bool {
        self.kind == Kind::Card
    }

    /// The partition with this name.
    pub fn partition(&self, name: &str) -> Option<&Partition> {
        self.partitions.iter().find(|p| p.name == name)
    }

    /// The persist partition named by `install`, if any.
    pub fn persist(&self) -> Option<&Partition> {
        self.install
            .as_ref()
            .and_then(|i| self.partition(&i.persist))
    }

    /// Partition start alignment (default 1 MiB).
    pub fn alignment(&self) -> u64 {
        self.align.map_or(MIB, Size::bytes)
    }
}

impl Partition {
    /// MBR type byte for this partition, if its type has one.
    pub fn mbr_type(&self) -> Option<u8> {
        self.type_id.as_ref().and_then(PartType::mbr_byte)
    }

    /// GPT type GUID (upper case) for this partition, if its type has one.
    pub fn gpt_type(&self) -> Option<String> {
        self.type_id.as_ref().and_then(PartType::gpt_guid)
    }

    /// True when `flags` holds `bootable`.
    pub fn bootable(&self) -> bool {
        self.flags.contains(&Flag::Bootable)
    }
}

impl RawWrite {
    /// Bytes this write may occupy on the card: `length`, else `max_len` (rules make one present).
    pub fn reserved(&self) -> u64 {
        self.length.or(self.max_len).map_or(0, Size::bytes)
    }

    /// Checks a source file of `file_len` bytes against `skip`, `length` and `max_len`; returns
    /// the number of bytes to write.
    pub fn bytes_to_write(&self, file_len: u64) -> Result<u64, String> {
        let avail = file_len.checked_sub(self.skip.0).ok_or_else(|| {
            format!(
                "{} is {file_len} bytes, shorter than skip ({})",
                self.file, self.skip.0
            )
        })?;
        let n = match self.length {
            Some(len) if avail < len.0 => {
                return Err(format!(
                    "{} holds {avail} bytes after skip, fewer than length ({})",
                    self.file, len.0
                ));
            }
            Some(len) => len.0,
            None => avail,
        };
        match self.max_len {
            Some(max) if n > max.0 => Err(format!(
                "{} needs {n} bytes but only {} are reserved at offset {}",
                self.file, max.0, self.offset.0
            )),
            _ => Ok(n),
        }
    }
}

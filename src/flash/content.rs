//! What a source file is, by content: its container (raw, gz, xz, zstd, bzip2, zip), the size
//! it declares, and whether the decoded first sectors are a disk image. Every driver (CLI, TUI,
//! batch) refuses what is not a card image through this one rule, before a target is opened.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use super::declared::ReadAt;
use super::error::FlashError;
use super::zip::{self, Member};

/// The container of a source, recognised from its first bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Compression {
    None,
    Gzip,
    Xz,
    Zstd,
    Bzip2,
    /// A zip archive; one member is the image.
    Zip,
}

impl Compression {
    /// Recognises a compressed stream from its first bytes.
    pub fn from_magic(head: &[u8]) -> Compression {
        if head.starts_with(&[0x1f, 0x8b]) {
            Compression::Gzip
        } else if head.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0]) {
            Compression::Xz
        } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Compression::Zstd
        } else if head.len() >= 4 && head.starts_with(b"BZh") && (b'1'..=b'9').contains(&head[3]) {
            Compression::Bzip2
        } else {
            Compression::None
        }
    }
}

/// Decoded bytes inspected: enough for a GPT header on 4 KiB sectors, an ISO 9660 volume
/// descriptor at 32 KiB and the boot loaders card layouts place early.
const HEAD: usize = 40 * 1024;

/// What the first decoded sectors are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A GUID partition table (a protective MBR and the `EFI PART` header).
    Gpt,
    /// A DOS partition table with at least one partition.
    Mbr,
    /// An ISO 9660 image with a partition table (isohybrid), bootable from a card.
    IsoHybrid,
    /// A boot loader at the place a board layout puts it (Allwinner eGON, i.MX IVT).
    BootImage(&'static str),
    /// Anything else: not written without `--raw`.
    NotADiskImage,
}

/// The verdict on a source: the `kind`, the size it declares before decoding (xz index, zstd
/// frame header, zip entry), and words for people ("an MBR disk image", "XML text (a block
/// map?)").
#[derive(Clone, Debug)]
pub struct Recognised {
    pub kind: Kind,
    pub compression: Compression,
    pub declared_size: Option<u64>,
    pub description: String,
    /// The zip member that holds the image, for a zip.
    pub member: Option<Member>,
}

impl Recognised {
    pub fn is_disk_image(&self) -> bool {
        self.kind != Kind::NotADiskImage
    }
}

/// Classifies the first decoded bytes of an image.
pub fn classify(head: &[u8]) -> (Kind, String) {
    let at = |offset: usize, magic: &[u8]| {
        head.get(offset..offset + magic.len())
            .is_some_and(|b| b == magic)
    };
    let boot_signature = at(510, &[0x55, 0xaa]);
    if at(512, b"EFI PART") || at(4096, b"EFI PART") {
        return (Kind::Gpt, "a GPT disk image".into());
    }
    if at(0x8001, b"CD001") && boot_signature {
        return (Kind::IsoHybrid, "an ISO 9660 hybrid image".into());
    }
    if boot_signature && has_partition(head) {
        return (Kind::Mbr, "an MBR disk image".into());
    }
    if at(8192 + 4, b"eGON.BT0") {
        return (
            Kind::BootImage("Allwinner eGON"),
            "an Allwinner boot image (eGON at 8 KiB)".into(),
        );
    }
    if head.get(1024) == Some(&0xd1)
        && at(1025, &[0x00, 0x20])
        && matches!(head.get(1027), Some(0x40 | 0x41))
    {
        return (
            Kind::BootImage("i.MX IVT"),
            "an i.MX boot image (IVT at 1 KiB)".into(),
        );
    }
    (Kind::NotADiskImage, looks_like(head))
}

/// A DOS partition table entry with a type, a start and a length.
fn has_partition(head: &[u8]) -> bool {
    (0..4).any(|i| {
        let e = 446 + 16 * i;
        let Some(entry) = head.get(e..e + 16) else {
            return false;
        };
        let status_ok = entry[0] == 0 || entry[0] == 0x80;
        let start = u32::from_le_bytes([entry[8], entry[9], entry[10], entry[11]]);
        let len = u32::from_le_bytes([entry[12], entry[13], entry[14], entry[15]]);
        status_ok && entry[4] != 0 && start != 0 && len != 0
    })
}

/// Words for what a non-image looks like.
fn looks_like(head: &[u8]) -> String {
    let at = |offset: usize, magic: &[u8]| {
        head.get(offset..offset + magic.len())
            .is_some_and(|b| b == magic)
    };
    if head.is_empty() {
        return "empty".into();
    }
    if head.iter().all(|b| *b == 0) {
        return "all zero bytes (no partition table)".into();
    }
    let text = head.iter().skip_while(|b| b.is_ascii_whitespace());
    let start: Vec<u8> = text.take(64).copied().collect();
    if start.starts_with(b"<?xml") || start.starts_with(b"<") {
        let lower = String::from_utf8_lossy(head).to_ascii_lowercase();
        return if lower.contains("<bmap") {
            "XML text (a block map?)".into()
        } else {
            "XML text".into()
        };
    }
    if at(1024 + 56, &[0x53, 0xef]) {
        return "an ext2/3/4 file system (a partition image, not a whole card)".into();
    }
    if at(0, b"hsqs") {
        return "a SquashFS file system (a partition image, not a whole card)".into();
    }
    if at(510, &[0x55, 0xaa]) && (at(0x36, b"FAT") || at(0x52, b"FAT32")) {
        return "a FAT file system (a partition image, not a whole card)".into();
    }
    if at(0x8001, b"CD001") {
        return "an ISO 9660 image without a partition table (not bootable from a card)".into();
    }
    if at(0, b"\x7fELF") {
        return "an ELF program".into();
    }
    if at(0, &[0x27, 0x05, 0x19, 0x56]) {
        return "a U-Boot legacy image (uImage), not a whole card".into();
    }
    if at(257, b"ustar") {
        return "a tar archive (unpack it first)".into();
    }
    if at(0, b"7z\xbc\xaf\x27\x1c") {
        return "a 7-Zip archive (unpack it first)".into();
    }
    if at(0, b"Rar!") {
        return "a RAR archive (unpack it first)".into();
    }
    let utf8 = match std::str::from_utf8(head) {
        Ok(t) => Some(t),
        // A character cut at the end of the head is still text.
        Err(e) if e.error_len().is_none() => std::str::from_utf8(&head[..e.valid_up_to()]).ok(),
        Err(_) => None,
    };
    if utf8.is_some_and(|t| {
        t.chars()
            .all(|c| !c.is_control() || c.is_ascii_whitespace())
    }) {
        return "text".into();
    }
    "data with no partition table (random bytes?)".into()
}

fn compression_of(head: &[u8]) -> Compression {
    if zip::is_zip(head) {
        Compression::Zip
    } else {
        Compression::from_magic(head)
    }
}

fn io_error(path: &Path, e: std::io::Error) -> FlashError {
    FlashError::Source {
        path: path.to_path_buf(),
        detail: e.to_string(),
    }
}

/// Picks the zip member to write: the one named, else the only one.
fn choose_member(
    path: &Path,
    list: Vec<Member>,
    wanted: Option<&str>,
) -> Result<Member, FlashError> {
    let names: Vec<String> = list.iter().map(|m| m.name.clone()).collect();
    let found = match wanted {
        Some(name) => list.into_iter().find(|m| m.name == name),
        None if list.len() == 1 => list.into_iter().next(),
        None => None,
    };
    found.ok_or_else(|| FlashError::ZipMembers {
        path: path.to_path_buf(),
        wanted: wanted.map(str::to_string),
        members: names,
    })
}

/// Opens the decoded stream of a source whose container is `compression` (for a zip, of
/// `member`), reading through `file`.
pub fn decoder<R: Read + Seek + Send + 'static>(
    file: R,
    compression: Compression,
    member: Option<&Member>,
) -> std::io::Result<Box<dyn Read + Send>> {
    let buffered = std::io::BufReader::with_capacity(1 << 20, file);
    Ok(match compression {
        Compression::None => Box::new(buffered),
        Compression::Gzip => Box::new(flate2::bufread::MultiGzDecoder::new(buffered)),
        Compression::Xz => Box::new(liblzma::bufread::XzDecoder::new_multi_decoder(buffered)),
        Compression::Zstd => Box::new(zstd::stream::read::Decoder::with_buffer(buffered)?),
        Compression::Bzip2 => Box::new(bzip2::bufread::MultiBzDecoder::new(buffered)),
        Compression::Zip => {
            let member = member.ok_or_else(|| {
                std::io::Error::new(std::io::ErrorKind::InvalidInput, "no zip member chosen")
            })?;
            zip::open_member(buffered.into_inner(), member)?
        }
    })
}

/// Recognises the file at `path` (a zip's `member`, when given): container, declared size and
/// the kind of its decoded first sectors. Reads at most the head and the format's index.
pub fn recognise(path: &Path, member: Option<&str>) -> Result<Recognised, FlashError> {
    let file = File::open(path).map_err(|e| FlashError::source_io(path, "open the image", e))?;
    recognise_in(path, file, member)
}

/// [`recognise`] on the bytes of `file`; `path` only names the source in messages.
pub fn recognise_in<R: Read + Seek + ReadAt + Send + 'static>(
    path: &Path,
    mut file: R,
    member: Option<&str>,
) -> Result<Recognised, FlashError> {
    let mut magic = Vec::new();
    (&mut file)
        .take(8)
        .read_to_end(&mut magic)
        .map_err(|e| FlashError::source_io(path, "read the image", e))?;
    let compression = compression_of(&magic);
    if member.is_some() && compression != Compression::Zip {
        return Err(FlashError::Usage {
            detail: format!(
                "--member names a file inside a zip, but {} is not a zip",
                path.display()
            ),
        });
    }
    let (member, declared_size) = match compression {
        Compression::Zip => {
            let list = zip::members(&mut file).map_err(|e| io_error(path, e))?;
            let chosen = choose_member(path, list, member)?;
            let size = chosen.size;
            (Some(chosen), Some(size))
        }
        Compression::Xz => (None, super::declared::xz_size(&file).ok().flatten()),
        Compression::Zstd => (None, super::declared::zstd_size(&file).ok().flatten()),
        Compression::None => (None, None),
        Compression::Gzip | Compression::Bzip2 => (None, None),
    };
    file.seek(SeekFrom::Start(0))
        .map_err(|e| FlashError::source_io(path, "read the image", e))?;
    let mut head = Vec::with_capacity(HEAD);
    decoder(file, compression, member.as_ref())
        .and_then(|d| d.take(HEAD as u64).read_to_end(&mut head))
        .map_err(|e| io_error(path, e))?;
    let (kind, mut description) = classify(&head);
    let container = match compression {
        Compression::None => None,
        Compression::Gzip => Some("gzip-compressed"),
        Compression::Xz => Some("xz-compressed"),
        Compression::Zstd => Some("zstd-compressed"),
        Compression::Bzip2 => Some("bzip2-compressed"),
        Compression::Zip => Some("zipped"),
    };
    if let Some(container) = container {
        description = match &member {
            Some(m) => format!("{description} ({container}, member {})", m.name),
            None => format!("{description} ({container})"),
        };
    }
    Ok(Recognised {
        kind,
        compression,
        declared_size,
        description,
        member,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mbr() -> Vec<u8> {
        let mut b = vec![0u8; 4096];
        b[446 + 4] = 0x0c;
        b[446 + 8] = 8;
        b[446 + 12] = 8;
        b[510] = 0x55;
        b[511] = 0xaa;
        b
    }

    #[test]
    fn disk_images_are_recognised() {
        assert_eq!(classify(&mbr()).0, Kind::Mbr);
        let mut gpt = mbr();
        gpt[512..520].copy_from_slice(b"EFI PART");
        assert_eq!(classify(&gpt).0, Kind::Gpt);
        let mut iso = mbr();
        iso.resize(HEAD, 0);
        iso[0x8001..0x8006].copy_from_slice(b"CD001");
        assert_eq!(classify(&iso).0, Kind::IsoHybrid);
        let mut egon = vec![0u8; 16384];
        egon[8196..8204].copy_from_slice(b"eGON.BT0");
        assert!(matches!(classify(&egon).0, Kind::BootImage(_)));
    }

    #[test]
    fn other_content_is_described() {
        let words = |b: &[u8]| classify(b).1;
        assert_eq!(words(b"hello\n"), "text");
        assert_eq!(
            words(b"<?xml version=\"1.0\"?>\n<bmap version=\"2.0\">"),
            "XML text (a block map?)"
        );
        assert_eq!(words(b""), "empty");
        let noise: Vec<u8> = (0..4096u32)
            .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
            .collect();
        assert_eq!(classify(&noise).0, Kind::NotADiskImage);
        let mut vbr = vec![0u8; 512];
        vbr[0x52..0x57].copy_from_slice(b"FAT32");
        vbr[510] = 0x55;
        vbr[511] = 0xaa;
        assert!(words(&vbr).contains("FAT file system"), "{}", words(&vbr));
        let mut ext = vec![0u8; 2048];
        ext[1080] = 0x53;
        ext[1081] = 0xef;
        assert!(words(&ext).contains("ext2/3/4"));
    }
}

//! Field types of layout files with their own text syntax: partition type ids, `partition:/path` destinations, `size: rest`, one-or-many lists.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use super::units::parse_size;

/// A partition's size: bytes, or everything up to the end of the card (`rest`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartSize {
    Bytes(u64),
    Rest,
}

/// Partition type: a portable alias, a raw MBR type byte, or a GPT type GUID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PartType {
    /// FAT32 with LBA (MBR 0x0c; GPT basic data).
    Fat32,
    /// FAT16 with LBA (MBR 0x0e; GPT basic data).
    Fat16,
    /// Linux filesystem (MBR 0x83; GPT 0FC63DAF-...).
    Linux,
    /// EFI system partition (MBR 0xef; GPT C12A7328-...).
    Efi,
    /// A raw MBR type byte; only valid in an MBR table.
    Mbr(u8),
    /// A GPT type GUID (upper case); only valid in a GPT table.
    Gpt(String),
}

const GPT_BASIC_DATA: &str = "EBD0A0A2-B9E5-4433-87C0-68B6B72699C7";
const GPT_LINUX: &str = "0FC63DAF-8483-4772-8E79-3D69D8477DE4";
const GPT_ESP: &str = "C12A7328-F81F-11D2-BA4B-00A0C93EC93B";

impl PartType {
    /// The MBR type byte, when this type can live in an MBR table.
    pub fn mbr_byte(&self) -> Option<u8> {
        match self {
            PartType::Fat32 => Some(0x0c),
            PartType::Fat16 => Some(0x0e),
            PartType::Linux => Some(0x83),
            PartType::Efi => Some(0xef),
            PartType::Mbr(b) => Some(*b),
            PartType::Gpt(_) => None,
        }
    }

    /// The GPT type GUID, when this type can live in a GPT table.
    pub fn gpt_guid(&self) -> Option<String> {
        match self {
            PartType::Fat32 | PartType::Fat16 => Some(GPT_BASIC_DATA.into()),
            PartType::Linux => Some(GPT_LINUX.into()),
            PartType::Efi => Some(GPT_ESP.into()),
            PartType::Mbr(_) => None,
            PartType::Gpt(g) => Some(g.clone()),
        }
    }

    fn from_text(t: &str) -> Result<PartType, String> {
        let t = t.trim();
        match t {
            "fat32" => return Ok(PartType::Fat32),
            "fat16" => return Ok(PartType::Fat16),
            "linux" => return Ok(PartType::Linux),
            "efi" => return Ok(PartType::Efi),
            _ => {}
        }
        if let Some(hex) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
            return u8::from_str_radix(hex, 16)
                .map(PartType::Mbr)
                .map_err(|_| format!("`{t}` is not an MBR type byte (0x00 to 0xff)"));
        }
        if is_guid(t) {
            return Ok(PartType::Gpt(t.to_ascii_uppercase()));
        }
        Err(format!(
            "`{t}` is not a partition type; use fat32, fat16, linux, efi, an MBR byte like 0x83 or a GPT type GUID"
        ))
    }
}

fn is_guid(t: &str) -> bool {
    let groups: Vec<&str> = t.split('-').collect();
    let lens = [8, 4, 4, 4, 12];
    groups.len() == 5
        && groups
            .iter()
            .zip(lens)
            .all(|(g, n)| g.len() == n && g.chars().all(|c| c.is_ascii_hexdigit()))
}

impl fmt::Display for PartType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PartType::Fat32 => f.write_str("fat32"),
            PartType::Fat16 => f.write_str("fat16"),
            PartType::Linux => f.write_str("linux"),
            PartType::Efi => f.write_str("efi"),
            PartType::Mbr(b) => write!(f, "0x{b:02x}"),
            PartType::Gpt(g) => f.write_str(g),
        }
    }
}

impl Serialize for PartType {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

struct PartTypeVisitor;

impl Visitor<'_> for PartTypeVisitor {
    type Value = PartType;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a partition type: fat32, fat16, linux, efi, 0x83 or a GPT GUID")
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<PartType, E> {
        u8::try_from(v)
            .map(PartType::Mbr)
            .map_err(|_| E::custom(format!("{v} is not an MBR type byte (0 to 255)")))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<PartType, E> {
        u8::try_from(v)
            .map(PartType::Mbr)
            .map_err(|_| E::custom(format!("{v} is not an MBR type byte (0 to 255)")))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<PartType, E> {
        PartType::from_text(v).map_err(E::custom)
    }
}

impl<'de> Deserialize<'de> for PartType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<PartType, D::Error> {
        d.deserialize_any(PartTypeVisitor)
    }
}

/// A place inside a partition: `boot:/` (a directory, trailing slash) or `persist:/primary.swap`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dest {
    pub partition: String,
    /// Absolute path inside the partition's filesystem; ends in `/` for a directory.
    pub path: String,
}

impl Dest {
    /// True when the destination is a directory (files keep their names).
    pub fn is_dir(&self) -> bool {
        self.path.ends_with('/')
    }

    fn from_text(t: &str) -> Result<Dest, String> {
        let Some((part, path)) = t.split_once(':') else {
            return Err(format!(
                "`{t}` is not a destination; write <partition>:<path>, e.g. boot:/ or persist:/rootfs/"
            ));
        };
        if part.is_empty() {
            return Err(format!("`{t}`: the partition name before `:` is empty"));
        }
        if !path.starts_with('/') {
            return Err(format!("`{t}`: the path after `:` must start with /"));
        }
        if path.split('/').any(|c| c == "..") {
            return Err(format!("`{t}`: `..` is not allowed in a destination"));
        }
        Ok(Dest {
            partition: part.to_string(),
            path: path.to_string(),
        })
    }
}

impl fmt::Display for Dest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.partition, self.path)
    }
}

impl Serialize for Dest {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Dest {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Dest, D::Error> {
        let t = String::deserialize(d)?;
        Dest::from_text(&t).map_err(de::Error::custom)
    }
}

impl Serialize for PartSize {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            PartSize::Bytes(n) => s.serialize_u64(*n),
            PartSize::Rest => s.serialize_str("rest"),
        }
    }
}

struct PartSizeVisitor;

impl Visitor<'_> for PartSizeVisitor {
    type Value = PartSize;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a size such as 256MiB, or `rest` for the remainder of the card")
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<PartSize, E> {
        Ok(PartSize::Bytes(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<PartSize, E> {
        u64::try_from(v)
            .map(PartSize::Bytes)
            .map_err(|_| E::custom(format!("{v} is negative")))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<PartSize, E> {
        if v.trim() == "rest" {
            return Ok(PartSize::Rest);
        }
        parse_size(v).map(PartSize::Bytes).map_err(E::custom)
    }
}

impl<'de> Deserialize<'de> for PartSize {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<PartSize, D::Error> {
        d.deserialize_any(PartSizeVisitor)
    }
}

/// Accepts a single string or a list of strings.
pub fn one_or_many<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    match OneOrMany::deserialize(d) {
        Ok(OneOrMany::One(s)) => Ok(vec![s]),
        Ok(OneOrMany::Many(v)) => Ok(v),
        Err(_) => Err(de::Error::custom(
            "expected a path relative to images/ or a list of such paths",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn part_types() {
        assert_eq!(PartType::from_text("0x0C"), Ok(PartType::Mbr(0x0c)));
        assert_eq!(PartType::from_text("linux").unwrap().mbr_byte(), Some(0x83));
        let g = PartType::from_text("c12a7328-f81f-11d2-ba4b-00a0c93ec93b").unwrap();
        assert_eq!(g.gpt_guid().as_deref(), Some(GPT_ESP));
        assert_eq!(g.mbr_byte(), None);
        assert!(PartType::from_text("0x100").is_err());
        assert!(PartType::from_text("ntfs").is_err());
    }

    #[test]
    fn destinations() {
        let d = Dest::from_text("boot:/overlays/").unwrap();
        assert!(d.is_dir());
        assert_eq!(d.partition, "boot");
        assert!(Dest::from_text("boot").is_err());
        assert!(Dest::from_text(":/").is_err());
        assert!(Dest::from_text("boot:rel").is_err());
        assert!(Dest::from_text("boot:/../x").is_err());
    }
}

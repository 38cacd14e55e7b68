//! Byte sizes written in layout files: plain integers or numbers with a unit suffix (512-byte sectors, KiB/MiB/GiB/TiB, kB/MB/GB/TB).

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// Bytes in one sector: the unit of partition tables and of the `s` suffix.
pub const SECTOR: u64 = 512;
/// One mebibyte, the default partition alignment.
pub const MIB: u64 = 1024 * 1024;

/// A size or offset in bytes, as written in a layout file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Size(pub u64);

impl Size {
    /// The number of bytes.
    pub fn bytes(self) -> u64 {
        self.0
    }
}

const UNITS: &[(&str, u64)] = &[
    ("B", 1),
    ("s", SECTOR),
    ("KiB", 1 << 10),
    ("MiB", 1 << 20),
    ("GiB", 1 << 30),
    ("TiB", 1 << 40),
    ("kB", 1_000),
    ("KB", 1_000),
    ("MB", 1_000_000),
    ("GB", 1_000_000_000),
    ("TB", 1_000_000_000_000),
];

/// Parses `"8KiB"`, `"97s"`, `"8GB"`, `"4096"` (bytes). Whitespace between number and unit is
/// allowed. Single-letter units such as `M` or `G` are refused because upstream's tools disagree
/// on whether they are binary or decimal.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    if num.is_empty() {
        return Err(format!(
            "`{text}` is not a size: it must start with a number, e.g. 8KiB, 97s, 2GB"
        ));
    }
    let n: u64 = num
        .parse()
        .map_err(|_| format!("`{text}`: the number is too large"))?;
    let unit = unit.trim();
    if unit.is_empty() {
        return Ok(n);
    }
    let Some((_, mult)) = UNITS.iter().find(|(u, _)| *u == unit) else {
        return Err(format!(
            "`{text}`: unknown unit `{unit}`; use one of B, s (512-byte sectors), KiB, MiB, GiB, TiB, kB, MB, GB, TB"
        ));
    };
    n.checked_mul(*mult)
        .ok_or_else(|| format!("`{text}` does not fit in 64 bits"))
}

/// Formats bytes for people: exactly in the largest binary unit that divides the value with
/// fewer than five digits (`2000MiB`, `8KiB`), else with two decimals (`8GB` is `7.45GiB`).
pub fn human(bytes: u64) -> String {
    const STEPS: [(&str, u64); 4] = [
        ("TiB", 1 << 40),
        ("GiB", 1 << 30),
        ("MiB", 1 << 20),
        ("KiB", 1 << 10),
    ];
    for (unit, mult) in STEPS {
        if bytes >= mult && bytes.is_multiple_of(mult) && bytes / mult < 10_000 {
            return format!("{}{unit}", bytes / mult);
        }
    }
    match STEPS.iter().find(|(_, mult)| bytes >= *mult) {
        Some((unit, mult)) => format!("{:.2}{unit}", bytes as f64 / *mult as f64),
        None => format!("{bytes}B"),
    }
}

impl fmt::Display for Size {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&human(self.0))
    }
}

impl Serialize for Size {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(self.0)
    }
}

struct SizeVisitor;

impl Visitor<'_> for SizeVisitor {
    type Value = Size;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a size: a byte count or a number with a unit such as 8KiB, 97s, 1MiB, 8GB")
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Size, E> {
        Ok(Size(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Size, E> {
        u64::try_from(v).map(Size).map_err(|_| {
            E::custom(format!(
                "{v} is negative; sizes and offsets count bytes from 0"
            ))
        })
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Size, E> {
        parse_size(v).map(Size).map_err(E::custom)
    }
}

impl<'de> Deserialize<'de> for Size {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Size, D::Error> {
        d.deserialize_any(SizeVisitor)
    }
}

/// Rounds `v` up to a multiple of `align` (`align` 0 or 1 leaves it unchanged).
pub fn align_up(v: u64, align: u64) -> u64 {
    if align <= 1 {
        return v;
    }
    v.checked_next_multiple_of(align).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suffixes() {
        assert_eq!(parse_size("8KiB"), Ok(8192));
        assert_eq!(parse_size("97s"), Ok(97 * 512));
        assert_eq!(parse_size("8GB"), Ok(8_000_000_000));
        assert_eq!(parse_size(" 1 MiB "), Ok(1 << 20));
        assert_eq!(parse_size("4096"), Ok(4096));
        assert!(parse_size("8G").is_err());
        assert!(parse_size("MiB").is_err());
        assert!(parse_size("-1").is_err());
        assert!(parse_size("99999999999TiB").is_err());
    }

    #[test]
    fn human_readable() {
        assert_eq!(human(8192), "8KiB");
        assert_eq!(human(3 << 30), "3GiB");
        assert_eq!(human(8_000_000_000), "7.45GiB");
        assert_eq!(human(446), "446B");
        assert_eq!(human(1536 << 20), "1536MiB");
        assert_eq!(human(2000 << 20), "2000MiB");
        assert_eq!(human(1_048_064), "1023.50KiB");
    }

    #[test]
    fn alignment() {
        assert_eq!(align_up(1, MIB), MIB);
        assert_eq!(align_up(MIB, MIB), MIB);
        assert_eq!(align_up(u64::MAX, MIB), u64::MAX);
    }
}

//! Block maps (`.bmap`, the bmaptool XML format, versions 1.x and 2.x): parsing, checking, writing.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::error::FlashError;
use super::xml::{Element, elements};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChecksumKind {
    Sha256,
    /// Older maps; skiff has no SHA-1 and skips their range checksums (with a warning).
    Sha1,
    None,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BmapRange {
    /// First and last block, inclusive.
    pub first: u64,
    pub last: u64,
    pub sha256: Option<[u8; 32]>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bmap {
    pub version: String,
    pub image_size: u64,
    pub block_size: u64,
    pub blocks_count: u64,
    pub mapped_blocks: u64,
    pub checksum: ChecksumKind,
    pub ranges: Vec<BmapRange>,
}

fn parse_hex32(text: &str) -> Option<[u8; 32]> {
    if text.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(text.get(i * 2..i * 2 + 2)?, 16).ok()?;
    }
    Some(out)
}

/// The block map next to an image: `os.img.bmap`, or `os.img.bmap` for `os.img.zst`.
pub fn find_beside(image: &Path) -> Option<PathBuf> {
    let name = image.file_name()?.to_string_lossy().into_owned();
    let mut candidates = vec![format!("{name}.bmap")];
    for suffix in [".gz", ".xz", ".zst", ".bz2"] {
        if let Some(stem) = name.strip_suffix(suffix) {
            candidates.push(format!("{stem}.bmap"));
        }
    }
    candidates
        .into_iter()
        .map(|c| image.with_file_name(c))
        .find(|p| p.is_file())
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The `<Range>` elements: `N` or `N-M` inside the image, in order, not overlapping, each with
/// its SHA-256 when the map has them.
fn ranges(
    elements: &[Element],
    blocks_count: u64,
    checksum: ChecksumKind,
    err: &dyn Fn(usize, String) -> FlashError,
) -> Result<Vec<BmapRange>, FlashError> {
    let mut ranges = Vec::new();
    let mut next_free = 0u64;
    for e in elements.iter().filter(|e| e.name == "Range") {
        let (first, last) = match e.text.split_once('-') {
            Some((a, b)) => (a.trim().parse::<u64>().ok(), b.trim().parse::<u64>().ok()),
            None => {
                let v = e.text.parse::<u64>().ok();
                (v, v)
            }
        };
        let (Some(first), Some(last)) = (first, last) else {
            return Err(err(e.line, format!("range {:?} is not N or N-M", e.text)));
        };
        if first > last || last >= blocks_count {
            return Err(err(
                e.line,
                format!("range {first}-{last} is outside the image's {blocks_count} blocks"),
            ));
        }
        if first < next_free {
            return Err(err(
                e.line,
                format!("range {first}-{last} overlaps or is out of order"),
            ));
        }
        next_free = last + 1;
        let sha256 =
            match checksum {
                ChecksumKind::Sha256 => {
                    let value = e
                        .attr("chksum")
                        .ok_or_else(|| err(e.line, "range without chksum attribute".into()))?;
                    Some(parse_hex32(value).ok_or_else(|| {
                        err(e.line, format!("chksum {value:?} is not SHA-256 hex"))
                    })?)
                }
                _ => None,
            };
        ranges.push(BmapRange {
            first,
            last,
            sha256,
        });
    }
    Ok(ranges)
}

impl Bmap {
    /// Parses and checks a block map. `path` is only used in error messages.
    pub fn parse(text: &str, path: &Path) -> Result<Bmap, FlashError> {
        let err = |line: usize, detail: String| FlashError::Bmap {
            path: path.to_path_buf(),
            line,
            detail,
        };
        let elements = elements(text).map_err(|(line, detail)| err(line, detail))?;
        let root = elements
            .first()
            .filter(|e| e.name == "bmap")
            .ok_or_else(|| err(1, "the root element is not <bmap>".into()))?;
        let version = root
            .attr("version")
            .map(str::to_string)
            .ok_or_else(|| err(root.line, "<bmap> has no version attribute".into()))?;
        let major = version.split('.').next().unwrap_or("");
        if major != "1" && major != "2" {
            return Err(err(
                root.line,
                format!("version {version} is not supported (1.x or 2.x)"),
            ));
        }
        let field = |name: &str| -> Result<(u64, usize), FlashError> {
            let e = elements
                .iter()
                .find(|e| e.name == name)
                .ok_or_else(|| err(root.line, format!("missing <{name}>")))?;
            let value = e
                .text
                .parse::<u64>()
                .map_err(|_| err(e.line, format!("<{name}> is not a number: {:?}", e.text)))?;
            Ok((value, e.line))
        };
        let (image_size, _) = field("ImageSize")?;
        let (block_size, bs_line) = field("BlockSize")?;
        let (blocks_count, bc_line) = field("BlocksCount")?;
        let (mapped_blocks, mb_line) = field("MappedBlocksCount")?;
        if block_size == 0 || !block_size.is_power_of_two() || block_size < 512 {
            return Err(err(
                bs_line,
                format!("block size {block_size} is not a power of two ≥ 512"),
            ));
        }
        if blocks_count != image_size.div_ceil(block_size) {
            return Err(err(
                bc_line,
                format!("{blocks_count} blocks do not match an image of {image_size} bytes"),
            ));
        }
        let checksum = match elements.iter().find(|e| e.name == "ChecksumType") {
            Some(e) if e.text == "sha256" => ChecksumKind::Sha256,
            Some(e) if e.text == "sha1" => ChecksumKind::Sha1,
            Some(e) => return Err(err(e.line, format!("unknown checksum type {:?}", e.text))),
            None if major == "1" && elements.iter().any(|e| e.name == "BmapFileSHA1") => {
                ChecksumKind::Sha1
            }
            None => ChecksumKind::None,
        };
        let ranges = ranges(&elements, blocks_count, checksum, &err)?;
        let counted: u64 = ranges.iter().map(|r| r.last - r.first + 1).sum();
        if counted != mapped_blocks {
            return Err(err(
                mb_line,
                format!("MappedBlocksCount says {mapped_blocks} but the ranges map {counted}"),
            ));
        }
        if checksum == ChecksumKind::Sha256
            && let Some(e) = elements.iter().find(|e| e.name == "BmapFileChecksum")
        {
            let zeros = "0".repeat(e.text.len());
            let digest = Sha256::digest(text.replacen(&e.text, &zeros, 1).as_bytes());
            if hex(&digest) != e.text {
                return Err(err(
                    e.line,
                    "the map's own checksum does not match its content (edited or truncated .bmap)"
                        .into(),
                ));
            }
        }
        Ok(Bmap {
            version,
            image_size,
            block_size,
            blocks_count,
            mapped_blocks,
            checksum,
            ranges,
        })
    }

    /// Loads a map from a file.
    pub fn load(path: &Path) -> Result<Bmap, FlashError> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| FlashError::source_io(path, "read the block map", source))?;
        Bmap::parse(&text, path)
    }

    /// Byte range of a block range, clipped to the image size.
    pub fn byte_range(&self, range: &BmapRange) -> (u64, u64) {
        let start = range
            .first
            .saturating_mul(self.block_size)
            .min(self.image_size);
        let end = range
            .last
            .saturating_add(1)
            .saturating_mul(self.block_size)
            .min(self.image_size);
        (start, end)
    }

    pub fn mapped_bytes(&self) -> u64 {
        self.ranges
            .iter()
            .map(|r| {
                let (s, e) = self.byte_range(r);
                e - s
            })
            .sum()
    }

    /// Maps a (sparse) image file: data extents become block ranges with SHA-256 checksums.
    pub fn create(path: &Path, block_size: u64) -> Result<Bmap, FlashError> {
        Bmap::create_with(path, block_size, &[])
    }

    /// [`Bmap::create`], also mapping the byte ranges `also` (zeros that must reach the card,
    /// such as an ext4 journal, which are holes in the file).
    pub fn create_with(
        path: &Path,
        block_size: u64,
        also: &[(u64, u64)],
    ) -> Result<Bmap, FlashError> {
        use std::io::{Read, Seek, SeekFrom};
        let mut file = std::fs::File::open(path)
            .map_err(|e| FlashError::source_io(path, "open the image", e))?;
        let image_size = file
            .metadata()
            .map_err(|e| FlashError::source_io(path, "measure the image", e))?
            .len();
        let mut extents = super::sparse::data_extents(&file, 0, image_size)
            .map_err(|e| FlashError::source_io(path, "map the image's data", e))?;
        extents.extend(
            also.iter()
                .map(|&(s, e)| (s, e.min(image_size)))
                .filter(|(s, e)| s < e),
        );
        extents.sort_unstable();
        let mut blocks: Vec<(u64, u64)> = Vec::new();
        for (start, end) in extents {
            let first = start / block_size;
            let last = (end - 1) / block_size;
            match blocks.last_mut() {
                Some((_, prev_last)) if first <= *prev_last + 1 => {
                    *prev_last = (*prev_last).max(last)
                }
                _ => blocks.push((first, last)),
            }
        }
        let mut ranges = Vec::new();
        let mut buf = vec![0u8; 1 << 20];
        let mut mapped_blocks = 0;
        for (first, last) in blocks {
            let start = first * block_size;
            let end = ((last + 1) * block_size).min(image_size);
            file.seek(SeekFrom::Start(start))
                .map_err(|e| FlashError::source_io(path, "read the image", e))?;
            let mut hasher = Sha256::new();
            let mut left = end - start;
            while left > 0 {
                let n = left.min(buf.len() as u64) as usize;
                file.read_exact(&mut buf[..n])
                    .map_err(|e| FlashError::source_io(path, "read the image", e))?;
                hasher.update(&buf[..n]);
                left -= n as u64;
            }
            mapped_blocks += last - first + 1;
            ranges.push(BmapRange {
                first,
                last,
                sha256: Some(hasher.finalize().into()),
            });
        }
        Ok(Bmap {
            version: "2.0".into(),
            image_size,
            block_size,
            blocks_count: image_size.div_ceil(block_size),
            mapped_blocks,
            checksum: ChecksumKind::Sha256,
            ranges,
        })
    }

    /// Writes the map as bmap 2.0 XML, with range checksums and the file checksum.
    pub fn to_xml(&self) -> String {
        let mut xml = String::from(
            "<?xml version=\"1.0\" ?>\n<!-- Block map written by skiff -->\n<bmap version=\"2.0\">\n",
        );
        xml.push_str(&format!(
            "    <ImageSize> {} </ImageSize>\n",
            self.image_size
        ));
        xml.push_str(&format!(
            "    <BlockSize> {} </BlockSize>\n",
            self.block_size
        ));
        xml.push_str(&format!(
            "    <BlocksCount> {} </BlocksCount>\n",
            self.blocks_count
        ));
        xml.push_str(&format!(
            "    <MappedBlocksCount> {} </MappedBlocksCount>\n",
            self.mapped_blocks
        ));
        xml.push_str("    <ChecksumType> sha256 </ChecksumType>\n");
        let placeholder = "0".repeat(64);
        xml.push_str(&format!(
            "    <BmapFileChecksum> {placeholder} </BmapFileChecksum>\n"
        ));
        xml.push_str("    <BlockMap>\n");
        for r in &self.ranges {
            let span = if r.first == r.last {
                r.first.to_string()
            } else {
                format!("{}-{}", r.first, r.last)
            };
            let sum = r
                .sha256
                .map(|d| hex(&d))
                .unwrap_or_else(|| placeholder.clone());
            xml.push_str(&format!(
                "        <Range chksum=\"{sum}\"> {span} </Range>\n"
            ));
        }
        xml.push_str("    </BlockMap>\n</bmap>\n");
        let digest = hex(&Sha256::digest(xml.as_bytes()));
        xml.replacen(&placeholder, &digest, 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Bmap {
        Bmap {
            version: "2.0".into(),
            image_size: 10 * 4096 + 100,
            block_size: 4096,
            blocks_count: 11,
            mapped_blocks: 4,
            checksum: ChecksumKind::Sha256,
            ranges: vec![
                BmapRange {
                    first: 0,
                    last: 1,
                    sha256: Some([1; 32]),
                },
                BmapRange {
                    first: 5,
                    last: 5,
                    sha256: Some([2; 32]),
                },
                BmapRange {
                    first: 10,
                    last: 10,
                    sha256: Some([3; 32]),
                },
            ],
        }
    }

    #[test]
    fn writes_what_it_reads() {
        let map = sample();
        let xml = map.to_xml();
        let back = Bmap::parse(&xml, Path::new("x.bmap")).unwrap();
        assert_eq!(back, map);
        assert_eq!(back.byte_range(&back.ranges[2]), (40960, 41060));
        assert_eq!(back.mapped_bytes(), 3 * 4096 + 100);
    }

    #[test]
    fn detects_edits_through_the_file_checksum() {
        let xml = sample().to_xml().replace("> 5 <", "> 6 <");
        let err = Bmap::parse(&xml, Path::new("x.bmap")).unwrap_err();
        assert!(err.to_string().contains("own checksum"), "{err}");
    }

    #[test]
    fn reports_lines_of_bad_ranges() {
        let xml = "<bmap version=\"1.4\">\n<ImageSize>8192</ImageSize><BlockSize>4096</BlockSize>\n\
                   <BlocksCount>2</BlocksCount><MappedBlocksCount>1</MappedBlocksCount>\n<BlockMap>\n\
                   <Range> 3 </Range></BlockMap></bmap>";
        let err = Bmap::parse(xml, Path::new("x.bmap")).unwrap_err();
        assert!(err.to_string().starts_with("x.bmap:5:"), "{err}");
        assert!(Bmap::parse("<bmap", Path::new("x")).is_err());
        assert!(Bmap::parse("", Path::new("x")).is_err());
        assert!(Bmap::parse("<bmap version='3.0'></bmap>", Path::new("x")).is_err());
    }

    #[test]
    fn huge_sizes_do_not_overflow() {
        let max = u64::MAX;
        let blocks = max.div_ceil(4096);
        let xml = format!(
            "<bmap version=\"1.4\"><ImageSize>{max}</ImageSize><BlockSize>4096</BlockSize>\
             <BlocksCount>{blocks}</BlocksCount><MappedBlocksCount>1</MappedBlocksCount>\
             <BlockMap><Range>{}</Range></BlockMap></bmap>",
            blocks - 1
        );
        let map = Bmap::parse(&xml, Path::new("x")).unwrap();
        let (start, end) = map.byte_range(&map.ranges[0]);
        assert!(start <= end && end == max);
    }

    #[test]
    fn accepts_version_one_without_checksums() {
        let xml = "<?xml version=\"1.0\"?><bmap version=\"1.2\"><ImageSize>4096</ImageSize>\
                   <BlockSize>4096</BlockSize><BlocksCount>1</BlocksCount>\
                   <MappedBlocksCount>1</MappedBlocksCount><BlockMap><Range>0</Range></BlockMap></bmap>";
        let map = Bmap::parse(xml, Path::new("x")).unwrap();
        assert_eq!(map.checksum, ChecksumKind::None);
        assert_eq!(map.ranges[0].sha256, None);
    }
}

//! Fuzz body: recognising a source by its content (`flash::content`): the container (gzip,
//! xz, zstd, bzip2, zip and its member list), the size it declares before decoding (xz index,
//! zstd frame headers, zip entry) and the MBR, GPT, ISO hybrid or boot-image sniffing of the
//! decoded first sectors that decides whether a file is written without `--raw`.

use skiff::flash::content::{Compression, Kind, classify, recognise_in};
use skiff::flash::declared::{xz_size, zstd_size};
use skiff::flash::zip;
use std::io::Cursor;
use std::path::Path;

/// Decoded bytes recognition inspects (`flash::content`'s head).
const HEAD: usize = 40 * 1024;

pub fn run(data: &[u8]) {
    // The bytes as decoded first sectors.
    let (kind, words) = classify(data);
    assert!(!words.is_empty());
    // The bytes as a container's index or directory.
    let _ = xz_size(&Cursor::new(data));
    let _ = zstd_size(&Cursor::new(data));
    let members = zip::members(&mut Cursor::new(data));
    let path = Path::new("fuzz.img");
    match recognise_in(path, Cursor::new(data.to_vec()), None) {
        Ok(found) => {
            assert!(!found.description.is_empty());
            assert_eq!(found.is_disk_image(), found.kind != Kind::NotADiskImage);
            match found.compression {
                Compression::None => {
                    // A raw source is its own first sectors, and declares no size.
                    assert_eq!(found.declared_size, None);
                    assert!(found.member.is_none());
                    if data.len() <= HEAD {
                        assert_eq!((&found.kind, &found.description), (&kind, &words));
                    }
                }
                Compression::Zip => {
                    let member = found.member.as_ref().expect("a zip names its member");
                    assert_eq!(found.declared_size, Some(member.size));
                }
                _ => assert!(found.member.is_none()),
            }
        }
        // Refusals and unreadable sources are the user's to fix (exit code 1), never a usage
        // error: no member was named.
        Err(e) => assert_eq!(e.exit_code(), 1, "{e}"),
    }
    // A zip of several files: each named member, as `--member NAME` picks it. The member list
    // reads the central directory at the end, recognition the signature at the start: bytes
    // with a directory but no zip signature are not a zip, and `--member` on them is a usage
    // error (exit 2).
    for member in members.iter().flatten().take(3) {
        if let Err(e) = recognise_in(path, Cursor::new(data.to_vec()), Some(&member.name)) {
            let expected = if zip::is_zip(data) { 1 } else { 2 };
            assert_eq!(e.exit_code(), expected, "{e}");
        }
    }
}

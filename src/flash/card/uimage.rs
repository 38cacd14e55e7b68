//! U-Boot script images (what `mkimage -T script -C none` makes), written without mkimage.

/// U-Boot architecture codes for the legacy image header.
pub fn arch_code(arch: &str) -> Option<u8> {
    Some(match arch {
        "arm" => 2,
        "x86" | "i386" => 3,
        "mips" => 5,
        "powerpc" | "ppc" => 7,
        "arm64" | "aarch64" => 22,
        "x86_64" => 24,
        "riscv" => 26,
        _ => return None,
    })
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = flate2::Crc::new();
    crc.update(data);
    crc.sum()
}

/// A legacy uImage of type "script": 64-byte header, then the script payload
/// (a table of one 4-byte length and a 4-byte zero terminator, then the text).
pub fn script_image(name: &str, script: &[u8], arch: u8, timestamp: u32) -> Vec<u8> {
    let mut payload = Vec::with_capacity(script.len() + 8);
    payload.extend_from_slice(&(script.len() as u32).to_be_bytes());
    payload.extend_from_slice(&0u32.to_be_bytes());
    payload.extend_from_slice(script);
    let mut header = [0u8; 64];
    header[0..4].copy_from_slice(&0x2705_1956u32.to_be_bytes());
    header[8..12].copy_from_slice(&timestamp.to_be_bytes());
    header[12..16].copy_from_slice(&(payload.len() as u32).to_be_bytes());
    header[24..28].copy_from_slice(&crc32(&payload).to_be_bytes());
    header[28] = 5; // OS: Linux
    header[29] = arch;
    header[30] = 6; // type: script
    header[31] = 0; // compression: none
    let name_bytes = name.as_bytes();
    let n = name_bytes.len().min(31);
    header[32..32 + n].copy_from_slice(&name_bytes[..n]);
    let header_crc = crc32(&header);
    header[4..8].copy_from_slice(&header_crc.to_be_bytes());
    let mut out = header.to_vec();
    out.extend_from_slice(&payload);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_fields_and_checksums() {
        let img = script_image("boot", b"echo hi\n", 2, 1_700_000_000);
        assert_eq!(&img[0..4], &[0x27, 0x05, 0x19, 0x56]);
        assert_eq!(u32::from_be_bytes(img[12..16].try_into().unwrap()), 16);
        assert_eq!(&img[72..], b"echo hi\n");
        let mut header = img[..64].to_vec();
        let stored = u32::from_be_bytes(header[4..8].try_into().unwrap());
        header[4..8].fill(0);
        assert_eq!(crc32(&header), stored);
        assert_eq!(
            u32::from_be_bytes(img[24..28].try_into().unwrap()),
            crc32(&img[64..])
        );
        // Known value: CRC-32 of "123456789".
        assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
    }
}

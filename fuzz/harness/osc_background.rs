//! Fuzz body: the parser of the terminal's answer to OSC 11 (its background colour) and the
//! check that ends the start-up query.

use skiff::ui::background::{attributes_answered, is_light, parse_reply};

pub fn run(data: &[u8]) {
    let _ = attributes_answered(data);
    let Some(rgb) = parse_reply(data) else {
        return;
    };
    assert!(
        data.windows(5).any(|w| w == b"\x1b]11;"),
        "a colour without the OSC 11 introducer"
    );
    // The colour survives being written back in the four-digit form terminals use.
    let again = format!(
        "\x1b]11;rgb:{:04x}/{:04x}/{:04x}\x1b\\",
        u16::from(rgb[0]) * 257,
        u16::from(rgb[1]) * 257,
        u16::from(rgb[2]) * 257
    );
    assert_eq!(parse_reply(again.as_bytes()), Some(rgb), "{again:?}");
    let _ = is_light(rgb);
}

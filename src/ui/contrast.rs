//! Colours as light: the RGB value of a terminal colour (xterm's default palette) and the
//! WCAG contrast ratio of two colours.

use ratatui::style::Color;

/// xterm's default 16 colours, in ANSI order.
const BASIC: [[u8; 3]; 16] = [
    [0x00, 0x00, 0x00],
    [0xcd, 0x00, 0x00],
    [0x00, 0xcd, 0x00],
    [0xcd, 0xcd, 0x00],
    [0x00, 0x00, 0xee],
    [0xcd, 0x00, 0xcd],
    [0x00, 0xcd, 0xcd],
    [0xe5, 0xe5, 0xe5],
    [0x7f, 0x7f, 0x7f],
    [0xff, 0x00, 0x00],
    [0x00, 0xff, 0x00],
    [0xff, 0xff, 0x00],
    [0x5c, 0x5c, 0xff],
    [0xff, 0x00, 0xff],
    [0x00, 0xff, 0xff],
    [0xff, 0xff, 0xff],
];

/// The RGB value xterm shows for `c`; `None` for `Reset` (the terminal's own colour).
pub fn rgb(c: Color) -> Option<[u8; 3]> {
    let index = match c {
        Color::Reset => return None,
        Color::Rgb(r, g, b) => return Some([r, g, b]),
        Color::Indexed(n) => n,
        Color::Black => 0,
        Color::Red => 1,
        Color::Green => 2,
        Color::Yellow => 3,
        Color::Blue => 4,
        Color::Magenta => 5,
        Color::Cyan => 6,
        Color::Gray => 7,
        Color::DarkGray => 8,
        Color::LightRed => 9,
        Color::LightGreen => 10,
        Color::LightYellow => 11,
        Color::LightBlue => 12,
        Color::LightMagenta => 13,
        Color::LightCyan => 14,
        Color::White => 15,
    };
    Some(match index {
        0..=15 => BASIC[index as usize],
        16..=231 => {
            let level = |v: u8| if v == 0 { 0 } else { 55 + 40 * v };
            let i = index - 16;
            [level(i / 36), level(i / 6 % 6), level(i % 6)]
        }
        _ => {
            let v = 8 + 10 * (index - 232);
            [v, v, v]
        }
    })
}

/// Relative luminance (WCAG 2): 0 for black, 1 for white.
pub fn luminance([r, g, b]: [u8; 3]) -> f64 {
    let lin = |v: u8| {
        let s = f64::from(v) / 255.0;
        if s <= 0.039_28 {
            s / 12.92
        } else {
            ((s + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
}

/// WCAG contrast ratio of two colours, from 1 (same) to 21 (black on white).
pub fn ratio(a: [u8; 3], b: [u8; 3]) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn palette_and_ratios() {
        assert_eq!(rgb(Color::Indexed(16)), Some([0, 0, 0]));
        assert_eq!(rgb(Color::Indexed(117)), Some([0x87, 0xd7, 0xff]));
        assert_eq!(rgb(Color::Indexed(231)), Some([255, 255, 255]));
        assert_eq!(rgb(Color::Indexed(234)), Some([0x1c, 0x1c, 0x1c]));
        assert_eq!(rgb(Color::Indexed(255)), Some([0xee, 0xee, 0xee]));
        assert_eq!(rgb(Color::DarkGray), Some([0x7f, 0x7f, 0x7f]));
        assert_eq!(rgb(Color::Reset), None);
        assert!((ratio([0, 0, 0], [255, 255, 255]) - 21.0).abs() < 1e-9);
        assert!((ratio([9, 9, 9], [9, 9, 9]) - 1.0).abs() < 1e-9);
        // The hint bar of issue 12: dark grey on dark grey.
        assert!(ratio(BASIC[8], BASIC[8]) < 4.5);
    }
}

//! The terminal's background colour: the OSC 11 query at start-up (with a short timeout),
//! the parser of its reply, and the rule that calls a background light.
//!
//! The query writes `ESC ] 11 ; ? ESC \` followed by a primary device attributes request
//! (`ESC [ c`), which every terminal answers: the answer to the second ends the wait at once
//! on terminals that ignore the first, and the timeout covers those that answer neither.

use super::contrast::luminance;
use std::time::Duration;

/// How long the start-up query waits for the terminal at most.
pub const QUERY_TIMEOUT: Duration = Duration::from_millis(100);

/// The colour in a terminal's reply to OSC 11 (`ESC ] 11 ; rgb:RRRR/GGGG/BBBB` ended by BEL
/// or ST), anywhere in `reply`. Each channel has 1 to 4 hex digits and is scaled to 0–255
/// (`f` and `ffff` are both 255); `rgba:` replies are read the same, their alpha ignored.
pub fn parse_reply(reply: &[u8]) -> Option<[u8; 3]> {
    const START: &[u8] = b"\x1b]11;";
    let at = reply.windows(START.len()).position(|w| w == START)?;
    let body = &reply[at + START.len()..];
    // The reply ends with BEL, ESC \ or the 8-bit ST.
    let end = body
        .iter()
        .position(|&b| b == 0x07 || b == 0x1b || b == 0x9c)?;
    let text = std::str::from_utf8(&body[..end]).ok()?;
    let (space, channels) = text.split_once(':')?;
    let parts: Vec<&str> = channels.split('/').collect();
    let wanted = match space {
        "rgb" => 3,
        "rgba" => 4,
        _ => return None,
    };
    if parts.len() != wanted {
        return None;
    }
    let mut rgb = [0u8; 3];
    for (slot, part) in rgb.iter_mut().zip(&parts) {
        *slot = channel(part)?;
    }
    if let Some(alpha) = parts.get(3) {
        channel(alpha)?;
    }
    Some(rgb)
}

/// One channel of 1 to 4 hex digits, scaled to 0–255 (rounded).
fn channel(hex: &str) -> Option<u8> {
    if hex.is_empty() || hex.len() > 4 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let value = u32::from_str_radix(hex, 16).ok()?;
    let max = (1u32 << (4 * hex.len() as u32)) - 1;
    u8::try_from((value * 255 + max / 2) / max).ok()
}

/// A background is light when black text on it reads better than white text: its WCAG
/// relative luminance is above the point where both contrast ratios are equal
/// (L = sqrt(1.05 * 0.05) - 0.05, about 0.179: grey #757575 is dark, #767676 light).
pub fn is_light(rgb: [u8; 3]) -> bool {
    let l = luminance(rgb);
    (l + 0.05) / 0.05 > 1.05 / (l + 0.05)
}

/// True once `buf` holds the terminal's answer to the device attributes request
/// (`ESC [ ? … c`): nothing more is coming.
pub fn attributes_answered(buf: &[u8]) -> bool {
    buf.windows(3).enumerate().any(|(i, w)| {
        w == b"\x1b[?"
            && buf[i + 3..]
                .iter()
                .find(|b| !(b.is_ascii_digit() || **b == b';'))
                .is_some_and(|&b| b == b'c')
    })
}

/// Ask the terminal for its background colour, waiting at most `timeout`. `None` when
/// stdin or stdout is not a terminal, or the terminal does not answer in time.
pub fn query(timeout: Duration) -> Option<[u8; 3]> {
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        return None;
    }
    ratatui::crossterm::terminal::enable_raw_mode().ok()?;
    let reply = ask(timeout);
    let _ = ratatui::crossterm::terminal::disable_raw_mode();
    parse_reply(&reply?)
}

/// Write the two requests and collect what comes back until the attributes answer, the
/// end of input or the timeout.
fn ask(timeout: Duration) -> Option<Vec<u8>> {
    use rustix::event::{PollFd, PollFlags, Timespec, poll};
    use std::io::Write;
    use std::os::fd::AsFd;
    let mut out = std::io::stdout().lock();
    out.write_all(b"\x1b]11;?\x1b\\\x1b[c").ok()?;
    out.flush().ok()?;
    let stdin = std::io::stdin();
    let fd = stdin.as_fd();
    let deadline = std::time::Instant::now() + timeout;
    let mut buf = Vec::new();
    while !attributes_answered(&buf) && buf.len() < 4096 {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        if left.is_zero() {
            break;
        }
        let wait = Timespec::try_from(left).ok()?;
        let mut fds = [PollFd::new(&fd, PollFlags::IN)];
        match poll(&mut fds, Some(&wait)) {
            Ok(0) => break,
            Ok(_) => {}
            Err(rustix::io::Errno::INTR) => continue,
            Err(_) => break,
        }
        let mut chunk = [0u8; 256];
        match rustix::io::read(fd, &mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    Some(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_of_every_channel_width() {
        assert_eq!(
            parse_reply(b"\x1b]11;rgb:ffff/ffff/ffff\x1b\\"),
            Some([255, 255, 255])
        );
        assert_eq!(
            parse_reply(b"\x1b]11;rgb:0000/0000/0000\x07"),
            Some([0, 0, 0])
        );
        assert_eq!(
            parse_reply(b"\x1b]11;rgb:fdfd/f6f6/e3e3\x07"),
            Some([0xfd, 0xf6, 0xe3])
        );
        assert_eq!(parse_reply(b"\x1b]11;rgb:f/8/0\x07"), Some([255, 136, 0]));
        assert_eq!(parse_reply(b"\x1b]11;rgb:1c/1c/1c\x07"), Some([0x1c; 3]));
        assert_eq!(parse_reply(b"\x1b]11;rgb:800/800/800\x07"), Some([128; 3]));
        assert_eq!(
            parse_reply(b"\x1b]11;rgba:ffff/ffff/ffff/8000\x07"),
            Some([255; 3])
        );
        // After other input, and followed by the attributes answer.
        assert_eq!(
            parse_reply(b"x\x1b]11;rgb:2828/2c2c/3434\x1b\\\x1b[?62;22c"),
            Some([0x28, 0x2c, 0x34])
        );
        // 8-bit ST.
        assert_eq!(parse_reply(b"\x1b]11;rgb:ff/ff/ff\x9c"), Some([255; 3]));
    }

    #[test]
    fn malformed_replies_are_none() {
        for bad in [
            &b""[..],
            b"\x1b[?62;22c",
            b"\x1b]11;rgb:ffff/ffff/ffff",
            b"\x1b]11;rgb:ffff/ffff\x07",
            b"\x1b]11;rgb:ffff/ffff/ffff/ffff\x07",
            b"\x1b]11;rgb:fffff/0/0\x07",
            b"\x1b]11;rgb:/0/0\x07",
            b"\x1b]11;rgb:g/0/0\x07",
            b"\x1b]11;rgb:+f/0/0\x07",
            b"\x1b]11;#ffffff\x07",
            b"\x1b]11;cmy:1/1/1\x07",
            b"\x1b]11;rgba:1/1/1\x07",
            b"\x1b]10;rgb:ffff/ffff/ffff\x07",
        ] {
            assert_eq!(parse_reply(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn light_is_where_black_text_reads_better() {
        assert!(is_light([255, 255, 255]));
        assert!(is_light([0xfd, 0xf6, 0xe3])); // Solarized light
        assert!(is_light([0x76; 3]));
        assert!(!is_light([0x75; 3]));
        assert!(!is_light([0, 0, 0]));
        assert!(!is_light([0x28, 0x2c, 0x34]));
        assert!(!is_light([0x00, 0x2b, 0x36])); // Solarized dark
    }

    #[test]
    fn the_attributes_answer_ends_the_wait() {
        assert!(attributes_answered(b"\x1b[?62;22c"));
        assert!(attributes_answered(b"\x1b]11;rgb:0/0/0\x07\x1b[?1;2c"));
        assert!(!attributes_answered(b"\x1b[?62;22"));
        assert!(!attributes_answered(b"\x1b]11;rgb:0/0/0\x07"));
        assert!(!attributes_answered(b"\x1b[?62;22x"));
    }
}

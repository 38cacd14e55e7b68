//! A build's live log: the lines kept in memory, follow mode, scrollback and search, and
//! the terminal emulation (vt100) that turns the visible lines into coloured cells.

use crate::build::lines::plain;
use std::collections::VecDeque;

/// Lines kept in memory per build; older ones are only in the log file.
pub const KEEP_LINES: usize = 100_000;

/// The log of one build as the build screen shows it.
#[derive(Debug, Clone)]
pub struct LogPane {
    /// Raw lines as make printed them (colours and carriage returns kept).
    lines: VecDeque<String>,
    /// The same lines as a terminal shows them, lower-cased, for search.
    search_text: VecDeque<String>,
    /// Lines dropped from memory because of [`KEEP_LINES`].
    dropped: u64,
    /// Stick to the newest line.
    pub follow: bool,
    /// When not following: how many lines the view's last line is above the newest one.
    pub offset: usize,
    /// The search text; empty means no search.
    pub query: String,
    /// The search line is being typed.
    pub typing: bool,
    /// Absolute number (counting dropped lines) of the line the last search landed on.
    pub hit: Option<u64>,
    keep: usize,
}

impl Default for LogPane {
    fn default() -> Self {
        LogPane::with_capacity(KEEP_LINES)
    }
}

impl LogPane {
    /// A pane that keeps at most `keep` lines in memory.
    pub fn with_capacity(keep: usize) -> LogPane {
        LogPane {
            lines: VecDeque::new(),
            search_text: VecDeque::new(),
            dropped: 0,
            follow: true,
            offset: 0,
            query: String::new(),
            typing: false,
            hit: None,
            keep: keep.max(1),
        }
    }

    /// Add one line. A view scrolled back stays on the same lines.
    pub fn push(&mut self, raw: String) {
        if self.lines.len() == self.keep {
            self.lines.pop_front();
            self.search_text.pop_front();
            self.dropped += 1;
        }
        self.search_text.push_back(plain(&raw).to_lowercase());
        self.lines.push_back(raw);
        if !self.follow {
            self.offset = (self.offset + 1).min(self.lines.len().saturating_sub(1));
        }
    }

    /// Lines received in total (including those no longer in memory).
    pub fn total(&self) -> u64 {
        self.dropped + self.lines.len() as u64
    }

    /// Lines no longer in memory.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// Scroll by `delta` lines (negative: back in time); reaching the end follows again.
    pub fn scroll(&mut self, delta: isize, height: usize) {
        let max = self.lines.len().saturating_sub(height.max(1));
        let cur = if self.follow { 0 } else { self.offset };
        let next = if delta < 0 {
            cur.saturating_add(delta.unsigned_abs()).min(max)
        } else {
            cur.saturating_sub(delta as usize)
        };
        self.offset = next;
        self.follow = next == 0;
    }

    /// Jump to the oldest line in memory.
    pub fn top(&mut self, height: usize) {
        self.offset = self.lines.len().saturating_sub(height.max(1));
        self.follow = self.offset == 0;
    }

    /// Jump to the newest line and follow.
    pub fn bottom(&mut self) {
        self.offset = 0;
        self.follow = true;
    }

    /// Follow mode on or off (off keeps the current view).
    pub fn toggle_follow(&mut self) {
        if self.follow {
            self.follow = false;
            self.offset = 0;
        } else {
            self.bottom();
        }
    }

    /// The stored lines in view for a pane `height` rows high: a range of indices.
    /// Near the oldest line the window is filled downwards, so the pane stays full.
    pub fn window(&self, height: usize) -> std::ops::Range<usize> {
        let len = self.lines.len();
        let end = len.saturating_sub(if self.follow { 0 } else { self.offset });
        let start = end.saturating_sub(height);
        start..(start + height).min(len).max(end)
    }

    /// Move to the next (or previous) line containing the query, case-insensitively, and
    /// scroll it into view. Returns false when no line matches.
    pub fn find(&mut self, forward: bool, height: usize) -> bool {
        let q = self.query.to_lowercase();
        if q.is_empty() || self.lines.is_empty() {
            return false;
        }
        let n = self.lines.len();
        let start = match self.hit.and_then(|h| h.checked_sub(self.dropped)) {
            Some(i) if (i as usize) < n => i as usize,
            _ if forward => self.window(height).start.saturating_sub(1).min(n - 1),
            _ => self.window(height).end.min(n),
        };
        let found = if forward {
            (start + 1..n).find(|&i| self.search_text[i].contains(&q))
        } else {
            (0..start.min(n))
                .rev()
                .find(|&i| self.search_text[i].contains(&q))
        };
        let Some(i) = found else {
            return false;
        };
        self.hit = Some(self.dropped + i as u64);
        // Put the match a third of the way up from the bottom when that is possible.
        let below = (height / 3).min(n - 1 - i);
        self.offset = n - 1 - i - below;
        self.follow = self.offset == 0;
        true
    }

    /// Run the visible lines through a terminal emulator `rows` x `cols` big: colours,
    /// carriage returns and wrapping come out as a real terminal would show them.
    pub fn screen(&self, rows: u16, cols: u16) -> vt100::Parser {
        let mut p = vt100::Parser::new(rows.max(1), cols.max(1), 0);
        let w = self.window(rows as usize);
        let last = w.end.saturating_sub(1);
        for i in w {
            p.process(self.lines[i].as_bytes());
            // Reset attributes so a colour left open does not bleed into the next line.
            p.process(b"\x1b[0m");
            if i != last {
                p.process(b"\r\n");
            }
        }
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pane(n: usize) -> LogPane {
        let mut p = LogPane::with_capacity(50);
        for i in 0..n {
            p.push(format!("\x1b[32mline {i}\x1b[0m"));
        }
        p
    }

    #[test]
    fn follow_scroll_and_capacity() {
        let mut p = pane(60);
        assert_eq!((p.total(), p.dropped()), (60, 10));
        assert_eq!(p.window(5), 45..50);
        p.scroll(-3, 5);
        assert!(!p.follow);
        assert_eq!(p.window(5), 42..47);
        p.push("new".into());
        assert_eq!(
            p.window(5),
            41..46,
            "a scrolled view keeps showing the same lines"
        );
        p.scroll(10, 5);
        assert!(p.follow);
        p.top(5);
        assert_eq!(p.window(5), 0..5);
        p.bottom();
        assert_eq!(p.window(5), 45..50);
    }

    #[test]
    fn search_moves_between_matches() {
        let mut p = pane(20);
        p.query = "LINE 1".into();
        assert!(p.find(false, 4));
        assert_eq!(p.hit, Some(19));
        assert!(p.find(false, 4));
        assert_eq!(p.hit, Some(18));
        assert!(p.find(true, 4));
        assert_eq!(p.hit, Some(19));
        assert!(!p.find(true, 4));
        p.query = "nothing".into();
        assert!(!p.find(true, 4));
    }

    #[test]
    fn screen_keeps_colours_and_handles_carriage_returns() {
        let mut p = LogPane::default();
        p.push("\x1b[7m>>> busybox 1.36.1 Building\x1b[27m".into());
        p.push(" 10%\r 60%\r100% done".into());
        let parser = p.screen(4, 40);
        let s = parser.screen();
        assert_eq!(s.contents(), ">>> busybox 1.36.1 Building\n100% done");
        assert!(s.cell(0, 0).unwrap().inverse());
        assert!(!s.cell(1, 0).unwrap().inverse());
    }
}

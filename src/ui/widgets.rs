//! Small drawing helpers shared by screens: list cursor and scrolling, highlighted text,
//! bordered blocks, one-line rows.

use super::theme::{Role, Theme};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders};

/// A cursor in a list and the first visible row, kept so the cursor stays on screen.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ListCursor {
    pub pos: usize,
    pub offset: usize,
}

impl ListCursor {
    /// Put the cursor at `pos` (clamped to `len`) and scroll as little as needed.
    pub fn set(&mut self, pos: usize, len: usize, height: usize) {
        self.pos = pos.min(len.saturating_sub(1));
        self.clamp(len, height);
    }

    /// Move by `delta` rows.
    pub fn step(&mut self, delta: isize, len: usize, height: usize) {
        let pos = self.pos.saturating_add_signed(delta);
        self.set(pos, len, height);
    }

    /// Keep position and offset valid after the list or the viewport changed.
    pub fn clamp(&mut self, len: usize, height: usize) {
        self.pos = self.pos.min(len.saturating_sub(1));
        let height = height.max(1);
        if self.pos < self.offset {
            self.offset = self.pos;
        } else if self.pos >= self.offset + height {
            self.offset = self.pos + 1 - height;
        }
        self.offset = self.offset.min(len.saturating_sub(height));
    }

    /// Scroll the view by `delta` rows (mouse wheel), dragging the cursor along.
    pub fn scroll(&mut self, delta: isize, len: usize, height: usize) {
        let max = len.saturating_sub(height.max(1));
        self.offset = self.offset.saturating_add_signed(delta).min(max);
        let last = (self.offset + height.max(1)).saturating_sub(1);
        self.pos = self.pos.clamp(self.offset, last.max(self.offset));
        self.pos = self.pos.min(len.saturating_sub(1));
    }

    /// The rows to draw: (row index, rectangle) for the visible window.
    pub fn window(&self, len: usize, area: Rect) -> impl Iterator<Item = (usize, Rect)> {
        let mut c = *self;
        c.clamp(len, area.height as usize);
        let start = c.offset;
        let end = (start + area.height as usize).min(len);
        (start..end).map(move |i| {
            let y = area.y + (i - start) as u16;
            (i, Rect::new(area.x, y, area.width, 1))
        })
    }
}

/// Spans for `text` with the characters at `hits` (char indices) in `hl` style.
pub fn highlighted(text: &str, hits: &[usize], base: Style, hl: Style) -> Vec<Span<'static>> {
    if hits.is_empty() {
        return vec![Span::styled(text.to_string(), base)];
    }
    let mut spans = Vec::new();
    let mut cur = String::new();
    let mut cur_hl = false;
    for (i, ch) in text.chars().enumerate() {
        let h = hits.binary_search(&i).is_ok();
        if h != cur_hl && !cur.is_empty() {
            let style = if cur_hl { base.patch(hl) } else { base };
            spans.push(Span::styled(std::mem::take(&mut cur), style));
        }
        cur_hl = h;
        cur.push(ch);
    }
    if !cur.is_empty() {
        let style = if cur_hl { base.patch(hl) } else { base };
        spans.push(Span::styled(cur, style));
    }
    spans
}

/// Char indices of a case-insensitive substring match of `needle` in `hay`.
pub fn substring_hits(hay: &str, needle: &str) -> Option<Vec<usize>> {
    if needle.is_empty() {
        return Some(Vec::new());
    }
    let hay_l: Vec<char> = hay.chars().flat_map(char::to_lowercase).collect();
    let needle_l: Vec<char> = needle.chars().flat_map(char::to_lowercase).collect();
    if hay_l.len() != hay.chars().count() {
        // Lower-casing changed the length: fall back to a plain match without positions.
        return hay
            .to_lowercase()
            .contains(&needle.to_lowercase())
            .then(Vec::new);
    }
    let start = hay_l
        .windows(needle_l.len())
        .position(|w| w == needle_l.as_slice())?;
    Some((start..start + needle_l.len()).collect())
}

/// A bordered block with a title, its border coloured when the pane has focus.
pub fn pane<'a>(title: impl Into<Line<'a>>, focused: bool, theme: &Theme) -> Block<'a> {
    let border = if focused {
        Role::BorderFocused
    } else {
        Role::Border
    };
    Block::default()
        .borders(Borders::ALL)
        .border_style(theme.style(border))
        .title(title.into().style(theme.style(Role::Title)))
}

/// Draw one list row: the row style fills the whole width, spans go on top.
pub fn row(frame: &mut Frame, area: Rect, line: Line<'_>, row_style: Style) {
    frame.buffer_mut().set_style(area, row_style);
    frame.render_widget(line, area);
}

/// Draw one list row in the text style, or in the selection colours when `selected`: on a
/// selected row every span takes the selection's foreground and background (keeping its
/// bold, underline...), so no span colour meant for the plain background lands on it.
pub fn list_row(frame: &mut Frame, area: Rect, line: Line<'_>, theme: &Theme, selected: bool) {
    if !selected {
        return row(frame, area, line, theme.style(Role::Text));
    }
    let sel = theme.style(Role::Selection);
    let spans: Vec<Span<'_>> = line
        .spans
        .into_iter()
        .map(|sp| {
            let mut st = sp.style;
            st.fg = sel.fg;
            st.bg = sel.bg;
            Span::styled(sp.content, st.add_modifier(sel.add_modifier))
        })
        .collect();
    row(frame, area, Line::from(spans), sel);
}

/// `text` cut to `width` columns with an ellipsis (for ASCII-ish names and values).
pub fn fit(text: &str, width: usize) -> String {
    let n = text.chars().count();
    if n <= width {
        return text.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut s: String = text.chars().take(width - 1).collect();
    s.push('…');
    s
}

/// `text` broken into lines of at most `width` columns, at spaces and after the separators
/// `,`, `;` and `·`, so names like `apps/docker` are never split; only a single name longer
/// than a line is cut. Continuation lines keep the first line's indentation.
pub fn wrap_words(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let indent: String = text.chars().take_while(|c| *c == ' ').collect();
    let indent = if indent.chars().count() * 2 > width {
        String::new()
    } else {
        indent
    };
    // Pieces end after a break opportunity: "a, " "b " "c".
    let mut pieces: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        cur.push(c);
        let breaks = c == ' ' || ((c == ',' || c == ';' || c == '·') && chars.peek() != Some(&' '));
        if breaks && chars.peek().is_some_and(|n| *n != ' ') {
            pieces.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        pieces.push(cur);
    }
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for piece in pieces {
        let lw = line.chars().count();
        let pw = piece.trim_end().chars().count();
        if lw > 0 && lw + pw > width && line.trim() != "" {
            lines.push(line.trim_end().to_string());
            line = indent.clone();
        }
        line.push_str(&piece);
        // A single name longer than a line: cut it.
        while line.trim_end().chars().count() > width {
            let head: String = line.chars().take(width).collect();
            let rest: String = line.chars().skip(width).collect();
            lines.push(head);
            line = format!("{indent}{rest}");
        }
    }
    if !line.trim().is_empty() || lines.is_empty() {
        lines.push(line.trim_end().to_string());
    }
    lines
}

/// Text padded with spaces to `width` columns (cut when longer).
pub fn pad(text: &str, width: usize) -> String {
    let s = fit(text, width);
    let n = s.chars().count();
    format!("{s}{}", " ".repeat(width.saturating_sub(n)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_keeps_in_view() {
        let mut c = ListCursor::default();
        c.set(15, 20, 10);
        assert_eq!((c.pos, c.offset), (15, 6));
        c.step(-8, 20, 10);
        assert_eq!((c.pos, c.offset), (7, 6));
        c.step(100, 20, 10);
        assert_eq!((c.pos, c.offset), (19, 10));
        c.scroll(-5, 20, 10);
        assert_eq!((c.pos, c.offset), (14, 5));
        c.set(3, 0, 10);
        assert_eq!((c.pos, c.offset), (0, 0));
    }

    #[test]
    fn highlight_and_substring() {
        let spans = highlighted("pi/4", &[0, 1], Style::default(), Style::default());
        assert_eq!(spans.len(), 2);
        assert_eq!(spans[0].content, "pi");
        assert_eq!(substring_hits("BR2_HTOP", "htop"), Some(vec![4, 5, 6, 7]));
        assert_eq!(substring_hits("BR2_HTOP", "x"), None);
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(pad("ab", 4), "ab  ");
    }

    #[test]
    fn wrapping_never_splits_a_name() {
        let chain = "  chain: skiff/moduleimg,odroid/common,apps/runc,apps/docker,skiff/core";
        let lines = wrap_words(chain, 40);
        assert_eq!(
            lines,
            [
                "  chain: skiff/moduleimg,odroid/common,",
                "  apps/runc,apps/docker,skiff/core"
            ]
        );
        for l in &lines {
            assert!(l.chars().count() <= 40);
        }
        let msg = "no Buildroot tree: clone it into buildroot/ or set SKIFF_BUILDROOT";
        let lines = wrap_words(msg, 30);
        assert_eq!(lines.join(" "), msg);
        assert!(lines.iter().all(|l| l.chars().count() <= 30), "{lines:?}");
        assert_eq!(wrap_words("abcdefgh", 3), ["abc", "def", "gh"]);
        assert_eq!(wrap_words("", 10), [""]);
    }
}

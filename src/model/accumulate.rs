//! One merged config file as upstream's merge_config.sh builds it, line by line, with provenance.

use super::fragment::{LineKind, Value, classify};
use super::provenance::{Assignment, SymbolHistory};
use std::collections::HashMap;
use std::path::PathBuf;

/// A file that contributed lines, with the layer it belongs to.
#[derive(Debug, Clone)]
pub struct FileRef {
    pub layer: String,
    pub path: PathBuf,
}

#[derive(Debug, Clone)]
struct LineRec {
    text: String,
    /// (file index, 1-based line) for fragment lines; None for generated lines.
    origin: Option<(usize, usize)>,
}

#[derive(Debug, Clone)]
struct AssignRec {
    symbol: String,
    value: Value,
    line_idx: usize,
    file: usize,
    line: usize,
}

/// The accumulated text of one config plus the indexes that make upstream's grep/sed
/// de-duplication fast: whole-word tokens, and `CONFIG_…` suffixes followed by ` ` or `=`.
#[derive(Debug, Default, Clone)]
pub struct Accumulator {
    lines: Vec<Option<LineRec>>,
    open_tail: bool,
    words: HashMap<String, Vec<usize>>,
    deletable: HashMap<String, Vec<usize>>,
    files: Vec<FileRef>,
    history: Vec<AssignRec>,
}

impl Accumulator {
    /// Append a line of text like `echo "$s" >> file`.
    pub fn echo(&mut self, s: &str) {
        self.push_text(&format!("{s}\n"), None);
    }

    /// Merge a fragment like `merge_config.sh -m`: every `CONFIG_` symbol it assigns is
    /// removed from the accumulated text (when present as a word), then the fragment is
    /// appended verbatim. Buildroot fragments (`BR2_`) are therefore never de-duplicated.
    pub fn merge_fragment(&mut self, text: &str, file: FileRef) {
        for cfg in config_symbols(text) {
            if self.has_word(&cfg) {
                self.delete_matching(&cfg);
            }
        }
        let file_idx = self.files.len();
        self.files.push(file);
        let first_new = self.lines.len();
        let joined_tail = self.open_tail;
        self.push_text(text, Some(file_idx));
        let start = if joined_tail {
            first_new.saturating_sub(1)
        } else {
            first_new
        };
        for idx in start..self.lines.len() {
            let Some(rec) = &self.lines[idx] else {
                continue;
            };
            let Some((f, line)) = rec.origin else {
                continue;
            };
            if f != file_idx {
                continue;
            }
            if let LineKind::Assign { symbol, value } = classify(&rec.text) {
                self.history.push(AssignRec {
                    symbol: symbol.to_string(),
                    value,
                    line_idx: idx,
                    file: f,
                    line,
                });
            }
        }
    }

    /// Replace `from` with `to` in every live line that came from file `file` onwards
    /// (used for SKIFF_CONFIG_ROOT right after a fragment) or in all lines (`None`).
    pub fn replace(&mut self, from: &str, to: &str, only_from_file: Option<usize>) {
        for idx in 0..self.lines.len() {
            let Some(rec) = &mut self.lines[idx] else {
                continue;
            };
            if let Some(f) = only_from_file
                && rec.origin.is_none_or(|(rf, _)| rf < f)
            {
                continue;
            }
            if rec.text.contains(from) {
                rec.text = rec.text.replace(from, to);
                self.index_line(idx);
            }
        }
        for a in &mut self.history {
            if only_from_file.is_none_or(|f| a.file >= f)
                && let Value::Set(v) = &mut a.value
                && v.contains(from)
            {
                *v = v.replace(from, to);
            }
        }
    }

    /// End an unterminated last line, as a tool that always writes whole lines would.
    pub fn terminate(&mut self) {
        self.open_tail = false;
    }

    /// Number of files merged so far (the index the next fragment gets).
    pub fn file_count(&self) -> usize {
        self.files.len()
    }

    /// The accumulated text, byte for byte.
    pub fn text(&self) -> String {
        let mut out = String::new();
        let live: Vec<&LineRec> = self.lines.iter().flatten().collect();
        for (i, rec) in live.iter().enumerate() {
            out.push_str(&rec.text);
            if i + 1 < live.len() || !self.open_tail {
                out.push('\n');
            }
        }
        out
    }

    /// Every symbol with its effective assignment and the assignments it replaced.
    pub fn provenance(&self) -> Vec<SymbolHistory> {
        let mut order: Vec<String> = Vec::new();
        let mut by_sym: HashMap<&str, Vec<&AssignRec>> = HashMap::new();
        for a in &self.history {
            let e = by_sym.entry(&a.symbol).or_default();
            if e.is_empty() {
                order.push(a.symbol.clone());
            }
            e.push(a);
        }
        let mut out = Vec::new();
        for sym in order {
            let recs = &by_sym[sym.as_str()];
            let Some(eff_pos) = recs.iter().rposition(|a| self.lines[a.line_idx].is_some()) else {
                continue;
            };
            let to_assignment = |a: &AssignRec| Assignment {
                value: a.value.clone(),
                layer: self.files[a.file].layer.clone(),
                path: self.files[a.file].path.clone(),
                line: a.line,
            };
            out.push(SymbolHistory {
                symbol: sym.clone(),
                effective: to_assignment(recs[eff_pos]),
                replaced: recs[..eff_pos].iter().map(|a| to_assignment(a)).collect(),
                position: recs[eff_pos].line_idx,
                superseded_by: None,
            });
        }
        out.sort_by_key(|h| h.position);
        out
    }

    fn push_text(&mut self, text: &str, file: Option<usize>) {
        let mut rest = text;
        let mut lineno = 1;
        if self.open_tail && !rest.is_empty() {
            let (first, remainder, closed) = match rest.find('\n') {
                Some(p) => (&rest[..p], &rest[p + 1..], true),
                None => (rest, "", false),
            };
            if let Some(idx) = self.lines.iter().rposition(Option::is_some) {
                if let Some(rec) = &mut self.lines[idx] {
                    rec.text.push_str(first);
                }
                self.index_line(idx);
            }
            self.open_tail = !closed;
            rest = remainder;
            lineno = 2;
        }
        for seg in rest.split_inclusive('\n') {
            let (body, closed) = match seg.strip_suffix('\n') {
                Some(b) => (b, true),
                None => (seg, false),
            };
            let idx = self.lines.len();
            self.lines.push(Some(LineRec {
                text: body.to_string(),
                origin: file.map(|f| (f, lineno)),
            }));
            self.index_line(idx);
            self.open_tail = !closed;
            lineno += 1;
        }
    }

    fn index_line(&mut self, idx: usize) {
        let Some(rec) = &self.lines[idx] else { return };
        let (words, dels) = tokens(&rec.text);
        for w in words {
            self.words.entry(w).or_default().push(idx);
        }
        for d in dels {
            self.deletable.entry(d).or_default().push(idx);
        }
    }

    /// `grep -qw CFG`: is CFG a whole word on some live line?
    fn has_word(&self, cfg: &str) -> bool {
        self.words.get(cfg).is_some_and(|idxs| {
            idxs.iter().any(|&i| {
                self.lines[i]
                    .as_ref()
                    .is_some_and(|r| tokens(&r.text).0.iter().any(|w| w == cfg))
            })
        })
    }

    /// `sed -i "/CFG[ =]/d"`: delete every live line containing CFG followed by space or `=`.
    fn delete_matching(&mut self, cfg: &str) {
        let Some(idxs) = self.deletable.get(cfg).cloned() else {
            return;
        };
        let pat_sp = format!("{cfg} ");
        let pat_eq = format!("{cfg}=");
        for i in idxs {
            let hit = self.lines[i]
                .as_ref()
                .is_some_and(|r| r.text.contains(&pat_sp) || r.text.contains(&pat_eq));
            if hit {
                if self.lines[i + 1..].iter().all(Option::is_none) && self.open_tail {
                    self.open_tail = false;
                }
                self.lines[i] = None;
            }
        }
    }
}

/// Symbols `merge_config.sh` collects from a fragment: `CONFIG_X=` lines and exact
/// `# CONFIG_X is not set` lines (prefix fixed to `CONFIG_`).
fn config_symbols(text: &str) -> Vec<String> {
    let is_word = |s: &str| s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    let mut out = Vec::new();
    for line in text.split('\n') {
        if let Some(rest) = line.strip_prefix("CONFIG_")
            && let Some(p) = rest.find('=')
            && is_word(&rest[..p])
        {
            out.push(format!("CONFIG_{}", &rest[..p]));
            continue;
        }
        if let Some(rest) = line.strip_prefix("# CONFIG_")
            && let Some(name) = rest.strip_suffix(" is not set")
            && is_word(name)
        {
            out.push(format!("CONFIG_{name}"));
        }
    }
    out
}

/// Whole-word tokens of a line, and every `CONFIG_…` suffix of a token that is followed by
/// a space or `=` (the strings `sed /CFG[ =]/` can match).
fn tokens(line: &str) -> (Vec<String>, Vec<String>) {
    let bytes = line.as_bytes();
    let mut words = Vec::new();
    let mut dels = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if !is_word_byte(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && is_word_byte(bytes[i]) {
            i += 1;
        }
        let tok = &line[start..i];
        if matches!(bytes.get(i), Some(b' ') | Some(b'=')) {
            let mut from = 0;
            while let Some(p) = tok[from..].find("CONFIG_") {
                dels.push(tok[from + p..].to_string());
                from += p + 1;
            }
        }
        words.push(tok.to_string());
    }
    (words, dels)
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(n: &str) -> FileRef {
        FileRef {
            layer: n.into(),
            path: n.into(),
        }
    }

    #[test]
    fn later_kernel_fragment_removes_earlier_lines() {
        let mut a = Accumulator::default();
        a.merge_fragment(
            "CONFIG_A=y\n# enable CONFIG_A here\nCONFIG_AB=y\n",
            file("one"),
        );
        a.merge_fragment("# CONFIG_A is not set\n", file("two"));
        assert_eq!(a.text(), "CONFIG_AB=y\n# CONFIG_A is not set\n");
        let p = a.provenance();
        let h = p.iter().find(|h| h.symbol == "CONFIG_A").unwrap();
        assert_eq!(h.effective.layer, "two");
        assert_eq!(h.effective.value, Value::NotSet);
        assert_eq!(h.replaced.len(), 1);
        assert_eq!(h.replaced[0].line, 1);
    }

    #[test]
    fn duplicates_inside_one_fragment_are_kept() {
        let mut a = Accumulator::default();
        a.merge_fragment("CONFIG_U=m\nCONFIG_U=y\n", file("one"));
        assert_eq!(a.text(), "CONFIG_U=m\nCONFIG_U=y\n");
        let p = a.provenance();
        assert_eq!(p[0].effective.value, Value::Set("y".into()));
        assert_eq!(p[0].replaced[0].value, Value::Set("m".into()));
    }

    #[test]
    fn buildroot_lines_are_not_deduplicated() {
        let mut a = Accumulator::default();
        a.merge_fragment("BR2_x86_64=y\n", file("pre"));
        a.merge_fragment("BR2_x86_64=n\n", file("board"));
        assert_eq!(a.text(), "BR2_x86_64=y\nBR2_x86_64=n\n");
        assert_eq!(a.provenance()[0].effective.layer, "board");
    }

    #[test]
    fn missing_newline_joins_like_cat() {
        let mut a = Accumulator::default();
        a.merge_fragment("CONFIG_A=y", file("one"));
        a.echo("");
        a.echo("# next");
        assert_eq!(a.text(), "CONFIG_A=y\n# next\n");
    }

    #[test]
    fn suffix_match_deletes_like_sed() {
        let mut a = Accumulator::default();
        a.merge_fragment("XCONFIG_A=1\nCONFIG_A=y\nCONFIG_A_B=y\n", file("one"));
        a.merge_fragment("CONFIG_A=n\n", file("two"));
        assert_eq!(a.text(), "CONFIG_A_B=y\nCONFIG_A=n\n");
    }

    #[test]
    fn word_match_is_required_before_deleting() {
        let mut a = Accumulator::default();
        a.merge_fragment("XCONFIG_A=1\n", file("one"));
        a.merge_fragment("CONFIG_A=n\n", file("two"));
        assert_eq!(a.text(), "XCONFIG_A=1\nCONFIG_A=n\n");
    }
}

//! Reading a Kconfig tree (Buildroot's or a test one): symbols with types, prompts,
//! dependencies, ranges, selects and choices. Defaults are left to the real Kconfig engine.

use super::expr::{Expr, parse as parse_expr};
use crate::build::error::{BuildError, Result};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// The type of a symbol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SymKind {
    Bool,
    Tristate,
    String,
    Int,
    Hex,
    Unknown,
}

/// `range LO HI [if COND]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Range {
    pub lo: String,
    pub hi: String,
    pub cond: Option<Expr>,
}

/// One `config`/`menuconfig` entry of a symbol (a symbol may be defined several times).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Def {
    pub file: PathBuf,
    pub line: usize,
    /// Whether this entry has a prompt, i.e. the user can set the symbol through it.
    pub prompt: bool,
    /// Every condition the prompt needs: enclosing `if`/`menu`/`choice` dependencies, the
    /// entry's `depends on`, and the prompt's own `if`.
    pub visible_if: Vec<Expr>,
    pub ranges: Vec<Range>,
}

/// `select SYM [if COND]` seen from the selected symbol.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selector {
    pub by: String,
    pub cond: Option<Expr>,
}

/// A symbol and everything the tree says about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Symbol {
    pub name: String,
    pub kind: SymKind,
    pub defs: Vec<Def>,
    pub selected_by: Vec<Selector>,
    /// Index into [`KconfigTree::choices`] when the symbol is a choice member.
    pub choice: Option<usize>,
    /// The environment variable of an `option env=` symbol (its value cannot be set).
    pub env: Option<String>,
}

/// A `choice` block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub file: PathBuf,
    pub line: usize,
    pub members: Vec<String>,
}

/// All symbols and choices of a tree.
#[derive(Debug, Clone, Default)]
pub struct KconfigTree {
    pub symbols: BTreeMap<String, Symbol>,
    pub choices: Vec<Choice>,
    pub files: usize,
    /// Lines skipped because they could not be read (file:line: text).
    pub skipped: Vec<String>,
}

#[derive(Debug, Clone)]
enum Frame {
    If(Vec<Expr>),
    Menu(Vec<Expr>),
    Choice(usize, Vec<Expr>),
}

impl Frame {
    fn deps(&self) -> &[Expr] {
        match self {
            Frame::If(d) | Frame::Menu(d) | Frame::Choice(_, d) => d,
        }
    }
}

enum Current {
    None,
    Config(String),
    Menu,
    Choice,
}

struct Reader<'a> {
    srctree: &'a Path,
    /// Files being read, outermost first (a file that sources itself is an error).
    open: Vec<PathBuf>,
    vars: &'a HashMap<String, String>,
    tree: KconfigTree,
    frames: Vec<Frame>,
    current: Current,
}

/// Read the tree rooted at `srctree/top`; `vars` expands `$NAME`, `${NAME}` and `$(NAME)`
/// in `source` paths (an `option env=` symbol expands to its variable's value).
pub fn read_tree(srctree: &Path, top: &str, vars: &HashMap<String, String>) -> Result<KconfigTree> {
    let mut r = Reader {
        srctree,
        open: Vec::new(),
        vars,
        tree: KconfigTree::default(),
        frames: Vec::new(),
        current: Current::None,
    };
    r.file(&srctree.join(top), 0, false)?;
    Ok(r.tree)
}

/// Logical lines: comments stripped outside quotes, backslash continuations joined.
fn logical_lines(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut acc = String::new();
    let mut start = 0;
    for (i, raw) in text.lines().enumerate() {
        if acc.is_empty() {
            start = i + 1;
        }
        match raw.strip_suffix('\\') {
            Some(part) => acc.push_str(part),
            None => {
                acc.push_str(raw);
                out.push((start, std::mem::take(&mut acc)));
            }
        }
    }
    if !acc.is_empty() {
        out.push((start, acc));
    }
    out
}

fn strip_comment(line: &str) -> &str {
    let mut quote = None;
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        match (quote, c) {
            (_, _) if escaped => escaped = false,
            (Some(_), '\\') => escaped = true,
            (Some(q), c) if c == q => quote = None,
            (None, '"' | '\'') => quote = Some(c),
            (None, '#') => return &line[..i],
            _ => {}
        }
    }
    line
}

fn indent(line: &str) -> usize {
    let mut n = 0;
    for c in line.chars() {
        match c {
            ' ' => n += 1,
            '\t' => n = (n / 8 + 1) * 8,
            _ => break,
        }
    }
    n
}

/// A leading quoted string and the rest of the text.
fn quoted(text: &str) -> Option<(String, &str)> {
    let t = text.trim_start();
    let q = t.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let mut s = String::new();
    let mut escaped = false;
    for (i, c) in t.char_indices().skip(1) {
        if escaped {
            s.push(c);
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == q {
            return Some((s, &t[i + 1..]));
        } else {
            s.push(c);
        }
    }
    None
}

/// `if EXPR` at the end of an attribute.
fn if_cond(rest: &str) -> Option<Option<Expr>> {
    let r = rest.trim();
    if r.is_empty() {
        return Some(None);
    }
    let e = r.strip_prefix("if")?;
    if !e.starts_with(char::is_whitespace) {
        return None;
    }
    parse_expr(e).map(Some)
}

impl Reader<'_> {
    fn file(&mut self, path: &Path, depth: usize, optional: bool) -> Result<()> {
        if depth > 64 {
            return Err(BuildError::Invalid(format!(
                "{}: Kconfig files source each other more than 64 levels deep (a loop?)",
                path.display()
            )));
        }
        if optional && !path.is_file() {
            return Ok(());
        }
        let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        if self.open.contains(&canonical) {
            return Err(BuildError::Invalid(format!(
                "{}: sources itself (through {})",
                path.display(),
                self.open
                    .last()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default()
            )));
        }
        let text = std::fs::read_to_string(path).map_err(|e| BuildError::io(path, e))?;
        self.tree.files += 1;
        self.open.push(canonical);
        let result = self.lines(&text, path, depth);
        self.open.pop();
        result
    }

    fn lines(&mut self, text: &str, path: &Path, depth: usize) -> Result<()> {
        // Inside help text: None = not in help; Some(None) = first text line not seen yet.
        let mut help: Option<Option<usize>> = None;
        let mut help_kw = 0;
        for (no, raw) in logical_lines(text) {
            if let Some(state) = help {
                if raw.trim().is_empty() {
                    continue;
                }
                let ind = indent(&raw);
                match state {
                    None if ind > help_kw => {
                        help = Some(Some(ind));
                        continue;
                    }
                    Some(n) if ind >= n => continue,
                    _ => help = None,
                }
            }
            let line = strip_comment(&raw).trim();
            if line.is_empty() {
                continue;
            }
            let (kw, rest) = line
                .split_once(char::is_whitespace)
                .map(|(k, r)| (k, r.trim()))
                .unwrap_or((line, ""));
            if kw == "help" || kw == "---help---" {
                help = Some(None);
                help_kw = indent(&raw);
                continue;
            }
            if !self.statement(kw, rest, path, no, depth)? {
                self.tree
                    .skipped
                    .push(format!("{}:{no}: {line}", path.display()));
            }
        }
        Ok(())
    }

    /// Handle one statement; false when it was not understood.
    fn statement(
        &mut self,
        kw: &str,
        rest: &str,
        path: &Path,
        no: usize,
        depth: usize,
    ) -> Result<bool> {
        match kw {
            "config" | "menuconfig" => self.start_config(rest, path, no),
            "bool" | "boolean" | "tristate" | "string" | "int" | "hex" => {
                self.set_kind(kw);
                if !rest.is_empty() {
                    let Some((_, after)) = quoted(rest) else {
                        return Ok(false);
                    };
                    let Some(cond) = if_cond(after) else {
                        return Ok(false);
                    };
                    self.set_prompt(cond);
                }
            }
            "def_bool" => self.set_kind("bool"),
            "def_tristate" => self.set_kind("tristate"),
            "prompt" => {
                let Some((_, after)) = quoted(rest) else {
                    return Ok(false);
                };
                let Some(cond) = if_cond(after) else {
                    return Ok(false);
                };
                self.set_prompt(cond);
            }
            "depends" => {
                let Some(e) = rest
                    .strip_prefix("on")
                    .filter(|r| r.starts_with(char::is_whitespace))
                    .and_then(parse_expr)
                else {
                    return Ok(false);
                };
                self.add_dep(e);
            }
            "visible" => {
                let Some(Some(e)) = if_cond(rest) else {
                    return Ok(false);
                };
                if matches!(self.current, Current::Menu) {
                    self.add_dep(e);
                }
            }
            "select" => {
                let (target, after) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
                let Some(cond) = if_cond(after) else {
                    return Ok(false);
                };
                if let Current::Config(by) = &self.current {
                    let by = by.clone();
                    self.symbol(target).selected_by.push(Selector { by, cond });
                }
            }
            "range" => {
                let mut it = rest.split_whitespace();
                let (Some(lo), Some(hi)) = (it.next(), it.next()) else {
                    return Ok(false);
                };
                let tail = it.collect::<Vec<_>>().join(" ");
                let Some(cond) = if_cond(&tail) else {
                    return Ok(false);
                };
                if let Some(d) = self.last_def() {
                    d.ranges.push(Range {
                        lo: lo.to_string(),
                        hi: hi.to_string(),
                        cond,
                    });
                }
            }
            "option" => {
                if let Some(v) = rest
                    .strip_prefix("env=")
                    .and_then(|v| quoted(v).map(|q| q.0))
                    && let Current::Config(name) = &self.current
                {
                    let name = name.clone();
                    self.symbol(&name).env = Some(v);
                }
            }
            "default" | "imply" | "modules" | "transitional" | "optional" | "mainmenu" => {}
            "menu" => {
                self.frames.push(Frame::Menu(Vec::new()));
                self.current = Current::Menu;
            }
            "choice" => {
                self.tree.choices.push(Choice {
                    file: path.to_path_buf(),
                    line: no,
                    members: Vec::new(),
                });
                self.frames
                    .push(Frame::Choice(self.tree.choices.len() - 1, Vec::new()));
                self.current = Current::Choice;
            }
            "if" => {
                let Some(e) = parse_expr(rest) else {
                    return Ok(false);
                };
                self.frames.push(Frame::If(vec![e]));
                self.current = Current::None;
            }
            "endmenu" | "endchoice" | "endif" => {
                let want = |f: &Frame| match kw {
                    "endmenu" => matches!(f, Frame::Menu(_)),
                    "endchoice" => matches!(f, Frame::Choice(..)),
                    _ => matches!(f, Frame::If(_)),
                };
                if !self.frames.iter().any(want) {
                    return Ok(false);
                }
                while let Some(f) = self.frames.pop() {
                    if want(&f) {
                        break;
                    }
                }
                self.current = Current::None;
            }
            "comment" => self.current = Current::None,
            "source" | "rsource" | "osource" | "orsource" => {
                let Some((p, _)) = quoted(rest) else {
                    return Ok(false);
                };
                let expanded = self.expand(&p);
                let relative_to_file = kw == "rsource" || kw == "orsource";
                let base = if relative_to_file {
                    path.parent().unwrap_or(self.srctree).to_path_buf()
                } else {
                    self.srctree.to_path_buf()
                };
                let target = base.join(&expanded);
                let optional = kw.starts_with('o');
                if !optional && !target.is_file() {
                    return Err(BuildError::BadFile {
                        path: path.to_path_buf(),
                        line: no,
                        what: format!("sources {}, which does not exist", target.display()),
                    });
                }
                self.current = Current::None;
                self.file(&target, depth + 1, optional)?;
                self.current = Current::None;
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn symbol(&mut self, name: &str) -> &mut Symbol {
        self.tree
            .symbols
            .entry(name.to_string())
            .or_insert_with(|| Symbol {
                name: name.to_string(),
                kind: SymKind::Unknown,
                defs: Vec::new(),
                selected_by: Vec::new(),
                choice: None,
                env: None,
            })
    }

    fn start_config(&mut self, name: &str, path: &Path, no: usize) {
        let deps: Vec<Expr> = self
            .frames
            .iter()
            .flat_map(|f| f.deps().iter().cloned())
            .collect();
        let choice = self.frames.iter().rev().find_map(|f| match f {
            Frame::Choice(i, _) => Some(Some(*i)),
            Frame::Menu(_) => Some(None),
            Frame::If(_) => None,
        });
        let sym = self.symbol(name);
        sym.defs.push(Def {
            file: path.to_path_buf(),
            line: no,
            prompt: false,
            visible_if: deps,
            ranges: Vec::new(),
        });
        if let Some(Some(i)) = choice {
            sym.choice = Some(i);
            let members = &mut self.tree.choices[i].members;
            if !members.iter().any(|m| m == name) {
                members.push(name.to_string());
            }
        }
        self.current = Current::Config(name.to_string());
    }

    fn last_def(&mut self) -> Option<&mut Def> {
        let Current::Config(name) = &self.current else {
            return None;
        };
        let name = name.clone();
        self.tree.symbols.get_mut(&name)?.defs.last_mut()
    }

    fn set_kind(&mut self, kw: &str) {
        let kind = match kw {
            "bool" | "boolean" => SymKind::Bool,
            "tristate" => SymKind::Tristate,
            "string" => SymKind::String,
            "int" => SymKind::Int,
            "hex" => SymKind::Hex,
            _ => return,
        };
        if let Current::Config(name) = &self.current {
            let name = name.clone();
            let sym = self.symbol(&name);
            if sym.kind == SymKind::Unknown {
                sym.kind = kind;
            }
        }
    }

    fn set_prompt(&mut self, cond: Option<Expr>) {
        if let Some(d) = self.last_def() {
            d.prompt = true;
            d.visible_if.extend(cond);
        }
    }

    fn add_dep(&mut self, e: Expr) {
        match self.current {
            Current::Config(_) => {
                if let Some(d) = self.last_def() {
                    d.visible_if.push(e);
                }
            }
            Current::Menu | Current::Choice => match self.frames.last_mut() {
                Some(Frame::Menu(d)) | Some(Frame::Choice(_, d)) => d.push(e),
                _ => {}
            },
            Current::None => {}
        }
    }

    /// Expand `$NAME`, `${NAME}` and `$(NAME)`; an `option env=` symbol stands for its variable.
    fn expand(&self, s: &str) -> String {
        let lookup = |name: &str| {
            let var = self
                .tree
                .symbols
                .get(name)
                .and_then(|sym| sym.env.clone())
                .unwrap_or_else(|| name.to_string());
            self.vars
                .get(&var)
                .or_else(|| self.vars.get(name))
                .cloned()
                .unwrap_or_default()
        };
        let mut out = String::new();
        let mut rest = s;
        while let Some(i) = rest.find('$') {
            out.push_str(&rest[..i]);
            let after = &rest[i + 1..];
            let (name, skip) = match after.chars().next() {
                Some(open @ ('(' | '{')) => {
                    let close = if open == '(' { ')' } else { '}' };
                    match after.find(close) {
                        Some(j) => (&after[1..j], j + 1),
                        None => ("", 0),
                    }
                }
                _ => {
                    let n = after
                        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                        .unwrap_or(after.len());
                    (&after[..n], n)
                }
            };
            if name.is_empty() {
                out.push('$');
                rest = after;
                continue;
            }
            out.push_str(&lookup(name));
            rest = &after[skip..];
        }
        out.push_str(rest);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_types_prompts_dependencies_and_choices() {
        let dir = tempfile::tempdir().unwrap();
        let top = "\
config BR2_BASE_DIR
\tstring
\toption env=\"BASE_DIR\"

source \"$BR2_BASE_DIR/extra.in\"

menu \"Things\"
\tdepends on BR2_A

config BR2_A
\tbool \"a\" if BR2_X # a comment
\tselect BR2_HIDDEN if BR2_Y
\thelp
\t  Help text with keywords:
\t  config NOT_A_SYMBOL

\t  depends on NOTHING

choice
\tprompt \"pick\"
config BR2_C1
\tbool \"one\"
if BR2_A
config BR2_C2
\tbool \"two\"
endif
endchoice

config BR2_N
\tint \"n\"
\trange 1 12 if BR2_A
endmenu

config BR2_HIDDEN
\tbool
";
        std::fs::write(dir.path().join("Config.in"), top).unwrap();
        let base = dir.path().join("base");
        std::fs::create_dir(&base).unwrap();
        std::fs::write(base.join("extra.in"), "config BR2_EXTRA\n\thex \"x\"\n").unwrap();
        let vars = HashMap::from([("BASE_DIR".to_string(), base.display().to_string())]);
        let t = read_tree(dir.path(), "Config.in", &vars).unwrap();
        assert_eq!(t.files, 2);
        assert!(t.skipped.is_empty(), "{:?}", t.skipped);
        assert!(!t.symbols.contains_key("NOT_A_SYMBOL"));
        let a = &t.symbols["BR2_A"];
        assert_eq!(a.kind, SymKind::Bool);
        let vis: Vec<String> = a.defs[0].visible_if.iter().map(|e| e.to_string()).collect();
        assert_eq!(vis, ["BR2_A", "BR2_X"]);
        let h = &t.symbols["BR2_HIDDEN"];
        assert!(!h.defs[0].prompt);
        assert_eq!(h.selected_by[0].by, "BR2_A");
        assert_eq!(t.choices[0].members, ["BR2_C1", "BR2_C2"]);
        assert_eq!(t.symbols["BR2_C2"].choice, Some(0));
        assert_eq!(t.symbols["BR2_N"].defs[0].ranges[0].hi, "12");
        assert_eq!(t.symbols["BR2_N"].choice, None);
        assert_eq!(t.symbols["BR2_EXTRA"].kind, SymKind::Hex);
        assert_eq!(t.symbols["BR2_BASE_DIR"].env.as_deref(), Some("BASE_DIR"));
    }

    #[test]
    fn missing_source_names_the_line() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("Config.in"),
            "\nsource \"nope/Config.in\"\n",
        )
        .unwrap();
        let e = read_tree(dir.path(), "Config.in", &HashMap::new()).unwrap_err();
        assert!(e.to_string().contains("Config.in:2: sources"), "{e}");
        std::fs::write(dir.path().join("Config.in"), "osource \"nope\"\n").unwrap();
        assert!(read_tree(dir.path(), "Config.in", &HashMap::new()).is_ok());
        std::fs::write(dir.path().join("Config.in"), "source \"Config.in\"\n").unwrap();
        let e = read_tree(dir.path(), "Config.in", &HashMap::new()).unwrap_err();
        assert!(e.to_string().contains("sources itself"), "{e}");
    }
}

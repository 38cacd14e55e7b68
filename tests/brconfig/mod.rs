//! Test support: the Buildroot 2026.02.3 symbol tables, defconfig assignment parsing, and an approximate Kconfig evaluator for `depends_on` expressions.
//!
//! The approximation (the tables have no defaults and no `select ... if` conditions):
//! * a bool symbol the stack does not set is `n`, unless a `y` symbol selects it (selects are
//!   followed without their conditions, and only to symbols with a prompt);
//! * a choice takes its last member requested `y`; with none, its first default whose
//!   condition holds, else its first member;
//! * a hidden symbol (`has_prompt` = n) that nothing selects is unknown, as is an unset string,
//!   int or hex symbol; expressions use three-valued logic and only a definite "false" counts
//!   as an unmet dependency.
#![allow(dead_code)]

use std::collections::{HashMap, HashSet};
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Type {
    Bool,
    Tristate,
    String,
    Int,
    Hex,
}

#[derive(Debug, Clone)]
pub struct Symbol {
    pub name: String,
    pub ty: Type,
    pub choice: Option<String>,
    pub legacy: bool,
    pub depends_on: String,
    pub selects: Vec<String>,
    pub has_prompt: bool,
}

#[derive(Debug, Clone)]
pub struct Choice {
    pub id: String,
    pub depends_on: String,
    /// (member, condition)
    pub defaults: Vec<(String, Option<String>)>,
    pub members: Vec<String>,
}

pub struct Table {
    pub symbols: HashMap<String, Symbol>,
    pub choices: HashMap<String, Choice>,
}

fn cols(line: &str) -> Vec<&str> {
    line.split('\t').collect()
}

impl Table {
    pub fn load(dir: &Path) -> Table {
        let sym_text =
            std::fs::read_to_string(dir.join("symbols-2026.02.3.tsv")).expect("symbols table");
        let mut symbols = HashMap::new();
        for line in sym_text.lines().skip(1) {
            let c = cols(line);
            assert_eq!(c.len(), 7, "bad symbols row: {line}");
            let ty = match c[1] {
                "bool" => Type::Bool,
                "tristate" => Type::Tristate,
                "string" => Type::String,
                "int" => Type::Int,
                "hex" => Type::Hex,
                other => panic!("unknown type {other}"),
            };
            symbols.insert(
                c[0].to_string(),
                Symbol {
                    name: c[0].to_string(),
                    ty,
                    choice: (!c[2].is_empty()).then(|| c[2].to_string()),
                    legacy: c[3] == "Config.in.legacy",
                    depends_on: c[4].to_string(),
                    selects: c[5]
                        .split(',')
                        .filter(|s| !s.is_empty())
                        .map(String::from)
                        .collect(),
                    has_prompt: c[6] == "y",
                },
            );
        }
        let ch_text =
            std::fs::read_to_string(dir.join("choices-2026.02.3.tsv")).expect("choices table");
        let mut choices = HashMap::new();
        for line in ch_text.lines().skip(1) {
            let c = cols(line);
            assert_eq!(c.len(), 7, "bad choices row: {line}");
            let defaults = c[5]
                .split("; ")
                .filter(|s| !s.is_empty())
                .map(|d| match d.split_once(" if ") {
                    Some((s, cond)) => (s.to_string(), Some(cond.to_string())),
                    None => (d.to_string(), None),
                })
                .collect();
            choices.insert(
                c[0].to_string(),
                Choice {
                    id: c[0].to_string(),
                    depends_on: c[4].to_string(),
                    defaults,
                    members: c[6].split(',').map(String::from).collect(),
                },
            );
        }
        Table { symbols, choices }
    }
}

/// One `NAME=value` or `# NAME is not set` line; `value` is None for "is not set".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assign {
    pub name: String,
    pub value: Option<String>,
    pub line: usize,
}

/// Parses the assignments of a defconfig fragment; other lines must be blank or comments.
pub fn assignments(text: &str) -> Result<Vec<Assign>, String> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim_end();
        if let Some(rest) = line.strip_prefix("# ")
            && let Some(name) = rest.strip_suffix(" is not set")
            && is_name(name)
        {
            out.push(Assign {
                name: name.into(),
                value: None,
                line: i + 1,
            });
            continue;
        }
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        match line.split_once('=') {
            Some((name, value)) if is_name(name) => out.push(Assign {
                name: name.into(),
                value: Some(value.into()),
                line: i + 1,
            }),
            _ => return Err(format!("line {}: not an assignment: {line}", i + 1)),
        }
    }
    Ok(out)
}

fn is_name(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Checks that `value` is written correctly for `ty`.
pub fn value_fits(ty: Type, value: &str) -> bool {
    match ty {
        Type::Bool => value == "y" || value == "n",
        Type::Tristate => matches!(value, "y" | "n" | "m"),
        Type::String => {
            value.len() >= 2
                && value.starts_with('"')
                && value.ends_with('"')
                && !value[1..value.len() - 1]
                    .replace("\\\\", "")
                    .replace("\\\"", "")
                    .contains('"')
        }
        Type::Int => {
            let v = value.strip_prefix('-').unwrap_or(value);
            !v.is_empty() && v.chars().all(|c| c.is_ascii_digit())
        }
        Type::Hex => value
            .strip_prefix("0x")
            .or_else(|| value.strip_prefix("0X"))
            .is_some_and(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_hexdigit())),
    }
}

/// Three-valued logic for expressions over values we only partly know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tri {
    True,
    False,
    Unknown,
}

impl Tri {
    fn not(self) -> Tri {
        match self {
            Tri::True => Tri::False,
            Tri::False => Tri::True,
            Tri::Unknown => Tri::Unknown,
        }
    }
    fn and(self, o: Tri) -> Tri {
        match (self, o) {
            (Tri::False, _) | (_, Tri::False) => Tri::False,
            (Tri::True, Tri::True) => Tri::True,
            _ => Tri::Unknown,
        }
    }
    fn or(self, o: Tri) -> Tri {
        match (self, o) {
            (Tri::True, _) | (_, Tri::True) => Tri::True,
            (Tri::False, Tri::False) => Tri::False,
            _ => Tri::Unknown,
        }
    }
}

/// The values of a stack, computed from its requested assignments.
pub struct Values<'t> {
    table: &'t Table,
    /// Known text value per symbol: "y"/"n" for bools, unquoted text otherwise.
    known: HashMap<String, String>,
}

fn unquote(v: &str) -> String {
    let inner = v
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(v);
    inner.replace("\\\"", "\"").replace("\\\\", "\\")
}

impl<'t> Values<'t> {
    /// Computes final values from assignments in merge order (later wins).
    pub fn compute(table: &'t Table, assigns: &[Assign]) -> Values<'t> {
        let mut known: HashMap<String, String> = HashMap::new();
        let mut chosen: HashMap<String, String> = HashMap::new();
        for a in assigns {
            let Some(sym) = table.symbols.get(&a.name) else {
                continue;
            };
            let requested = a.value.as_deref().map_or("n".to_string(), unquote);
            match (&sym.choice, sym.ty) {
                (Some(ch), Type::Bool) if requested == "y" => {
                    chosen.insert(ch.clone(), a.name.clone());
                }
                (Some(_), Type::Bool) => {}
                _ if sym.has_prompt => {
                    known.insert(a.name.clone(), requested);
                }
                _ => {}
            }
        }
        let mut v = Values { table, known };
        // Bools nobody set are n; selects can still turn them on below.
        for (name, sym) in &table.symbols {
            if sym.ty == Type::Bool && sym.has_prompt && sym.choice.is_none() {
                v.known.entry(name.clone()).or_insert_with(|| "n".into());
            }
        }
        v.propagate_selects();
        // Choices: last requested member, else the default, else the first member.
        let mut ids: Vec<&String> = table.choices.keys().collect();
        ids.sort();
        for id in ids {
            let ch = &table.choices[id];
            let pick = chosen.get(id).cloned().or_else(|| {
                ch.defaults
                    .iter()
                    .find(|(_, cond)| cond.as_deref().is_none_or(|c| v.eval(c) != Tri::False))
                    .map(|(s, _)| s.clone())
                    .or_else(|| ch.members.first().cloned())
            });
            for m in &ch.members {
                let on = pick.as_deref() == Some(m.as_str());
                v.known.insert(m.clone(), if on { "y" } else { "n" }.into());
            }
        }
        v.propagate_selects();
        v
    }

    fn propagate_selects(&mut self) {
        loop {
            let mut added = false;
            let on: Vec<String> = self
                .known
                .iter()
                .filter(|(_, val)| val.as_str() == "y")
                .map(|(k, _)| k.clone())
                .collect();
            for name in on {
                let Some(sym) = self.table.symbols.get(&name) else {
                    continue;
                };
                for s in &sym.selects {
                    // A select's condition is not in the table. Hidden targets stay unknown;
                    // user-visible ones (a package a feature needs) are taken as on.
                    let visible = self.table.symbols.get(s).is_some_and(|t| t.has_prompt);
                    if visible && self.known.get(s).map(String::as_str) != Some("y") {
                        self.known.insert(s.clone(), "y".into());
                        added = true;
                    }
                }
            }
            if !added {
                break;
            }
        }
    }

    /// The final text value of a symbol, if known.
    pub fn value(&self, name: &str) -> Option<&str> {
        self.known.get(name).map(String::as_str)
    }

    /// Evaluates a `depends_on` expression.
    pub fn eval(&self, expr: &str) -> Tri {
        if expr.trim().is_empty() {
            return Tri::True;
        }
        let toks = tokenize(expr);
        let mut p = Parser {
            toks: &toks,
            pos: 0,
            values: self,
        };
        let t = p.or_expr();
        if p.pos != toks.len() {
            panic!("trailing tokens in expression `{expr}`");
        }
        t
    }

    fn truth_of(&self, name: &str) -> Tri {
        match (
            self.table.symbols.get(name),
            self.known.get(name).map(String::as_str),
        ) {
            (Some(s), Some("y")) if s.ty == Type::Bool => Tri::True,
            (Some(s), Some("n")) if s.ty == Type::Bool => Tri::False,
            _ => Tri::Unknown,
        }
    }

    fn text_of(&self, operand: &Tok) -> Option<String> {
        match operand {
            Tok::Str(s) => Some(s.clone()),
            Tok::Ident(n) if self.table.symbols.contains_key(n) => self.known.get(n).cloned(),
            Tok::Ident(n) => Some(n.clone()),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Ident(String),
    Str(String),
    And,
    Or,
    Not,
    Eq,
    Ne,
    LParen,
    RParen,
}

fn tokenize(s: &str) -> Vec<Tok> {
    let b: Vec<char> = s.chars().collect();
    let mut i = 0;
    let mut out = Vec::new();
    while i < b.len() {
        let c = b[i];
        match c {
            ' ' | '\t' => i += 1,
            '(' => {
                out.push(Tok::LParen);
                i += 1
            }
            ')' => {
                out.push(Tok::RParen);
                i += 1
            }
            '&' if b.get(i + 1) == Some(&'&') => {
                out.push(Tok::And);
                i += 2
            }
            '|' if b.get(i + 1) == Some(&'|') => {
                out.push(Tok::Or);
                i += 2
            }
            '!' if b.get(i + 1) == Some(&'=') => {
                out.push(Tok::Ne);
                i += 2
            }
            '!' => {
                out.push(Tok::Not);
                i += 1
            }
            '=' => {
                out.push(Tok::Eq);
                i += 1
            }
            '"' => {
                let start = i + 1;
                let mut j = start;
                while j < b.len() && b[j] != '"' {
                    j += 1;
                }
                out.push(Tok::Str(b[start..j].iter().collect()));
                i = j + 1;
            }
            _ => {
                let start = i;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == '_') {
                    i += 1;
                }
                if i == start {
                    panic!("unexpected `{c}` in expression `{s}`");
                }
                out.push(Tok::Ident(b[start..i].iter().collect()));
            }
        }
    }
    out
}

struct Parser<'a, 'v> {
    toks: &'a [Tok],
    pos: usize,
    values: &'a Values<'v>,
}

impl Parser<'_, '_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    fn or_expr(&mut self) -> Tri {
        let mut t = self.and_expr();
        while self.peek() == Some(&Tok::Or) {
            self.pos += 1;
            t = t.or(self.and_expr());
        }
        t
    }

    fn and_expr(&mut self) -> Tri {
        let mut t = self.unary();
        while self.peek() == Some(&Tok::And) {
            self.pos += 1;
            t = t.and(self.unary());
        }
        t
    }

    fn unary(&mut self) -> Tri {
        match self.peek() {
            Some(Tok::Not) => {
                self.pos += 1;
                self.unary().not()
            }
            Some(Tok::LParen) => {
                self.pos += 1;
                let t = self.or_expr();
                assert_eq!(self.peek(), Some(&Tok::RParen), "unbalanced parentheses");
                self.pos += 1;
                t
            }
            _ => self.comparison(),
        }
    }

    fn comparison(&mut self) -> Tri {
        let left = self.toks.get(self.pos).cloned().expect("operand expected");
        self.pos += 1;
        let op = match self.peek() {
            Some(Tok::Eq) => Some(true),
            Some(Tok::Ne) => Some(false),
            _ => None,
        };
        let Some(equal) = op else {
            return match &left {
                Tok::Ident(n) => self.values.truth_of(n),
                _ => Tri::Unknown,
            };
        };
        self.pos += 1;
        let right = self.toks.get(self.pos).cloned().expect("operand expected");
        self.pos += 1;
        match (self.values.text_of(&left), self.values.text_of(&right)) {
            (Some(a), Some(b)) if (a == b) == equal => Tri::True,
            (Some(_), Some(_)) => Tri::False,
            _ => Tri::Unknown,
        }
    }
}

/// Symbols defined by the `Config.in` files of every `buildroot_ext` under `root`.
pub fn external_symbols(root: &Path) -> HashSet<String> {
    let mut out = HashSet::new();
    fn walk(dir: &Path, in_ext: bool, out: &mut HashSet<String>) {
        let Ok(rd) = std::fs::read_dir(dir) else {
            return;
        };
        for e in rd.flatten() {
            let p = e.path();
            let ext = in_ext || p.file_name().is_some_and(|n| n == "buildroot_ext");
            if p.is_dir() {
                walk(&p, ext, out);
            } else if in_ext
                && p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("Config.in"))
            {
                let text = std::fs::read_to_string(&p).unwrap_or_default();
                for line in text.lines() {
                    let t = line.trim_start();
                    let rest = t
                        .strip_prefix("config ")
                        .or_else(|| t.strip_prefix("menuconfig "));
                    if let Some(name) = rest.map(str::trim).filter(|n| is_name(n)) {
                        out.insert(name.to_string());
                    }
                }
            }
        }
    }
    walk(root, false, &mut out);
    out
}

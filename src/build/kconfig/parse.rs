//! Reading a Kconfig tree (Buildroot's or a test one) into [`KconfigTree`]: the
//! statements, `source` nesting, and the `if`/`menu`/`choice` blocks around each entry.

use super::expr::{Expr, parse as parse_expr};
use super::syntax::{expand, if_cond, indent, logical_lines, quoted, strip_comment};
pub use super::tree::{Choice, Def, KconfigTree, Range, Selector, SymKind, Symbol};
use crate::build::error::{BuildError, Result};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

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
        expand(s, |name| {
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
        })
    }
}

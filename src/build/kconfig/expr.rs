//! Kconfig expressions (`depends on`, `if`, `select ... if`): parsing, evaluation against a
//! final configuration, and printing.

use std::fmt;

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CmpOp {
    fn text(self) -> &'static str {
        match self {
            CmpOp::Eq => "=",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }
}

/// An operand: a symbol name (or bare constant) or a quoted string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Atom {
    Word(String),
    Quoted(String),
}

/// A parsed expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    Atom(Atom),
    Not(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Cmp(CmpOp, Atom, Atom),
}

/// What an expression is evaluated against: final symbol values and symbol types.
pub trait Scope {
    /// The symbol's value as `.config` prints it (`y`, `"text"`, `42`); `n` when unset.
    /// `None` when no such symbol is defined.
    fn value(&self, sym: &str) -> Option<String>;
    /// True for bool and tristate symbols.
    fn is_boolean(&self, sym: &str) -> bool;
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Quoted(String),
    Op(&'static str),
}

fn lex(text: &str) -> Option<Vec<Tok>> {
    let mut out = Vec::new();
    let b: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let two: String = b[i..(i + 2).min(b.len())].iter().collect();
        if let Some(op) = ["&&", "||", "!=", "<=", ">="]
            .into_iter()
            .find(|o| *o == two)
        {
            out.push(Tok::Op(op));
            i += 2;
            continue;
        }
        if let Some(op) = ["!", "(", ")", "=", "<", ">"]
            .into_iter()
            .find(|o| o.starts_with(c))
        {
            out.push(Tok::Op(op));
            i += 1;
            continue;
        }
        if c == '"' || c == '\'' {
            let mut s = String::new();
            i += 1;
            loop {
                let ch = *b.get(i)?;
                i += 1;
                if ch == c {
                    break;
                }
                if ch == '\\' {
                    s.push(*b.get(i)?);
                    i += 1;
                } else {
                    s.push(ch);
                }
            }
            out.push(Tok::Quoted(s));
            continue;
        }
        let start = i;
        while i < b.len() && !b[i].is_whitespace() && !"!()=<>&|\"'".contains(b[i]) {
            i += 1;
        }
        if start == i {
            return None;
        }
        out.push(Tok::Word(b[start..i].iter().collect()));
    }
    Some(out)
}

/// Parse an expression; `None` when it is not well formed.
pub fn parse(text: &str) -> Option<Expr> {
    let toks = lex(text)?;
    let mut pos = 0;
    let e = or_expr(&toks, &mut pos)?;
    (pos == toks.len()).then_some(e)
}

fn or_expr(t: &[Tok], pos: &mut usize) -> Option<Expr> {
    let mut left = and_expr(t, pos)?;
    while t.get(*pos) == Some(&Tok::Op("||")) {
        *pos += 1;
        left = Expr::Or(Box::new(left), Box::new(and_expr(t, pos)?));
    }
    Some(left)
}

fn and_expr(t: &[Tok], pos: &mut usize) -> Option<Expr> {
    let mut left = unary(t, pos)?;
    while t.get(*pos) == Some(&Tok::Op("&&")) {
        *pos += 1;
        left = Expr::And(Box::new(left), Box::new(unary(t, pos)?));
    }
    Some(left)
}

fn unary(t: &[Tok], pos: &mut usize) -> Option<Expr> {
    match t.get(*pos)? {
        Tok::Op("!") => {
            *pos += 1;
            Some(Expr::Not(Box::new(unary(t, pos)?)))
        }
        Tok::Op("(") => {
            *pos += 1;
            let e = or_expr(t, pos)?;
            (t.get(*pos) == Some(&Tok::Op(")"))).then_some(())?;
            *pos += 1;
            Some(e)
        }
        _ => {
            let left = atom(t, pos)?;
            let op = match t.get(*pos) {
                Some(Tok::Op("=")) => CmpOp::Eq,
                Some(Tok::Op("!=")) => CmpOp::Ne,
                Some(Tok::Op("<")) => CmpOp::Lt,
                Some(Tok::Op("<=")) => CmpOp::Le,
                Some(Tok::Op(">")) => CmpOp::Gt,
                Some(Tok::Op(">=")) => CmpOp::Ge,
                _ => return Some(Expr::Atom(left)),
            };
            *pos += 1;
            Some(Expr::Cmp(op, left, atom(t, pos)?))
        }
    }
}

fn atom(t: &[Tok], pos: &mut usize) -> Option<Atom> {
    let a = match t.get(*pos)? {
        Tok::Word(w) => Atom::Word(w.clone()),
        Tok::Quoted(s) => Atom::Quoted(s.clone()),
        Tok::Op(_) => return None,
    };
    *pos += 1;
    Some(a)
}

/// Tristate truth: 0 = n, 1 = m, 2 = y.
pub type Tri = u8;

fn tri_of(v: &str) -> Tri {
    match v {
        "y" => 2,
        "m" => 1,
        _ => 0,
    }
}

fn atom_tri(a: &Atom, s: &dyn Scope) -> Tri {
    match a {
        Atom::Quoted(q) => tri_of(q),
        Atom::Word(w) => match s.value(w) {
            Some(v) if s.is_boolean(w) => tri_of(&v),
            Some(_) => 0,
            None => tri_of(w),
        },
    }
}

fn atom_text(a: &Atom, s: &dyn Scope) -> String {
    match a {
        Atom::Quoted(q) => q.clone(),
        Atom::Word(w) => match s.value(w) {
            Some(v) => unquote(&v),
            None => w.clone(),
        },
    }
}

fn unquote(v: &str) -> String {
    match v.strip_prefix('"').and_then(|x| x.strip_suffix('"')) {
        Some(inner) => inner.replace("\\\"", "\"").replace("\\\\", "\\"),
        None => v.to_string(),
    }
}

fn number(v: &str) -> Option<i128> {
    let v = v.trim();
    match v.strip_prefix("0x").or_else(|| v.strip_prefix("0X")) {
        Some(h) => i128::from_str_radix(h, 16).ok(),
        None => v.parse().ok(),
    }
}

/// Evaluate against final values, Kconfig's way (`&&` is min, `||` is max, `!` is 2 - x).
pub fn eval(e: &Expr, s: &dyn Scope) -> Tri {
    match e {
        Expr::Atom(a) => atom_tri(a, s),
        Expr::Not(x) => 2 - eval(x, s),
        Expr::And(a, b) => eval(a, s).min(eval(b, s)),
        Expr::Or(a, b) => eval(a, s).max(eval(b, s)),
        Expr::Cmp(op, a, b) => {
            let (l, r) = (atom_text(a, s), atom_text(b, s));
            let ord = match (number(&l), number(&r)) {
                (Some(x), Some(y)) => x.cmp(&y),
                _ => l.cmp(&r),
            };
            let yes = match op {
                CmpOp::Eq => l == r || ord.is_eq() && number(&l).is_some(),
                CmpOp::Ne => !(l == r || ord.is_eq() && number(&l).is_some()),
                CmpOp::Lt => ord.is_lt(),
                CmpOp::Le => ord.is_le(),
                CmpOp::Gt => ord.is_gt(),
                CmpOp::Ge => ord.is_ge(),
            };
            if yes { 2 } else { 0 }
        }
    }
}

/// The top-level `&&` terms of an expression.
pub fn conjuncts(e: &Expr) -> Vec<&Expr> {
    match e {
        Expr::And(a, b) => {
            let mut v = conjuncts(a);
            v.extend(conjuncts(b));
            v
        }
        other => vec![other],
    }
}

impl fmt::Display for Atom {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Atom::Word(w) => f.write_str(w),
            Atom::Quoted(q) => write!(f, "\"{q}\""),
        }
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let wrap = |e: &Expr, f: &mut fmt::Formatter<'_>, inside_and: bool| match e {
            Expr::Or(..) if inside_and => write!(f, "({e})"),
            Expr::And(..) | Expr::Or(..) if !inside_and => write!(f, "({e})"),
            _ => write!(f, "{e}"),
        };
        match self {
            Expr::Atom(a) => write!(f, "{a}"),
            Expr::Not(x) => {
                f.write_str("!")?;
                wrap(x, f, false)
            }
            Expr::And(a, b) => {
                wrap(a, f, true)?;
                f.write_str(" && ")?;
                wrap(b, f, true)
            }
            Expr::Or(a, b) => {
                write!(f, "{a}")?;
                f.write_str(" || ")?;
                write!(f, "{b}")
            }
            Expr::Cmp(op, a, b) => write!(f, "{a}{}{b}", op.text()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    struct Vals(HashMap<&'static str, &'static str>);
    impl Scope for Vals {
        fn value(&self, sym: &str) -> Option<String> {
            self.0.get(sym).map(|v| v.to_string())
        }
        fn is_boolean(&self, sym: &str) -> bool {
            self.0.get(sym).is_some_and(|v| ["y", "m", "n"].contains(v))
        }
    }

    fn vals() -> Vals {
        Vals(HashMap::from([
            ("A", "y"),
            ("B", "n"),
            ("M", "m"),
            ("S", "\"arm\""),
            ("I", "12"),
        ]))
    }

    #[test]
    fn evaluates_like_kconfig() {
        let v = vals();
        let t = |s: &str| eval(&parse(s).unwrap(), &v);
        assert_eq!(t("A && !B"), 2);
        assert_eq!(t("A && M"), 1);
        assert_eq!(t("B || M"), 1);
        assert_eq!(t("!(A && B)"), 2);
        assert_eq!(t("S = \"arm\""), 2);
        assert_eq!(t("S != arm"), 0);
        assert_eq!(t("I >= 10 && I < 0x10"), 2);
        assert_eq!(t("UNDEFINED"), 0);
        assert_eq!(t("y"), 2);
        assert_eq!(t("S"), 0);
    }

    #[test]
    fn prints_and_splits() {
        let e = parse("A && (B || C) && !(D && E) && X=\"q\"").unwrap();
        assert_eq!(e.to_string(), "A && (B || C) && !(D && E) && X=\"q\"");
        let terms: Vec<String> = conjuncts(&e).iter().map(|t| t.to_string()).collect();
        assert_eq!(terms, ["A", "B || C", "!(D && E)", "X=\"q\""]);
        assert!(parse("A &&").is_none());
        assert!(parse("(A").is_none());
        assert!(parse("A B").is_none());
    }
}

//! Line-level Kconfig syntax: logical lines, comments, indentation, quoted strings and
//! trailing `if` conditions.

use super::expr::{Expr, parse as parse_expr};

/// Logical lines: comments stripped outside quotes, backslash continuations joined.
pub fn logical_lines(text: &str) -> Vec<(usize, String)> {
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

pub fn strip_comment(line: &str) -> &str {
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

pub fn indent(line: &str) -> usize {
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
pub fn quoted(text: &str) -> Option<(String, &str)> {
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
pub fn if_cond(rest: &str) -> Option<Option<Expr>> {
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

/// Replace `$NAME`, `${NAME}` and `$(NAME)` with `lookup(NAME)`; a lone `$` stays.
pub fn expand(s: &str, lookup: impl Fn(&str) -> String) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expands_three_forms_and_keeps_lone_dollars() {
        let look = |n: &str| format!("<{n}>");
        assert_eq!(expand("$A/${B}/$(C)/x", look), "<A>/<B>/<C>/x");
        assert_eq!(expand("cost $ 5 $", look), "cost $ 5 $");
        assert_eq!(expand("$(open", look), "$(open");
    }

    #[test]
    fn comments_quotes_and_conditions() {
        assert_eq!(strip_comment("bool \"a # b\" # c"), "bool \"a # b\" ");
        assert_eq!(
            quoted(" \"x\\\"y\" if A").map(|q| q.0),
            Some("x\"y".to_string())
        );
        assert!(if_cond("if A && B").unwrap().is_some());
        assert!(if_cond("iff A").is_none());
        assert_eq!(indent("\t  x"), 10);
        assert_eq!(logical_lines("a \\\nb\nc").len(), 2);
    }
}

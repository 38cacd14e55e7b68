//! The hand-written XML reader skiff used before roxmltree, kept only as the benchmark's
//! baseline.

#![allow(dead_code)]

/// One element start tag with its attributes and the text right after it.
pub struct Element<'a> {
    pub name: &'a str,
    pub attrs: Vec<(&'a str, &'a str)>,
    pub text: &'a str,
    pub line: usize,
}

pub fn line_of(text: &str, pos: usize) -> usize {
    text[..pos.min(text.len())]
        .bytes()
        .filter(|b| *b == b'\n')
        .count()
        + 1
}

/// A deliberately small XML reader: start tags, attributes, and leaf text. Comments, the
/// declaration and end tags are skipped. Enough for the flat bmap format, and never panics.
pub fn elements(text: &str) -> Result<Vec<Element<'_>>, (usize, String)> {
    let mut out = Vec::new();
    let mut pos = 0;
    while let Some(rel) = text[pos..].find('<') {
        let start = pos + rel;
        let rest = &text[start..];
        if rest.starts_with("<!--") {
            let end = rest
                .find("-->")
                .ok_or((line_of(text, start), "unterminated comment".to_string()))?;
            pos = start + end + 3;
            continue;
        }
        let close = rest
            .find('>')
            .ok_or((line_of(text, start), "unterminated tag".to_string()))?;
        let tag = &rest[1..close];
        pos = start + close + 1;
        if tag.starts_with('?') || tag.starts_with('/') || tag.starts_with('!') {
            continue;
        }
        let tag = tag.strip_suffix('/').unwrap_or(tag);
        let name_end = tag.find(|c: char| c.is_whitespace()).unwrap_or(tag.len());
        let name = &tag[..name_end];
        let mut attrs = Vec::new();
        let mut rest_attrs = tag[name_end..].trim_start();
        while !rest_attrs.is_empty() {
            let eq = rest_attrs.find('=').ok_or((
                line_of(text, start),
                format!("attribute without value in <{name}>"),
            ))?;
            let key = rest_attrs[..eq].trim();
            let after = rest_attrs[eq + 1..].trim_start();
            let quote = after
                .chars()
                .next()
                .filter(|c| *c == '"' || *c == '\'')
                .ok_or((
                    line_of(text, start),
                    format!("unquoted attribute {key} in <{name}>"),
                ))?;
            let value_end = after[1..].find(quote).ok_or((
                line_of(text, start),
                format!("unterminated attribute {key}"),
            ))?;
            attrs.push((key, &after[1..1 + value_end]));
            rest_attrs = after[value_end + 2..].trim_start();
        }
        let text_end = text[pos..].find('<').map_or(text.len(), |r| pos + r);
        out.push(Element {
            name,
            attrs,
            text: text[pos..text_end].trim(),
            line: line_of(text, start),
        });
    }
    Ok(out)
}

//! The flat XML of block maps, read with roxmltree: every element in document order with its
//! attributes, its own text and its line, so errors can name the line at fault.

/// One element with its attributes and the text right inside it (trimmed).
pub struct Element {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub text: String,
    pub line: usize,
}

impl Element {
    /// The value of attribute `key`.
    pub fn attr(&self, key: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// Every element of `text` in document order, in time linear in the text. A malformed document
/// is an error with the line where the parser stopped; never panics.
pub fn elements(text: &str) -> Result<Vec<Element>, (usize, String)> {
    let options = roxmltree::ParsingOptions {
        allow_dtd: false,
        ..Default::default()
    };
    let doc = roxmltree::Document::parse_with_options(text, options)
        .map_err(|e| (e.pos().row as usize, e.to_string()))?;
    // Lines counted as the elements come, in document order: one pass over the text.
    let bytes = text.as_bytes();
    let (mut line, mut pos) = (1, 0);
    let mut out = Vec::new();
    for n in doc.descendants().filter(|n| n.is_element()) {
        let start = n.range().start.clamp(pos, bytes.len());
        line += bytes[pos..start].iter().filter(|b| **b == b'\n').count();
        pos = start;
        out.push(Element {
            name: n.tag_name().name().to_string(),
            attrs: n
                .attributes()
                .map(|a| (a.name().to_string(), a.value().to_string()))
                .collect(),
            text: n.text().unwrap_or("").trim().to_string(),
            line,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::elements;

    #[test]
    fn elements_carry_their_lines_and_errors_name_one() {
        let text = "<?xml version=\"1.0\"?>\n<!-- c -->\n<bmap version=\"2.0\">\n  <A x='1'> 7 </A>\n\n  <B/>\n</bmap>\n";
        let e = elements(text).unwrap();
        let seen: Vec<(&str, usize)> = e.iter().map(|e| (e.name.as_str(), e.line)).collect();
        assert_eq!(seen, [("bmap", 3), ("A", 4), ("B", 6)]);
        assert_eq!((e[1].attr("x"), e[1].text.as_str()), (Some("1"), "7"));
        assert_eq!(elements("<a>\n<b>\n</a>").err().map(|e| e.0), Some(3));
    }
}

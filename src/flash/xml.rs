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

/// Every element of `text` in document order. A malformed document is an error with the line
/// where the parser stopped; never panics.
pub fn elements(text: &str) -> Result<Vec<Element>, (usize, String)> {
    let options = roxmltree::ParsingOptions {
        allow_dtd: false,
        ..Default::default()
    };
    let doc = roxmltree::Document::parse_with_options(text, options)
        .map_err(|e| (e.pos().row as usize, e.to_string()))?;
    Ok(doc
        .descendants()
        .filter(|n| n.is_element())
        .map(|n| Element {
            name: n.tag_name().name().to_string(),
            attrs: n
                .attributes()
                .map(|a| (a.name().to_string(), a.value().to_string()))
                .collect(),
            text: n.text().unwrap_or("").trim().to_string(),
            line: doc.text_pos_at(n.range().start).row as usize,
        })
        .collect())
}

//! A YAML document as a tree of nodes that remember their line and column, built from the
//! parser's events, so every check can point at the exact key or value at fault.

use saphyr_parser::{Event, Parser, ScalarStyle, Span};

/// Deepest nesting accepted; skiff-core configs use four levels.
const MAX_DEPTH: usize = 64;

/// Where a node starts: 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
}

impl Pos {
    fn of(span: &Span) -> Pos {
        Pos {
            line: span.start.line(),
            column: span.start.col() + 1,
        }
    }
}

/// One YAML value with its position.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub pos: Pos,
    pub value: NodeValue,
}

#[derive(Debug, Clone, PartialEq)]
pub enum NodeValue {
    /// A scalar; `plain` is false for quoted and block scalars (never null or bool).
    Scalar {
        text: String,
        plain: bool,
    },
    Seq(Vec<Node>),
    /// Entries in file order; a repeated key keeps every entry (the decoder takes the last).
    Map(Vec<(Node, Node)>),
}

impl Node {
    /// The node's scalar text, if it is a scalar.
    pub fn scalar(&self) -> Option<&str> {
        match &self.value {
            NodeValue::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    /// True for an empty plain scalar, `~` or `null` (YAML's null).
    pub fn is_null(&self) -> bool {
        matches!(&self.value, NodeValue::Scalar { text, plain: true }
            if text.is_empty() || text == "~" || text == "null" || text == "Null" || text == "NULL")
    }

    /// What kind of value this is, for error messages.
    pub fn kind(&self) -> &'static str {
        match &self.value {
            _ if self.is_null() => "nothing",
            NodeValue::Scalar { .. } => "a single value",
            NodeValue::Seq(_) => "a list",
            NodeValue::Map(_) => "a mapping",
        }
    }
}

/// A problem found while reading the YAML text itself.
#[derive(Debug, Clone, PartialEq)]
pub struct SyntaxError {
    pub pos: Pos,
    pub message: String,
}

enum Open {
    Seq(Pos, Vec<Node>),
    Map(Pos, Vec<(Node, Node)>, Option<Node>),
}

/// Parses the first document of `text`; an empty document is `None`. A second document is an
/// error (skiff-core reads one).
pub fn parse(text: &str) -> Result<Option<Node>, SyntaxError> {
    let mut parser = Parser::new_from_str(text);
    let mut stack: Vec<Open> = Vec::new();
    let mut root: Option<Node> = None;
    let mut documents = 0;
    while let Some(next) = parser.next_event() {
        let (event, span) = next.map_err(|e| SyntaxError {
            pos: Pos {
                line: e.marker().line(),
                column: e.marker().col() + 1,
            },
            message: e.info().to_string(),
        })?;
        let pos = Pos::of(&span);
        let done = match event {
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 {
                    return Err(SyntaxError {
                        pos,
                        message: "a second YAML document; skiff-core reads only the first, so remove everything from this `---` on".into(),
                    });
                }
                None
            }
            Event::Alias(_) => {
                return Err(SyntaxError {
                    pos,
                    message: "YAML aliases (*name) are not supported in skiff-core configs; write the value out".into(),
                });
            }
            Event::Scalar(text, style, anchor, _) => {
                refuse_anchor(anchor, pos)?;
                Some(Node {
                    pos,
                    value: NodeValue::Scalar {
                        text: text.into_owned(),
                        plain: style == ScalarStyle::Plain,
                    },
                })
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                refuse_anchor(anchor, pos)?;
                if stack.len() >= MAX_DEPTH {
                    return Err(SyntaxError {
                        pos,
                        message: format!("nested deeper than {MAX_DEPTH} levels"),
                    });
                }
                stack.push(if matches!(event, Event::SequenceStart(..)) {
                    Open::Seq(pos, Vec::new())
                } else {
                    Open::Map(pos, Vec::new(), None)
                });
                None
            }
            Event::SequenceEnd | Event::MappingEnd => match stack.pop() {
                Some(Open::Seq(p, items)) => Some(Node {
                    pos: p,
                    value: NodeValue::Seq(items),
                }),
                Some(Open::Map(p, entries, _)) => Some(Node {
                    pos: p,
                    value: NodeValue::Map(entries),
                }),
                None => None,
            },
            _ => None,
        };
        if let Some(node) = done {
            match stack.last_mut() {
                Some(Open::Seq(_, items)) => items.push(node),
                Some(Open::Map(_, entries, key)) => match key.take() {
                    Some(k) => entries.push((k, node)),
                    None => *key = Some(node),
                },
                None => {
                    if root.is_none() {
                        root = Some(node);
                    }
                }
            }
        }
    }
    Ok(root)
}

fn refuse_anchor(anchor: usize, pos: Pos) -> Result<(), SyntaxError> {
    if anchor == 0 {
        return Ok(());
    }
    Err(SyntaxError {
        pos,
        message:
            "YAML anchors (&name) are not supported in skiff-core configs; write the value out"
                .into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based() {
        let root = parse("a:\n  b: [x, 'y']\n").unwrap().unwrap();
        let NodeValue::Map(entries) = &root.value else {
            panic!("not a map")
        };
        assert_eq!(entries[0].0.pos, Pos { line: 1, column: 1 });
        let NodeValue::Map(inner) = &entries[0].1.value else {
            panic!("not a map")
        };
        assert_eq!(inner[0].0.pos, Pos { line: 2, column: 3 });
        let NodeValue::Seq(items) = &inner[0].1.value else {
            panic!("not a seq")
        };
        assert_eq!(items[1].scalar(), Some("y"));
        assert_eq!(
            items[1].pos,
            Pos {
                line: 2,
                column: 10
            }
        );
    }

    #[test]
    fn syntax_errors_have_positions() {
        let e = parse("a: [b\n").unwrap_err();
        assert!(e.pos.line >= 1, "{e:?}");
        assert!(parse("").unwrap().is_none());
        assert!(parse("a: 1\n---\nb: 2\n").is_err());
        assert!(parse("a: &x 1\nb: *x\n").is_err());
    }
}

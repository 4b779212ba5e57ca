//! Writes a merged value tree as RON text, recording for every piece copied
//! from a file where it came from.

use super::tree::{Entry, Node, Span, Struct};

/// A piece of the merged text copied from a source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segment {
    /// Byte offset in the merged text.
    pub merged: usize,
    /// Its length in bytes.
    pub len: usize,
    /// Where it was copied from (same length).
    pub from: Span,
}

/// Lines longer than this are broken, one entry or item per line.
const WIDTH: usize = 100;
const INDENT: &str = "    ";

/// The merged text and its segments, in order of the merged text.
pub fn emit(node: &Node, sources: &[&str]) -> (String, Vec<Segment>) {
    let mut w = Writer {
        sources,
        out: String::new(),
        segments: Vec::new(),
    };
    w.node(node, 0);
    w.out.push('\n');
    (w.out, w.segments)
}

struct Writer<'a> {
    sources: &'a [&'a str],
    out: String,
    segments: Vec<Segment>,
}

impl Writer<'_> {
    fn text(&self, span: Span) -> &str {
        self.sources
            .get(span.source)
            .and_then(|s| s.get(span.start..span.end))
            .unwrap_or("")
    }

    fn copy(&mut self, span: Span) {
        let text = self.text(span).to_string();
        self.segments.push(Segment {
            merged: self.out.len(),
            len: text.len(),
            from: span,
        });
        self.out.push_str(&text);
    }

    fn column(&self) -> usize {
        let line = self.out.rfind('\n').map_or(0, |i| i + 1);
        self.out[line..].chars().count()
    }

    /// The length of `node` written on one line, or `None` if it cannot be.
    fn inline_len(&self, node: &Node) -> Option<usize> {
        match node {
            Node::Leaf(span) => {
                let t = self.text(*span);
                (!t.contains('\n') && !t.contains("//")).then(|| t.chars().count())
            }
            Node::List(l) => l
                .items
                .iter()
                .try_fold(2, |n, item| Some(n + self.inline_len(item)? + 2)),
            Node::Struct(s) => {
                let name = s.name.map_or(0, |n| self.text(n).chars().count());
                s.entries.iter().try_fold(name + 2, |n, e| {
                    Some(
                        n + self.text(e.key_span).chars().count()
                            + 2
                            + self.inline_len(&e.value)?
                            + 2,
                    )
                })
            }
        }
    }

    fn node(&mut self, node: &Node, depth: usize) {
        let inline = self
            .inline_len(node)
            .is_some_and(|n| self.column() + n <= WIDTH);
        match node {
            Node::Leaf(span) => self.copy(*span),
            Node::List(l) => {
                self.copy(l.open);
                self.items(&l.items, depth, inline, "]");
            }
            Node::Struct(s) => self.structure(s, depth, inline),
        }
    }

    fn items(&mut self, items: &[Node], depth: usize, inline: bool, close: &str) {
        for (i, item) in items.iter().enumerate() {
            self.separate(i, depth, inline);
            self.node(item, depth + 1);
        }
        self.finish(items.is_empty(), depth, inline, close);
    }

    fn structure(&mut self, s: &Struct, depth: usize, inline: bool) {
        if let Some(name) = s.name {
            self.copy(name);
        }
        self.copy(s.open);
        for (
            i,
            Entry {
                key_span, value, ..
            },
        ) in s.entries.iter().enumerate()
        {
            self.separate(i, depth, inline);
            self.copy(*key_span);
            self.out.push_str(": ");
            self.node(value, depth + 1);
        }
        let close = if s.map { "}" } else { ")" };
        self.finish(s.entries.is_empty(), depth, inline, close);
    }

    /// Before item `i`: `, ` on one line, or a line break and indentation.
    fn separate(&mut self, i: usize, depth: usize, inline: bool) {
        if inline {
            if i > 0 {
                self.out.push_str(", ");
            }
        } else {
            if i > 0 {
                self.out.push(',');
            }
            self.out.push('\n');
            self.out.push_str(&INDENT.repeat(depth + 1));
        }
    }

    fn finish(&mut self, empty: bool, depth: usize, inline: bool, close: &str) {
        if !inline && !empty {
            self.out.push_str(",\n");
            self.out.push_str(&INDENT.repeat(depth));
        }
        self.out.push_str(close);
    }
}

//! Finds where a value was written, for diagnostics that serde cannot place
//! (unknown names, duplicates, cycles). Searches a copy of the source whose
//! comments are blanked out, so a name in a comment is never pointed at.

use super::diagnostic::Position;

/// The source text with comments masked, plus a line index.
pub struct Locator {
    masked: Vec<char>,
}

impl Locator {
    /// Prepares `source` for searching.
    pub fn new(source: &str) -> Locator {
        Locator {
            masked: mask_comments(source),
        }
    }

    /// The index just after the first match of `needle` at or after `from`.
    fn find(&self, needle: &str, from: usize) -> Option<(usize, usize)> {
        let needle: Vec<char> = needle.chars().collect();
        if needle.is_empty() || needle.len() > self.masked.len() {
            return None;
        }
        (from..=self.masked.len() - needle.len())
            .find(|&i| self.masked[i..i + needle.len()] == needle[..])
            .map(|i| (i, i + needle.len()))
    }

    /// Finds each anchor in turn, each after the previous one, and returns the
    /// position of the last anchor found (or 1:1 when none is).
    pub fn locate(&self, anchors: &[Anchor]) -> Position {
        let mut cursor = 0;
        let mut found = None;
        for anchor in anchors {
            match self.find_anchor(anchor, cursor) {
                Some((start, end)) => {
                    found = Some(start);
                    cursor = end;
                }
                None => break,
            }
        }
        self.position(found.unwrap_or(0))
    }

    /// Index of the `nth` (0-based) match of an anchor from the start.
    pub fn locate_nth(&self, anchor: &Anchor, nth: usize) -> Option<Position> {
        let mut cursor = 0;
        for _ in 0..nth {
            cursor = self.find_anchor(anchor, cursor)?.1;
        }
        self.find_anchor(anchor, cursor)
            .map(|(s, _)| self.position(s))
    }

    fn find_anchor(&self, anchor: &Anchor, from: usize) -> Option<(usize, usize)> {
        match anchor {
            Anchor::Text(text) => self.find(text, from),
            Anchor::Key(name) | Anchor::Entry(name) => {
                let quoted = format!("\"{name}\"");
                let opening = matches!(anchor, Anchor::Entry(_));
                let mut cursor = from;
                loop {
                    let (start, end) = self.find(&quoted, cursor)?;
                    if let Some((':', after)) = self.next_non_space(end) {
                        if !opening || self.next_non_space(after + 1).map(|(c, _)| c) == Some('(') {
                            return Some((start, end));
                        }
                    }
                    cursor = end;
                }
            }
            Anchor::Field(name) => {
                let mut cursor = from;
                loop {
                    let (start, end) = self.find(name, cursor)?;
                    let before_ok = start == 0 || !is_ident(self.masked[start - 1]);
                    if before_ok && self.next_non_space(end).map(|(c, _)| c) == Some(':') {
                        return Some((start, end));
                    }
                    cursor = end;
                }
            }
        }
    }

    fn next_non_space(&self, from: usize) -> Option<(char, usize)> {
        (from..self.masked.len())
            .map(|i| (self.masked[i], i))
            .find(|(c, _)| !c.is_whitespace())
    }

    /// The line and column of a character index.
    pub fn position(&self, index: usize) -> Position {
        let mut line = 1;
        let mut col = 1;
        for &c in &self.masked[..index.min(self.masked.len())] {
            if c == '\n' {
                line += 1;
                col = 1;
            } else {
                col += 1;
            }
        }
        Position { line, col }
    }

    /// The name of the field whose value ends at or before `position`: the last
    /// `identifier:` written before it.
    pub fn field_before(&self, position: Position) -> Option<String> {
        let end = self.index_of(position)?;
        let text: String = self.masked[..end].iter().collect();
        let mut candidate = None;
        let bytes: Vec<char> = text.chars().collect();
        let mut i = bytes.len();
        while i > 0 {
            i -= 1;
            if bytes[i] == ':' {
                let mut j = i;
                while j > 0 && bytes[j - 1].is_whitespace() {
                    j -= 1;
                }
                let stop = j;
                while j > 0 && is_ident(bytes[j - 1]) {
                    j -= 1;
                }
                if j < stop {
                    candidate = Some(bytes[j..stop].iter().collect());
                    break;
                }
            }
        }
        candidate
    }

    fn index_of(&self, position: Position) -> Option<usize> {
        let mut line = 1;
        let mut col = 1;
        for (i, &c) in self.masked.iter().enumerate() {
            if line == position.line && col == position.col {
                return Some(i);
            }
            if c == '\n' {
                line += 1;
                col = 1;
            } else {
                col += 1;
            }
        }
        Some(self.masked.len())
    }
}

/// What to look for.
#[derive(Debug, Clone)]
pub enum Anchor {
    /// Literal text.
    Text(String),
    /// A quoted map key: `"name"` followed by `:`.
    Key(String),
    /// A quoted map key whose value opens with `(`: `"name": (`.
    Entry(String),
    /// A field name followed by `:`.
    Field(&'static str),
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Replaces `// ...` and `/* ... */` comments with spaces, leaving strings and
/// line breaks in place so that positions do not move.
fn mask_comments(source: &str) -> Vec<char> {
    let chars: Vec<char> = source.chars().collect();
    let mut out = chars.clone();
    let mut i = 0;
    let mut in_string = false;
    let mut block_depth = 0usize;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if block_depth > 0 {
            if c == '*' && next == Some('/') {
                block_depth -= 1;
                out[i] = ' ';
                out[i + 1] = ' ';
                i += 2;
                continue;
            }
            if c == '/' && next == Some('*') {
                block_depth += 1;
            }
            if c != '\n' {
                out[i] = ' ';
            }
            i += 1;
        } else if in_string {
            if c == '\\' {
                i += 2;
                continue;
            }
            in_string = c != '"';
            i += 1;
        } else if c == '"' {
            in_string = true;
            i += 1;
        } else if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                out[i] = ' ';
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            block_depth = 1;
            out[i] = ' ';
            out[i + 1] = ' ';
            i += 2;
        } else {
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_in_comments_are_not_found() {
        let src = "// \"db\": here\n{\n  \"db\": (x: 1)}";
        let loc = Locator::new(src);
        assert_eq!(
            loc.locate(&[Anchor::Key("db".into())]),
            Position { line: 3, col: 3 }
        );
    }

    #[test]
    fn field_before_finds_the_enclosing_field() {
        let src = "(every: \"5\")";
        let loc = Locator::new(src);
        assert_eq!(
            loc.field_before(Position { line: 1, col: 12 }).as_deref(),
            Some("every")
        );
    }
}

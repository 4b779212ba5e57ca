//! Finds where a value was written, for diagnostics that serde cannot place
//! (unknown names, duplicates, cycles). Searches a copy of the source whose
//! comments are blanked out, so a name in a comment is never pointed at.
//! A carriage return alone ends a line, as a line feed does.

mod text;

pub use text::unify_line_breaks;

use super::diagnostic::Position;
use text::{is_ident, literal, mask_comments};

/// The source text with comments masked. Indices are byte offsets into the
/// masked text; a masked character is replaced by one space, so lines and
/// columns (counted in characters, as ron counts them) do not move.
pub struct Locator {
    masked: String,
    unclosed_comment: Option<usize>,
}

impl Locator {
    /// Prepares `source` for searching.
    pub fn new(source: &str) -> Locator {
        let (masked, unclosed_comment) = mask_comments(&unify_line_breaks(source));
        Locator {
            masked,
            unclosed_comment,
        }
    }

    /// The first match of `needle` at or after `from`: its start and end.
    fn find(&self, needle: &str, from: usize) -> Option<(usize, usize)> {
        if needle.is_empty() {
            return None;
        }
        let start = from + self.masked.get(from..)?.find(needle)?;
        Some((start, start + needle.len()))
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

    /// The identifier that opens the value of the field the anchors end
    /// at (`Weibull` in `every: Weibull(...)`), when all are found and the
    /// value opens with one.
    pub fn value_identifier(&self, anchors: &[Anchor]) -> Option<&str> {
        let mut cursor = 0;
        for anchor in anchors {
            cursor = self.find_anchor(anchor, cursor)?.1;
        }
        let (_, colon) = self.next_non_space(cursor)?;
        let (_, value) = self.next_non_space(colon + 1)?;
        let rest = self.masked.get(value..)?;
        let end = rest.find(|c: char| !is_ident(c)).unwrap_or(rest.len());
        (end > 0).then(|| &rest[..end])
    }

    fn find_anchor(&self, anchor: &Anchor, from: usize) -> Option<(usize, usize)> {
        match anchor {
            Anchor::Nth(n, inner) => {
                let mut cursor = from;
                for _ in 0..*n {
                    cursor = self.find_anchor(inner, cursor)?.1;
                }
                self.find_anchor(inner, cursor)
            }
            Anchor::Text(text) => self.find(text, from),
            Anchor::Str(value) => self.find_literal(value, from),
            Anchor::Key(name) | Anchor::Entry(name) => {
                let opening = matches!(anchor, Anchor::Entry(_));
                let mut cursor = from;
                loop {
                    let (start, end) = self.find_literal(name, cursor)?;
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
                    let before = self.masked[..start].chars().next_back();
                    let before_ok = before.is_none_or(|c| !is_ident(c));
                    if before_ok && self.next_non_space(end).map(|(c, _)| c) == Some(':') {
                        return Some((start, end));
                    }
                    cursor = end;
                }
            }
        }
    }

    /// The first string literal at or after `from` whose value is `value`:
    /// where its opening quote is and just after its closing one. Looks for
    /// the value written plainly first, then reads every literal's escapes
    /// (`\n`, `\u{1b}`...), so that a name written with escapes is found too.
    fn find_literal(&self, value: &str, from: usize) -> Option<(usize, usize)> {
        let plain = !value.contains(['"', '\\']) && !value.chars().any(char::is_control);
        if plain {
            if let Some(found) = self.find(&format!("\"{value}\""), from) {
                return Some(found);
            }
        }
        let mut decoded = Vec::new();
        let mut cursor = from;
        loop {
            let start = cursor + self.masked.get(cursor..)?.find('"')?;
            let end = literal(&self.masked, start + 1, &mut decoded)?;
            if decoded == value.as_bytes() {
                return Some((start, end));
            }
            cursor = end;
        }
    }

    /// Where the value of the field `field` starts, searching from
    /// `position` up to `before` (a field of the value that starts at
    /// `position`); `None` when it is not written there.
    pub fn field_value(
        &self,
        position: Position,
        before: Position,
        field: &'static str,
    ) -> Option<Position> {
        let (from, to) = (self.index(position), self.index(before));
        let (_, end) = self.find_anchor(&Anchor::Field(field), from)?;
        let (_, colon) = self.next_non_space(end)?;
        let (_, value) = self.next_non_space(colon + 1)?;
        (value < to).then(|| self.position(value))
    }

    /// Where the value after the last of `anchors` starts (past the `:`,
    /// or the `(` when `open` is set, that follows it), and the text from
    /// there on; `None` when the anchors are not all found.
    pub fn value_after(&self, anchors: &[Anchor], open: bool) -> Option<(Position, &str)> {
        let mut cursor = 0;
        for anchor in anchors {
            cursor = self.find_anchor(anchor, cursor)?.1;
        }
        let (c, at) = self.next_non_space(cursor)?;
        let after = if open { '(' } else { ':' };
        let (_, value) = if c == after {
            self.next_non_space(at + 1)?
        } else {
            (c, at)
        };
        Some((self.position(value), self.masked.get(value..)?))
    }

    /// The first non-blank character at or after `from`, and its index.
    fn next_non_space(&self, from: usize) -> Option<(char, usize)> {
        self.masked
            .get(from..)?
            .char_indices()
            .find(|(_, c)| !c.is_whitespace())
            .map(|(i, c)| (c, from + i))
    }

    /// The line and column of an index.
    pub fn position(&self, index: usize) -> Position {
        let before = &self.masked[..index.min(self.masked.len())];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        Position {
            line: 1 + before.matches('\n').count(),
            col: 1 + before[line_start..].chars().count(),
        }
    }

    /// The index of a position: the end of its line if the column is past
    /// it, the end of the text if the line is.
    fn index(&self, position: Position) -> usize {
        let line_start = if position.line <= 1 {
            Some(0)
        } else {
            self.masked
                .match_indices('\n')
                .nth(position.line - 2)
                .map(|(i, _)| i + 1)
        };
        let Some(line_start) = line_start else {
            return self.masked.len();
        };
        let line = &self.masked[line_start..];
        let line_end = line.find('\n').unwrap_or(line.len());
        let col = line[..line_end]
            .char_indices()
            .nth(position.col.saturating_sub(1))
            .map_or(line_end, |(i, _)| i);
        line_start + col
    }

    /// The name of the field whose value is at `position`: the last
    /// `identifier:` written before it.
    pub fn field_before(&self, position: Position) -> Option<String> {
        let text = &self.masked[..self.index(position)];
        text.match_indices(':').rev().find_map(|(colon, _)| {
            let before = text[..colon].trim_end();
            let name = &before[before.trim_end_matches(is_ident).len()..];
            (!name.is_empty()).then(|| name.to_string())
        })
    }

    /// Just after the last character that is neither blank nor in a comment.
    pub fn content_end(&self) -> Position {
        self.position(self.masked.trim_end().len())
    }

    /// Whether only blanks and comments follow `position`.
    pub fn is_past_content(&self, position: Position) -> bool {
        self.index(position) >= self.masked.trim_end().len()
    }

    /// Just after the last non-blank character before `position`: where a
    /// missing separator belongs.
    pub fn previous_token_end(&self, position: Position) -> Position {
        let i = self.index(position);
        self.position(self.masked[..i].trim_end().len())
    }

    /// Where a block comment that is never closed opens.
    pub fn unclosed_comment(&self) -> Option<Position> {
        self.unclosed_comment.map(|i| self.position(i))
    }

    /// The first non-blank character at or after `position`.
    pub fn next_token(&self, position: Position) -> Position {
        let i = self.index(position);
        self.position(self.next_non_space(i).map_or(i, |(_, j)| j))
    }

    /// Where the value around `position` starts. ron reports a rejected
    /// string one character into it, and a rejected `Name(...)` at its
    /// closing bracket: both are moved back to the start of the value.
    pub fn value_start(&self, position: Position) -> Position {
        let i = self.index(position);
        let (in_string, open) = self.scan_to(i);
        let closing = self.masked[i..].starts_with([')', ']', '}']);
        let start = match open {
            _ if in_string && self.masked[..i].ends_with('"') => i - 1,
            Some(opener) if closing => self.masked[..opener].trim_end_matches(is_ident).len(),
            _ => i,
        };
        self.position(start)
    }

    /// Reads the text up to `end`: whether `end` is inside a string, and the
    /// index of the innermost bracket still open there. Every character it
    /// looks for is ASCII, so it can read bytes.
    fn scan_to(&self, end: usize) -> (bool, Option<usize>) {
        let bytes = &self.masked.as_bytes()[..end.min(self.masked.len())];
        let mut in_string = false;
        let mut open = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            match (in_string, bytes[i]) {
                (true, b'\\') => i += 1,
                (_, b'"') => in_string = !in_string,
                (false, b'(' | b'[' | b'{') => open.push(i),
                (false, b')' | b']' | b'}') => {
                    open.pop();
                }
                _ => {}
            }
            i += 1;
        }
        (in_string, open.last().copied())
    }
}

/// What to look for.
#[derive(Debug, Clone)]
pub enum Anchor {
    /// Literal text.
    Text(String),
    /// A string literal whose value is this, however it is escaped.
    Str(String),
    /// A quoted map key: `"name"` followed by `:`.
    Key(String),
    /// A quoted map key whose value opens with `(`: `"name": (`.
    Entry(String),
    /// A field name followed by `:`.
    Field(&'static str),
    /// The `n`th (0-based) match of an anchor.
    Nth(usize, Box<Anchor>),
}

impl Anchor {
    /// The `n`th (0-based) match of this anchor.
    pub fn nth(self, n: usize) -> Anchor {
        Anchor::Nth(n, Box::new(self))
    }
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
    fn positions_count_characters_and_ignore_comments() {
        let src = "(a: \"é\", /* ü */ b: \"x\")\n  c: 1";
        let loc = Locator::new(src);
        assert_eq!(
            loc.locate(&[Anchor::Field("b")]),
            Position { line: 1, col: 18 }
        );
        assert_eq!(
            loc.locate(&[Anchor::Field("c")]),
            Position { line: 2, col: 3 }
        );
        assert_eq!(
            loc.index(Position { line: 2, col: 3 }),
            loc.masked.len() - 4
        );
    }

    #[test]
    fn value_start_moves_back_to_the_start_of_the_value() {
        let src = "(lasts: LogNormal(median: \"6h\", p90: \"1h\"), every: \"5\")";
        let loc = Locator::new(src);
        let closing = Position { line: 1, col: 42 };
        assert_eq!(loc.value_start(closing), Position { line: 1, col: 9 });
        let in_string = Position { line: 1, col: 53 };
        assert_eq!(loc.value_start(in_string), Position { line: 1, col: 52 });
    }

    #[test]
    fn a_lone_carriage_return_ends_a_line() {
        let src = "(a: 1,\r  b: 2,\r\n  c: 3)";
        let loc = Locator::new(src);
        assert_eq!(
            loc.locate(&[Anchor::Field("b")]),
            Position { line: 2, col: 3 }
        );
        assert_eq!(
            loc.locate(&[Anchor::Field("c")]),
            Position { line: 3, col: 3 }
        );
        assert_eq!(unify_line_breaks(src), "(a: 1,\n  b: 2,\r\n  c: 3)");
    }

    #[test]
    fn names_written_with_escapes_are_found() {
        let src = "{\"web\": 1, \"w\\x65b\\n\": (x: 1), \"\\u{1b}[2J\": 2}";
        let loc = Locator::new(src);
        assert_eq!(
            loc.locate(&[Anchor::Entry("web\n".into())]),
            Position { line: 1, col: 12 }
        );
        assert_eq!(
            loc.locate(&[Anchor::Str("\u{1b}[2J".into())]),
            Position { line: 1, col: 32 }
        );
        assert_eq!(
            loc.locate(&[Anchor::Key("web".into())]),
            Position { line: 1, col: 2 }
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

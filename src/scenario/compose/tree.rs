//! A RON value tree that remembers where each part was written, for merging
//! files without losing positions. Only structure is parsed: structs and maps
//! (merged by key), lists (addressed by index) and leaves (copied verbatim:
//! strings, numbers, names, positional variants such as `Fixed("5m")`).

/// A range of one source's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// Index of the source file.
    pub source: usize,
    /// Byte offset of the first character.
    pub start: usize,
    /// Byte offset just past the last character.
    pub end: usize,
}

/// A value.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// Copied verbatim.
    Leaf(Span),
    /// `Name(field: value, ...)`, `(field: value, ...)` or `{"key": value, ...}`.
    Struct(Struct),
    /// `[value, ...]`.
    List(List),
}

/// A struct with named fields, or a map.
#[derive(Debug, Clone, PartialEq)]
pub struct Struct {
    /// The name before `(`, if any.
    pub name: Option<Span>,
    /// The opening bracket.
    pub open: Span,
    /// Whether it is a map (`{}`) rather than a struct (`()`).
    pub map: bool,
    /// Fields or entries, in file order.
    pub entries: Vec<Entry>,
}

/// A list.
#[derive(Debug, Clone, PartialEq)]
pub struct List {
    /// The opening bracket.
    pub open: Span,
    /// Its items.
    pub items: Vec<Node>,
}

/// One field or map entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The field name, or the map key without its quotes.
    pub key: String,
    /// Where the key is written (with its quotes).
    pub key_span: Span,
    /// The value.
    pub value: Node,
}

impl Struct {
    /// The value of `key`, if present.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entries.iter().find(|e| e.key == key).map(|e| &e.value)
    }
}

/// A syntax error at a byte offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// Byte offset.
    pub at: usize,
    /// What is wrong.
    pub message: String,
}

/// Deeper nesting is refused (as the loader refuses it).
const MAX_DEPTH: usize = 64;

/// Parses one value filling the whole text (blanks and comments around it).
///
/// # Errors
/// The first syntax error.
pub fn parse(source: usize, text: &str) -> Result<Node, ParseError> {
    let mut p = Parser {
        source,
        bytes: text.as_bytes(),
        pos: 0,
        depth: 0,
    };
    let node = p.value()?;
    p.blank()?;
    if p.pos < p.bytes.len() {
        return Err(p.error("unexpected text after the value"));
    }
    Ok(node)
}

struct Parser<'a> {
    source: usize,
    bytes: &'a [u8],
    pos: usize,
    depth: usize,
}

fn is_atom(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'+' | b'-')
}

impl Parser<'_> {
    fn error(&self, message: &str) -> ParseError {
        ParseError {
            at: self.pos,
            message: message.to_string(),
        }
    }

    fn span(&self, start: usize) -> Span {
        Span {
            source: self.source,
            start,
            end: self.pos,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    /// Skips blanks and comments (block comments nest, as in ron).
    fn blank(&mut self) -> Result<(), ParseError> {
        loop {
            match (self.peek(), self.bytes.get(self.pos + 1)) {
                (Some(b), _) if b.is_ascii_whitespace() => self.pos += 1,
                (Some(b'/'), Some(b'/')) => {
                    while self.peek().is_some_and(|b| b != b'\n') {
                        self.pos += 1;
                    }
                }
                (Some(b'/'), Some(b'*')) => self.block_comment()?,
                _ => return Ok(()),
            }
        }
    }

    fn block_comment(&mut self) -> Result<(), ParseError> {
        let start = self.pos;
        let mut depth = 0usize;
        while self.pos < self.bytes.len() {
            match (self.bytes[self.pos], self.bytes.get(self.pos + 1)) {
                (b'/', Some(b'*')) => {
                    depth += 1;
                    self.pos += 2;
                }
                (b'*', Some(b'/')) => {
                    depth -= 1;
                    self.pos += 2;
                    if depth == 0 {
                        return Ok(());
                    }
                }
                _ => self.pos += 1,
            }
        }
        self.pos = start;
        Err(self.error("unclosed block comment"))
    }

    fn expect(&mut self, b: u8, message: &str) -> Result<(), ParseError> {
        self.blank()?;
        if self.peek() == Some(b) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error(message))
        }
    }

    fn value(&mut self) -> Result<Node, ParseError> {
        self.blank()?;
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error("values are nested too deeply"));
        }
        let start = self.pos;
        let node = match self.peek() {
            Some(b'"') => self
                .quoted(b'"', "string")
                .map(|()| Node::Leaf(self.span(start))),
            Some(b'r') if matches!(self.bytes.get(self.pos + 1), Some(b'"' | b'#')) => {
                self.raw_string().map(|()| Node::Leaf(self.span(start)))
            }
            Some(b'\'') => self
                .quoted(b'\'', "character")
                .map(|()| Node::Leaf(self.span(start))),
            Some(b'(') => self.parens(None),
            Some(b'[') => self.list(),
            Some(b'{') => self.map(),
            Some(b) if is_atom(b) => self.atom(),
            Some(_) => Err(self.error("unexpected character")),
            None => Err(self.error("unexpected end of file")),
        };
        self.depth -= 1;
        node
    }

    /// A string or character literal closed by `quote`, escapes skipped.
    fn quoted(&mut self, quote: u8, what: &str) -> Result<(), ParseError> {
        let start = self.pos;
        self.pos += 1;
        while let Some(b) = self.peek() {
            self.pos += 1;
            if b == b'\\' {
                self.pos += 1;
            } else if b == quote {
                return Ok(());
            }
        }
        self.pos = start;
        Err(self.error(&format!("unterminated {what}")))
    }

    fn raw_string(&mut self) -> Result<(), ParseError> {
        let start = self.pos;
        self.pos += 1;
        let mut hashes = 0;
        while self.peek() == Some(b'#') {
            hashes += 1;
            self.pos += 1;
        }
        if self.peek() != Some(b'"') {
            return Err(self.error("expected `\"` after `r`"));
        }
        self.pos += 1;
        let mut closing = vec![b'"'];
        closing.extend(std::iter::repeat_n(b'#', hashes));
        while self.pos < self.bytes.len() {
            if self.bytes[self.pos..].starts_with(&closing) {
                self.pos += closing.len();
                return Ok(());
            }
            self.pos += 1;
        }
        self.pos = start;
        Err(self.error("unterminated string"))
    }

    /// A number, `true`, a unit variant, or a name followed by `(`.
    fn atom(&mut self) -> Result<Node, ParseError> {
        let start = self.pos;
        while self.peek().is_some_and(is_atom) {
            self.pos += 1;
        }
        let name = self.span(start);
        let after = self.pos;
        self.blank()?;
        let is_name = self.bytes[start].is_ascii_alphabetic() || self.bytes[start] == b'_';
        if is_name && self.peek() == Some(b'(') {
            return self.parens(Some(name));
        }
        self.pos = after;
        Ok(Node::Leaf(name))
    }

    /// `(`: named fields make a struct, anything else a verbatim leaf.
    fn parens(&mut self, name: Option<Span>) -> Result<Node, ParseError> {
        let start = name.map_or(self.pos, |n| n.start);
        let open = Span {
            source: self.source,
            start: self.pos,
            end: self.pos + 1,
        };
        self.pos += 1;
        if self.field_follows()? {
            let entries = self.entries(b')', Self::field_name)?;
            return Ok(Node::Struct(Struct {
                name,
                open,
                map: false,
                entries,
            }));
        }
        self.blank()?;
        if self.peek() == Some(b')') {
            self.pos += 1;
            return Ok(Node::Struct(Struct {
                name,
                open,
                map: false,
                entries: Vec::new(),
            }));
        }
        self.items(b')')?;
        Ok(Node::Leaf(self.span(start)))
    }

    /// Whether an identifier and `:` come next (without consuming them).
    fn field_follows(&mut self) -> Result<bool, ParseError> {
        let before = self.pos;
        self.blank()?;
        let ok = self.field_name().is_ok() && {
            self.blank()?;
            self.peek() == Some(b':')
        };
        self.pos = before;
        Ok(ok)
    }

    fn field_name(&mut self) -> Result<(String, Span), ParseError> {
        self.blank()?;
        let start = self.pos;
        match self.peek() {
            Some(b) if b.is_ascii_alphabetic() || b == b'_' => {}
            _ => return Err(self.error("expected a field name")),
        }
        while self
            .peek()
            .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_')
        {
            self.pos += 1;
        }
        let span = self.span(start);
        let text = String::from_utf8_lossy(&self.bytes[start..self.pos]).into_owned();
        Ok((text, span))
    }

    fn map_key(&mut self) -> Result<(String, Span), ParseError> {
        self.blank()?;
        let start = self.pos;
        let node = self.value()?;
        let Node::Leaf(span) = node else {
            self.pos = start;
            return Err(self.error("expected a map key"));
        };
        let text = &self.bytes[span.start..span.end];
        let inner = text
            .strip_prefix(b"\"")
            .and_then(|t| t.strip_suffix(b"\""))
            .unwrap_or(text);
        Ok((String::from_utf8_lossy(inner).into_owned(), span))
    }

    /// `key: value` entries separated by commas, up to `close`.
    fn entries(
        &mut self,
        close: u8,
        key: fn(&mut Self) -> Result<(String, Span), ParseError>,
    ) -> Result<Vec<Entry>, ParseError> {
        let mut entries = Vec::new();
        loop {
            self.blank()?;
            if self.peek() == Some(close) {
                self.pos += 1;
                return Ok(entries);
            }
            let (name, key_span) = key(self)?;
            self.expect(b':', "expected `:`")?;
            let value = self.value()?;
            entries.push(Entry {
                key: name,
                key_span,
                value,
            });
            if !self.separator(close)? {
                return Ok(entries);
            }
        }
    }

    /// After an item: `,` (true: more may follow) or the closing bracket (false).
    fn separator(&mut self, close: u8) -> Result<bool, ParseError> {
        self.blank()?;
        match self.peek() {
            Some(b',') => {
                self.pos += 1;
                Ok(true)
            }
            Some(b) if b == close => {
                self.pos += 1;
                Ok(false)
            }
            _ => Err(self.error(&format!("expected `,` or `{}`", close as char))),
        }
    }

    fn items(&mut self, close: u8) -> Result<Vec<Node>, ParseError> {
        let mut items = Vec::new();
        loop {
            self.blank()?;
            if self.peek() == Some(close) {
                self.pos += 1;
                return Ok(items);
            }
            items.push(self.value()?);
            if !self.separator(close)? {
                return Ok(items);
            }
        }
    }

    fn list(&mut self) -> Result<Node, ParseError> {
        let open = Span {
            source: self.source,
            start: self.pos,
            end: self.pos + 1,
        };
        self.pos += 1;
        let items = self.items(b']')?;
        Ok(Node::List(List { open, items }))
    }

    fn map(&mut self) -> Result<Node, ParseError> {
        let open = Span {
            source: self.source,
            start: self.pos,
            end: self.pos + 1,
        };
        self.pos += 1;
        let entries = self.entries(b'}', Self::map_key)?;
        Ok(Node::Struct(Struct {
            name: None,
            open,
            map: true,
            entries,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text<'a>(src: &'a str, node: &Node) -> &'a str {
        match node {
            Node::Leaf(s) => &src[s.start..s.end],
            _ => "<not a leaf>",
        }
    }

    #[test]
    fn structs_maps_lists_and_leaves_keep_their_spans() {
        let src = r#"Scenario( // a comment
            name: "x", seed: 4,
            failures: [(name: "f", on: EachRegion(), lasts: Fixed("5m"))],
            services: { "web": (deployments: [(in: "aws/r")], depends_on: {"db": Soft(impact: 0.5)}) },
        )"#;
        let Ok(Node::Struct(s)) = parse(0, src) else {
            panic!("not a struct")
        };
        assert_eq!(s.name.map(|n| &src[n.start..n.end]), Some("Scenario"));
        assert_eq!(text(src, s.get("name").unwrap()), "\"x\"");
        let Some(Node::List(failures)) = s.get("failures") else {
            panic!("failures")
        };
        let Node::Struct(f) = &failures.items[0] else {
            panic!("failure")
        };
        assert!(matches!(f.get("on"), Some(Node::Struct(s)) if s.entries.is_empty()));
        assert_eq!(text(src, f.get("lasts").unwrap()), "Fixed(\"5m\")");
        let Some(Node::Struct(services)) = s.get("services") else {
            panic!("services")
        };
        assert!(services.map);
        assert_eq!(services.entries[0].key, "web");
        assert_eq!(
            &src[services.entries[0].key_span.start..services.entries[0].key_span.end],
            "\"web\""
        );
    }

    #[test]
    fn syntax_errors_are_placed() {
        let src = "Scenario(name: \"x\" seed: 1)";
        let e = parse(0, src).unwrap_err();
        assert_eq!((e.at, e.message.as_str()), (19, "expected `,` or `)`"));
        let deep = format!("{}{}", "[".repeat(100), "]".repeat(100));
        assert_eq!(
            parse(0, &deep).unwrap_err().message,
            "values are nested too deeply"
        );
        assert_eq!(
            parse(0, "(a: \"x)").unwrap_err().message,
            "unterminated string"
        );
    }
}

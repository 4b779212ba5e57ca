//! The tokens of a RON text, comments included: what the formatter lays out.

/// What a token is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// `(`, `[` or `{`.
    Open(u8),
    /// `)`, `]` or `}`.
    Close(u8),
    /// `,`.
    Comma,
    /// `:`.
    Colon,
    /// A name, number, string, character or `#![...]` attribute, verbatim.
    Atom(String),
    /// A `// ...` comment, without its line break (trailing blanks removed).
    LineComment(String),
    /// A `/* ... */` comment (they nest), verbatim.
    BlockComment(String),
}

/// A token and the blank text before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// What it is.
    pub kind: Kind,
    /// Line breaks between the previous token and this one.
    pub newlines_before: usize,
    /// Byte offset of its first character.
    pub at: usize,
}

impl Token {
    /// Whether this is a comment.
    pub fn is_comment(&self) -> bool {
        matches!(self.kind, Kind::LineComment(_) | Kind::BlockComment(_))
    }
}

/// A text that is not made of RON tokens, at a byte offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LexError {
    /// Byte offset of the problem.
    pub at: usize,
    /// What is wrong.
    pub message: &'static str,
}

/// Characters of a name or number (as the composer reads them).
fn is_atom(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'+' | b'-')
}

/// Splits `text` into tokens.
///
/// # Errors
/// The first character that starts no token, or an unterminated string,
/// character, comment or attribute.
pub fn tokens(text: &str) -> Result<Vec<Token>, LexError> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let (mut pos, mut newlines) = (0, 0);
    while let Some(&b) = bytes.get(pos) {
        if b.is_ascii_whitespace() {
            newlines += usize::from(b == b'\n');
            pos += 1;
            continue;
        }
        let start = pos;
        let (kind, end) = token_at(text, start, b)?;
        pos = end;
        out.push(Token {
            kind,
            newlines_before: newlines,
            at: start,
        });
        newlines = 0;
    }
    Ok(out)
}

/// The token starting at `start`, whose first byte `b` is not whitespace,
/// and the index just after it.
fn token_at(text: &str, start: usize, b: u8) -> Result<(Kind, usize), LexError> {
    let bytes = text.as_bytes();
    let mut pos = start;
    let kind = match (b, bytes.get(pos + 1).copied()) {
        (b'/', Some(b'/')) => {
            pos = bytes[pos..]
                .iter()
                .position(|&c| c == b'\n')
                .map_or(bytes.len(), |n| pos + n);
            Kind::LineComment(text[start..pos].trim_end().to_string())
        }
        (b'/', Some(b'*')) => {
            pos = block_comment_end(bytes, pos).ok_or(LexError {
                at: start,
                message: "unclosed block comment",
            })?;
            Kind::BlockComment(text[start..pos].replace("\r\n", "\n"))
        }
        (b'(' | b'[' | b'{', _) => {
            pos += 1;
            Kind::Open(b)
        }
        (b')' | b']' | b'}', _) => {
            pos += 1;
            Kind::Close(b)
        }
        (b',', _) => {
            pos += 1;
            Kind::Comma
        }
        (b':', _) => {
            pos += 1;
            Kind::Colon
        }
        (b'#', Some(b'!')) => {
            pos = attribute_end(bytes, pos).ok_or(LexError {
                at: start,
                message: "unterminated attribute",
            })?;
            Kind::Atom(text[start..pos].to_string())
        }
        _ => {
            pos = literal_end(bytes, pos)?;
            Kind::Atom(text[start..pos].to_string())
        }
    };
    Ok((kind, pos))
}

/// The end of the string, character, raw string or name/number at `start`.
fn literal_end(bytes: &[u8], start: usize) -> Result<usize, LexError> {
    let unterminated = |message| LexError { at: start, message };
    let mut pos = start;
    // string prefixes: b"..", r"..", r#".."#, br"..", br#".."#
    if bytes.get(pos) == Some(&b'b') && matches!(bytes.get(pos + 1), Some(b'"' | b'r' | b'\'')) {
        pos += 1;
    }
    match bytes.get(pos) {
        // a raw identifier: r#name
        Some(b'r')
            if bytes.get(pos + 1) == Some(&b'#')
                && bytes.get(pos + 2).is_some_and(|&c| is_atom(c)) =>
        {
            pos += 2;
            while bytes.get(pos).is_some_and(|&c| is_atom(c)) {
                pos += 1;
            }
            Ok(pos)
        }
        Some(b'r') if matches!(bytes.get(pos + 1), Some(b'"' | b'#')) => {
            raw_string_end(bytes, pos).ok_or(unterminated("unterminated raw string"))
        }
        Some(&quote @ (b'"' | b'\'')) => {
            pos += 1;
            while let Some(&c) = bytes.get(pos) {
                pos += if c == b'\\' { 2 } else { 1 };
                if c == quote {
                    return Ok(pos);
                }
            }
            Err(unterminated(if quote == b'"' {
                "unterminated string"
            } else {
                "unterminated character"
            }))
        }
        Some(&c) if is_atom(c) => {
            while bytes.get(pos).is_some_and(|&c| is_atom(c)) {
                pos += 1;
            }
            Ok(pos)
        }
        _ => Err(unterminated("unexpected character")),
    }
}

/// The end of the raw string whose `r` is at `start`.
fn raw_string_end(bytes: &[u8], start: usize) -> Option<usize> {
    let mut pos = start + 1;
    let hashes = bytes[pos..].iter().take_while(|&&c| c == b'#').count();
    pos += hashes;
    if bytes.get(pos) != Some(&b'"') {
        return None;
    }
    pos += 1;
    let closing: Vec<u8> = std::iter::once(b'"')
        .chain(std::iter::repeat_n(b'#', hashes))
        .collect();
    (pos..bytes.len())
        .find(|&i| bytes[i..].starts_with(&closing))
        .map(|i| i + closing.len())
}

/// The end of the (nested) block comment at `start`.
fn block_comment_end(bytes: &[u8], start: usize) -> Option<usize> {
    let (mut depth, mut pos) = (0usize, start);
    while pos + 1 < bytes.len() {
        match &bytes[pos..pos + 2] {
            b"/*" => (depth, pos) = (depth + 1, pos + 2),
            b"*/" => {
                (depth, pos) = (depth - 1, pos + 2);
                if depth == 0 {
                    return Some(pos);
                }
            }
            _ => pos += 1,
        }
    }
    None
}

/// The end of the `#![...]` attribute at `start` (brackets balanced).
fn attribute_end(bytes: &[u8], start: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, &c) in bytes.iter().enumerate().skip(start + 2) {
        match c {
            b'[' => depth += 1,
            b']' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ if depth == 0 => return None,
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<Kind> {
        tokens(text).unwrap().into_iter().map(|t| t.kind).collect()
    }

    #[test]
    fn strings_comments_and_names_are_single_tokens() {
        let atom = |s: &str| Kind::Atom(s.to_string());
        assert_eq!(
            kinds("X(a: \"x)\\\"\", /* (/* */) */ b: -1.5e3) // end  "),
            vec![
                atom("X"),
                Kind::Open(b'('),
                atom("a"),
                Kind::Colon,
                atom("\"x)\\\"\""),
                Kind::Comma,
                Kind::BlockComment("/* (/* */) */".to_string()),
                atom("b"),
                Kind::Colon,
                atom("-1.5e3"),
                Kind::Close(b')'),
                Kind::LineComment("// end".to_string()),
            ]
        );
        assert_eq!(kinds("r#\"a\"b\"#"), vec![atom("r#\"a\"b\"#")]);
        assert_eq!(kinds("r#type"), vec![atom("r#type")]);
        assert_eq!(kinds("#![enable(x)]"), vec![atom("#![enable(x)]")]);
    }

    #[test]
    fn unterminated_tokens_are_errors_at_their_start() {
        for (text, at) in [("x \"abc", 2), ("/* /* */", 0), ("a @", 2), ("r#\"x\"", 0)] {
            assert_eq!(tokens(text).map_err(|e| e.at), Err(at), "{text}");
        }
    }

    #[test]
    fn line_breaks_before_each_token_are_counted() {
        let t = tokens("a\n\n b // c\nd").unwrap();
        let n: Vec<usize> = t.iter().map(|t| t.newlines_before).collect();
        assert_eq!(n, vec![0, 2, 0, 1]);
    }
}

//! The source text prepared for searching: line breaks unified, comments
//! masked, and string literals read with their escapes decoded.

use std::borrow::Cow;

/// `source` with every carriage return that is not followed by a line feed
/// turned into a line feed: a file saved with old Mac line endings reads as
/// lines (ron and the locator count line feeds). Byte offsets do not move.
pub fn unify_line_breaks(source: &str) -> Cow<'_, str> {
    let lone = |(i, _): &(usize, &str)| source.as_bytes().get(i + 1) != Some(&b'\n');
    if !source.match_indices('\r').any(|m| lone(&m)) {
        return source.into();
    }
    let mut out = source.as_bytes().to_vec();
    for (i, _) in source.match_indices('\r').filter(lone) {
        out[i] = b'\n';
    }
    // one ASCII byte replaced by another: still UTF-8
    String::from_utf8(out).map_or(source.into(), Cow::Owned)
}

/// Reads the string literal whose text starts at `from` (just after its
/// opening quote) into `out`, with ron's escapes decoded: the index just
/// after its closing quote, or `None` when it is never closed. An unknown
/// escape leaves `out` holding something no name equals.
pub(super) fn literal(text: &str, from: usize, out: &mut Vec<u8>) -> Option<usize> {
    out.clear();
    let bytes = text.as_bytes();
    let hex = |digits: &[u8]| {
        std::str::from_utf8(digits)
            .ok()
            .and_then(|d| u32::from_str_radix(d, 16).ok())
    };
    let mut i = from;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => return Some(i + 1),
            b'\\' => {
                let escape = *bytes.get(i + 1)?;
                i += 2;
                match escape {
                    b'n' => out.push(b'\n'),
                    b'r' => out.push(b'\r'),
                    b't' => out.push(b'\t'),
                    b'0' => out.push(0),
                    b'\\' | b'"' | b'\'' => out.push(escape),
                    b'x' => {
                        let byte = hex(bytes.get(i..i + 2)?)?;
                        out.push(u8::try_from(byte).ok()?);
                        i += 2;
                    }
                    b'u' => {
                        let close = i + text.get(i..)?.find('}')?;
                        let c = hex(bytes.get(i + 1..close)?).and_then(char::from_u32);
                        let mut buffer = [0; 4];
                        out.extend_from_slice(
                            c.unwrap_or('\u{fffd}').encode_utf8(&mut buffer).as_bytes(),
                        );
                        i = close + 1;
                    }
                    b'\n' => {
                        // a line continuation: the break and the indentation vanish
                        while bytes.get(i).is_some_and(|b| b.is_ascii_whitespace()) {
                            i += 1;
                        }
                    }
                    _ => out.extend_from_slice(b"\\\x00"),
                }
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    None
}

/// Whether `c` may be part of a name.
pub(super) fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Replaces `// ...` and `/* ... */` comments with spaces, one per
/// character, leaving strings and line breaks in place so that lines and
/// columns do not move. Also returns the index in the masked text where a
/// block comment that is never closed opens.
pub(super) fn mask_comments(source: &str) -> (String, Option<usize>) {
    let chars: Vec<char> = source.chars().collect();
    let mut out = chars.clone();
    let mut i = 0;
    let mut in_string = false;
    let mut block_depth = 0usize;
    let mut block_start = 0;
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
            block_start = i;
            out[i] = ' ';
            out[i + 1] = ' ';
            i += 2;
        } else {
            i += 1;
        }
    }
    let unclosed = (block_depth > 0).then(|| out[..block_start].iter().map(|c| c.len_utf8()).sum());
    (out.into_iter().collect(), unclosed)
}

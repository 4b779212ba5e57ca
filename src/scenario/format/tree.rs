//! Tokens grouped for layout: brackets with their comma-separated items, and
//! each comment attached where it was written (before an item on its own
//! line, inside an item, or after an item on the same line).

use super::lex::{Kind, Token};

/// Deeper nesting is refused, as the loader refuses it.
pub const MAX_DEPTH: usize = 64;

/// A comment and how it sat among the lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    /// The comment, verbatim.
    pub text: String,
    /// Whether it starts a line.
    pub newline_before: bool,
    /// Whether a blank line comes before it.
    pub blank_before: bool,
    /// Whether a line break follows it (always true of a `//` comment).
    pub newline_after: bool,
}

/// Part of an item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// A name, number, string or attribute.
    Atom(String),
    /// `:`.
    Colon,
    /// A bracketed group.
    Group(Group),
    /// A comment inside the item.
    Comment(Comment),
}

/// One comma-separated item (at the top level: the value and its attributes).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Item {
    /// Its tokens, never ending with a comment.
    pub parts: Vec<Part>,
    /// Comments after it on the same line.
    pub trailing: Vec<Comment>,
    /// Whether a blank line comes before it.
    pub blank_before: bool,
}

/// What a group holds, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Element {
    /// A comment on its own line(s).
    Comment(Comment),
    /// An item.
    Item(Item),
}

/// A bracketed group, or the whole file (no brackets, no commas).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// `(`, `[` or `{`; `None` for the file.
    pub open: Option<u8>,
    /// Its comments and items.
    pub elements: Vec<Element>,
}

/// A token out of place, at a byte offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeError {
    /// Byte offset of the token.
    pub at: usize,
    /// What is wrong.
    pub message: &'static str,
}

/// Groups the tokens of a whole file.
///
/// # Errors
/// Unbalanced brackets, misplaced commas, nesting deeper than [`MAX_DEPTH`].
pub fn file(tokens: &[Token]) -> Result<Group, TreeError> {
    let mut reader = Reader { tokens, pos: 0 };
    let group = reader.group(None, 0)?;
    Ok(group)
}

struct Reader<'a> {
    tokens: &'a [Token],
    pos: usize,
}

impl Reader<'_> {
    fn comment(&self, token: &Token, text: &str, line: bool) -> Comment {
        let next = self.tokens.get(self.pos + 1);
        Comment {
            text: text.to_string(),
            newline_before: token.newlines_before > 0,
            blank_before: token.newlines_before > 1,
            newline_after: line || next.is_some_and(|t| t.newlines_before > 0),
        }
    }

    /// The elements up to the bracket closing `open` (or the end of the file).
    fn group(&mut self, open: Option<u8>, depth: usize) -> Result<Group, TreeError> {
        let mut elements = Vec::new();
        let mut item = Item::default();
        // true just after a comma: comments on the same line trail the item before
        let mut after_comma = false;
        while let Some(token) = self.tokens.get(self.pos) {
            let error = |message| error_at(token, message);
            match &token.kind {
                Kind::Close(c) => {
                    if open.map(closing) != Some(*c) {
                        return error("unmatched closing bracket");
                    }
                    self.pos += 1;
                    finish(&mut elements, item);
                    return Ok(Group { open, elements });
                }
                Kind::Comma if open.is_none() || item.parts.is_empty() => {
                    return error("unexpected `,`")
                }
                Kind::Comma => {
                    finish(&mut elements, std::mem::take(&mut item));
                    after_comma = true;
                    self.pos += 1;
                    continue;
                }
                Kind::LineComment(text) | Kind::BlockComment(text) => {
                    let line = matches!(token.kind, Kind::LineComment(_));
                    let comment = self.comment(token, text, line);
                    place_comment(comment, after_comma, &mut elements, &mut item);
                    self.pos += 1;
                    continue;
                }
                Kind::Open(b) => {
                    if depth >= MAX_DEPTH {
                        return error("values are nested too deeply");
                    }
                    let b = *b;
                    self.pos += 1;
                    start(&mut item, token);
                    let inner = self.group(Some(b), depth + 1)?;
                    item.parts.push(Part::Group(inner));
                }
                Kind::Colon => {
                    start(&mut item, token);
                    item.parts.push(Part::Colon);
                    self.pos += 1;
                }
                Kind::Atom(text) => {
                    start(&mut item, token);
                    item.parts.push(Part::Atom(text.clone()));
                    self.pos += 1;
                }
            }
            after_comma = false;
        }
        self.end_of_file(open, elements, item)
    }

    /// The group when the file ends: the top level, or an error when a
    /// bracket is still open.
    fn end_of_file(
        &self,
        open: Option<u8>,
        mut elements: Vec<Element>,
        item: Item,
    ) -> Result<Group, TreeError> {
        match open {
            None => {
                finish(&mut elements, item);
                Ok(Group { open, elements })
            }
            Some(_) => Err(TreeError {
                at: self.tokens.last().map_or(0, |t| t.at),
                message: "unexpected end of file: a bracket is not closed",
            }),
        }
    }
}

/// A parse error at `token`.
fn error_at(token: &Token, message: &'static str) -> Result<Group, TreeError> {
    Err(TreeError {
        at: token.at,
        message,
    })
}

/// Places a comment: trailing the item before it (on the same line after
/// a comma), on its own line between items, or inside the current item.
fn place_comment(
    comment: Comment,
    after_comma: bool,
    elements: &mut Vec<Element>,
    item: &mut Item,
) {
    match elements.last_mut() {
        Some(Element::Item(prev)) if after_comma && !comment.newline_before => {
            prev.trailing.push(comment);
        }
        _ if item.parts.is_empty() && comment.newline_after => {
            elements.push(Element::Comment(comment));
        }
        _ => {
            if item.parts.is_empty() {
                item.blank_before = comment.blank_before;
            }
            item.parts.push(Part::Comment(comment));
        }
    }
}

/// The closing bracket of `open`.
pub fn closing(open: u8) -> u8 {
    match open {
        b'(' => b')',
        b'[' => b']',
        _ => b'}',
    }
}

/// Notes a blank line before the first token of an item.
fn start(item: &mut Item, token: &Token) {
    if item.parts.is_empty() {
        item.blank_before = token.newlines_before > 1;
    }
}

/// Ends an item: comments at its end trail it when they are on its last
/// line, and stand on their own lines after it otherwise.
fn finish(elements: &mut Vec<Element>, mut item: Item) {
    let last_token = item
        .parts
        .iter()
        .rposition(|p| !matches!(p, Part::Comment(_)));
    let Some(last_token) = last_token else {
        // only comments: they stand alone
        for part in item.parts {
            if let Part::Comment(mut c) = part {
                c.newline_after = true;
                elements.push(Element::Comment(c));
            }
        }
        return;
    };
    let tail: Vec<Part> = item.parts.split_off(last_token + 1);
    let mut own_lines = Vec::new();
    for part in tail {
        if let Part::Comment(c) = part {
            if own_lines.is_empty() && !c.newline_before {
                item.trailing.push(c);
            } else {
                own_lines.push(Element::Comment(Comment {
                    newline_after: true,
                    ..c
                }));
            }
        }
    }
    elements.push(Element::Item(item));
    elements.extend(own_lines);
}

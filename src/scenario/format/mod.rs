//! `faultline fmt`: scenario files in one canonical layout, every comment
//! kept.
//!
//! The formatter works on tokens, not on the scenario: [`lex`] splits the
//! text into tokens with its comments, [`tree`] groups them by brackets and
//! commas and attaches each comment to where it was written, and [`render`]
//! lays the groups out. It formats each file as text: `extends` is not
//! followed, and a base file that is not a whole scenario formats as well.
//!
//! Meaning is kept by construction and checked: the formatted text must
//! hold the same tokens as the original (trailing commas aside) and the same
//! comments in the same order, or nothing is written.

mod lex;
mod render;
mod tree;

pub use render::WIDTH;
pub use tree::MAX_DEPTH;

use super::diagnostic::{Diagnostic, FileDiagnostics, Position};
use super::locate::unify_line_breaks;
use lex::{Kind, Token};

/// Why a text was not formatted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormatError {
    /// The text is not made of RON tokens, or its brackets and commas are
    /// out of place.
    #[error("{message}")]
    Syntax {
        /// Byte offset of the problem in the text (line breaks unified).
        at: usize,
        /// What is wrong.
        message: &'static str,
    },
    /// The layout would have changed the tokens or the comments (a bug in
    /// the formatter: the file is left as it is).
    #[error(
        "formatting would change the file's meaning or its comments; the file is left as it is"
    )]
    Changed,
}

/// `text` in the canonical layout.
///
/// # Errors
/// [`FormatError::Syntax`] for a text that is not RON tokens in balanced
/// brackets (nested at most [`MAX_DEPTH`] deep), [`FormatError::Changed`]
/// if the layout failed its own check.
pub fn format(text: &str) -> Result<String, FormatError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let text = &*unify_line_breaks(text);
    let syntax = |e: (usize, &'static str)| FormatError::Syntax {
        at: e.0,
        message: e.1,
    };
    let tokens = lex::tokens(text).map_err(|e| syntax((e.at, e.message)))?;
    let tree = tree::file(&tokens).map_err(|e| syntax((e.at, e.message)))?;
    let formatted = render::file(&tree);
    let again = lex::tokens(&formatted).map_err(|_| FormatError::Changed)?;
    if significant(&tokens) != significant(&again) || comments(&tokens) != comments(&again) {
        return Err(FormatError::Changed);
    }
    Ok(formatted)
}

/// The tokens that carry meaning: no comment, no comma before a closing
/// bracket.
fn significant(tokens: &[Token]) -> Vec<&Kind> {
    let kinds: Vec<&Kind> = tokens
        .iter()
        .filter(|t| !t.is_comment())
        .map(|t| &t.kind)
        .collect();
    (0..kinds.len())
        .filter(|&i| {
            !(*kinds[i] == Kind::Comma && matches!(kinds.get(i + 1), Some(Kind::Close(_))))
        })
        .map(|i| kinds[i])
        .collect()
}

fn comments(tokens: &[Token]) -> Vec<&Kind> {
    tokens
        .iter()
        .filter(|t| t.is_comment())
        .map(|t| &t.kind)
        .collect()
}

/// Formats the bytes of the scenario file named `file` (in diagnostics).
/// The file is checked as the loader checks it first (size, UTF-8, a
/// `Scenario(` at the start, RON syntax), but not validated: a base file
/// of `extends` without the required fields formats too.
///
/// # Errors
/// The located problem, as `check` would report it.
pub fn format_file(file: &str, bytes: &[u8]) -> Result<String, FileDiagnostics> {
    let text = super::text_of(file, bytes)?;
    let unified = unify_line_breaks(text);
    let located = |diagnostic| FileDiagnostics {
        file: file.to_string(),
        diagnostics: vec![diagnostic],
    };
    if let Err(e) = super::ron_options().from_str::<ron::Value>(&unified) {
        let locator = super::locate::Locator::new(&unified);
        return Err(located(super::syntax::diagnostic(&e, &locator)));
    }
    format(text).map_err(|e| {
        let at = match e {
            FormatError::Syntax { at, .. } => super::compose::position_of(&unified, at),
            FormatError::Changed => Position { line: 1, col: 1 },
        };
        located(Diagnostic::new(at, e.to_string()))
    })
}

#[cfg(test)]
mod tests;

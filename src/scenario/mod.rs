//! Scenario files: text -> validated [`Model`](crate::model::Model).
//!
//! Loading is two passes. serde + ron read the text into raw types that mirror
//! the file ([`raw`]); values that can be judged alone (durations,
//! distribution parameters) fail there, at the position ron reports. Then
//! [`validate`] resolves names, builds dense ids and checks everything that
//! needs the whole file, collecting every problem before reporting them.

pub mod diagnostic;
mod locate;
pub mod raw;
pub mod validate;

pub use diagnostic::{Diagnostic, FileDiagnostics, Position};

use locate::Locator;
use ron::extensions::Extensions;

use crate::model::Model;

/// Scenario files larger than this are refused unread (they come from pull requests).
pub const MAX_FILE_BYTES: usize = 8 * 1024 * 1024;

/// Parses and validates a scenario. `file` is the name used in diagnostics.
///
/// # Errors
/// Every problem found, each with its position, as [`FileDiagnostics`].
pub fn load(file: &str, bytes: &[u8]) -> Result<Model, FileDiagnostics> {
    let fail = |diagnostics: Vec<Diagnostic>| FileDiagnostics {
        file: file.to_string(),
        diagnostics,
    };
    let at_start = |message: &str, hint: &str| {
        fail(vec![
            Diagnostic::new(Position { line: 1, col: 1 }, message).with_hint(hint)
        ])
    };
    if bytes.len() > MAX_FILE_BYTES {
        return Err(at_start(
            &format!(
                "file is {} bytes; the limit is {MAX_FILE_BYTES}",
                bytes.len()
            ),
            "split the scenario or remove generated content",
        ));
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let locator = Locator::new(&String::from_utf8_lossy(&bytes[..e.valid_up_to()]));
            let position = locator.position(usize::MAX);
            return Err(fail(vec![Diagnostic::new(
                position,
                "file is not valid UTF-8",
            )
            .with_hint("save the scenario as UTF-8 text")]));
        }
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(at_start(
            "file is empty",
            "a scenario starts with `Scenario(`; see scenarios/ for examples",
        ));
    }
    let locator = Locator::new(text);
    let options = ron::Options::default()
        .with_default_extension(Extensions::IMPLICIT_SOME)
        .with_recursion_limit(64);
    let raw: raw::RawScenario = options
        .from_str(text)
        .map_err(|e| fail(vec![syntax_diagnostic(&e, &locator)]))?;
    let default_name = std::path::Path::new(file)
        .file_stem()
        .map_or_else(|| file.to_string(), |s| s.to_string_lossy().into_owned());
    let mut validator = validate::Validator::new(&locator);
    let model = validator.scenario(raw, &default_name);
    let mut problems = validator.problems;
    problems.sort_by_key(|d| d.position);
    match model {
        Some(model) if problems.is_empty() => Ok(model),
        _ => Err(fail(problems)),
    }
}

/// Turns a ron error into a diagnostic with a hint.
fn syntax_diagnostic(e: &ron::error::SpannedError, locator: &Locator) -> Diagnostic {
    use ron::Error as E;
    let start = Position {
        line: e.span.start.line,
        col: e.span.start.col,
    };
    let end = Position {
        line: e.span.end.line,
        col: e.span.end.col,
    };
    let in_outer = |outer: &Option<String>| {
        outer
            .as_ref()
            .map(|o| format!(" in `{o}`"))
            .unwrap_or_default()
    };
    match &e.code {
        E::NoSuchStructField {
            expected,
            found,
            outer,
        } => Diagnostic::new(start, format!("unknown field `{found}`{}", in_outer(outer)))
            .suggest(found, expected.iter().copied())
            .or_hint(format!("expected one of {}", list(expected))),
        E::NoSuchEnumVariant {
            expected,
            found,
            outer,
        } => Diagnostic::new(
            start,
            format!("unknown variant `{found}`{}", in_outer(outer)),
        )
        .suggest(found, expected.iter().copied())
        .or_hint(format!("expected one of {}", list(expected))),
        E::MissingStructField { field, outer } => {
            Diagnostic::new(start, format!("missing field `{field}`{}", in_outer(outer)))
        }
        E::DuplicateStructField { field, outer } => Diagnostic::new(
            start,
            format!("field `{field}` is given twice{}", in_outer(outer)),
        )
        .with_hint("remove one of them"),
        E::Eof => Diagnostic::new(start, "unexpected end of file")
            .with_hint("the file looks truncated: check for a missing `)`, `]` or `}`"),
        E::ExceededRecursionLimit => Diagnostic::new(start, "values are nested too deeply")
            .with_hint("a scenario never needs more than a few levels of nesting"),
        E::Message(message) => {
            let field = locator.field_before(end);
            let message = match field {
                Some(f) => format!("invalid `{f}`: {message}"),
                None => message.clone(),
            };
            let hint = message.contains("duration").then_some(
                "write a duration as a number and a unit: `90s`, `30m`, `1.5h`, `2d`, `1w`, `1y`",
            );
            let d = Diagnostic::new(end, message);
            match hint {
                Some(h) => d.with_hint(h),
                None => d,
            }
        }
        other => Diagnostic::new(start, lowercase_first(&other.to_string())),
    }
}

impl Diagnostic {
    fn or_hint(self, hint: String) -> Diagnostic {
        if self.hint.is_some() {
            self
        } else {
            self.with_hint(hint)
        }
    }
}

fn list(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn lowercase_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

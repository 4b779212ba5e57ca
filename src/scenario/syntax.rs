//! Turns ron errors (syntax, unknown names, values rejected by the raw types)
//! into located diagnostics with hints.

use ron::error::SpannedError;
use ron::Error as E;

use super::diagnostic::{Diagnostic, Position};
use super::locate::Locator;

/// How durations are written, for every duration error.
const DURATION_HINT: &str =
    "write a duration as a number and a unit: `90s`, `30m`, `1.5h`, `2d`, `1w`, `1y`";

/// Hints for values rejected by the raw types, keyed by a part of the message.
const VALUE_HINTS: &[(&str, &str)] = &[
    (
        "shorter than one second",
        "a horizon, `every` or `window` this short is a unit mistake (`s` for `d`?): write at least `1s`",
    ),
    ("duration", DURATION_HINT),
    (
        "`p90` of `LogNormal`",
        "`p90` is the 90th percentile, above the median: `LogNormal(median: \"1h\", p90: \"6h\")`",
    ),
    (
        "`scale` of `Weibull`",
        "lower `scale` or raise `shape`: the mean outage is `scale` times Γ(1 + 1/shape)",
    ),
    (
        "of `Weibull`",
        "`shape` is a positive number (below 1: early failures, 1: exponential, above 1: wear-out)",
    ),
    ("`min` of `Uniform`", "swap `min` and `max`"),
    (
        "`Empirical`",
        "list one or more durations: `Empirical([\"5m\", \"20m\", \"2h\"])`",
    ),
];

/// Turns a ron error into a diagnostic with a hint.
pub fn diagnostic(e: &SpannedError, locator: &Locator) -> Diagnostic {
    let start = Position {
        line: e.span.start.line,
        col: e.span.start.col,
    };
    if let Some(d) = unterminated(&e.code, start, locator) {
        return d;
    }
    match &e.code {
        E::NoSuchStructField {
            expected,
            found,
            outer,
        } => unknown(
            start,
            format!("unknown field `{found}`{}", inside(outer)),
            found,
            expected,
        ),
        E::NoSuchEnumVariant {
            expected,
            found,
            outer,
        } => {
            let kind = outer.as_deref().unwrap_or("variant").to_lowercase();
            unknown(start, format!("unknown {kind} `{found}`"), found, expected)
        }
        E::MissingStructField { field, outer } => Diagnostic::new(
            locator.value_start(start),
            format!("missing field `{field}`{}", inside(outer)),
        ),
        E::DuplicateStructField { field, outer } => Diagnostic::new(
            start,
            format!("field `{field}` is given twice{}", inside(outer)),
        )
        .with_hint("remove one of them"),
        E::ExceededRecursionLimit => Diagnostic::new(start, "values are nested too deeply")
            .with_hint("a scenario never needs more than a few levels of nesting"),
        E::Message(message) => invalid_value(message, start, locator),
        code => structural(code, start, locator),
    }
}

/// A comment, a string or the whole file that ends too early.
fn unterminated(code: &E, start: Position, locator: &Locator) -> Option<Diagnostic> {
    Some(match code {
        E::UnclosedBlockComment => {
            let at = locator.unclosed_comment().unwrap_or(start);
            Diagnostic::new(at, "unclosed block comment").with_hint("close the comment with `*/`")
        }
        E::ExpectedStringEnd => {
            Diagnostic::new(start, "unterminated string").with_hint("close the string with `\"`")
        }
        _ if matches!(code, E::Eof) || locator.is_past_content(start) => {
            Diagnostic::new(locator.content_end(), "unexpected end of file")
                .with_hint("the file looks truncated: check for a missing `)`, `]` or `}`")
        }
        _ => return None,
    })
}

/// An unknown name, with a "did you mean" hint or the list of valid names.
fn unknown(at: Position, message: String, found: &str, expected: &[&str]) -> Diagnostic {
    let d = Diagnostic::new(at, message).suggest(found, expected.iter().copied());
    if d.hint.is_some() {
        d
    } else {
        d.with_hint(format!("expected one of {}", list(expected)))
    }
}

/// A value that the raw types rejected: points at the start of the value (at
/// the parameter a distribution's message names, where it is written inside
/// the value) and names the field it belongs to.
fn invalid_value(message: &str, start: Position, locator: &Locator) -> Diagnostic {
    let value = locator.value_start(start);
    let message = match locator.field_before(value) {
        Some(field) => format!("invalid `{field}`: {message}"),
        None => message.to_string(),
    };
    let at = parameter_named(&message)
        .and_then(|p| locator.field_value(value, start, p))
        .unwrap_or(value);
    let hint = VALUE_HINTS
        .iter()
        .find(|(key, _)| message.contains(key))
        .map(|(_, hint)| *hint);
    let d = Diagnostic::new(at, message);
    match hint {
        Some(h) => d.with_hint(h),
        None => d,
    }
}

/// The distribution parameter a message blames (`` `shape` of `Weibull` ``).
fn parameter_named(message: &str) -> Option<&'static str> {
    const PARAMETERS: [&str; 7] = ["mean", "median", "p90", "shape", "scale", "min", "max"];
    PARAMETERS
        .into_iter()
        .find(|p| message.contains(&format!("`{p}` of `")))
}

/// Syntax errors and values of the wrong type.
fn structural(code: &E, start: Position, locator: &Locator) -> Diagnostic {
    match code {
        E::ExpectedComma => Diagnostic::new(locator.previous_token_end(start), "missing `,`")
            .with_hint("separate fields, list items and map entries with `,`"),
        E::TrailingCharacters => Diagnostic::new(
            locator.next_token(start),
            "unexpected text after the scenario",
        )
        .with_hint("a file holds one `Scenario(...)`; remove what follows it"),
        E::UnexpectedChar(c) => Diagnostic::new(start, format!("unexpected character `{c}`")),
        E::ExpectedInteger
        | E::ExpectedFloat
        | E::ExpectedString
        | E::ExpectedBoolean
        | E::ExpectedArray
        | E::ExpectedMap
        | E::ExpectedOption
        | E::IntegerOutOfBounds
        | E::InvalidValueForType { .. } => {
            let at = locator.next_token(start);
            let message = lowercase_first(&code.to_string());
            let message = match locator.field_before(at) {
                Some(field) => format!("invalid `{field}`: {message}"),
                None => message,
            };
            Diagnostic::new(at, message)
        }
        E::ExpectedStructLike => Diagnostic::new(start, lowercase_first(&E::ExpectedStructLike.to_string()))
            .with_hint("a variant with fields takes parentheses even when they are all left out: `ActiveActive()`, `EachRegion()`"),
        other => Diagnostic::new(start, lowercase_first(&other.to_string())),
    }
}

/// ` in a failure` for the raw structs (renamed in lowercase), `` in `X` ``
/// for what the file spells out (`Scenario`, variant names).
fn inside(outer: &Option<String>) -> String {
    match outer.as_deref() {
        None => String::new(),
        Some(o) if o.starts_with(char::is_lowercase) => format!(" in a {o}"),
        Some(o) => format!(" in `{o}`"),
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

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
mod syntax;
pub mod validate;

pub use diagnostic::{Diagnostic, FileDiagnostics, FileWarnings, Position};

use locate::Locator;
use ron::extensions::Extensions;

use crate::model::Model;

/// Scenario files larger than this are refused unread (they come from pull requests).
pub const MAX_FILE_BYTES: usize = 8 * 1024 * 1024;

/// Where `field` is written: at the top level, or inside the failure named
/// `failure`. Places problems found after loading, such as a run refused for
/// its size. `None` when the text cannot be read.
pub fn field_position(
    bytes: &[u8],
    failure: Option<&str>,
    field: &'static str,
) -> Option<Position> {
    let text = std::str::from_utf8(bytes).ok()?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let locator = Locator::new(text);
    let anchors = match failure {
        Some(name) => vec![
            locate::Anchor::Field("failures"),
            locate::Anchor::Text(format!("\"{name}\"")),
            locate::Anchor::Field(field),
        ],
        None => vec![locate::Anchor::Field(field)],
    };
    Some(locator.locate(&anchors))
}

/// Parses and validates a scenario. `file` is the name used in diagnostics.
///
/// # Errors
/// Every problem found, each with its position, as [`FileDiagnostics`].
pub fn load(file: &str, bytes: &[u8]) -> Result<Model, FileDiagnostics> {
    load_with_warnings(file, bytes).map(|(model, _)| model)
}

/// As [`load`], also returning the warnings: located problems that do not
/// stop the scenario from running (a failure target that matches nothing).
///
/// # Errors
/// Every problem found, each with its position, as [`FileDiagnostics`].
pub fn load_with_warnings(
    file: &str,
    bytes: &[u8],
) -> Result<(Model, FileWarnings), FileDiagnostics> {
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
            &format!("file is larger than the limit of {MAX_FILE_BYTES} bytes"),
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
        .map_err(|e| fail(vec![syntax::diagnostic(&e, &locator)]))?;
    let default_name = std::path::Path::new(file)
        .file_stem()
        .map_or_else(|| file.to_string(), |s| s.to_string_lossy().into_owned());
    let mut validator = validate::Validator::new(&locator);
    let model = validator.scenario(raw, &default_name);
    let warnings = validator.take_warnings();
    let problems = validator.finish();
    match model {
        Some(mut model) if problems.is_empty() => {
            model.source_hash = crate::model::fnv1a(bytes);
            Ok((model, FileWarnings(fail(warnings))))
        }
        _ => Err(fail(problems)),
    }
}

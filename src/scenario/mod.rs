//! Scenario files: text -> validated [`Model`](crate::model::Model).
//!
//! Loading is two passes. serde + ron read the text into raw types that mirror
//! the file ([`raw`]); values that can be judged alone (durations,
//! distribution parameters) fail there, at the position ron reports. Then
//! [`validate`] resolves names, builds dense ids and checks everything that
//! needs the whole file, collecting every problem before reporting them.

pub mod compose;
pub mod diagnostic;
pub mod every;
pub mod format;
mod locate;
pub mod raw;
mod syntax;
pub mod uncertain;
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
            locate::Anchor::Str(name.to_string()),
            locate::Anchor::Field(field),
        ],
        None => vec![locate::Anchor::Field(field)],
    };
    Some(locator.locate(&anchors))
}

/// Where the last of `fields` is written inside service `service`'s entry
/// (`["sla", "window"]`: its SLA's `window`), or the nearest of them found.
/// `None` when the text cannot be read.
pub fn service_field_position(
    bytes: &[u8],
    service: &str,
    fields: &[&'static str],
) -> Option<Position> {
    let text = std::str::from_utf8(bytes).ok()?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut anchors = vec![
        locate::Anchor::Field("services"),
        locate::Anchor::Entry(service.to_string()),
    ];
    anchors.extend(fields.iter().map(|&f| locate::Anchor::Field(f)));
    Some(Locator::new(text).locate(&anchors))
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
    let text = text_of(file, bytes)?;
    let (mut model, warnings) = load_text(text, &default_name(file)).map_err(fail)?;
    model.source_hash = crate::model::fnv1a(bytes);
    name_inputs(&mut model, file);
    Ok((model, FileWarnings(fail(warnings))))
}

/// Puts the file name before each uncertain input's `LINE:COL`.
fn name_inputs(model: &mut Model, file: &str) {
    for input in &mut model.uncertain {
        input.at = format!("{file}:{}", input.at);
    }
}

/// The name of a scenario without `name`: its file name without extension,
/// with what could break a terminal or a log escaped (file names are not
/// validated as names are).
fn default_name(file: &str) -> String {
    let stem = std::path::Path::new(file)
        .file_stem()
        .map_or_else(|| file.to_string(), |s| s.to_string_lossy().into_owned());
    crate::text::one_line(&stem).into_owned()
}

/// The text of a scenario file: at most [`MAX_FILE_BYTES`], UTF-8, not
/// empty, without a byte order mark.
///
/// # Errors
/// One located diagnostic saying which.
pub(crate) fn text_of<'a>(file: &str, bytes: &'a [u8]) -> Result<&'a str, FileDiagnostics> {
    let fail = |position: Position, message: &str, hint: &str| FileDiagnostics {
        file: file.to_string(),
        diagnostics: vec![Diagnostic::new(position, message).with_hint(hint)],
    };
    let start = Position { line: 1, col: 1 };
    if bytes.len() > MAX_FILE_BYTES {
        return Err(fail(
            start,
            &format!("file is larger than the limit of {MAX_FILE_BYTES} bytes"),
            "split the scenario or remove generated content",
        ));
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let locator = Locator::new(&String::from_utf8_lossy(&bytes[..e.valid_up_to()]));
            let position = locator.position(usize::MAX);
            return Err(fail(
                position,
                "file is not valid UTF-8",
                "save the scenario as UTF-8 text",
            ));
        }
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(fail(
            start,
            "file is empty",
            "a scenario starts with `Scenario(`; see scenarios/ for examples",
        ));
    }
    if let Err(at) = starts_like_a_scenario(text) {
        // quote nothing: the file may be anything (a key file, an env file)
        return Err(fail(
            compose::position_of(text, at),
            "this file is not a scenario: it does not start with `Scenario(`",
            "a scenario starts with `Scenario(`; check the file named on the command line or in `extends`",
        ));
    }
    Ok(text)
}

/// Whether a diagnostic may quote lines of `bytes`: UTF-8 text that starts
/// like a scenario. A file that does not may be anything (a key file, an env
/// file), and nothing of it is shown.
pub fn quotable(bytes: &[u8]) -> bool {
    std::str::from_utf8(bytes).is_ok_and(|text| {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        starts_like_a_scenario(text).is_ok()
    })
}

/// `Ok` when `text` starts, after white space, comments and `#![...]`
/// attributes, with `Scenario` or `(` (or holds nothing else: the parser
/// then says what is missing); else `Err` with the byte index of what it
/// starts with.
fn starts_like_a_scenario(text: &str) -> Result<(), usize> {
    let mut rest = text;
    loop {
        rest = rest.trim_start();
        if let Some(comment) = rest.strip_prefix("//") {
            rest = comment.split_once('\n').map_or("", |(_, after)| after);
        } else if rest.starts_with("/*") {
            match block_comment_end(rest) {
                Some(end) => rest = &rest[end..],
                None => return Ok(()),
            }
        } else if let Some(attribute) = rest.strip_prefix("#![") {
            rest = attribute.split_once(']').map_or("", |(_, after)| after);
        } else {
            break;
        }
    }
    let after = rest.strip_prefix("Scenario").map(|r| r.chars().next());
    let word = |c: char| c.is_alphanumeric() || c == '_';
    match after {
        _ if rest.is_empty() || rest.starts_with('(') => Ok(()),
        Some(next) if !next.is_some_and(word) => Ok(()),
        _ => Err(text.len() - rest.len()),
    }
}

/// The byte index just past the (nested) block comment `text` starts with.
fn block_comment_end(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let (mut depth, mut i) = (0usize, 0);
    while i + 1 < bytes.len() {
        match &bytes[i..i + 2] {
            b"/*" => (depth, i) = (depth + 1, i + 2),
            b"*/" => {
                depth -= 1;
                i += 2;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => i += 1,
        }
    }
    None
}

/// Parses and validates a scenario's text: the model and its warnings, or
/// every problem, positioned in `text`.
fn load_text(text: &str, default_name: &str) -> Result<(Model, Vec<Diagnostic>), Vec<Diagnostic>> {
    let text = &*locate::unify_line_breaks(text);
    let locator = Locator::new(text);
    let raw: raw::RawScenario = ron_options()
        .from_str(text)
        .map_err(|e| vec![syntax::diagnostic(&e, &locator)])?;
    let mut validator = validate::Validator::new(&locator);
    let model = validator.scenario(raw, default_name);
    let warnings = validator.take_warnings();
    let problems = validator.finish();
    match model {
        Some(model) if problems.is_empty() => Ok((model, warnings)),
        _ => Err(problems),
    }
}

fn ron_options() -> ron::Options {
    ron::Options::default()
        .with_default_extension(Extensions::IMPLICIT_SOME)
        .with_recursion_limit(64)
}

/// A syntax error found while composing: ron's own diagnostic for the file
/// when ron sees a syntax error there too (it has the better hints), else
/// the composer's.
pub(crate) fn syntax_diagnostics(
    file: &str,
    text: &str,
    e: compose::tree::ParseError,
) -> FileDiagnostics {
    let text = &*locate::unify_line_breaks(text);
    let locator = Locator::new(text);
    let diagnostic = match ron_options().from_str::<raw::RawScenario>(text) {
        Err(ron_error) if !matches!(ron_error.code, ron::Error::MissingStructField { .. }) => {
            syntax::diagnostic(&ron_error, &locator)
        }
        _ => Diagnostic::new(compose::position_of(text, e.at), e.message),
    };
    FileDiagnostics {
        file: file.to_string(),
        diagnostics: vec![diagnostic],
    }
}

/// A scenario loaded from a file, possibly composed from several.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The validated model.
    pub model: Model,
    /// Located warnings, by file.
    pub warnings: Vec<FileDiagnostics>,
    /// The merged scenario, when the file uses `extends` or `remove` or
    /// `--set` edits were given; `None` for a plain file.
    pub composed: Option<compose::Composed>,
    /// The top file's bytes.
    pub bytes: Vec<u8>,
}

/// Loads the scenario at `path` (named `name` in diagnostics), following
/// `extends` and applying `sets`. A file without `extends`, `remove` or
/// sets loads exactly as [`load_with_warnings`] loads its bytes.
///
/// # Errors
/// Every problem found, each in the file where the offending value was written.
pub fn load_path(
    path: &std::path::Path,
    name: &str,
    read: compose::Read<'_>,
    sets: &[compose::Assignment],
) -> Result<Loaded, Vec<FileDiagnostics>> {
    let bytes = read(path).map_err(|e| {
        vec![FileDiagnostics {
            file: name.to_string(),
            diagnostics: vec![Diagnostic::new(
                Position { line: 1, col: 1 },
                format!("cannot read the scenario: {e}"),
            )],
        }]
    })?;
    let plain = sets.is_empty()
        && std::str::from_utf8(&bytes).map_or(true, |t| !compose::uses_composition(t));
    if plain {
        let (model, warnings) = load_with_warnings(name, &bytes).map_err(|d| vec![d])?;
        let warnings = vec![warnings.0]
            .into_iter()
            .filter(|w| !w.diagnostics.is_empty())
            .collect();
        return Ok(Loaded {
            model,
            warnings,
            composed: None,
            bytes,
        });
    }
    let composed = compose::compose(path, name, read, sets)?;
    if let Err(e) = text_of(name, composed.text.as_bytes()) {
        return Err(vec![e]);
    }
    let (mut model, warnings) =
        load_text(&composed.text, &default_name(name)).map_err(|d| composed.relocate(d))?;
    model.source_hash = crate::model::fnv1a(composed.text.as_bytes());
    name_inputs(&mut model, name);
    let warnings = composed.relocate(warnings);
    Ok(Loaded {
        model,
        warnings,
        composed: Some(composed),
        bytes,
    })
}

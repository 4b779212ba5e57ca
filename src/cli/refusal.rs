//! Why a run was refused, printed at the field that made it too large where
//! the scenario wrote that field (not when a flag such as `--trials` did).

use std::borrow::Cow;
use std::path::Path;

use super::output::Problem;
use crate::montecarlo::RunError;
use crate::scenario::{self, Loaded, Position};

/// Where a field of a loaded scenario is written: the file of the chain that
/// wrote it (a base, for a composed scenario), its position there and that
/// file's text.
pub struct Located<'a> {
    /// The file's name.
    pub file: String,
    /// The position of the field, when found.
    pub position: Option<Position>,
    /// The file's text, for its source line.
    pub source: Option<Cow<'a, str>>,
}

impl Located<'_> {
    /// An error at this place.
    pub fn error(&self, message: &str) -> Problem<'_> {
        Problem::error(message)
            .in_file(&self.file, self.position)
            .with_source(self.source.as_deref())
    }
}

/// Where `find` finds a field in the scenario at `path` as loaded.
pub fn locate<'a>(
    path: &Path,
    loaded: &'a Loaded,
    find: impl FnOnce(&[u8]) -> Option<Position>,
) -> Located<'a> {
    let top = path.display().to_string();
    let Some(composed) = &loaded.composed else {
        return Located {
            file: top,
            position: find(&loaded.bytes),
            source: Some(String::from_utf8_lossy(&loaded.bytes)),
        };
    };
    let Some(position) = find(composed.text.as_bytes()) else {
        return Located {
            file: top,
            position: None,
            source: None,
        };
    };
    let (source, position) = composed.origin(position);
    match composed.sources.get(source) {
        Some(s) => Located {
            file: s.name.clone(),
            position: Some(position),
            source: Some(s.text.as_str().into()),
        },
        None => Located {
            file: top,
            position: Some(position),
            source: None,
        },
    }
}

/// Prints why a run of the scenario at `path` was refused, with its hint;
/// `trials_from_file` when the file (not `--trials`) set the trials.
pub fn print_refusal(path: &Path, loaded: &Loaded, e: &RunError, trials_from_file: bool) {
    let at = locate(path, loaded, |bytes| {
        refusal_position(bytes, e, trials_from_file)
    });
    at.error(&e.to_string())
        .with_hint(e.hint().as_deref())
        .print();
}

/// Where the field that made a run too large is written (`trials` only when
/// the file set them).
fn refusal_position(bytes: &[u8], e: &RunError, trials_from_file: bool) -> Option<Position> {
    match e {
        RunError::TooManyEvents { .. } | RunError::TooManyValues { .. } if trials_from_file => {
            scenario::field_position(bytes, None, "trials")
        }
        RunError::TrialTooLarge { failure, .. } => {
            scenario::field_position(bytes, Some(failure), "every")
        }
        RunError::TimelinesTooLarge { service, .. } => {
            scenario::service_field_position(bytes, service, &["depends_on"])
        }
        RunError::SlaWindows { service, .. } => {
            scenario::service_field_position(bytes, service, &["sla", "window"])
        }
        RunError::TooManyRuns { .. } => scenario::field_position(bytes, None, "failures"),
        _ => None,
    }
}

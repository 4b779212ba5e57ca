//! `merge` from files without holding every partial: each file is read
//! twice, once for its header (its reduced trials skipped), then, once every header checks out, whole, and merged in shard
//! order. Memory: one partial and the merged accumulator.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use serde::de::{Deserializer, IgnoredAny};

use super::{plan, Header, MergeError, Merging, Partial, Skipped};
use crate::model::Model;
use crate::stats::{RunResult, TrialValues};

/// As [`super::merge`], reading the partials from `files` (any order).
///
/// # Errors
/// The first [`MergeError`] found; [`MergeError::NotAPartial`] when a file
/// cannot be read or parsed, [`MergeError::Corrupt`] when it changed
/// between the two readings.
pub fn merge_files(files: &[&Path]) -> Result<(Model, RunResult, TrialValues), MergeError> {
    let mut headers = Vec::with_capacity(files.len());
    for path in files {
        let name = path.display().to_string();
        let header: Header = read(&name, path, |d| serde::Deserialize::deserialize(d))?;
        headers.push((name, header));
    }
    let plan = plan(&mut headers)?;
    let mut merging = Merging::new(&plan)?;
    for (name, header) in &headers {
        let part: Partial = read(name, Path::new(name), |d| {
            serde::Deserialize::deserialize(d)
        })?;
        if part.header() != *header {
            return Err(MergeError::Corrupt {
                file: name.clone(),
                reason: "the file changed while it was merged".into(),
            });
        }
        merging.add(name, &part)?;
    }
    let (result, values) = merging.finish()?;
    Ok((plan.model, result, values))
}

/// Parses `path` with `parse`, buffered, mapping every failure to
/// [`MergeError::NotAPartial`].
fn read<T>(
    name: &str,
    path: &Path,
    parse: impl FnOnce(
        &mut serde_json::Deserializer<serde_json::de::IoRead<BufReader<File>>>,
    ) -> Result<T, serde_json::Error>,
) -> Result<T, MergeError> {
    let not_a_partial = |reason: String| MergeError::NotAPartial {
        file: name.to_string(),
        reason,
    };
    let file = crate::input::open_regular(path)
        .map_err(|e| not_a_partial(format!("cannot read it: {e}")))?;
    let mut de = serde_json::Deserializer::from_reader(BufReader::with_capacity(1 << 20, file));
    let value = parse(&mut de)
        .and_then(|v| de.end().map(|()| v))
        .map_err(|e| {
            not_a_partial(crate::scenario::diagnostic::one_line(&e.to_string()).into_owned())
        })?;
    Ok(value)
}

impl<'de> serde::Deserialize<'de> for Skipped {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        IgnoredAny::deserialize(d).map(|_| Skipped)
    }
}

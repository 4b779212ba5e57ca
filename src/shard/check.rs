//! Why partials could not be merged, and the checks that they belong to
//! one run.

use super::{Counted, Partial, Shard, PARTIAL_FORMAT};
use crate::engine::TrialOutcome;
use crate::model::{fnv1a, Model};
use crate::scenario::FileDiagnostics;
use crate::stats::RNG_SCHEME;

/// Why partials could not be merged. Each names the file at fault.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MergeError {
    /// No partial was given.
    #[error("no partial results to merge")]
    Nothing,
    /// Not a partial of this format.
    #[error("{file}: error: not a faultline partial result ({reason})")]
    NotAPartial {
        /// The file.
        file: String,
        /// What the reader found wrong.
        reason: String,
    },
    /// Written by another version of faultline.
    #[error("{file}: error: written by faultline {found}; this is faultline {expected}")]
    Version {
        /// The file.
        file: String,
        /// Its version.
        found: String,
        /// This binary's version.
        expected: String,
    },
    /// Two partials disagree on what run they belong to.
    #[error("{file}: error: {what} `{found}` differs from `{expected}` in `{first}`: these are parts of different runs")]
    Mismatch {
        /// The file that disagrees.
        file: String,
        /// The first file.
        first: String,
        /// What differs: `scenario`, `seed`, `trials`, `shard count`.
        what: &'static str,
        /// Its value in `file`.
        found: String,
        /// Its value in `first`.
        expected: String,
    },
    /// A shard was given twice.
    #[error("{file}: error: shard {index} of {count} is also given as `{other}`")]
    Duplicate {
        /// The second file.
        file: String,
        /// The first file with that shard.
        other: String,
        /// The shard.
        index: u64,
        /// The shard count.
        count: u64,
    },
    /// Shards are missing.
    #[error("error: shard(s) {missing} of {count} are missing")]
    Missing {
        /// The missing indices, listed.
        missing: String,
        /// The shard count.
        count: u64,
    },
    /// A partial's content contradicts its header (edited or truncated).
    #[error("{file}: error: the partial is inconsistent: {reason}")]
    Corrupt {
        /// The file.
        file: String,
        /// What does not add up.
        reason: String,
    },
    /// The embedded scenario no longer loads.
    #[error("{0}")]
    Scenario(FileDiagnostics),
}

impl MergeError {
    /// How to get past the error.
    pub fn hint(&self) -> Option<&'static str> {
        match self {
            MergeError::Version { .. } => {
                Some("run every shard and the merge with the same faultline build")
            }
            MergeError::Mismatch { .. } => Some(
                "run every shard on the same scenario file with the same `--trials` and `--seed`, and merge one run's parts at a time",
            ),
            MergeError::Duplicate { .. } => Some("give each shard's partial once"),
            MergeError::Missing { .. } => Some("run the missing shards with `run --shard I/N` and merge again"),
            MergeError::Corrupt { .. } => Some("run that shard again"),
            _ => None,
        }
    }
}

/// One part against itself and against the first part.
pub(super) fn check_part(
    file: &str,
    part: &Partial<Counted>,
    (first_file, first): (&str, &Partial<Counted>),
) -> Result<(), MergeError> {
    if part.format != PARTIAL_FORMAT {
        return Err(MergeError::NotAPartial {
            file: file.to_string(),
            reason: format!("format `{}`, expected `{PARTIAL_FORMAT}`", part.format),
        });
    }
    if part.version != env!("CARGO_PKG_VERSION") || part.rng != RNG_SCHEME {
        return Err(MergeError::Version {
            file: file.to_string(),
            found: part.version.clone(),
            expected: env!("CARGO_PKG_VERSION").to_string(),
        });
    }
    let mismatch = |what, found: String, expected: String| MergeError::Mismatch {
        file: file.to_string(),
        first: first_file.to_string(),
        what,
        found,
        expected,
    };
    if part.scenario_fnv1a != first.scenario_fnv1a {
        return Err(mismatch(
            "scenario hash",
            part.scenario_fnv1a.clone(),
            first.scenario_fnv1a.clone(),
        ));
    }
    for (what, found, expected) in [
        ("seed", part.seed, first.seed),
        ("trials", part.trials, first.trials),
        ("shard count", part.shard_count, first.shard_count),
    ] {
        if found != expected {
            return Err(mismatch(what, found.to_string(), expected.to_string()));
        }
    }
    if part.max_exact_values != first.max_exact_values {
        let text = |x: Option<f64>| x.map_or("default".into(), |x| x.to_string());
        return Err(mismatch(
            "max exact values",
            text(part.max_exact_values),
            text(first.max_exact_values),
        ));
    }
    check_header(file, part)
}

/// The header agrees with itself: the hash with the text, the range with the shard.
fn check_header(file: &str, part: &Partial<Counted>) -> Result<(), MergeError> {
    let corrupt = |reason: String| MergeError::Corrupt {
        file: file.to_string(),
        reason,
    };
    if format!("{:016x}", fnv1a(part.scenario_source.as_bytes())) != part.scenario_fnv1a {
        return Err(corrupt("the scenario text does not match its hash".into()));
    }
    if part.shard_index >= part.shard_count {
        return Err(corrupt(format!(
            "shard {} of {} does not exist",
            part.shard_index, part.shard_count
        )));
    }
    let range = Shard {
        index: part.shard_index,
        count: part.shard_count,
    }
    .range(part.trials);
    if (part.first_trial, part.end_trial) != (range.start, range.end)
        || part.outcomes.0 != range.end - range.start
    {
        return Err(corrupt(format!(
            "shard {} of {} should hold trials {} to {}, it holds {} outcome(s) for {} to {}",
            part.shard_index,
            part.shard_count,
            range.start,
            range.end,
            part.outcomes.0,
            part.first_trial,
            part.end_trial
        )));
    }
    Ok(())
}

/// Every shard index from 0 to `count - 1` exactly once (`parts` sorted by index).
pub(super) fn check_coverage(
    parts: &[(String, Partial<Counted>)],
    count: u64,
) -> Result<(), MergeError> {
    for pair in parts.windows(2) {
        if pair[0].1.shard_index == pair[1].1.shard_index {
            return Err(MergeError::Duplicate {
                file: pair[1].0.clone(),
                other: pair[0].0.clone(),
                index: pair[1].1.shard_index,
                count,
            });
        }
    }
    let present: Vec<u64> = parts.iter().map(|(_, p)| p.shard_index).collect();
    let missing: Vec<String> = (0..count)
        .filter(|i| present.binary_search(i).is_err())
        .take(20)
        .map(|i| i.to_string())
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(MergeError::Missing {
            missing: missing.join(", "),
            count,
        })
    }
}

/// Every outcome measures the model's services and failures.
pub(super) fn check_shape(
    file: &str,
    outcomes: &[TrialOutcome],
    model: &Model,
) -> Result<(), MergeError> {
    let bad = outcomes.iter().position(|o| !fits(o, model));
    match bad {
        None => Ok(()),
        Some(i) => Err(shape_error(file, i, model)),
    }
}

/// Whether an outcome measures the model's services and failures.
pub(super) fn fits(outcome: &TrialOutcome, model: &Model) -> bool {
    outcome.services.len() == model.services.len() && outcome.failures.len() == model.failures.len()
}

/// Outcome `i` of `file` does not fit the model.
pub(super) fn shape_error(file: &str, i: usize, model: &Model) -> MergeError {
    MergeError::Corrupt {
        file: file.to_string(),
        reason: format!(
            "outcome {i} does not measure the scenario's {} service(s) and {} failure(s)",
            model.services.len(),
            model.failures.len()
        ),
    }
}

//! Why partials could not be merged, and the checks that they belong to
//! one run.

use std::fmt;

mod reduced;
mod summary;

pub(super) use reduced::check_values;
pub(super) use summary::SummaryCheck;

use super::{Header, Shard, PARTIAL_FORMAT};
use crate::model::fnv1a;
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
    /// A value no run writes: out of its range, or at odds with the values
    /// it is computed from (an edited or damaged partial).
    #[error("{file}: error: impossible value at `{path}`: {reason}")]
    Impossible {
        /// The file.
        file: String,
        /// Where in the partial, as a JSON path (`outcomes[3].cost`).
        path: String,
        /// What is wrong with the value.
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
            MergeError::Corrupt { .. } | MergeError::Impossible { .. } => {
                Some("the partial was edited or damaged: run that shard again")
            }
            _ => None,
        }
    }
}

/// One part against itself and against the first part.
pub(super) fn check_part(
    file: &str,
    part: &Header,
    (first_file, first): (&str, &Header),
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
    check_header(file, part)?;
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
    if part.draws != first.draws {
        let text = |x: Option<u64>| x.map_or("none".into(), |x| x.to_string());
        return Err(mismatch("draws", text(part.draws), text(first.draws)));
    }
    if part.max_exact_values != first.max_exact_values {
        let text = |x: Option<f64>| x.map_or("default".into(), |x| x.to_string());
        return Err(mismatch(
            "max exact values",
            text(part.max_exact_values),
            text(first.max_exact_values),
        ));
    }
    Ok(())
}

/// The header agrees with itself: the hash with the text, the range with
/// the shard; its numbers are within range.
fn check_header(file: &str, part: &Header) -> Result<(), MergeError> {
    let corrupt = |reason: String| MergeError::Corrupt {
        file: file.to_string(),
        reason,
    };
    within("seconds", part.seconds, MAX_MAGNITUDE).map_err(|m| m.of(file))?;
    if let Some(x) = part.max_exact_values {
        if !(x.is_finite() && x > 0.0) {
            let reason = format!("{} is not a number greater than zero", number(x));
            return Err(Misfit::new("max_exact_values", reason).of(file));
        }
    }
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
    if (part.first_trial, part.end_trial) != (range.start, range.end) {
        return Err(corrupt(format!(
            "shard {} of {} should hold trials {} to {}, it holds {} to {}",
            part.shard_index,
            part.shard_count,
            range.start,
            range.end,
            part.first_trial,
            part.end_trial
        )));
    }
    Ok(())
}

/// Every shard index from 0 to `count - 1` exactly once (`parts` sorted by index).
pub(super) fn check_coverage(parts: &[(String, Header)], count: u64) -> Result<(), MergeError> {
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

/// The largest magnitude a partial's number may have: far above any measure
/// of a valid scenario (`per_hour` is at most 1e12), low enough that sums
/// of squares over 2^64 trials stay finite.
pub const MAX_MAGNITUDE: f64 = 1e100;

/// A value a run cannot have written, and where it is.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Misfit {
    /// JSON path of the value, from the partial's top.
    path: String,
    /// What is wrong with it.
    reason: String,
}

impl Misfit {
    pub(super) fn new(path: impl Into<String>, reason: String) -> Misfit {
        Misfit {
            path: path.into(),
            reason,
        }
    }

    /// The same misfit, one level down from `parent` (`outcomes[3]`).
    pub(super) fn inside(mut self, parent: &dyn fmt::Display) -> Misfit {
        self.path = if self.path.starts_with('[') {
            format!("{parent}{}", self.path)
        } else {
            format!("{parent}.{}", self.path)
        };
        self
    }

    /// The error of `file` holding it.
    pub(super) fn of(self, file: &str) -> MergeError {
        MergeError::Impossible {
            file: file.to_string(),
            path: self.path,
            reason: self.reason,
        }
    }
}

/// `x` as written by hand: `1e300` rather than 301 digits.
pub(super) fn number(x: f64) -> String {
    if x != 0.0 && !(1e-4..1e16).contains(&x.abs()) {
        format!("{x:e}")
    } else {
        x.to_string()
    }
}

/// `Ok` when `value` is a number in `[0, max]`.
pub(super) fn within(field: &str, value: f64, max: f64) -> Result<(), Misfit> {
    if (0.0..=max).contains(&value) {
        return Ok(());
    }
    let reason = if value.is_nan() {
        "it is not a number".to_string()
    } else if value < 0.0 {
        format!("{} is negative", number(value))
    } else {
        format!("{} is above {}", number(value), number(max))
    };
    Err(Misfit::new(field, reason))
}

/// `Ok` when `value` is at most `bound` (up to rounding).
pub(super) fn at_most(field: &str, value: f64, bound: f64, what: &str) -> Result<(), Misfit> {
    if value <= bound + 1e-9 * bound.abs().max(1.0) {
        return Ok(());
    }
    let (value, bound) = (number(value), number(bound));
    Err(Misfit::new(
        field,
        format!("{value} is above {what} ({bound})"),
    ))
}

/// `Ok` when `value` equals `expected` up to rounding (1e-6, relative).
pub(super) fn adds_up(field: &str, value: f64, expected: f64, what: &str) -> Result<(), Misfit> {
    if (value - expected).abs() <= 1e-6 * expected.abs().max(1.0) {
        return Ok(());
    }
    let (value, expected) = (number(value), number(expected));
    Err(Misfit::new(
        field,
        format!("{value} differs from {what} ({expected})"),
    ))
}

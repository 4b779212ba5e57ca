//! Why partials could not be merged, and the checks that they belong to
//! one run.

use std::fmt;

use super::{Counted, Partial, Shard, PARTIAL_FORMAT};
use crate::engine::{FailureOutcome, ServiceOutcome, TrialOutcome};
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
fn check_header(file: &str, part: &Partial<Counted>) -> Result<(), MergeError> {
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
    fn new(path: impl Into<String>, reason: String) -> Misfit {
        Misfit {
            path: path.into(),
            reason,
        }
    }

    /// The same misfit, one level down from `parent` (`outcomes[3]`).
    fn inside(mut self, parent: &dyn fmt::Display) -> Misfit {
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
fn number(x: f64) -> String {
    if x != 0.0 && !(1e-4..1e16).contains(&x.abs()) {
        format!("{x:e}")
    } else {
        x.to_string()
    }
}

/// `Ok` when `value` is a number in `[0, max]`.
fn within(field: &str, value: f64, max: f64) -> Result<(), Misfit> {
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
fn at_most(field: &str, value: f64, bound: f64, what: &str) -> Result<(), Misfit> {
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
fn adds_up(field: &str, value: f64, expected: f64, what: &str) -> Result<(), Misfit> {
    if (value - expected).abs() <= 1e-6 * expected.abs().max(1.0) {
        return Ok(());
    }
    let (value, expected) = (number(value), number(expected));
    Err(Misfit::new(
        field,
        format!("{value} differs from {what} ({expected})"),
    ))
}

/// Checks each trial outcome of a merge against the scenario: shape, every
/// field within its range, fields consistent with each other, and the
/// run's counts summed without overflow. New fields of
/// [`TrialOutcome`] get a line in the table of their part.
pub(super) struct OutcomeCheck<'m> {
    model: &'m Model,
    /// Events of the outcomes checked so far.
    events: u64,
    /// Per failure: occurrences and services affected so far.
    failures: Vec<(u64, u64)>,
}

impl<'m> OutcomeCheck<'m> {
    /// A check of the outcomes of one run of `model`.
    pub(super) fn new(model: &'m Model) -> OutcomeCheck<'m> {
        OutcomeCheck {
            model,
            events: 0,
            failures: vec![(0, 0); model.failures.len()],
        }
    }

    /// Checks outcome `i` of `file` (and counts it into the run's sums).
    ///
    /// # Errors
    /// [`MergeError::Corrupt`] when it does not measure the scenario's
    /// services, failures and processes, [`MergeError::Impossible`] at the
    /// first value no run writes.
    pub(super) fn check(
        &mut self,
        file: &str,
        i: usize,
        outcome: &TrialOutcome,
    ) -> Result<(), MergeError> {
        if !fits(outcome, self.model) {
            return Err(shape_error(file, i, self.model));
        }
        self.outcome(outcome)
            .map_err(|m| m.inside(&format_args!("outcomes[{i}]")).of(file))
    }

    fn outcome(&mut self, o: &TrialOutcome) -> Result<(), Misfit> {
        let lost: f64 = o.services.iter().map(|s| s.lost_hours).sum();
        for (i, s) in o.services.iter().enumerate() {
            self.service(s).map_err(|m| {
                let name = self.model.services.get(i).map_or("", |s| s.name.as_str());
                m.inside(&format_args!("services[{i}] (service `{name}`)"))
            })?;
        }
        let mut attributed = o.unattributed_hours;
        let mut attributed_cost = o.unattributed_cost;
        for (i, f) in o.failures.iter().enumerate() {
            self.failure(i, f).map_err(|m| {
                let name = self.model.failures.get(i).map_or("", |f| f.name.as_str());
                m.inside(&format_args!("failures[{i}] (failure `{name}`)"))
            })?;
            attributed += f.lost_hours;
            attributed_cost += f.cost;
        }
        for (i, &(count, hours)) in o.processes.iter().enumerate() {
            // a process repaired by crews shares its occurrences with the
            // first process of its group: it may lose hours with no count
            let bound = f64::from(count.max(1)) * self.model.horizon;
            within("[1]", hours, bound).map_err(|m| m.inside(&format_args!("processes[{i}]")))?;
        }
        for (field, value) in [
            ("cost", o.cost),
            ("weight", o.weight),
            ("unattributed_cost", o.unattributed_cost),
        ] {
            within(field, value, MAX_MAGNITUDE)?;
        }
        within(
            "unattributed_hours",
            o.unattributed_hours,
            lost.max(0.0) * (1.0 + 1e-9),
        )?;
        let costs: f64 = o.services.iter().map(|s| s.cost).sum();
        adds_up("cost", o.cost, costs, "the sum of the services' costs")?;
        if adds_up("", attributed, lost, "").is_err() {
            let reason = format!(
                "with the failures' lost hours it makes {} hours, not the services' {}",
                number(attributed),
                number(lost)
            );
            return Err(Misfit::new("unattributed_hours", reason));
        }
        if adds_up("", attributed_cost, o.cost, "").is_err() {
            let reason = format!(
                "with the failures' costs it makes {}, not the trial's cost {}",
                number(attributed_cost),
                number(o.cost)
            );
            return Err(Misfit::new("unattributed_cost", reason));
        }
        self.events = (self.events.checked_add(o.events)).ok_or_else(|| {
            Misfit::new("events", "the run's events add up past 2^64".to_string())
        })?;
        Ok(())
    }

    fn service(&self, s: &ServiceOutcome) -> Result<(), Misfit> {
        let horizon = self.model.horizon;
        for (field, value, max) in [
            ("lost_hours", s.lost_hours, horizon),
            ("downtime_hours", s.downtime_hours, horizon),
            ("degraded_hours", s.degraded_hours, horizon),
            ("shed_hours", s.shed_hours, horizon),
            ("weighted_lost_hours", s.weighted_lost_hours, MAX_MAGNITUDE),
            ("data_loss_hours", s.data_loss_hours, MAX_MAGNITUDE),
            ("credits", s.credits, MAX_MAGNITUDE),
            ("cost", s.cost, MAX_MAGNITUDE),
            ("downtime_cost", s.downtime_cost, MAX_MAGNITUDE),
        ] {
            within(field, value, max)?;
        }
        let down_or_degraded = s.downtime_hours + s.degraded_hours;
        at_most(
            "downtime_hours",
            s.downtime_hours,
            s.lost_hours,
            "`lost_hours`",
        )?;
        at_most(
            "lost_hours",
            s.lost_hours,
            down_or_degraded,
            "`downtime_hours` plus `degraded_hours`",
        )?;
        at_most(
            "degraded_hours",
            down_or_degraded,
            horizon,
            "the horizon, with `downtime_hours`",
        )?;
        at_most("downtime_cost", s.downtime_cost, s.cost, "`cost`")
    }

    fn failure(&mut self, i: usize, f: &FailureOutcome) -> Result<(), Misfit> {
        let services = self.model.services.len();
        let horizon = self.model.horizon;
        for (field, value, max) in [
            ("downtime_hours", f.downtime_hours, MAX_MAGNITUDE),
            ("lost_hours", f.lost_hours, horizon * services as f64),
            ("cost", f.cost, MAX_MAGNITUDE),
        ] {
            within(field, value, max)?;
        }
        if f.blast_max as usize > services {
            return Err(Misfit::new(
                "blast_max",
                format!(
                    "{} is above the scenario's {services} service(s)",
                    f.blast_max
                ),
            ));
        }
        let most = u128::from(f.occurrences) * u128::from(f.blast_max);
        if u128::from(f.blast_services) > most {
            return Err(Misfit::new(
                "blast_services",
                format!(
                    "{} is above `occurrences` times `blast_max` ({most})",
                    f.blast_services
                ),
            ));
        }
        let overflow =
            |field: &str| Misfit::new(field, "the run's sum adds up past 2^64".to_string());
        let (occurrences, blast) = self
            .failures
            .get_mut(i)
            .ok_or_else(|| overflow("occurrences"))?;
        *occurrences = occurrences
            .checked_add(f.occurrences)
            .ok_or_else(|| overflow("occurrences"))?;
        *blast = blast
            .checked_add(f.blast_services)
            .ok_or_else(|| overflow("blast_services"))?;
        Ok(())
    }
}

/// Whether an outcome measures the model's services, failures and processes.
fn fits(outcome: &TrialOutcome, model: &Model) -> bool {
    outcome.services.len() == model.services.len()
        && outcome.failures.len() == model.failures.len()
        && outcome.processes.len() == model.processes.len()
}

/// Outcome `i` of `file` does not fit the model.
fn shape_error(file: &str, i: usize, model: &Model) -> MergeError {
    MergeError::Corrupt {
        file: file.to_string(),
        reason: format!(
            "outcome {i} does not measure the scenario's {} service(s), {} failure(s) and {} failure process(es)",
            model.services.len(),
            model.failures.len(),
            model.processes.len()
        ),
    }
}

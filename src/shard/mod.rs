//! A run split over machines: `run --shard I/N` simulates a contiguous range
//! of trials and writes a [`Partial`]; [`merge`] checks that the partials
//! belong together and rebuilds the result document through the same
//! reduction as a single run ([`montecarlo::reduction`]), so the document
//! is byte for byte the single run's (`engine.seconds` aside).
//!
//! A shard's range is cut on the run's 1,024-trial segments
//! ([`Shard::range`]), so a partial carries its trials reduced
//! ([`Reduced`]: the moments of the tree's nodes of its segments, the
//! per-trial values behind the percentiles) and the scenario's text, so
//! that `merge` needs nothing else. Its size does not grow with its trials
//! beyond the exact values percentiles need. [`merge_files`] reads one
//! partial at a time.

mod check;
mod draws;
mod merging;
pub mod scheduler;
mod stream;
mod write;

use check::{check_coverage, check_part};
pub use check::{MergeError, MAX_MAGNITUDE};
use merging::Merging;
pub use stream::merge_files;
pub use write::{write_shard, WriteError};

use std::ops::Range;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::model::{fnv1a, Model};
use crate::montecarlo::DEFAULT_MAX_EXACT_VALUES;
use crate::montecarlo::{self, Reduced, RunOptions, RunSettings, WorkLimits};
use crate::stats::{RunResult, TrialValues, RNG_SCHEME};
use crate::uncertainty::run::DrawVariants;
use crate::uncertainty::DrawsError;

/// The `format` of every partial this version writes and reads.
pub const PARTIAL_FORMAT: &str = "faultline-partial/3";

/// Shard `index` (0-based) of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// From 0 to `count - 1`.
    pub index: u64,
    /// Number of shards, at least 1.
    pub count: u64,
}

impl Shard {
    /// Parses `I/N` with `0 <= I < N`.
    ///
    /// # Errors
    /// A message saying what is wrong with the text.
    pub fn parse(text: &str) -> Result<Shard, String> {
        let (i, n) = text
            .split_once('/')
            .ok_or_else(|| format!("`{text}` is not `I/N` (shard I of N, from 0)"))?;
        let number = |s: &str| s.trim().parse::<u64>().ok();
        match (number(i), number(n)) {
            (Some(index), Some(count)) if index < count => Ok(Shard { index, count }),
            (Some(_), Some(count)) if count > 0 => Err(format!(
                "shard `{text}` does not exist: shards of {count} are numbered 0 to {}",
                count - 1
            )),
            _ => Err(format!(
                "`{text}` is not `I/N` with 0 <= I < N (shard I of N, from 0)"
            )),
        }
    }

    /// The trials of a run of `trials` trials this shard simulates: from
    /// the segment that holds trial `I n / N` to the one that holds trial
    /// `(I + 1) n / N` (excluded; the run's end for the last shard), so that
    /// each [`montecarlo::SEGMENT_TRIALS`]-trial segment is simulated whole by one
    /// shard, the one its last trial falls in. Runs of at most one segment
    /// are simulated by the last shard.
    pub fn range(self, trials: u64) -> Range<u64> {
        let at = |i: u64| {
            let even = (u128::from(i) * u128::from(trials) / u128::from(self.count)) as u64;
            montecarlo::segment_start(even, trials)
        };
        at(self.index)..at(self.index + 1)
    }
}

/// The partial result of one shard (`run --shard I/N --output part-I.json`).
/// `R` is what stands for its reduced trials: the trials themselves, or,
/// when only the header is read ([`Header`]), nothing ([`Skipped`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Partial<R = Reduced> {
    /// Always [`PARTIAL_FORMAT`].
    pub format: String,
    /// faultline's version: only the same version merges it.
    pub version: String,
    /// The random number scheme.
    pub rng: String,
    /// The scenario file as named on the shard's command line.
    pub scenario_file: String,
    /// FNV-1a (64 bit, hex) of the scenario's bytes.
    pub scenario_fnv1a: String,
    /// The scenario's text, from which `merge` rebuilds the model.
    pub scenario_source: String,
    /// The master seed of the whole run.
    pub seed: u64,
    /// Trials of the whole run.
    pub trials: u64,
    /// This shard's index, from 0.
    pub shard_index: u64,
    /// The number of shards.
    pub shard_count: u64,
    /// The first trial of this shard.
    pub first_trial: u64,
    /// One past its last trial.
    pub end_trial: u64,
    /// Wall-clock seconds of this shard's simulation.
    pub seconds: f64,
    /// The run's bound on exact per-service values when it is not the
    /// default (a hidden option for tests): the merge decides with it
    /// whether to sketch, as the single run did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_exact_values: Option<f64>,
    /// The draws of a scenario with uncertain inputs (a two-level run:
    /// every draw and the tornado's runs on this shard's trials).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub draws: Option<u64>,
    /// Its trials, reduced.
    pub reduced: R,
}

/// A partial's header: its reduced trials skipped.
pub type Header = Partial<Skipped>;

/// A part of a partial read without keeping it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Skipped;

/// Simulates the trials of `shard` of a run of `model` and returns its
/// partial. `file` and `source` are the scenario as read. A scenario with
/// uncertain inputs runs every one of its `draws` draws (and the tornado's
/// runs) on the shard's trials.
///
/// # Errors
/// [`DrawsError::Run`] as for a whole run (the limits apply to this
/// shard's trials; a two-level run's to the whole run's), or a draw that
/// makes a distribution invalid.
pub fn run_shard(
    model: &Model,
    (file, source): (&str, &str),
    options: &RunOptions,
    (shard, draws): (Shard, u64),
    stop: &AtomicBool,
) -> Result<Partial, DrawsError> {
    let (settings, range) = shard_settings(model, options, shard);
    let started = Instant::now();
    let two_level = !model.uncertain.is_empty();
    let reduced = if two_level {
        let variants = DrawVariants::new(model, draws, &settings)?;
        let part = variants.simulate(&settings, range, stop)?.into_part();
        let empty = crate::stats::Accumulator::new(model, 0).take_value_lists();
        Reduced {
            nodes: Vec::new(),
            values: empty,
            variants: Some(part),
        }
    } else {
        montecarlo::shard(model, &settings, range, stop)?
    };
    let mut header = header_of(
        (file, source),
        &settings,
        shard,
        started.elapsed().as_secs_f64(),
    );
    header.draws = two_level.then_some(draws);
    Ok(header.with(reduced))
}

/// The settings of the whole run `shard` is part of, and its trials.
fn shard_settings(model: &Model, options: &RunOptions, shard: Shard) -> (RunSettings, Range<u64>) {
    let settings = RunSettings::resolve(model, options);
    let range = shard.range(settings.trials);
    (settings, range)
}

/// The header of the partial of `shard` of a run with `settings`
/// (outcomes to come).
fn header_of(
    (file, source): (&str, &str),
    settings: &RunSettings,
    shard: Shard,
    seconds: f64,
) -> Partial<()> {
    let trials = settings.trials;
    let range = shard.range(trials);
    Partial {
        format: PARTIAL_FORMAT.to_string(),
        version: env!("CARGO_PKG_VERSION").to_string(),
        rng: RNG_SCHEME.to_string(),
        scenario_file: file.to_string(),
        scenario_fnv1a: format!("{:016x}", fnv1a(source.as_bytes())),
        scenario_source: source.to_string(),
        seed: settings.seed,
        trials,
        shard_index: shard.index,
        shard_count: shard.count,
        first_trial: range.start,
        end_trial: range.end,
        seconds,
        max_exact_values: (settings.limits.max_exact_values != DEFAULT_MAX_EXACT_VALUES)
            .then_some(settings.limits.max_exact_values),
        draws: None,
        reduced: (),
    }
}

impl<A> Partial<A> {
    /// The same partial with `reduced` in place of its own.
    fn with<B>(self, reduced: B) -> Partial<B> {
        Partial {
            format: self.format,
            version: self.version,
            rng: self.rng,
            scenario_file: self.scenario_file,
            scenario_fnv1a: self.scenario_fnv1a,
            scenario_source: self.scenario_source,
            seed: self.seed,
            trials: self.trials,
            shard_index: self.shard_index,
            shard_count: self.shard_count,
            first_trial: self.first_trial,
            end_trial: self.end_trial,
            seconds: self.seconds,
            max_exact_values: self.max_exact_values,
            draws: self.draws,
            reduced,
        }
    }
}

/// Checks that `parts` (each with its file name) are the shards of one run,
/// all present once, and returns the model, the result document (the single
/// run's, with `engine.seconds` the sum of the shards' seconds) and the
/// per-trial values behind it. [`merge_files`] does the same from files
/// without holding the partials.
///
/// # Errors
/// The first [`MergeError`] found.
pub fn merge(
    mut parts: Vec<(String, Partial)>,
) -> Result<(Model, RunResult, TrialValues), MergeError> {
    let mut headers: Vec<(String, Header)> = (parts.iter())
        .map(|(file, part)| (file.clone(), part.header()))
        .collect();
    let plan = plan(&mut headers)?;
    parts.sort_by_key(|(_, p)| p.shard_index);
    let mut merging = Merging::new(&plan)?;
    for (file, part) in &parts {
        merging.add(file, part)?;
    }
    let (result, values) = merging.finish()?;
    Ok((plan.model, result, values))
}

/// What the headers of a run's partials say about the merge.
struct MergePlan {
    /// The scenario.
    model: Model,
    /// The run's master seed.
    seed: u64,
    /// Trials of the whole run.
    trials: u64,
    /// The limits that decide whether percentiles are sketched.
    limits: WorkLimits,
    /// The shards' seconds, summed.
    seconds: f64,
    /// The draws of a two-level run (a scenario with uncertain inputs).
    draws: Option<u64>,
}

/// Checks the headers (and sorts them by shard) and loads the scenario.
fn plan(headers: &mut [(String, Header)]) -> Result<MergePlan, MergeError> {
    let (first_file, first) = headers
        .first()
        .map(|(file, part)| (file.clone(), part.clone()))
        .ok_or(MergeError::Nothing)?;
    for (file, part) in headers.iter() {
        check_part(file, part, (&first_file, &first))?;
    }
    headers.sort_by_key(|(_, p)| p.shard_index);
    check_coverage(headers, first.shard_count)?;
    let model = crate::scenario::load(&first.scenario_file, first.scenario_source.as_bytes())
        .map_err(MergeError::Scenario)?;
    let limits = WorkLimits {
        max_exact_values: first.max_exact_values.unwrap_or(DEFAULT_MAX_EXACT_VALUES),
        ..WorkLimits::default()
    };
    if model.uncertain.is_empty() == first.draws.is_some() {
        return Err(MergeError::Corrupt {
            file: first_file,
            reason: "its draws do not match the scenario's uncertain inputs".into(),
        });
    }
    let seconds: f64 = headers.iter().map(|(_, p)| p.seconds).sum();
    if seconds > MAX_MAGNITUDE {
        return Err(MergeError::Corrupt {
            file: first_file,
            reason: format!("the shards' `seconds` add up to {seconds:e}, above {MAX_MAGNITUDE:e}"),
        });
    }
    Ok(MergePlan {
        model,
        seed: first.seed,
        trials: first.trials,
        limits,
        seconds,
        draws: first.draws,
    })
}

impl Partial {
    /// A copy without the reduced trials.
    pub fn header(&self) -> Header {
        Partial {
            format: self.format.clone(),
            version: self.version.clone(),
            rng: self.rng.clone(),
            scenario_file: self.scenario_file.clone(),
            scenario_fnv1a: self.scenario_fnv1a.clone(),
            scenario_source: self.scenario_source.clone(),
            seed: self.seed,
            trials: self.trials,
            shard_index: self.shard_index,
            shard_count: self.shard_count,
            first_trial: self.first_trial,
            end_trial: self.end_trial,
            seconds: self.seconds,
            max_exact_values: self.max_exact_values,
            draws: self.draws,
            reduced: Skipped,
        }
    }
}

/// Reads a partial from JSON text.
///
/// # Errors
/// [`MergeError::NotAPartial`] with the parser's message.
pub fn parse(file: &str, text: &[u8]) -> Result<Partial, MergeError> {
    serde_json::from_slice(text).map_err(|e| MergeError::NotAPartial {
        file: file.to_string(),
        reason: crate::scenario::diagnostic::one_line(&e.to_string()).into_owned(),
    })
}

/// The partial as compact JSON, one line.
///
/// # Errors
/// A message when a number is not finite (an engine defect).
pub fn to_json(partial: &Partial) -> Result<Vec<u8>, String> {
    let mut bytes = serde_json::to_vec(partial).map_err(|e| e.to_string())?;
    bytes.push(b'\n');
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_are_written_i_of_n_from_zero() {
        assert_eq!(Shard::parse("0/4"), Ok(Shard { index: 0, count: 4 }));
        assert_eq!(Shard::parse("3/4"), Ok(Shard { index: 3, count: 4 }));
        for bad in ["4/4", "1/0", "1", "a/b", "-1/4", "1/4/5"] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
        assert!(Shard::parse("4/4").unwrap_err().contains("numbered 0 to 3"));
    }

    #[test]
    fn ranges_do_not_overflow_for_huge_runs() {
        let last = Shard { index: 2, count: 3 }.range(u64::MAX);
        assert_eq!(last.end, u64::MAX);
    }
}

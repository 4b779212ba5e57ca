//! Uncertain inputs, run in two levels: `draws` values of every uncertain
//! input taken by Latin hypercube sampling from the run's seed, and for each
//! draw a concrete model run on the same trials (the same seed, so the same
//! trial streams: common random numbers), all draws as variants of one run
//! ([`montecarlo::variants`], [`run`]). The spread of the per-draw means is what
//! the inputs' uncertainty does to the answer.
//!
//! This module holds the laws of the inputs ([`laws`]), the draws, the
//! per-draw runs and the nearest-rank spread; the scenario syntax
//! (`Between`, `Observed`) builds [`Input`]s.

mod keys;
pub mod laws;
pub mod paired;
pub mod run;
pub mod sensitivity;

use std::sync::atomic::AtomicBool;

use chacha20::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use serde::Serialize;

pub use laws::Law;

use crate::model::{DependencyKind, Distribution, Model, Routing, Z90};
use crate::montecarlo::{self, RunError, RunOptions};
use crate::stats::{percentile, RunResult};

/// The default number of draws of the uncertain inputs.
pub const DEFAULT_DRAWS: u64 = 64;

/// Keys the draws' random stream apart from every trial stream.
const DRAW_STREAM_KEY: u64 = 0x756e_6365_7274_6169;

/// What an uncertain input sets in a concrete model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// The `every` (hours) of failure `f`.
    FailureEvery(usize),
    /// A parameter of the `lasts` of failure `f`.
    FailureLasts(usize, Parameter),
    /// The `success` of service `s`'s ActivePassive routing.
    Success(usize),
    /// The `impact` of service `s`'s soft dependency number `d` (its index
    /// in the service's dependencies).
    Impact(usize, usize),
}

/// A duration parameter of a distribution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Parameter {
    /// The value of `Fixed`.
    Fixed,
    /// `mean` of `Exp`.
    Mean,
    /// `median` of `LogNormal`.
    Median,
    /// `p90` of `LogNormal`.
    P90,
    /// `scale` of `Weibull`.
    Scale,
    /// `min` of `Uniform`.
    Min,
    /// `max` of `Uniform`.
    Max,
}

impl Parameter {
    /// Its name in the file.
    pub fn name(self) -> &'static str {
        match self {
            Parameter::Fixed => "Fixed",
            Parameter::Mean => "mean",
            Parameter::Median => "median",
            Parameter::P90 => "p90",
            Parameter::Scale => "scale",
            Parameter::Min => "min",
            Parameter::Max => "max",
        }
    }
}

/// One uncertain input of a scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Input {
    /// What it is, e.g. `region outage every`.
    pub name: String,
    /// Where it is written, `FILE:LINE:COL`.
    pub at: String,
    /// Its law.
    pub law: Law,
    /// What it sets.
    pub target: Target,
}

/// The 5th, 50th and 95th percentiles of a quantity.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Spread {
    /// 5th percentile.
    pub p5: f64,
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
}

/// The nearest-rank p5, p50 and p95 of `values` (in any order).
pub fn spread(values: &[f64]) -> Spread {
    let mut sorted = values.to_vec();
    sorted.sort_unstable_by(f64::total_cmp);
    Spread {
        p5: percentile(&sorted, 0.05),
        p50: percentile(&sorted, 0.5),
        p95: percentile(&sorted, 0.95),
    }
}

/// The exact p5, p50 and p95 of an input's law.
pub fn law_spread(law: &Law) -> Spread {
    Spread {
        p5: law.quantile(0.05),
        p50: law.quantile(0.5),
        p95: law.quantile(0.95),
    }
}

/// `draws` Latin hypercube draws of `laws` from `seed`: row `d` holds draw
/// `d`'s value of every input. For each input, the draws fall one in each
/// of the `draws` equal-probability strata (uniformly within it), the
/// strata shuffled independently per input.
pub fn latin_hypercube(seed: u64, draws: u64, laws: &[Law]) -> Vec<Vec<f64>> {
    let n = draws as usize;
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ DRAW_STREAM_KEY);
    let mut rows = vec![Vec::with_capacity(laws.len()); n];
    for law in laws {
        let mut strata: Vec<usize> = (0..n).collect();
        // Fisher-Yates
        for i in (1..n).rev() {
            let j = (rng.random::<u64>() % (i as u64 + 1)) as usize;
            strata.swap(i, j);
        }
        for (row, &stratum) in rows.iter_mut().zip(&strata) {
            // in (0, 1): a quantile of 0 or 1 would be infinite
            let within = rng.random::<f64>().clamp(1e-12, 1.0 - 1e-12);
            row.push(law.quantile((stratum as f64 + within) / n as f64));
        }
    }
    rows
}

/// `model` with every input set to its value in `values` (one per input).
///
/// # Errors
/// [`DrawError`] naming the input whose value makes its distribution invalid.
pub fn instantiate(model: &Model, inputs: &[Input], values: &[f64]) -> Result<Model, DrawError> {
    let mut model = model.clone();
    for (input, &value) in inputs.iter().zip(values) {
        match input.target {
            Target::FailureEvery(f) => {
                if let Some(failure) = model.failures.get_mut(f) {
                    failure.every = value.max(crate::scenario::raw::MIN_PERIOD_HOURS);
                }
            }
            Target::FailureLasts(f, parameter) => {
                if let Some(failure) = model.failures.get_mut(f) {
                    failure.lasts =
                        set_parameter(&failure.lasts, parameter, value).ok_or_else(|| {
                            DrawError {
                                input: input.name.clone(),
                                value,
                            }
                        })?;
                }
            }
            Target::Success(s) => {
                if let Some(Routing::ActivePassive { success, .. }) =
                    model.services.get_mut(s).map(|s| &mut s.routing)
                {
                    *success = value;
                }
            }
            Target::Impact(s, d) => {
                let dependency = model
                    .services
                    .get_mut(s)
                    .and_then(|s| s.depends_on.get_mut(d));
                if let Some(DependencyKind::Soft { impact }) = dependency.map(|d| &mut d.kind) {
                    *impact = value;
                }
            }
        }
    }
    Ok(model)
}

/// A draw that makes a distribution invalid.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("the draw {value} h of `{input}` makes its distribution invalid")]
pub struct DrawError {
    /// The input's name.
    pub input: String,
    /// The value drawn.
    pub value: f64,
}

/// `lasts` with `parameter` set to `value` hours; a draw that would put a
/// log-normal's `p90` at or below its `median`, or a uniform's `max` below
/// its `min`, moves the other end just past it. `None` when the result is
/// still not a valid distribution.
fn set_parameter(lasts: &Distribution, parameter: Parameter, value: f64) -> Option<Distribution> {
    let d = match (lasts.clone(), parameter) {
        (Distribution::Fixed(_), Parameter::Fixed) => Distribution::Fixed(value),
        (Distribution::Exp { .. }, Parameter::Mean) => Distribution::Exp { mean: value },
        (Distribution::LogNormal { mu, sigma }, Parameter::Median | Parameter::P90) => {
            let (median, p90) = (mu.exp(), (mu + sigma * Z90).exp());
            let (median, p90) = match parameter {
                Parameter::Median => (value, p90.max(value * (1.0 + 1e-6))),
                _ => (median.min(value / (1.0 + 1e-6)), value),
            };
            Distribution::lognormal(median, p90).ok()?
        }
        (Distribution::Weibull { shape, .. }, Parameter::Scale) => Distribution::Weibull {
            shape,
            scale: value,
        },
        (Distribution::Uniform { max, .. }, Parameter::Min) => Distribution::Uniform {
            min: value,
            max: max.max(value),
        },
        (Distribution::Uniform { min, .. }, Parameter::Max) => Distribution::Uniform {
            min: min.min(value),
            max: value,
        },
        (other, _) => other,
    };
    d.validate().ok().map(|()| d)
}

/// Why the draws could not be run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DrawsError {
    /// A run was refused or stopped.
    #[error(transparent)]
    Run(#[from] RunError),
    /// A draw made a distribution invalid.
    #[error(transparent)]
    Draw(#[from] DrawError),
}

/// Runs `model` once per row of `draws` (each a value per input), every
/// run on the same trials and seed (`options`): the per-draw documents, in
/// draw order.
///
/// # Errors
/// As [`montecarlo::run_until`], for the first draw refused or stopped, or
/// a [`DrawError`].
pub fn run_draws(
    model: &Model,
    inputs: &[Input],
    draws: &[Vec<f64>],
    options: &RunOptions,
    stop: &AtomicBool,
) -> Result<Vec<RunResult>, DrawsError> {
    (draws.iter())
        .map(|values| {
            let drawn = instantiate(model, inputs, values)?;
            Ok(montecarlo::run_until(&drawn, options, stop)?)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_input_has_one_draw_in_each_stratum() {
        let laws = [
            Law::Uniform {
                low: 0.0,
                high: 1.0,
            },
            Law::Uniform {
                low: 2.0,
                high: 4.0,
            },
        ];
        let rows = latin_hypercube(42, 64, &laws);
        assert_eq!(rows.len(), 64);
        for (j, law) in laws.iter().enumerate() {
            let Law::Uniform { low, high } = *law else {
                unreachable!()
            };
            let mut strata: Vec<usize> = rows
                .iter()
                .map(|r| ((r[j] - low) / (high - low) * 64.0).floor() as usize)
                .collect();
            strata.sort_unstable();
            assert_eq!(strata, (0..64).collect::<Vec<_>>());
        }
        // the same seed gives the same draws, another seed others
        assert_eq!(rows, latin_hypercube(42, 64, &laws));
        assert_ne!(rows, latin_hypercube(43, 64, &laws));
    }

    #[test]
    fn spreads_are_nearest_rank() {
        let values: Vec<f64> = (1..=64).rev().map(f64::from).collect();
        let s = spread(&values);
        // ranks ceil(0.05 * 64) = 4, 32 and ceil(0.95 * 64) = 61
        assert_eq!((s.p5, s.p50, s.p95), (4.0, 32.0, 61.0));
    }
}

//! Uncertain inputs, run in two levels: `draws` values of every uncertain
//! input taken by Latin hypercube sampling from the run's seed, and for each
//! draw a concrete model run on the same trials (the same seed, so the same
//! trial streams: common random numbers) through the ordinary
//! [`montecarlo`] entry points. The spread of the per-draw means is what
//! the inputs' uncertainty does to the answer.
//!
//! This module holds the laws of the inputs ([`laws`]), the draws, the
//! per-draw runs and the nearest-rank spread; the scenario syntax
//! (`Between`, `Observed`) builds [`Input`]s.

pub mod laws;

use std::sync::atomic::AtomicBool;

use chacha20::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use serde::Serialize;

pub use laws::Law;

use crate::model::Model;
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
pub fn instantiate(model: &Model, inputs: &[Input], values: &[f64]) -> Model {
    let mut model = model.clone();
    for (input, &value) in inputs.iter().zip(values) {
        match input.target {
            Target::FailureEvery(f) => {
                if let Some(failure) = model.failures.get_mut(f) {
                    failure.every = value;
                }
            }
        }
    }
    model
}

/// Runs `model` once per row of `draws` (each a value per input), every
/// run on the same trials and seed (`options`): the per-draw documents, in
/// draw order.
///
/// # Errors
/// As [`montecarlo::run_until`], for the first draw refused or stopped.
pub fn run_draws(
    model: &Model,
    inputs: &[Input],
    draws: &[Vec<f64>],
    options: &RunOptions,
    stop: &AtomicBool,
) -> Result<Vec<RunResult>, RunError> {
    (draws.iter())
        .map(|values| montecarlo::run_until(&instantiate(model, inputs, values), options, stop))
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

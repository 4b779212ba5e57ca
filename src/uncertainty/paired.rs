//! `compare` of designs with uncertain inputs: every design run on the same
//! draws of the inputs, paired draw by draw, and for each design after the
//! first the share of draws in which its mean total cost of ownership is
//! lower than the first's (`P(better)` over the inputs).
//!
//! Inputs are matched between designs by name and position: the k-th input
//! named `zone every` in one design is the same assumption as the k-th
//! input of that name in every other design. Each matched assumption is one
//! column of a Latin hypercube of uniform ranks in (0, 1), drawn from the
//! seed; each design maps a column's rank through its own law. The same
//! assumption written the same way so gets the same value in every design,
//! and written with another range it gets the same quantile of that range
//! (as pessimistic in both designs). Columns are the first design's inputs
//! in file order, then every later design's unmatched inputs in order: the
//! first design's draws are exactly those of its own `run`.

use std::collections::BTreeMap;
use std::sync::atomic::AtomicBool;

use serde::Serialize;

use super::{instantiate, latin_hypercube, spread, DrawError, Law, Spread};
use crate::analysis::compare::Design;
use crate::model::HOURS_PER_YEAR;
use crate::montecarlo::{self, RunError, RunOptions, RunSettings};
use crate::stats::rare::incomplete_beta;

/// A design after the first against the first over the draws of the inputs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OverInputs {
    /// Draws of the inputs, every design run on each.
    pub draws: u64,
    /// Draws in which the design's mean TCO per year is lower than the
    /// first design's.
    pub better_draws: u64,
    /// `better_draws / draws`.
    pub p_better: f64,
    /// The exact (Clopper-Pearson) two-sided 95% interval of `p_better`
    /// over the draws.
    pub ci95: [f64; 2],
    /// The spread over the draws of the paired TCO difference per year
    /// (design minus first).
    pub tco_difference: Spread,
    /// The inputs this design shares with the first (same name and
    /// position), which take the same rank in every draw.
    pub shared_inputs: Vec<String>,
}

/// Why the draws of a comparison could not be run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PairedError {
    /// A design's run was refused or stopped.
    #[error("{file}: {error}")]
    Run {
        /// The design's file.
        file: String,
        /// Why.
        error: RunError,
    },
    /// A draw made one of a design's distributions invalid.
    #[error("{file}: {error}")]
    Draw {
        /// The design's file.
        file: String,
        /// The draw.
        error: DrawError,
    },
}

/// For each design after the first, in order: its paired comparison with
/// the first over `draws` draws of the inputs (see the module's doc). A
/// design without inputs is run once: its mean is the same in every draw.
///
/// # Errors
/// [`PairedError`] for a run refused (all draws' trials count against the
/// limits) or stopped, or a draw that makes a distribution invalid.
pub fn over_inputs(
    designs: &[Design],
    options: &RunOptions,
    draws: u64,
    stop: &AtomicBool,
) -> Result<Vec<OverInputs>, PairedError> {
    let Some((_, baseline)) = designs.first() else {
        return Ok(Vec::new());
    };
    // every design runs with the first design's trials and seed
    let settings = RunSettings::resolve(baseline, options);
    let options = RunOptions {
        trials: Some(settings.trials),
        seed: Some(settings.seed),
        ..options.clone()
    };
    let columns = match_inputs(designs);
    let width = columns.iter().flatten().max().map_or(0, |&c| c + 1);
    let ranks = latin_hypercube(
        settings.seed,
        draws,
        &vec![
            Law::Uniform {
                low: 0.0,
                high: 1.0
            };
            width
        ],
    );
    let mut tco = Vec::with_capacity(designs.len());
    for ((file, model), columns) in designs.iter().zip(&columns) {
        let repeats = if model.uncertain.is_empty() { 1 } else { draws };
        montecarlo::check_work(
            model,
            settings.trials.saturating_mul(repeats),
            &settings.limits,
        )
        .map_err(|error| PairedError::Run {
            file: file.clone(),
            error,
        })?;
        tco.push(design_tco(
            designs,
            (file, model),
            columns,
            &ranks,
            &options,
            stop,
        )?);
    }
    Ok((1..designs.len())
        .map(|d| paired(&tco[d], &tco[0], draws, shared_names(designs, &columns, d)))
        .collect())
}

/// A design's per-draw TCO against the first's: the draws it is cheaper
/// in, their share with its interval, and the spread of the difference.
fn paired(tco: &[f64], base: &[f64], draws: u64, shared_inputs: Vec<String>) -> OverInputs {
    let differences: Vec<f64> = (tco.iter().zip(base)).map(|(x, b)| x - b).collect();
    let better = differences.iter().filter(|&&x| x < 0.0).count() as u64;
    OverInputs {
        draws,
        better_draws: better,
        p_better: share(better, draws),
        ci95: clopper_pearson(better, draws),
        tco_difference: spread(&differences),
        shared_inputs,
    }
}

/// A design's mean TCO per year in every draw (`ranks` has a row a draw).
fn design_tco(
    designs: &[Design],
    (file, model): (&String, &crate::model::Model),
    columns: &[usize],
    ranks: &[Vec<f64>],
    options: &RunOptions,
    stop: &AtomicBool,
) -> Result<Vec<f64>, PairedError> {
    let scale = designs
        .first()
        .map_or(1.0, |(_, m)| HOURS_PER_YEAR / m.horizon);
    let infra: f64 = (0..model.services.len())
        .map(|s| model.infra_cost_per_year(s))
        .sum();
    let run = |drawn: &crate::model::Model| {
        montecarlo::run_until(drawn, options, stop)
            .map(|r| r.cost.mean * scale + infra)
            .map_err(|error| PairedError::Run {
                file: file.clone(),
                error,
            })
    };
    if model.uncertain.is_empty() {
        return Ok(vec![run(model)?; ranks.len()]);
    }
    ranks
        .iter()
        .map(|row| {
            let values: Vec<f64> = (model.uncertain.iter().zip(columns))
                .map(|(input, &c)| input.law.quantile(row[c]))
                .collect();
            let drawn = instantiate(model, &model.uncertain, &values).map_err(|error| {
                PairedError::Draw {
                    file: file.clone(),
                    error,
                }
            })?;
            run(&drawn)
        })
        .collect()
}

/// For each design, the Latin hypercube column of each of its inputs:
/// inputs of the same name and position (the k-th of that name) share a
/// column; the first design's inputs come first, in file order.
pub fn match_inputs(designs: &[Design]) -> Vec<Vec<usize>> {
    let mut keys: BTreeMap<(&str, usize), usize> = BTreeMap::new();
    designs
        .iter()
        .map(|(_, model)| {
            let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
            (model.uncertain.iter())
                .map(|input| {
                    let k = seen.entry(input.name.as_str()).or_insert(0);
                    let key = (input.name.as_str(), *k);
                    *k += 1;
                    let next = keys.len();
                    *keys.entry(key).or_insert(next)
                })
                .collect()
        })
        .collect()
}

/// The names of design `d`'s inputs that share their column with one of
/// the first design's, in `d`'s file order.
fn shared_names(designs: &[Design], columns: &[Vec<usize>], d: usize) -> Vec<String> {
    let first = columns.first().map_or(&[][..], Vec::as_slice);
    (designs[d].1.uncertain.iter().zip(&columns[d]))
        .filter(|(_, c)| first.contains(c))
        .map(|(input, _)| input.name.clone())
        .collect()
}

fn share(k: u64, n: u64) -> f64 {
    if n == 0 {
        0.0
    } else {
        k as f64 / n as f64
    }
}

/// The exact (Clopper-Pearson) two-sided 95% interval of a chance from `k`
/// successes in `n` trials: the 2.5% quantile of Beta(k, n - k + 1) and
/// the 97.5% quantile of Beta(k + 1, n - k); 0 below for `k = 0` and 1
/// above for `k = n`.
pub fn clopper_pearson(k: u64, n: u64) -> [f64; 2] {
    if n == 0 {
        return [0.0, 1.0];
    }
    let k = k.min(n);
    let (k, n) = (k as f64, n as f64);
    let lower = if k == 0.0 {
        0.0
    } else {
        beta_quantile(k, n - k + 1.0, 0.025)
    };
    let upper = if k == n {
        1.0
    } else {
        beta_quantile(k + 1.0, n - k, 0.975)
    };
    [lower, upper]
}

/// The `p`-quantile of Beta(a, b), by bisection of its distribution
/// function to f64 precision.
fn beta_quantile(a: f64, b: f64, p: f64) -> f64 {
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        if incomplete_beta(a, b, mid) < p {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// P(Bin(n, p) <= k), summed term by term.
    fn binomial_cdf(k: u64, n: u64, p: f64) -> f64 {
        let mut term = (1.0 - p).powi(n as i32);
        let mut sum = term;
        for i in 0..k {
            term *= (n - i) as f64 / (i + 1) as f64 * p / (1.0 - p);
            sum += term;
        }
        sum
    }

    #[test]
    fn clopper_pearson_ends_leave_two_and_a_half_percent_each_side() {
        let [lo, hi] = clopper_pearson(48, 64);
        // the upper end: P(X <= 48 | hi) = 2.5%; the lower: P(X >= 48 | lo) = 2.5%
        assert!((binomial_cdf(48, 64, hi) - 0.025).abs() < 1e-9);
        assert!((1.0 - binomial_cdf(47, 64, lo) - 0.025).abs() < 1e-9);
        assert!(lo < 0.75 && 0.75 < hi);
        // the ends in closed form
        let [lo, hi] = clopper_pearson(0, 64);
        assert_eq!(lo, 0.0);
        assert!((hi - (1.0 - 0.025f64.powf(1.0 / 64.0))).abs() < 1e-12);
        let [lo, hi] = clopper_pearson(64, 64);
        assert!((lo - 0.025f64.powf(1.0 / 64.0)).abs() < 1e-12);
        assert_eq!(hi, 1.0);
    }
}

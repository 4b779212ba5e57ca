//! Variance reduction: answers to a given precision in fewer trials.
//!
//! `run --variance-reduction control-variates` estimates the means of the
//! lost hours and costs with control variates ([`crate::stats::control`]):
//! the controls are, for each failure definition, its outages and outage
//! hours per trial, whose exact means come from a reference simulation of
//! one process per failure (cheap: no engine, [`REFERENCE_HISTORIES`]
//! histories); the coefficients come from a pilot run of [`PILOT_TRIALS`]
//! trials on an independent seed. The estimate stays unbiased; only the
//! means and their confidence intervals change, percentiles stay those of
//! the plain trials.

use std::sync::atomic::AtomicBool;

use crate::engine::streams;
use crate::model::{stream_key, Model};
use crate::montecarlo::{self, RunError, RunOptions};
use crate::stats::control::{self, Adjusted};
use crate::stats::{RunResult, VarianceReduction};

/// The two-sided 95% normal quantile.
const Z95: f64 = 1.959_963_984_540_054;

/// Histories of one process simulated for the reference means.
pub const REFERENCE_HISTORIES: u64 = 200_000;
/// Trials of the pilot run that fits the coefficients.
pub const PILOT_TRIALS: u64 = 1000;

/// What one trial contributes: per service lost hours and cost, the
/// scenario's cost, and the controls.
struct Sample {
    lost: Vec<f64>,
    cost: Vec<f64>,
    total: f64,
    controls: Vec<f64>,
}

fn sample(outcome: &crate::engine::TrialOutcome) -> Sample {
    Sample {
        lost: outcome.services.iter().map(|s| s.lost_hours).collect(),
        cost: outcome.services.iter().map(|s| s.cost).collect(),
        total: outcome.cost,
        controls: outcome
            .failures
            .iter()
            .flat_map(|f| [f.occurrences as f64, f.downtime_hours])
            .collect(),
    }
}

/// Runs `model` with control variates.
///
/// # Errors
/// As [`montecarlo::run_until`].
pub fn run_controlled(
    model: &Model,
    options: &RunOptions,
    stop: &AtomicBool,
) -> Result<RunResult, RunError> {
    let seed = options.seed.unwrap_or(model.seed);
    let (mu, mu_cov) = reference(model, seed);
    let pilot_options = RunOptions {
        trials: Some(PILOT_TRIALS),
        // an independent seed: the coefficients must not depend on the main trials
        seed: Some(seed ^ 0x9e37_79b9_7f4a_7c15),
        ..options.clone()
    };
    let (_, pilot) = montecarlo::run_sampled(model, &pilot_options, stop, sample)?;
    let (mut result, main) = montecarlo::run_sampled(model, options, stop, sample)?;
    let pilot_c: Vec<Vec<f64>> = pilot.iter().map(|s| s.controls.clone()).collect();
    let main_c: Vec<Vec<f64>> = main.iter().map(|s| s.controls.clone()).collect();
    let fit = |x: &dyn Fn(&Sample) -> f64| -> Adjusted {
        let pilot_x: Vec<f64> = pilot.iter().map(x).collect();
        let beta = control::coefficients(&pilot_x, &pilot_c);
        let main_x: Vec<f64> = main.iter().map(x).collect();
        control::adjust(&main_x, &main_c, &beta, &mu, &mu_cov)
    };
    let mut factors = std::collections::BTreeMap::new();
    let horizon = model.horizon;
    for (s, service) in model.services.iter().enumerate() {
        let Some(stats) = result.services.get_mut(&service.name) else {
            continue;
        };
        let lost = fit(&|x: &Sample| x.lost[s]);
        stats.lost_hours.mean = lost.mean;
        stats.lost_hours.ci95 = interval(lost);
        stats.availability.mean = 1.0 - lost.mean / horizon;
        let [lo, hi] = stats.lost_hours.ci95;
        stats.availability.ci95 = [
            (1.0 - hi / horizon).clamp(0.0, 1.0),
            (1.0 - lo / horizon).clamp(0.0, 1.0),
        ];
        let cost = fit(&|x: &Sample| x.cost[s]);
        stats.cost.mean = cost.mean;
        stats.cost.ci95 = interval(cost);
        factors.insert(format!("{} lost_hours", service.name), lost.factor);
    }
    let total = fit(&|x: &Sample| x.total);
    result.cost.mean = total.mean;
    result.cost.ci95 = interval(total);
    factors.insert("cost".to_string(), total.factor);
    result.variance_reduction = Some(VarianceReduction {
        method: "control variates".into(),
        controls: "occurrences and outage hours of each failure definition".into(),
        pilot_trials: PILOT_TRIALS,
        reference_histories: REFERENCE_HISTORIES,
        factors,
    });
    Ok(result)
}

/// The 95% interval of an adjusted mean, floored at 0 (losses are never negative).
fn interval(a: Adjusted) -> [f64; 2] {
    [
        (a.mean - Z95 * a.std_error).max(0.0),
        a.mean + Z95 * a.std_error,
    ]
}

/// The exact means of the controls (per failure: occurrences, outage hours,
/// over all its processes) and the covariance of their estimates.
fn reference(model: &Model, seed: u64) -> (Vec<f64>, Vec<Vec<f64>>) {
    let k = 2 * model.failures.len();
    let mut mu = vec![0.0; k];
    let mut cov = vec![vec![0.0; k]; k];
    let mut processes = vec![0u64; model.failures.len()];
    for p in &model.processes {
        processes[p.failure] += 1;
    }
    for (f, failure) in model.failures.iter().enumerate() {
        if processes[f] == 0 {
            continue;
        }
        // 0xFE never occurs in UTF-8: no target can make the same key
        let key = stream_key(&[b"\xfereference", failure.name.as_bytes()]);
        let (mean, c) =
            streams::reference_means(failure, model.horizon, (seed, key), REFERENCE_HISTORIES);
        let count = processes[f] as f64;
        // processes of one failure are independent and identically distributed
        for a in 0..2 {
            mu[2 * f + a] = count * mean[a];
            for b in 0..2 {
                cov[2 * f + a][2 * f + b] = count * count * c[a][b] / REFERENCE_HISTORIES as f64;
            }
        }
    }
    (mu, cov)
}

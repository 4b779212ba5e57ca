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
//!
//! `--variance-reduction exact-controls` uses the same controls and pilot,
//! with the controls' means from renewal theory ([`renewal`]) instead of the
//! reference simulation, whose own error otherwise sets a floor under the
//! interval (on the shop examples, most of what remained of it).

pub mod renewal;

use std::sync::atomic::AtomicBool;

use crate::engine::streams;
use crate::model::{stream_key, Model, Target};
use crate::model::{Measure, Statistic};
use crate::montecarlo::{self, RunError, RunOptions};
use crate::stats::control::{self, Adjusted};
use crate::stats::objective::{self, Sample as ObjectiveSample};
use crate::stats::{Moments, TrialValues, Values};
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

/// The controls: one group per failure process on a domain, a service or a
/// deployment (correlated, few, each with its own effect), and one per
/// failure for its replica processes (many, interchangeable). Each group
/// gives two controls: its outages and their hours.
struct Groups {
    /// The group of each process.
    of_process: Vec<usize>,
    /// Per group: its failure and its number of processes.
    groups: Vec<(usize, u64)>,
}

/// At most this many groups; beyond, correlated processes are grouped per failure too.
const MAX_GROUPS: usize = 64;

impl Groups {
    fn new(model: &Model) -> Groups {
        let correlated = model
            .processes
            .iter()
            .filter(|p| !matches!(p.target, Target::Replica(_)))
            .count();
        let one_each = correlated + model.failures.len() <= MAX_GROUPS;
        let mut per_failure = vec![usize::MAX; model.failures.len()];
        let mut groups: Vec<(usize, u64)> = Vec::new();
        let mut of_process = Vec::with_capacity(model.processes.len());
        for p in &model.processes {
            let own = one_each && !matches!(p.target, Target::Replica(_));
            let g = if own {
                groups.push((p.failure, 0));
                groups.len() - 1
            } else {
                if per_failure[p.failure] == usize::MAX {
                    groups.push((p.failure, 0));
                    per_failure[p.failure] = groups.len() - 1;
                }
                per_failure[p.failure]
            };
            groups[g].1 += 1;
            of_process.push(g);
        }
        Groups { of_process, groups }
    }

    fn controls(&self, outcome: &crate::engine::TrialOutcome) -> Vec<f64> {
        let mut c = vec![0.0; 2 * self.groups.len()];
        for (&(count, hours), &g) in outcome.processes.iter().zip(&self.of_process) {
            c[2 * g] += f64::from(count);
            c[2 * g + 1] += hours;
        }
        c
    }
}

/// Where the controls' exact means come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// A reference simulation of one process per failure.
    ControlVariates,
    /// Renewal theory, with only the boundary term at the horizon simulated.
    ExactControls,
}

impl Method {
    /// The name the result document gives the method.
    pub fn name(self) -> &'static str {
        match self {
            Method::ControlVariates => "control variates",
            Method::ExactControls => "control variates with exact means",
        }
    }

    /// Histories simulated per failure for the controls' means (the
    /// boundary term of exact means needs as many: a rare process straddles
    /// the horizon in about 1 history of 100,000, and fewer histories
    /// under-estimate the error of the mean they give).
    pub fn histories(self) -> u64 {
        REFERENCE_HISTORIES
    }
}

/// Runs `model` with control variates whose means come from a reference
/// simulation ([`Method::ControlVariates`]).
///
/// # Errors
/// As [`montecarlo::run_until`].
pub fn run_controlled(
    model: &Model,
    options: &RunOptions,
    stop: &AtomicBool,
) -> Result<(RunResult, TrialValues), RunError> {
    run_reduced(model, options, Method::ControlVariates, stop)
}

/// Runs `model` with control variates, their means as `method` says.
///
/// # Errors
/// As [`montecarlo::run_until`].
pub fn run_reduced(
    model: &Model,
    options: &RunOptions,
    method: Method,
    stop: &AtomicBool,
) -> Result<(RunResult, TrialValues), RunError> {
    let seed = options.seed.unwrap_or(model.seed);
    let groups = Groups::new(model);
    let (mu, mu_cov) = reference(model, seed, &groups, method);
    let sample = |outcome: &crate::engine::TrialOutcome| Sample {
        lost: outcome.services.iter().map(|s| s.lost_hours).collect(),
        cost: outcome.services.iter().map(|s| s.cost).collect(),
        total: outcome.cost,
        controls: groups.controls(outcome),
    };
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
    let mut floors = std::collections::BTreeMap::new();
    let mut adjusted: Vec<Option<Adjusted>> = vec![None; model.services.len()];
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
        floors.insert(format!("{} lost_hours", service.name), lost.floor);
        adjusted[s] = Some(lost);
    }
    let total = fit(&|x: &Sample| x.total);
    rejudge(model, &mut result, &adjusted, total, main.len() as u64);
    result.cost.mean = total.mean;
    result.cost.ci95 = interval(total);
    factors.insert("cost".to_string(), total.factor);
    floors.insert("cost".to_string(), total.floor);
    result.variance_reduction = Some(VarianceReduction {
        method: method.name().into(),
        controls: "occurrences and outage hours of each failure definition".into(),
        pilot_trials: PILOT_TRIALS,
        reference_histories: method.histories(),
        factors,
        floors,
    });
    Ok((result, trial_values(&main)))
}

/// The sorted per-trial values of the main run, for the plots of a report.
fn trial_values(main: &[Sample]) -> TrialValues {
    let sorted = |mut v: Vec<f64>| {
        v.sort_unstable_by(f64::total_cmp);
        v
    };
    let services = main.first().map_or(0, |s| s.lost.len());
    TrialValues {
        cost: sorted(main.iter().map(|s| s.total).collect()),
        lost_hours: (0..services)
            .map(|k| Values::Exact(sorted(main.iter().map(|s| s.lost[k]).collect())))
            .collect(),
    }
}

/// Judges the objectives on means again, on the controlled estimates (those
/// on percentiles keep the plain trials' verdicts).
fn rejudge(
    model: &Model,
    result: &mut RunResult,
    lost: &[Option<Adjusted>],
    total: Adjusted,
    n: u64,
) {
    for (o, verdict) in model.objectives.iter().zip(result.objectives.iter_mut()) {
        if o.statistic != Statistic::Mean {
            continue;
        }
        let adjusted = match o.measure {
            Measure::Availability(s) | Measure::LostHours(s) => lost.get(s).copied().flatten(),
            Measure::Cost => Some(total),
            Measure::DataLoss(_) => None,
        };
        let Some(a) = adjusted else { continue };
        let moments = Moments {
            n,
            mean: a.mean,
            // the spread whose standard error of the mean is the controlled one
            m2: a.std_error.powi(2) * n as f64 * n.saturating_sub(1) as f64,
        };
        let sample = ObjectiveSample {
            moments: &moments,
            values: &crate::stats::NO_VALUES,
        };
        *verdict = objective::report(o, sample, model);
    }
}

/// The 95% interval of an adjusted mean, floored at 0 (losses are never negative).
fn interval(a: Adjusted) -> [f64; 2] {
    [
        (a.mean - Z95 * a.std_error).max(0.0),
        a.mean + Z95 * a.std_error,
    ]
}

/// The exact means of the controls (per group: outages, outage hours) and
/// the covariance of their estimates. Processes of one failure are
/// identically distributed: one reference simulation per failure serves all
/// its groups, whose estimates are then correlated.
fn reference(
    model: &Model,
    seed: u64,
    groups: &Groups,
    method: Method,
) -> (Vec<f64>, Vec<Vec<f64>>) {
    let k = 2 * groups.groups.len();
    let mut mu = vec![0.0; k];
    let mut cov = vec![vec![0.0; k]; k];
    let histories = method.histories() as f64;
    let used: std::collections::BTreeSet<usize> = groups.groups.iter().map(|g| g.0).collect();
    for f in used {
        let failure = &model.failures[f];
        // 0xFE never occurs in UTF-8: no target can make the same key
        let key = stream_key(&[b"\xfereference", failure.name.as_bytes()]);
        let means = match method {
            Method::ControlVariates => streams::reference_means,
            Method::ExactControls => renewal::exact_means,
        };
        let (mean, c) = means(failure, model.horizon, (seed, key), method.histories());
        for (g, &(gf, n)) in groups.groups.iter().enumerate() {
            if gf != f {
                continue;
            }
            for a in 0..2 {
                mu[2 * g + a] = n as f64 * mean[a];
            }
            for (h, &(hf, m)) in groups.groups.iter().enumerate() {
                if hf != f {
                    continue;
                }
                for a in 0..2 {
                    for b in 0..2 {
                        cov[2 * g + a][2 * h + b] = n as f64 * m as f64 * c[a][b] / histories;
                    }
                }
            }
        }
    }
    (mu, cov)
}

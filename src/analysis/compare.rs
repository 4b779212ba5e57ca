//! Several designs run on common random numbers, and the paired differences
//! of each against the first.
//!
//! Streams are keyed by (seed, failure name, target names) and the trial
//! index, so trial i of every design replays the same failure history on
//! every target they share: the per-trial differences are paired.

use std::collections::BTreeMap;
use std::sync::atomic::AtomicBool;

use serde::Serialize;

use crate::model::{Model, HOURS_PER_YEAR};
use crate::montecarlo::{self, RunError, RunOptions, RunSettings};
use crate::stats::paired::{self, difference, Better, Difference, Verdict};
use crate::stats::RunResult;

/// The result of `faultline compare`: the comparison document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// The master seed every design ran with.
    pub seed: u64,
    /// Trials of every design.
    pub trials: u64,
    /// Length of one trial, hours (the same for every design).
    pub horizon_hours: f64,
    /// Per design, in the order given.
    pub designs: Vec<DesignSummary>,
    /// Each design after the first against the first, in the order given.
    pub differences: Vec<DesignDifference>,
}

/// What one design costs and delivers. Money is per year: per-trial values
/// times `8760 h / horizon`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DesignSummary {
    /// The file as given.
    pub file: String,
    /// The scenario's name.
    pub scenario: String,
    /// The services every design has, by name.
    pub services: BTreeMap<String, SharedService>,
    /// Mean downtime cost per year.
    pub annual_loss: f64,
    /// 99th percentile over trials of the downtime cost, per year.
    pub p99_annual_loss: f64,
    /// Infrastructure cost per year.
    pub infra_cost: f64,
    /// Total cost of ownership per year: `infra_cost + annual_loss`.
    pub tco: f64,
    /// Whether every objective of the design is met (an undecided one is
    /// not); true when it has none.
    pub meets_objectives: bool,
}

/// A shared service's measures in one design.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SharedService {
    /// Mean availability.
    pub availability: f64,
    /// Mean lost-service hours per trial.
    pub lost_hours: f64,
}

/// One design against the first (the baseline): every difference is
/// design minus baseline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DesignDifference {
    /// The design's file.
    pub design: String,
    /// The baseline's file.
    pub baseline: String,
    /// Per shared service.
    pub services: BTreeMap<String, ServiceDifference>,
    /// Downtime cost per year.
    pub annual_loss: Difference,
    /// Difference of the 99th percentiles per year (a point estimate, no CI).
    pub p99_annual_loss: f64,
    /// Infrastructure cost per year (fixed: its CI is the value itself).
    pub infra_cost: Difference,
    /// Total cost of ownership per year.
    pub tco: Difference,
    /// The overall verdict: the verdict on `tco`.
    pub verdict: Verdict,
    /// With uncertain inputs: the paired comparison over their draws
    /// (absent without any).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub over_inputs: Option<crate::uncertainty::paired::OverInputs>,
}

/// A shared service's differences.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ServiceDifference {
    /// Availability (higher is better).
    pub availability: Difference,
    /// Lost-service hours per trial (lower is better).
    pub lost_hours: Difference,
}

/// Why designs could not be compared.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CompareError {
    /// Two designs simulate horizons of different lengths.
    #[error("`{design}` simulates a horizon of {design_hours} h but `{baseline}` one of {baseline_hours} h; designs are compared over the same horizon")]
    Horizon {
        /// The first design's file.
        baseline: String,
        /// Its horizon, hours.
        baseline_hours: f64,
        /// The design that differs.
        design: String,
        /// Its horizon, hours.
        design_hours: f64,
    },
    /// One design's run was refused or interrupted.
    #[error("{file}: {error}")]
    Run {
        /// The design's file.
        file: String,
        /// Why.
        error: RunError,
    },
}

/// One design: its file name and validated model.
pub type Design = (String, Model);

/// One trial of one design: lost hours of each shared service, downtime cost.
struct Sample {
    lost: Vec<f64>,
    cost: f64,
}

/// Runs every design with the same seed and trials (the first design's
/// unless `options` override them) and compares each with the first.
///
/// # Errors
/// [`CompareError`] for designs of different horizons, or a refused or
/// interrupted run.
pub fn compare(
    designs: &[Design],
    options: &RunOptions,
    stop: &AtomicBool,
) -> Result<Comparison, CompareError> {
    compare_with_tco(designs, options, stop).map(|(comparison, _)| comparison)
}

/// Each design's total cost of ownership per year, trial by trial
/// (`cost x 8760 h / horizon + infra`), in design order.
pub type TcoSeries = Vec<Vec<f64>>;

/// As [`compare`], with each design's per-trial TCO, so that any two
/// designs can be compared pairwise on the same trials.
///
/// # Errors
/// As [`compare`].
pub fn compare_with_tco(
    designs: &[Design],
    options: &RunOptions,
    stop: &AtomicBool,
) -> Result<(Comparison, TcoSeries), CompareError> {
    let Some((_, baseline)) = designs.first() else {
        return Ok((empty(options), Vec::new()));
    };
    check_horizons(designs)?;
    // every design runs with the first design's settings
    let settings = RunSettings::resolve(baseline, options);
    let shared = shared_services(designs);
    let mut runs = Vec::new();
    for (file, model) in designs {
        let ids: Vec<usize> = shared
            .iter()
            .filter_map(|name| model.service_by_name(name))
            .collect();
        let sample = |o: &crate::engine::TrialOutcome| Sample {
            lost: ids.iter().map(|&s| o.services[s].lost_hours).collect(),
            cost: o.cost,
        };
        let (result, samples) = montecarlo::run_sampled_with(model, &settings, stop, sample)
            .map_err(|error| CompareError::Run {
                file: file.clone(),
                error,
            })?;
        let infra: f64 = (0..model.services.len())
            .map(|s| model.infra_cost_per_year(s))
            .sum();
        runs.push(Run {
            file: file.clone(),
            result,
            samples,
            infra,
        });
    }
    let scale = HOURS_PER_YEAR / baseline.horizon;
    let summaries = runs.iter().map(|r| summary(r, &shared, scale)).collect();
    let differences = runs[1..]
        .iter()
        .map(|r| versus(&runs[0], r, &shared, (baseline.horizon, scale)))
        .collect();
    let comparison = Comparison {
        seed: runs[0].result.seed,
        trials: runs[0].result.trials,
        horizon_hours: baseline.horizon,
        designs: summaries,
        differences,
    };
    Ok((comparison, runs.iter().map(|r| tco_of(r, scale)).collect()))
}

/// A run's TCO per year, trial by trial.
fn tco_of(run: &Run, scale: f64) -> Vec<f64> {
    (run.samples.iter())
        .map(|s| s.cost * scale + run.infra)
        .collect()
}

/// A design's run: its result, per-trial samples and infrastructure cost per year.
struct Run {
    file: String,
    result: RunResult,
    samples: Vec<Sample>,
    infra: f64,
}

fn empty(options: &RunOptions) -> Comparison {
    Comparison {
        seed: options.seed.unwrap_or(0),
        trials: 0,
        horizon_hours: 0.0,
        designs: Vec::new(),
        differences: Vec::new(),
    }
}

fn check_horizons(designs: &[Design]) -> Result<(), CompareError> {
    let (baseline, first) = (&designs[0].0, designs[0].1.horizon);
    match designs.iter().find(|(_, m)| m.horizon != first) {
        Some((file, m)) => Err(CompareError::Horizon {
            baseline: baseline.clone(),
            baseline_hours: first,
            design: file.clone(),
            design_hours: m.horizon,
        }),
        None => Ok(()),
    }
}

/// The names of the services every design has, sorted.
fn shared_services(designs: &[Design]) -> Vec<String> {
    let mut names: Vec<String> = designs[0]
        .1
        .services
        .iter()
        .map(|s| s.name.clone())
        .filter(|n| designs.iter().all(|(_, m)| m.service_by_name(n).is_some()))
        .collect();
    names.sort();
    names
}

fn summary(run: &Run, shared: &[String], scale: f64) -> DesignSummary {
    let services = shared
        .iter()
        .filter_map(|name| {
            let s = run.result.services.get(name)?;
            Some((
                name.clone(),
                SharedService {
                    availability: s.availability.mean,
                    lost_hours: s.lost_hours.mean,
                },
            ))
        })
        .collect();
    let annual_loss = run.result.cost.mean * scale;
    DesignSummary {
        file: run.file.clone(),
        scenario: run.result.scenario.clone(),
        services,
        annual_loss,
        p99_annual_loss: run.result.cost.p99 * scale,
        infra_cost: run.infra,
        tco: run.infra + annual_loss,
        meets_objectives: run
            .result
            .objectives
            .iter()
            .all(|o| o.verdict == crate::stats::Verdict::Met),
    }
}

/// `design` against `baseline`, trial by trial.
fn versus(
    baseline: &Run,
    design: &Run,
    shared: &[String],
    (horizon, scale): (f64, f64),
) -> DesignDifference {
    let series =
        |run: &Run, f: &dyn Fn(&Sample) -> f64| -> Vec<f64> { run.samples.iter().map(f).collect() };
    let pair = |f: &dyn Fn(&Sample) -> f64, better| {
        difference(&series(baseline, f), &series(design, f), better)
    };
    let services = shared
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let lost = |s: &Sample| s.lost[i];
            let availability = |s: &Sample| 1.0 - s.lost[i] / horizon;
            (
                name.clone(),
                ServiceDifference {
                    availability: pair(&availability, Better::Higher),
                    lost_hours: pair(&lost, Better::Lower),
                },
            )
        })
        .collect();
    let loss = |s: &Sample| s.cost * scale;
    let infra = paired::exact(baseline.infra, design.infra, Better::Lower);
    let tco = difference(
        &tco_of(baseline, scale),
        &tco_of(design, scale),
        Better::Lower,
    );
    DesignDifference {
        design: design.file.clone(),
        baseline: baseline.file.clone(),
        services,
        annual_loss: pair(&loss, Better::Lower),
        p99_annual_loss: (design.result.cost.p99 - baseline.result.cost.p99) * scale,
        infra_cost: infra,
        verdict: tco.verdict,
        tco,
        over_inputs: None,
    }
}

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

pub mod importance;
mod reference;
pub mod renewal;

use reference::reference;

use std::sync::atomic::AtomicBool;

use crate::model::{Measure, Statistic};
use crate::model::{Model, Target};
use crate::montecarlo::{self, RunError, RunOptions, RunSettings};
use crate::stats::control::{self, Adjusted};
use crate::stats::objective::{self, MeanView};
use crate::stats::{Availability, Rare, TrialValues, Values, Z95};
use crate::stats::{RunResult, VarianceReduction};

/// Histories of one process simulated for the reference means.
pub const REFERENCE_HISTORIES: u64 = 200_000;

/// Trials of the pilot run that fits the coefficients.
pub const PILOT_TRIALS: u64 = 1000;

/// What one trial contributes: per service lost hours, traffic-weighted
/// lost hours and cost, the scenario's cost, and the controls.
struct Sample {
    lost: Vec<f64>,
    weighted: Vec<f64>,
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
    /// Importance sampling of rare shared processes ([`importance`]): no
    /// controls.
    Importance,
}

impl Method {
    /// The name the result document gives the method.
    pub fn name(self) -> &'static str {
        match self {
            Method::ControlVariates => "control variates",
            Method::ExactControls => "control variates with exact means",
            Method::Importance => importance::NAME,
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

/// Runs `model` with control variates, their means as `method` says, or
/// with plain Monte Carlo when the method's assumptions fail for `model`
/// ([`doubt_means`], [`Controlled::new`]): the document's
/// `variance_reduction` then says so (`estimator`, `fallback`).
///
/// # Errors
/// As [`montecarlo::run_until`].
pub fn run_reduced(
    model: &Model,
    options: &RunOptions,
    method: Method,
    stop: &AtomicBool,
) -> Result<(RunResult, TrialValues), RunError> {
    let settings = RunSettings::resolve(model, options);
    run_reduced_with(model, &settings, method, stop)
}

/// As [`run_reduced`], with the run's settings resolved by the caller.
///
/// # Errors
/// As [`montecarlo::run_until`].
pub fn run_reduced_with(
    model: &Model,
    settings: &RunSettings,
    method: Method,
    stop: &AtomicBool,
) -> Result<(RunResult, TrialValues), RunError> {
    if method == Method::Importance {
        return importance::run(model, settings, (stop, None));
    }
    let seed = settings.seed;
    let groups = Groups::new(model);
    let (mu, mu_cov) = reference(model, seed, &groups, method);
    let sample = |outcome: &crate::engine::TrialOutcome| Sample {
        lost: outcome.services.iter().map(|s| s.lost_hours).collect(),
        weighted: (outcome.services.iter())
            .map(|s| s.weighted_lost_hours)
            .collect(),
        cost: outcome.services.iter().map(|s| s.cost).collect(),
        total: outcome.cost,
        controls: groups.controls(outcome),
    };
    let pilot_settings = RunSettings {
        trials: PILOT_TRIALS,
        // an independent seed: the coefficients must not depend on the main trials
        seed: seed ^ 0x9e37_79b9_7f4a_7c15,
        ..settings.clone()
    };
    let (_, pilot) = montecarlo::run_sampled_with(model, &pilot_settings, stop, sample)?;
    let doubt = doubt_means(model, &groups, (&mu, &mu_cov));
    let (mut result, main) = montecarlo::run_sampled_with(model, settings, stop, sample)?;
    let controlled = match doubt {
        Some(reason) => Err(reason),
        None => Controlled::new(model, (&pilot, &main), (&mu, &mu_cov)),
    };
    let mut report = VarianceReduction {
        method: method.name().into(),
        estimator: method.name().into(),
        fallback: None,
        tilted_processes: None,
        tilt: None,
        controls: Some("occurrences and outage hours of each failure definition".into()),
        pilot_trials: Some(PILOT_TRIALS),
        reference_histories: Some(method.histories()),
        factors: std::collections::BTreeMap::new(),
        floors: std::collections::BTreeMap::new(),
    };
    match controlled {
        Ok(c) => c.apply(model, &mut result, &mut report),
        // the main run's own document is the plain one, verdicts included
        Err(reason) => {
            report.estimator = PLAIN.into();
            report.fallback = Some(reason);
        }
    }
    result.variance_reduction = Some(report);
    Ok((result, trial_values(&main)))
}

/// The name of the estimator a run falls back to.
pub const PLAIN: &str = "plain Monte Carlo";

/// Why the controls' means cannot be used for `model`, if they cannot: a
/// mean, or the variance of its estimate, that is not a finite number.
fn doubt_means(
    model: &Model,
    groups: &Groups,
    (mu, mu_cov): (&[f64], &[Vec<f64>]),
) -> Option<String> {
    if let Some(f) = model.failures.iter().find(|f| !f.is_plain()) {
        return Some(format!(
            "failure `{}` has scheduled starts, non-exponential up times or crews, which the controls' means do not model",
            f.name
        ));
    }
    (0..mu.len()).find_map(|j| {
        let failure = &model.failures[groups.groups[j / 2].0].name;
        let what = ["outages", "outage hours"][j % 2];
        (!(mu[j].is_finite() && mu_cov[j][j].is_finite())).then(|| {
            format!("the exact mean of the {what} of failure `{failure}` is not a finite number")
        })
    })
}

/// A controlled mean as the document gives it: the estimate and its 95%
/// interval, both within the measure's range (the interval is built around
/// the estimate).
#[derive(Debug, Clone, Copy)]
struct Estimate {
    mean: f64,
    ci95: [f64; 2],
    adjusted: Adjusted,
}

impl Estimate {
    /// `a` within `[0, upper]`: the mean clamped into the range, the
    /// interval cut to it. `Err` says why the controls failed on `what`: an
    /// interval wholly outside the range (or not a number), or means whose
    /// own error (the floor) exceeds the plain standard error of the trials,
    /// so that the method can only widen the interval (heavy-tailed outages
    /// whose mean lies far beyond the horizon).
    fn new(a: Adjusted, upper: f64, what: &str) -> Result<Estimate, String> {
        let (lo, hi) = (a.mean - Z95 * a.std_error, a.mean + Z95 * a.std_error);
        if !(lo.is_finite() && hi.is_finite()) || hi < 0.0 || lo > upper {
            return Err(format!(
                "the controlled 95% interval of {what}, [{lo:.6}, {hi:.6}], lies outside its possible range [0, {upper}]"
            ));
        }
        let plain = a.std_error * a.factor.sqrt();
        if a.floor > plain {
            return Err(format!(
                "the exact means' own error on {what} (a standard error of {:.6}) exceeds the plain trials' ({plain:.6}): the controls would only widen the interval",
                a.floor
            ));
        }
        Ok(Estimate {
            mean: a.mean.clamp(0.0, upper),
            ci95: [lo.max(0.0), hi.min(upper)],
            adjusted: a,
        })
    }

    /// The availability of lost hours over `horizon`, within `[0, 1]` (the
    /// interval still holds the estimate: both move the same way); without
    /// an interval when the lost hours are `rare` (in the plain trials).
    fn availability(&self, horizon: f64, rare: Option<Rare>) -> Availability {
        let [lo, hi] = self.ci95;
        let of = |hours: f64| (1.0 - hours / horizon).clamp(0.0, 1.0);
        Availability {
            mean: of(self.mean),
            ci95: rare.is_none().then_some([of(hi), of(lo)]),
            rare,
        }
    }

    /// The interval, unless the measure is `rare` (then none).
    fn known(&self, rare: Option<Rare>) -> Option<[f64; 2]> {
        rare.is_none().then_some(self.ci95)
    }
}

/// Per service (lost hours, traffic-weighted lost hours, cost) and for the
/// scenario's cost, the controlled estimates.
struct Controlled {
    services: Vec<[Estimate; 3]>,
    total: Estimate,
    trials: u64,
}

impl Controlled {
    /// The controlled estimates of every mean the method adjusts, or why
    /// there are none: fewer than two main trials (no spread to fit or
    /// judge), or an estimate outside its measure's range.
    fn new(
        model: &Model,
        (pilot, main): (&[Sample], &[Sample]),
        (mu, mu_cov): (&[f64], &[Vec<f64>]),
    ) -> Result<Controlled, String> {
        if main.len() < 2 {
            return Err("fewer than two trials: no spread to estimate an interval from".into());
        }
        let pilot_c: Vec<Vec<f64>> = pilot.iter().map(|s| s.controls.clone()).collect();
        let main_c: Vec<Vec<f64>> = main.iter().map(|s| s.controls.clone()).collect();
        let fit = |x: &dyn Fn(&Sample) -> f64| -> Adjusted {
            let pilot_x: Vec<f64> = pilot.iter().map(x).collect();
            let beta = control::coefficients(&pilot_x, &pilot_c);
            let main_x: Vec<f64> = main.iter().map(x).collect();
            control::adjust(&main_x, &main_c, &beta, mu, mu_cov)
        };
        let horizon = model.horizon;
        let mut services = Vec::with_capacity(model.services.len());
        for (s, service) in model.services.iter().enumerate() {
            let name = &service.name;
            services.push([
                Estimate::new(fit(&|x| x.lost[s]), horizon, &format!("{name} lost_hours"))?,
                Estimate::new(
                    fit(&|x| x.weighted[s]),
                    crate::stats::traffic_carried(service, horizon),
                    &format!("{name} weighted lost hours"),
                )?,
                Estimate::new(fit(&|x| x.cost[s]), f64::INFINITY, &format!("{name} cost"))?,
            ]);
        }
        let total = Estimate::new(fit(&|x| x.total), f64::INFINITY, "cost")?;
        Ok(Controlled {
            services,
            total,
            trials: main.len() as u64,
        })
    }

    /// Writes the estimates into `result` (means, their intervals, the
    /// verdicts of objectives on means) and their factors and floors into
    /// `report`.
    fn apply(&self, model: &Model, result: &mut RunResult, report: &mut VarianceReduction) {
        let horizon = model.horizon;
        for (service, [lost, weighted, cost]) in model.services.iter().zip(&self.services) {
            let Some(stats) = result.services.get_mut(&service.name) else {
                continue;
            };
            // a measure nonzero in too few trials keeps no interval
            let rare = stats.lost_hours.rare;
            stats.lost_hours.mean = lost.mean;
            stats.lost_hours.ci95 = lost.known(rare);
            stats.availability = lost.availability(horizon, rare);
            // a horizon that carries no traffic reports the time-based
            // availability, as plain runs do
            let carried = crate::stats::traffic_carried(service, horizon);
            stats.availability_weighted = if carried > 0.0 {
                weighted.availability(carried, stats.availability_weighted.rare)
            } else {
                lost.availability(horizon, rare)
            };
            stats.cost.mean = cost.mean;
            stats.cost.ci95 = cost.known(stats.cost.rare);
            let key = format!("{} lost_hours", service.name);
            report.factors.insert(key.clone(), lost.adjusted.factor);
            report.floors.insert(key, lost.adjusted.floor);
        }
        result.cost.mean = self.total.mean;
        result.cost.ci95 = self.total.known(result.cost.rare);
        report
            .factors
            .insert("cost".to_string(), self.total.adjusted.factor);
        report
            .floors
            .insert("cost".to_string(), self.total.adjusted.floor);
        self.rejudge(model, result);
    }

    /// Judges the objectives on means again, on the controlled estimates of
    /// the document (those on percentiles keep the plain trials' verdicts).
    fn rejudge(&self, model: &Model, result: &mut RunResult) {
        let n = self.trials;
        for (o, verdict) in model.objectives.iter().zip(result.objectives.iter_mut()) {
            if o.statistic != Statistic::Mean {
                continue;
            }
            let rare_of = |s: usize| {
                let name = model.services.get(s).map(|x| &x.name);
                name.and_then(|n| result.services.get(n))
                    .and_then(|x| x.lost_hours.rare)
            };
            let (estimate, ci95, sd, rare) = match o.measure {
                Measure::Availability(s) => {
                    let Some([lost, ..]) = self.services.get(s) else {
                        continue;
                    };
                    let a = lost.availability(model.horizon, rare_of(s));
                    let sd = lost.adjusted.std_error / model.horizon;
                    (a.mean, a.ci95, sd, a.rare)
                }
                Measure::LostHours(s) => {
                    let Some([lost, ..]) = self.services.get(s) else {
                        continue;
                    };
                    let rare = rare_of(s);
                    (lost.mean, lost.known(rare), lost.adjusted.std_error, rare)
                }
                Measure::Cost => (
                    self.total.mean,
                    self.total.known(result.cost.rare),
                    self.total.adjusted.std_error,
                    result.cost.rare,
                ),
                Measure::DataLoss(_) => continue,
            };
            let view = MeanView {
                estimate,
                ci95,
                rare,
                // the per-trial spread whose standard error is the controlled one
                sd: sd * (n as f64).sqrt(),
                n,
            };
            *verdict = objective::report_mean(o, &view, model);
        }
    }
}

/// The sorted per-trial values of the main run, for the plots of a report.
fn trial_values(main: &[Sample]) -> TrialValues {
    let sorted = |mut v: Vec<f64>| {
        v.sort_unstable_by(f64::total_cmp);
        v
    };
    let services = main.first().map_or(0, |s| s.lost.len());
    TrialValues {
        cost: Values::Exact(sorted(main.iter().map(|s| s.total).collect())),
        lost_hours: (0..services)
            .map(|k| Values::Exact(sorted(main.iter().map(|s| s.lost[k]).collect())))
            .collect(),
    }
}

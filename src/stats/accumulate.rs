//! Accumulation of trial outcomes into the result document.

use rayon::prelude::*;

use super::objective::{self, Sample};
use super::result::{
    Distribution, EngineStats, Estimate, Mean, RunResult, ServiceStats, Unattributed,
};
use super::result::{PercentileSketch, Provenance};
use super::values::{Values, NO_VALUES};
use super::Moments;

/// How random numbers are drawn; part of every result document.
pub const RNG_SCHEME: &str = "ChaCha8 (chacha20 0.10, word for word the stream of rand_chacha 0.10) per failure process and routing policy, keyed by the seed and the FNV-1a of the target's names, stream = trial index";
use crate::engine::TrialOutcome;
use crate::model::{Measure, Model};

mod failure;
mod service;
mod summary;
use service::ServiceAccumulator;
pub use summary::{FailureSummary, Summary, ValueLists, SERVICE_MEASURES};

/// The traffic `service` carries over `[0, horizon)`, in hours at mean
/// weight: the denominator of its traffic-weighted availability (the
/// horizon itself when its traffic is flat).
pub fn traffic_carried(service: &crate::model::Service, horizon: f64) -> f64 {
    (service.traffic.as_ref()).map_or(horizon, |traffic| traffic.between(0.0, horizon))
}

/// The sample of a measure that does not exist.
const EMPTY: Sample<'static> = Sample {
    moments: &Moments {
        n: 0,
        mean: 0.0,
        m2: 0.0,
        nonzero: 0,
    },
    values: &NO_VALUES,
};

/// The per-trial values of a run, each list sorted ascending, or their
/// sketches when the run keeps its per-trial values sketched.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TrialValues {
    /// The scenario's cost of each trial (sorted), or its sketch.
    pub cost: Values,
    /// Per service, in model order: the lost-service hours of each trial
    /// (sorted), or their sketch when the run keeps per-service values
    /// sketched.
    pub lost_hours: Vec<Values>,
}

/// Sums over a contiguous block of trials; blocks merge in trial order.
#[derive(Debug, Clone, Default)]
pub struct Accumulator {
    services: Vec<ServiceAccumulator>,
    failures: Vec<FailureAccumulator>,
    /// Per cause of the scenario's failures, in order of first use.
    causes: Vec<FailureAccumulator>,
    /// Those causes.
    cause_names: Vec<crate::model::Cause>,
    /// The entry in `causes` of each failure.
    cause_of: Vec<usize>,
    /// The failures by name: the order they are added up in per cause (so
    /// that the sums do not depend on the order of the file).
    by_name: Vec<usize>,
    /// The trial's sums per cause: (occurrences, lost hours, cost, services hit).
    cause_sums: Vec<(u64, f64, f64, u64, u32)>,
    cost: Moments,
    /// The scenario's cost of each trial, or its sketch.
    cost_values: Values,
    events: u64,
    /// Lost hours no failure caused, and their cost.
    unattributed: (Moments, Moments),
}

#[derive(Debug, Clone, Copy, Default)]
struct FailureAccumulator {
    occurrences: Moments,
    lost: Moments,
    cost: Moments,
    blast_sum: u64,
    blast_max: u32,
    occurrence_total: u64,
}

impl Accumulator {
    /// An empty accumulator for `model`, with room for `trials` exact values.
    pub fn new(model: &Model, trials: usize) -> Accumulator {
        Accumulator::with_values(model, trials, false)
    }

    /// An empty accumulator for `model` that keeps its per-trial values (per
    /// service and the scenario's cost) as [sketches](super::Sketch) when
    /// `sketched`, else with room for `trials` exact values.
    pub fn with_values(model: &Model, trials: usize, sketched: bool) -> Accumulator {
        let service = |s: &crate::model::Service| {
            let keeps = (s.data.is_some(), s.sla.is_some());
            let kept = |keep: bool| if keep { trials } else { 0 };
            ServiceAccumulator {
                lost_values: Values::with_capacity(trials, sketched),
                downtime_values: Values::with_capacity(trials, sketched),
                cost_values: Values::with_capacity(trials, sketched),
                data_loss_values: Values::with_capacity(kept(keeps.0), sketched),
                credits_values: Values::with_capacity(kept(keeps.1), sketched),
                keeps,
                ..ServiceAccumulator::default()
            }
        };
        let mut causes: Vec<crate::model::Cause> = Vec::new();
        let cause_of = (model.failures.iter())
            .map(|f| match causes.iter().position(|&c| c == f.cause) {
                Some(k) => k,
                None => {
                    causes.push(f.cause);
                    causes.len() - 1
                }
            })
            .collect();
        let mut by_name: Vec<usize> = (0..model.failures.len()).collect();
        by_name.sort_by(|&a, &b| model.failures[a].name.cmp(&model.failures[b].name));
        Accumulator {
            services: model.services.iter().map(service).collect(),
            failures: vec![FailureAccumulator::default(); model.failures.len()],
            causes: vec![FailureAccumulator::default(); causes.len()],
            cause_names: causes,
            cause_of,
            by_name,
            cause_sums: Vec::new(),
            cost_values: Values::with_capacity(trials, sketched),
            ..Accumulator::default()
        }
    }

    /// Adds one trial.
    #[inline]
    pub fn push(&mut self, outcome: &TrialOutcome) {
        self.push_weighted(outcome, 1.0);
    }

    /// Adds one trial of weight `w` (its likelihood ratio under importance
    /// sampling): every mean becomes the mean of `w * x` (unbiased), its
    /// interval from their spread, so attributions still add up to the
    /// totals; counts of nonzero trials, events and blast radii stay raw,
    /// and so do the per-trial values (weighted percentiles are the
    /// caller's). With `w = 1` this is [`Accumulator::push`].
    #[inline(always)]
    pub fn push_weighted(&mut self, outcome: &TrialOutcome, w: f64) {
        for (acc, s) in self.services.iter_mut().zip(&outcome.services) {
            acc.lost.push_scaled(s.lost_hours, w);
            acc.downtime.push_scaled(s.downtime_hours, w);
            acc.degraded.push_scaled(s.degraded_hours, w);
            acc.outages.push_scaled(f64::from(s.outages), w);
            acc.cost.push_scaled(s.cost, w);
            acc.lost_values.push(s.lost_hours);
            acc.downtime_values.push(s.downtime_hours);
            acc.cost_values.push(s.cost);
            acc.push_mechanics(s, w);
        }
        for (acc, f) in self.failures.iter_mut().zip(&outcome.failures) {
            acc.push(
                (f.occurrences, w),
                f.lost_hours,
                f.cost,
                (f.blast_services, f.blast_max),
            );
        }
        self.push_causes(outcome, w);
        self.cost.push_scaled(outcome.cost, w);
        self.cost_values.push(outcome.cost);
        self.events += outcome.events;
        self.unattributed
            .0
            .push_scaled(outcome.unattributed_hours, w);
        self.unattributed
            .1
            .push_scaled(outcome.unattributed_cost, w);
    }

    /// Appends the trials of `next`, which must directly follow this block.
    pub fn merge(&mut self, next: Accumulator) {
        self.merge_moments(&next);
        self.merge_values(&next);
    }

    /// Merges the moments, counts and sums of `next` (whose trials must
    /// directly follow), not its per-trial values.
    pub fn merge_moments(&mut self, next: &Accumulator) {
        for (acc, other) in self.services.iter_mut().zip(&next.services) {
            acc.lost.merge(&other.lost);
            acc.downtime.merge(&other.downtime);
            acc.degraded.merge(&other.degraded);
            acc.outages.merge(&other.outages);
            acc.cost.merge(&other.cost);
            acc.merge_mechanics(other);
        }
        for (acc, other) in self.failures.iter_mut().zip(&next.failures) {
            acc.merge(other);
        }
        for (acc, other) in self.causes.iter_mut().zip(&next.causes) {
            acc.merge(other);
        }
        self.cost.merge(&next.cost);
        self.events += next.events;
        self.unattributed.0.merge(&next.unattributed.0);
        self.unattributed.1.merge(&next.unattributed.1);
    }

    /// Adds the trial's failures up per cause, in the order of their names.
    fn push_causes(&mut self, outcome: &TrialOutcome, w: f64) {
        self.cause_sums.clear();
        self.cause_sums
            .resize(self.causes.len(), (0, 0.0, 0.0, 0, 0));
        for &i in &self.by_name {
            let (Some(f), Some(&k)) = (outcome.failures.get(i), self.cause_of.get(i)) else {
                continue;
            };
            let sum = &mut self.cause_sums[k];
            sum.0 += f.occurrences;
            sum.1 += f.lost_hours;
            sum.2 += f.cost;
            sum.3 += f.blast_services;
            sum.4 = sum.4.max(f.blast_max);
        }
        for (acc, &(n, lost, cost, blast, max)) in self.causes.iter_mut().zip(&self.cause_sums) {
            acc.push((n, w), lost, cost, (blast, max));
        }
    }

    /// The per-trial values of `measure` (in trial order until [`finish`]
    /// sorts them) and their moments. Availability is judged from lost hours.
    ///
    /// [`finish`]: Accumulator::finish
    pub fn sample(&self, measure: Measure) -> Sample<'_> {
        let service = |s: usize| self.services.get(s);
        match measure {
            Measure::Availability(s) | Measure::LostHours(s) => match service(s) {
                Some(acc) => Sample {
                    moments: &acc.lost,
                    values: &acc.lost_values,
                },
                None => EMPTY,
            },
            Measure::Cost => Sample {
                moments: &self.cost,
                values: &self.cost_values,
            },
            Measure::DataLoss(s) => match service(s) {
                Some(acc) => Sample {
                    moments: &acc.data_loss,
                    values: &acc.data_loss_values,
                },
                None => EMPTY,
            },
        }
    }

    /// True when the per-trial values are sketched.
    pub fn sketched(&self) -> bool {
        (self.services.first()).is_some_and(|s| matches!(s.lost_values, Values::Sketch(_)))
    }

    /// Trials accumulated so far.
    pub fn trials(&self) -> u64 {
        self.cost.n
    }

    /// True when every objective of `model` is met or failed.
    pub fn objectives_decided(&self, model: &Model) -> bool {
        self.objectives_decided_by(model, self)
    }

    /// As [`Accumulator::objectives_decided`], with these moments and the
    /// per-trial values of `values`.
    pub fn objectives_decided_by(&self, model: &Model, values: &Accumulator) -> bool {
        model.objectives.iter().all(|o| {
            let sample = Sample {
                moments: self.sample(o.measure).moments,
                values: values.sample(o.measure).values,
            };
            objective::judge(o, sample, model.horizon).0 != super::Verdict::Undecided
        })
    }

    /// Half the width of the 95% CI of the mean of `measure` (an
    /// availability: of its lost hours); infinite when it is
    /// [rare](super::rare) (the document gives no CI).
    pub fn half_width(&self, measure: Measure) -> f64 {
        half_width(self.sample(measure).moments)
    }

    /// The result document. `seconds` is the wall-clock time of the run.
    pub fn finish(self, model: &Model, seed: u64, seconds: f64) -> RunResult {
        self.finish_with_values(model, seed, seconds).0
    }

    /// The result document and the per-trial values behind its percentiles,
    /// sorted (for plots: the loss exceedance curve, histograms).
    pub fn finish_with_values(
        mut self,
        model: &Model,
        seed: u64,
        seconds: f64,
    ) -> (RunResult, TrialValues) {
        let result = self.result(model, seed, seconds);
        let values = TrialValues {
            cost: std::mem::take(&mut self.cost_values),
            lost_hours: (self.services.iter_mut())
                .map(|acc| std::mem::take(&mut acc.lost_values))
                .collect(),
        };
        (result, values)
    }

    fn result(&mut self, model: &Model, seed: u64, seconds: f64) -> RunResult {
        // in parallel (on the caller's rayon pool): sorting each service's
        // per-trial values is the serial tail of a run
        let stats: Vec<ServiceStats> = (self.services.par_iter_mut())
            .zip(&model.services)
            .map(|(acc, service)| {
                acc.finish(model.horizon, traffic_carried(service, model.horizon))
            })
            .collect();
        let services = (stats.into_iter().enumerate())
            .map(|(s, mut stats)| {
                stats.infra_cost = model.infra_cost(s);
                (model.services[s].name.clone(), stats)
            })
            .collect();
        // the values are sorted now (for the percentiles); sort the cost's too
        self.cost_values.sort();
        let objectives = (model.objectives.iter())
            .map(|o| objective::report(o, self.sample(o.measure), model))
            .collect();
        let (failures, causes) = self.attributions(model);
        RunResult {
            scenario: model.name.clone(),
            seed,
            trials: self.cost.n,
            horizon_hours: model.horizon,
            services,
            cost: distribution(&self.cost, &mut self.cost_values),
            infra_cost: (0..model.services.len()).map(|s| model.infra_cost(s)).sum(),
            failures,
            causes,
            unattributed: Unattributed {
                lost_hours: estimate(&self.unattributed.0),
                cost: estimate(&self.unattributed.1),
            },
            engine: EngineStats {
                events: self.events,
                seconds,
            },
            variance_reduction: None,
            percentile_sketch: self.sketched().then(PercentileSketch::new),
            faultline: Provenance {
                version: env!("CARGO_PKG_VERSION").to_string(),
                rng: RNG_SCHEME.to_string(),
                scenario_fnv1a: format!("{:016x}", model.source_hash),
            },
            objectives,
            uncertainty: None,
            sensitivity: None,
        }
    }

    /// The failures' and the causes' attributions, by name.
    fn attributions(
        &self,
        model: &Model,
    ) -> (
        std::collections::BTreeMap<String, super::FailureStats>,
        std::collections::BTreeMap<String, super::CauseStats>,
    ) {
        let failures = (self.failures.iter().enumerate())
            .map(|(f, acc)| {
                (
                    model.failures[f].name.clone(),
                    acc.finish(model.failures[f].cause),
                )
            })
            .collect();
        let causes = (self.causes.iter().zip(&self.cause_names).enumerate())
            .map(|(k, (acc, cause))| {
                let names = (self.by_name.iter())
                    .filter(|&&f| self.cause_of[f] == k)
                    .map(|&f| model.failures[f].name.clone())
                    .collect();
                (format!("{cause:?}"), acc.finish_cause(names))
            })
            .collect();
        (failures, causes)
    }
}

/// Half the width of the 95% CI of a mean; infinite for a rare measure.
fn half_width(moments: &Moments) -> f64 {
    match super::rare::rare(moments) {
        Some(_) => f64::INFINITY,
        None => super::Z95 * moments.std_error(),
    }
}

/// The mean of a per-trial measure and its 95% confidence interval.
fn estimate(moments: &Moments) -> Estimate {
    let (ci95, rare) = objective::known_ci(moments);
    Estimate {
        mean: moments.mean,
        ci95,
        rare,
    }
}

/// The distribution of a per-trial measure. Without per-trial values (a
/// measure that is 0 in every trial for this scenario) every percentile is 0.
fn distribution(moments: &Moments, values: &mut Values) -> Distribution {
    values.sort();
    let (ci95, rare) = objective::known_ci(moments);
    Distribution {
        mean: moments.mean,
        ci95,
        rare,
        p50: values.percentile(0.5),
        p90: values.percentile(0.9),
        p99: values.percentile(0.99),
        max: values.max(),
    }
}

//! The result document of `run --format json` (SPEC section 4). These structs
//! are the schema: every field is documented, and more may be added.

use std::collections::BTreeMap;

use serde::Serialize;

use super::Rare;
use crate::model::Cause;

/// The whole result of a run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunResult {
    /// The scenario's name.
    pub scenario: String,
    /// The master seed used.
    pub seed: u64,
    /// Number of trials simulated.
    pub trials: u64,
    /// Length of one trial, hours.
    pub horizon_hours: f64,
    /// Per service, by name.
    pub services: BTreeMap<String, ServiceStats>,
    /// Scenario cost per trial: the sum over services.
    pub cost: Distribution,
    /// Infrastructure cost over one horizon, summed over services: replicas
    /// times `per_replica_month` times 12 per year, scaled by `horizon / 1y`.
    /// Fixed, not random; `cost` does not include it.
    pub infra_cost: f64,
    /// Per failure definition, by name.
    pub failures: BTreeMap<String, FailureStats>,
    /// Per cause (`Hardware`, `Power`, ...), by name: the failures of that
    /// cause added up, trial by trial. Only the causes of the scenario's
    /// failures appear.
    pub causes: BTreeMap<String, CauseStats>,
    /// Lost service no failure occurrence caused: a design whose capacity
    /// falls short of the demand with everything up. With the failures'
    /// attributions it adds up to the services' lost hours and to the
    /// scenario's cost (downtime, data loss and SLA credits).
    pub unattributed: Unattributed,
    /// How much work the engine did.
    pub engine: EngineStats,
    /// What produced this document.
    pub faultline: Provenance,
    /// The variance-reduction method behind the means and their intervals;
    /// absent for plain Monte Carlo.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variance_reduction: Option<VarianceReduction>,
    /// How the per-service percentiles were computed when the run had too
    /// many trials to keep every per-service value: from a quantile sketch
    /// with a bounded relative error. Absent when every percentile is exact.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub percentile_sketch: Option<PercentileSketch>,
    /// The scenario's objectives and their verdicts, in file order (absent
    /// when the scenario has none).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub objectives: Vec<ObjectiveResult>,
    /// With uncertain inputs: the draws, the inputs' laws and the spread
    /// of the per-draw means.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uncertainty: Option<crate::uncertainty::run::UncertaintyReport>,
    /// With uncertain inputs: the tornado, each input at its p5 and p95
    /// with the others at their p50, largest cost swing first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sensitivity: Option<Vec<crate::uncertainty::sensitivity::SensitivityEntry>>,
}

/// How the means were estimated when a variance-reduction method was used.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VarianceReduction {
    /// The method asked for, e.g. `control variates`.
    pub method: String,
    /// The estimator behind the document's means: `method`, or `plain Monte
    /// Carlo` when the method's assumptions failed for this scenario (see
    /// `fallback`).
    pub estimator: String,
    /// Why `method` was not used, when it was not: which assumption failed.
    /// The document then holds the plain trials' numbers, and `factors` and
    /// `floors` are empty.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fallback: Option<String>,
    /// Importance sampling: the number of failure processes whose rates
    /// were tilted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tilted_processes: Option<usize>,
    /// Importance sampling: which processes are tilted, and how much.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tilt: Option<String>,
    /// Control variates: what the controls are.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub controls: Option<String>,
    /// Control variates: trials of the independent pilot run that fitted
    /// the coefficients.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pilot_trials: Option<u64>,
    /// Control variates: histories of one process per failure behind the
    /// controls' exact means (with exact means from renewal theory, behind
    /// their boundary term only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference_histories: Option<u64>,
    /// Per measure: the variance of the plain mean over that of the
    /// controlled one (how many times fewer trials the same precision needs).
    pub factors: BTreeMap<String, f64>,
    /// Per measure: the part of the mean's standard error that more trials
    /// do not shrink (the error of the controls' means), in the measure's
    /// unit: no run of this method narrows the 95% interval below +- 1.96
    /// times it.
    pub floors: BTreeMap<String, f64>,
}

/// Where the percentiles of a run with too many trials to keep every
/// per-trial value come from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PercentileSketch {
    /// The method: `log-bucket quantile sketch (DDSketch)`.
    pub method: String,
    /// The bound `a` on the relative error of every sketched percentile
    /// (`|estimate - exact| <= a * |exact|`, for magnitudes above 1e-9).
    pub relative_error: f64,
    /// The measures whose percentiles (p50, p90, p99 and the intervals of
    /// percentile objectives) come from the sketch.
    pub sketched: String,
    /// What stays exact.
    pub exact: String,
}

impl PercentileSketch {
    /// The description of faultline's sketch.
    pub fn new() -> PercentileSketch {
        PercentileSketch {
            method: "log-bucket quantile sketch (DDSketch)".into(),
            relative_error: super::sketch::RELATIVE_ERROR,
            sketched: "p50, p90 and p99 of the scenario's cost and of each service's lost_hours, downtime_hours, cost, data_loss_hours and credits, and percentile objectives".into(),
            exact: "every mean and its ci95, every max, and zero values".into(),
        }
    }
}

impl Default for PercentileSketch {
    fn default() -> Self {
        PercentileSketch::new()
    }
}

/// What produced a result document, so that any result can be traced.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Provenance {
    /// faultline's version.
    pub version: String,
    /// The random number scheme (changing it changes every number).
    pub rng: String,
    /// FNV-1a (64 bit, hex) of the scenario file's bytes.
    pub scenario_fnv1a: String,
}

/// Measures of one service over trials.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServiceStats {
    /// `1 - lost_hours / horizon`, per trial.
    pub availability: Availability,
    /// Hours at s = 0, per trial.
    pub downtime_hours: Distribution,
    /// Hours at 0 < s < 1, per trial.
    pub degraded_hours: Mean,
    /// Full outages (entries into s = 0), per trial.
    pub outages: Mean,
    /// Money lost, per trial: `per_hour` times the (traffic-weighted) lost
    /// hours, plus `per_data_loss_hour` times the data loss, plus SLA credits.
    pub cost: Distribution,
    /// Lost-service hours, the integral of (1 - s), per trial.
    pub lost_hours: Distribution,
    /// Availability weighted by the traffic curve, the share of requests
    /// served: `1 - integral(w (1 - s)) / integral(w)` over the horizon
    /// (equal to `availability` without a traffic curve, or when the horizon
    /// carries no traffic).
    pub availability_weighted: Availability,
    /// Lost-service hours from load shedding (deployments over capacity), per trial.
    pub shed_hours: Mean,
    /// Overload collapses of its deployments, per trial.
    pub collapses: Mean,
    /// Completed failovers (ActivePassive, Manual), per trial.
    pub failovers: Mean,
    /// Failovers whose automated switch failed and needed a human, per trial.
    pub failed_failovers: Mean,
    /// Returns to the first deployment (`failback`), per trial.
    pub failbacks: Mean,
    /// Hours of writes lost, per trial.
    pub data_loss_hours: Distribution,
    /// SLA windows with a refund owed, per trial.
    pub sla_breaches: Mean,
    /// SLA credits owed (money), per trial; included in `cost`.
    pub credits: Distribution,
    /// Deployments of a recovery cycle still waiting on each other at the end
    /// of the horizon (cold-start deadlocks), per trial.
    pub recovery_deadlocks: Mean,
    /// Infrastructure cost of its deployments over one horizon: replicas
    /// times `per_replica_month` times 12 per year, scaled by `horizon / 1y`.
    pub infra_cost: f64,
}

/// Mean availability with its 95% confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Availability {
    /// Mean over trials.
    pub mean: f64,
    /// 95% confidence interval of the mean (`[0, 1]` from fewer than two
    /// trials: unknown); `None` (null) when the lost hours are rare.
    pub ci95: Option<[f64; 2]>,
    /// For a mean from fewer than ten nonzero trials (its `ci95` is then
    /// null): the nonzero trials and the upper bound on their chance.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rare: Option<Rare>,
}

/// A mean over trials.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Mean {
    /// Mean over trials.
    pub mean: f64,
}

/// Mean, confidence interval and percentiles of a per-trial measure.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Distribution {
    /// Mean over trials.
    pub mean: f64,
    /// 95% confidence interval of the mean (`[0, f64::MAX]` from fewer than
    /// two trials: unknown); `None` (null) when the measure is rare.
    pub ci95: Option<[f64; 2]>,
    /// For a mean from fewer than ten nonzero trials (its `ci95` is then
    /// null): the nonzero trials and the upper bound on their chance.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rare: Option<Rare>,
    /// Median over trials (nearest rank).
    pub p50: f64,
    /// 90th percentile over trials (nearest rank).
    pub p90: f64,
    /// 99th percentile over trials (nearest rank).
    pub p99: f64,
    /// Largest value of any trial.
    pub max: f64,
}

/// A mean over trials with its 95% confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Estimate {
    /// Mean over trials.
    pub mean: f64,
    /// 95% confidence interval of the mean; `None` (null) when the measure
    /// is rare.
    pub ci95: Option<[f64; 2]>,
    /// For a mean from fewer than ten nonzero trials (its `ci95` is then
    /// null): the nonzero trials and the upper bound on their chance.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rare: Option<Rare>,
}

/// Measures of one failure definition over trials.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FailureStats {
    /// Root cause class.
    pub cause: Cause,
    /// Occurrences per trial (all its targets together).
    pub occurrences: Mean,
    /// Services affected per occurrence.
    pub blast_radius: BlastRadius,
    /// Lost-service hours attributed to it, per trial, summed over services.
    pub lost_hours: Estimate,
    /// Money attributed to it, per trial: the downtime cost of its lost
    /// hours, the writes it lost or destroyed, and its part of SLA credits.
    pub cost: Estimate,
}

/// Measures of the failures of one cause over trials (their sums, trial by
/// trial).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CauseStats {
    /// The failure definitions of this cause, by name.
    pub failures: Vec<String>,
    /// Occurrences per trial.
    pub occurrences: Mean,
    /// Services affected per occurrence, over all its failures' occurrences.
    pub blast_radius: BlastRadius,
    /// Lost-service hours attributed to its failures, per trial.
    pub lost_hours: Estimate,
    /// Money attributed to its failures, per trial.
    pub cost: Estimate,
}

/// Services affected by one occurrence of a failure.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BlastRadius {
    /// Mean over all occurrences in all trials (0 when there were none).
    pub services_mean: f64,
    /// The most services any one occurrence affected.
    pub services_max: u32,
}

/// Lost service and money not attributed to any failure, per trial.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Unattributed {
    /// Lost-service hours, per trial.
    pub lost_hours: Estimate,
    /// Their downtime cost, and the data losses and SLA credits no failure
    /// caused (the credits' part of the unattributed lost hours), per trial.
    pub cost: Estimate,
}

/// Work done by the engine.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct EngineStats {
    /// State changes simulated over all trials (failures, repairs, routing actions).
    pub events: u64,
    /// Wall-clock seconds of the simulation (the only field that varies between runs).
    pub seconds: f64,
}

/// How one objective of the scenario fared.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ObjectiveResult {
    /// The objective in words, e.g. `web availability mean >= 0.9995`.
    pub name: String,
    /// The measure's key in this document: `availability`, `lost_hours`, `cost`.
    pub measure: String,
    /// The service measured (absent for the scenario's cost).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// The statistic judged: `mean`, or `p99` (nearest-rank quantile).
    pub statistic: String,
    /// `at_least` or `at_most`.
    pub bound: Bound,
    /// The target, in the measure's unit (a fraction, hours, money).
    pub target: f64,
    /// The statistic's estimate (the same number as elsewhere in this document).
    pub estimate: f64,
    /// Its 95% confidence interval: for a mean, the normal interval of the
    /// document (unknown from fewer than two trials: the measure's whole
    /// range, with `ci95_open: both`); for a quantile, the order statistics given by
    /// [`quantile_ci_ranks`](crate::stats::quantile_ci_ranks), clamped to the
    /// smallest and largest value when too few trials bound it (see `ci95_open`).
    /// `None` (null) for a mean of a rare measure (see `rare`): the
    /// objective is then undecided.
    pub ci95: Option<[f64; 2]>,
    /// For a mean of a measure nonzero in fewer than ten trials: the
    /// nonzero trials and the upper bound on their chance.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rare: Option<Rare>,
    /// `below`, `above` or `both` when the interval has no bound on that
    /// side yet (too few trials; a mean from fewer than two trials has none
    /// on either); absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ci95_open: Option<String>,
    /// `met`, `failed` or `undecided`.
    pub verdict: Verdict,
    /// For an undecided objective: about how many more trials would decide it,
    /// from the current standard error (absent when the estimate sits exactly
    /// on the target, which no number of trials decides, and for a mean from
    /// fewer than two trials, which has no standard error yet).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub more_trials: Option<u64>,
    /// With uncertain inputs and `confidence`: the share of draws that
    /// must meet the target, and the share whose mean does (`null` keys
    /// are left out).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confidence: Option<ConfidenceResult>,
}

/// How an objective with `confidence` fared over the draws.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ConfidenceResult {
    /// The share of draws that must meet the target.
    pub required: f64,
    /// The share of draws whose mean (point estimate) meets it.
    pub met_share: f64,
    /// The share whose whole CI meets it.
    pub surely_met_share: f64,
    /// The share whose whole CI misses it.
    pub surely_failed_share: f64,
}

/// The side of the target an objective asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Bound {
    /// The statistic must be at least the target (availability).
    AtLeast,
    /// The statistic must be at most the target (losses).
    AtMost,
}

/// An objective's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The whole 95% confidence interval is on the right side of the target.
    Met,
    /// The whole 95% confidence interval is on the wrong side.
    Failed,
    /// The interval straddles the target: more trials are needed.
    Undecided,
}

impl Verdict {
    /// The lowercase word of the document.
    pub fn word(self) -> &'static str {
        match self {
            Verdict::Met => "met",
            Verdict::Failed => "failed",
            Verdict::Undecided => "undecided",
        }
    }
}

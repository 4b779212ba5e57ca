//! Incident drills: what one outage of a domain would cost. Each trial is
//! simulated twice on the same random numbers: as the scenario says, and
//! with one extra outage of the domain, exactly `lasts` long, starting at
//! `at` (or at a uniform time in `[0, horizon - lasts]` drawn per trial from
//! the drill's own stream). The extra outage is one more failure process
//! appended to the model ([`crate::model::Once`]), keyed by its own stream,
//! so every process of the scenario draws exactly the numbers it draws
//! without it: the per-trial difference is the incident's doing alone.
//!
//! Recovery time: from the incident's end to the first moment at which every
//! service is back at the fraction it has at that moment without the
//! incident (0 when they already are when it ends; to the horizon when they
//! never are).

mod pairs;
mod render;

pub use pairs::{recovery_hours, Pair};
pub use render::{json, markdown, table, DrillDocument};

use std::sync::atomic::AtomicBool;

use crate::catalog::Effect;
use crate::model::{
    stream_key, Arrival, Cause, Distribution, DomainId, Failure, Model, Once, Process, Target,
};
use crate::montecarlo::{RunError, RunOptions, RunSettings};
use crate::stats::paired::{difference, Better};
use crate::stats::percentile;
use crate::stats::rare::{clopper_pearson_upper, RARE_BELOW};

/// The name of the drill's failure in the drilled model.
pub const DRILL_FAILURE: &str = "drill";

/// The incident to drill.
#[derive(Debug, Clone, PartialEq)]
pub struct Drill {
    /// The domain that fails: a provider, region or zone of the scenario.
    pub domain: DomainId,
    /// How long it is down (hours).
    pub lasts: f64,
    /// When it starts (hours); `None`: uniform per trial.
    pub at: Option<f64>,
    /// What it does to the domain.
    pub effect: Effect,
}

/// Why a drill cannot run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DrillError {
    /// The outage does not fit in the horizon.
    #[error("the drilled outage ({start} h + {lasts} h) ends after the horizon ({horizon} h)")]
    PastHorizon {
        /// Its start (0 when random).
        start: f64,
        /// Its duration.
        lasts: f64,
        /// The scenario's horizon.
        horizon: f64,
    },
    /// The run was refused or interrupted.
    #[error(transparent)]
    Run(#[from] RunError),
}

/// The paired differences of one measure over trials (with the incident
/// minus without), summarised.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// Mean difference.
    pub mean: f64,
    /// 95% CI of the mean (paired); `None` when fewer than [`RARE_BELOW`]
    /// trials differ.
    pub ci95: Option<[f64; 2]>,
    /// Nearest-rank percentiles of the per-trial difference.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Trials whose difference is not 0.
    pub nonzero_trials: u64,
    /// Exact (Clopper-Pearson) one-sided 95% upper bound on the chance
    /// that a trial's difference is not 0.
    pub p_nonzero_upper95: f64,
}

/// The per-service summaries of a drill.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceDrill {
    /// Extra lost-service hours.
    pub lost_hours: Summary,
    /// Extra hours at 0.
    pub downtime_hours: Summary,
    /// Extra money lost.
    pub cost: Summary,
    /// Extra hours of writes lost.
    pub data_loss_hours: Summary,
}

/// What a drill found.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The drill.
    pub drill: Drill,
    /// Trials run.
    pub trials: u64,
    /// Master seed.
    pub seed: u64,
    /// Per service, in model order.
    pub services: Vec<ServiceDrill>,
    /// Sums over services of the per-trial differences: lost hours,
    /// downtime, data loss.
    pub total_lost_hours: Summary,
    /// Total downtime hours (summed over services).
    pub total_downtime_hours: Summary,
    /// Total data loss hours (summed over services).
    pub total_data_loss_hours: Summary,
    /// Extra cost of the scenario.
    pub cost: Summary,
    /// Recovery time after the incident's end.
    pub recovery_hours: Summary,
}

/// The scenario with the drill's outage appended as one more failure
/// process, drawing from its own stream.
///
/// # Errors
/// [`DrillError::PastHorizon`] when the outage does not fit in the
/// horizon.
pub fn drilled_model(model: &Model, drill: &Drill) -> Result<Model, DrillError> {
    let start = drill.at.unwrap_or(0.0);
    if start + drill.lasts > model.horizon {
        return Err(DrillError::PastHorizon {
            start,
            lasts: drill.lasts,
            horizon: model.horizon,
        });
    }
    let mut drilled = model.clone();
    let path = drilled.domains[drill.domain].path.clone();
    drilled.failures.push(Failure {
        name: DRILL_FAILURE.to_string(),
        cause: Cause::Other,
        every: model.horizon,
        lasts: Distribution::Fixed(drill.lasts),
        destroys_data: false,
        once: Some(Once { at: drill.at }),
        effect: drill.effect,
        arrival: Arrival::Exp,
        crews: None,
    });
    drilled.processes.push(Process {
        failure: drilled.failures.len() - 1,
        target: Target::Domain(drill.domain),
        label: format!("{DRILL_FAILURE}/{path}"),
        stream_key: stream_key(&[b"drill", path.as_bytes()]),
        repair: None,
    });
    Ok(drilled)
}

/// Runs the drill: every trial with and without the incident.
///
/// # Errors
/// [`DrillError`] when the drill does not fit, or the run is refused or
/// interrupted.
pub fn drill(
    model: &Model,
    drill: &Drill,
    options: &RunOptions,
    stop: &AtomicBool,
) -> Result<Outcome, DrillError> {
    let settings = RunSettings::resolve(model, options);
    let drilled = drilled_model(model, drill)?;
    let pairs = pairs::run((model, &drilled), &settings, stop)?;
    Ok(summarise(model, drill, &settings, &pairs))
}

/// The summaries of the per-trial pairs.
fn summarise(model: &Model, drill: &Drill, settings: &RunSettings, pairs: &[Pair]) -> Outcome {
    let of = |f: &dyn Fn(&Pair) -> f64| summary(&pairs.iter().map(f).collect::<Vec<f64>>());
    let services = (0..model.services.len())
        .map(|s| ServiceDrill {
            lost_hours: of(&|p| p.services[s][0]),
            downtime_hours: of(&|p| p.services[s][1]),
            cost: of(&|p| p.services[s][2]),
            data_loss_hours: of(&|p| p.services[s][3]),
        })
        .collect();
    let total = |k: usize| of(&|p| p.services.iter().map(|v| v[k]).sum::<f64>());
    Outcome {
        drill: drill.clone(),
        trials: settings.trials,
        seed: settings.seed,
        services,
        total_lost_hours: total(0),
        total_downtime_hours: total(1),
        total_data_loss_hours: total(3),
        cost: of(&|p| p.cost),
        recovery_hours: of(&|p| p.recovery),
    }
}

/// Mean, paired 95% CI, percentiles and the nonzero count of per-trial
/// differences.
pub fn summary(differences: &[f64]) -> Summary {
    let zeros = vec![0.0; differences.len()];
    let paired = difference(&zeros, differences, Better::Lower);
    let nonzero = differences.iter().filter(|&&d| d != 0.0).count() as u64;
    let mut sorted = differences.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = differences.len() as u64;
    Summary {
        mean: paired.mean,
        ci95: (nonzero >= RARE_BELOW).then_some(paired.ci95),
        p50: percentile(&sorted, 0.5),
        p90: percentile(&sorted, 0.9),
        p99: percentile(&sorted, 0.99),
        nonzero_trials: nonzero,
        p_nonzero_upper95: clopper_pearson_upper(nonzero, n),
    }
}

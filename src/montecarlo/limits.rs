//! Limits on a run's work: a run is refused before it starts when it would
//! take far too long or need too much memory.

use super::{RunSettings, WorkLimits};
use crate::model::Model;

/// The most per-trial values kept for percentiles (bounds memory).
pub const MAX_STORED_VALUES: f64 = 1.5e8;

/// Why a run was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RunError {
    /// The run would take far too long.
    #[error("this run would simulate about {estimate:.2e} events, above the limit of {limit:.2e}")]
    TooManyEvents {
        /// Expected events of the run.
        estimate: f64,
        /// The limit in force.
        limit: f64,
    },
    /// One trial would need too much memory.
    #[error("one trial would simulate about {estimate:.2e} events, above the limit of {limit:.2e} per trial; `{failure}` alone accounts for {share:.2e}")]
    TrialTooLarge {
        /// The failure with the most expected events.
        failure: String,
        /// Its expected events per trial.
        share: f64,
        /// Expected events of one trial.
        estimate: f64,
        /// The limit.
        limit: f64,
    },
    /// A command of many runs would take far too long.
    #[error("its {runs} runs would simulate about {estimate:.2e} events in all, above the limit of {limit:.2e}")]
    TooManyRuns {
        /// The runs.
        runs: usize,
        /// Expected events of all of them (and what their trials handle).
        estimate: f64,
        /// The limit in force.
        limit: f64,
    },
    /// The services' timelines of one trial would hold too many changes.
    #[error("one trial's service timelines would hold about {estimate:.2e} changes (each holds those of everything it depends on), above the limit of {limit:.2e} per trial; `{service}` alone holds about {share:.2e}")]
    TimelinesTooLarge {
        /// The service whose timeline holds the most.
        service: String,
        /// Its changes per trial.
        share: f64,
        /// The changes of all timelines of one trial.
        estimate: f64,
        /// The limit.
        limit: f64,
    },
    /// A service's SLA would measure too many windows in one trial.
    #[error("the SLA of `{service}` measures about {windows:.2e} windows a trial (`horizon` / `window`), above the limit of {limit:.2e} per trial")]
    SlaWindows {
        /// The service.
        service: String,
        /// Its windows per trial.
        windows: f64,
        /// The limit.
        limit: f64,
    },
    /// The per-trial values kept for percentiles would not fit in memory.
    #[error(
        "keeping percentiles of {trials} trials for {services} services needs too much memory"
    )]
    TooManyValues {
        /// Memory the values would take.
        gib: f64,
        /// Trials requested.
        trials: u64,
        /// Services in the scenario.
        services: usize,
    },
    /// Zero trials were asked for.
    #[error("`--trials` must be at least 1")]
    NoTrials,
    /// A signal asked the run to stop before it finished.
    #[error("interrupted before the run finished; nothing was written")]
    Interrupted,
    /// The thread pool could not be built.
    #[error("could not start {0} worker threads")]
    Threads(usize),
    /// A shard's range does not start on a segment boundary (a defect).
    #[error("the shard's trials do not fit the run's segments: {0}")]
    Shard(String),
}

impl RunError {
    /// How to get past the error.
    pub fn hint(&self) -> Option<String> {
        match self {
            RunError::TooManyEvents { .. } => Some(
                "lower `trials` or the failure rates, or raise the limit with `--max-events`".into(),
            ),
            RunError::TrialTooLarge { .. } => Some(
                "check `every` and `horizon` for a unit mistake (`s` for `d`?), or raise the limit with `--max-trial-events`".into(),
            ),
            RunError::TooManyRuns { .. } => Some(
                "lower `--trials`, or raise the limit with `--max-events`".into(),
            ),
            RunError::TimelinesTooLarge { .. } => Some(
                "shorten the chain of dependencies or lower the failure rates, or raise the limit with `--max-trial-events`".into(),
            ),
            RunError::SlaWindows { .. } => Some(
                "check the unit of `window` (`s` for `d`?), or raise the limit with `--max-trial-events`".into(),
            ),
            RunError::TooManyValues { .. } => {
                Some("lower `--trials` (a run keeps at most 1.5e8 exact values: those of its percentiles until it sketches them, and one or more a trial for `compare`, `rank`, `explain` and `--variance-reduction`)".into())
            }
            _ => None,
        }
    }
}

/// Checks that a run is within reason before starting it.
///
/// # Errors
/// [`RunError`] with the estimate and the limit.
pub fn check_work(model: &Model, trials: u64, limits: &WorkLimits) -> Result<(), RunError> {
    if trials == 0 {
        return Err(RunError::NoTrials);
    }
    let by_failure = model.expected_events_by_failure();
    let per_trial = model.expected_events_per_trial();
    // a NaN estimate is refused too
    if per_trial.is_nan() || per_trial > limits.max_trial_events {
        let (worst, share) = by_failure
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1))
            .map_or((0, 0.0), |(i, &x)| (i, x));
        let collapses = model.collapse_events_bound();
        let (failure, share) = if collapses > share {
            ("overload: Collapse".to_string(), collapses)
        } else {
            let name = model.failures.get(worst).map(|f| f.name.clone());
            (name.unwrap_or_default(), share)
        };
        return Err(RunError::TrialTooLarge {
            failure,
            share,
            estimate: per_trial,
            limit: limits.max_trial_events,
        });
    }
    check_trial_work(model, limits.max_trial_events)?;
    let estimate = per_trial * trials as f64;
    if estimate.is_nan() || estimate > limits.max_events {
        return Err(RunError::TooManyEvents {
            estimate,
            limit: limits.max_events,
        });
    }
    // a sketched run keeps no per-trial value (its memory does not grow
    // with trials); an exact one keeps the per-service values and the cost
    if !sketches(model, trials, limits) {
        check_stored(model, trials, per_service_values(model) + 1.0)?;
    }
    Ok(())
}

/// Checks that `trials` trials of `model` keeping `per_trial` values each
/// (at 8 bytes a value) stay within [`MAX_STORED_VALUES`].
///
/// # Errors
/// [`RunError::TooManyValues`].
pub fn check_stored(model: &Model, trials: u64, per_trial: f64) -> Result<(), RunError> {
    if trials as f64 * per_trial > MAX_STORED_VALUES {
        return Err(RunError::TooManyValues {
            gib: trials as f64 * per_trial * 8.0 / (1u64 << 30) as f64,
            trials,
            services: model.services.len(),
        });
    }
    Ok(())
}

/// Checks a command made of `runs` runs of `model`'s size (such as `rank`,
/// one run per candidate): each run within the limits of [`check_work`],
/// and all of them together within [`WorkLimits::max_events`], counting
/// per trial its events plus one per failure process, definition and
/// service (what a trial handles however few events it has), and per run
/// one per process, service, deployment and replica (building its model).
///
/// # Errors
/// As [`check_work`], or [`RunError::TooManyRuns`].
pub fn check_runs(model: &Model, runs: usize, settings: &RunSettings) -> Result<(), RunError> {
    let (trials, limits) = (settings.trials, &settings.limits);
    check_work(model, trials, limits)?;
    let fixed = model.processes.len() + model.failures.len() + model.services.len();
    let per_trial = model.expected_events_per_trial() + fixed as f64;
    let size = model.processes.len()
        + model.services.len()
        + model.deployments.len()
        + model.replicas.len();
    let estimate = (per_trial * trials as f64 + size as f64) * runs as f64;
    if estimate.is_nan() || estimate > limits.max_events {
        return Err(RunError::TooManyRuns {
            runs,
            estimate,
            limit: limits.max_events,
        });
    }
    Ok(())
}

/// Checks the work of one trial beyond its events: the changes the
/// services' timelines hold ([`Model::timeline_changes`]) and each service's
/// SLA windows, both within `limit`.
///
/// # Errors
/// [`RunError::TimelinesTooLarge`] or [`RunError::SlaWindows`].
pub fn check_trial_work(model: &Model, limit: f64) -> Result<(), RunError> {
    let changes = model.timeline_changes();
    let estimate: f64 = changes.iter().sum();
    if estimate.is_nan() || estimate > limit {
        // the service with the most, among those with dependencies (where
        // the error is placed)
        let dependent = |s: usize| !model.services[s].depends_on.is_empty();
        let (worst, share) = (changes.iter().enumerate())
            .max_by(|a, b| {
                (dependent(a.0), a.1)
                    .partial_cmp(&(dependent(b.0), b.1))
                    .unwrap_or(std::cmp::Ordering::Equal)
            })
            .map_or((0, 0.0), |(s, &x)| (s, x));
        let service = model.services.get(worst).map(|s| s.name.clone());
        return Err(RunError::TimelinesTooLarge {
            service: service.unwrap_or_default(),
            share,
            estimate,
            limit,
        });
    }
    for (s, service) in model.services.iter().enumerate() {
        let windows = model.sla_windows(s);
        if windows.is_nan() || windows > limit {
            return Err(RunError::SlaWindows {
                service: service.name.clone(),
                windows,
                limit,
            });
        }
    }
    Ok(())
}

/// The per-service values a trial adds for percentiles: lost hours,
/// downtime and cost of every service, data loss and credits of those that
/// model them.
fn per_service_values(model: &Model) -> f64 {
    let extra: usize = model
        .services
        .iter()
        .map(|s| usize::from(s.data.is_some()) + usize::from(s.sla.is_some()))
        .sum();
    (3 * model.services.len() + extra) as f64
}

/// Whether a run of `trials` trials sketches its per-service values: when
/// keeping them all would exceed [`WorkLimits::max_exact_values`]. Decided
/// from the trial count alone, before the run, so that every way of running
/// those trials (any threads, shards merged) decides alike.
pub fn sketches(model: &Model, trials: u64, limits: &WorkLimits) -> bool {
    trials as f64 * per_service_values(model) > limits.max_exact_values
}

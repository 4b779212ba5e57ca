//! Many trials: in parallel with rayon, each from its own random streams, the
//! outcomes reduced in trial order so the result does not depend on the
//! number of threads.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Instant;

use rayon::prelude::*;

use crate::engine::{self, Plan, Workspace};
use crate::model::Model;
use crate::stats::{Accumulator, RunResult, TrialValues};

/// Trials per block. Blocks are the unit of parallel work and of merging; the
/// size is fixed, so the order of floating-point reductions is too.
pub const BLOCK_TRIALS: u64 = 64;

/// The default bound on the expected events of a whole run.
pub const DEFAULT_MAX_EVENTS: f64 = 5e10;

/// The default bound on the expected events of one trial (bounds memory per
/// thread: about 40 bytes an event).
pub const DEFAULT_MAX_TRIAL_EVENTS: f64 = 2e7;

/// The most per-trial values kept for percentiles (bounds memory).
pub const MAX_STORED_VALUES: f64 = 1.5e8;

/// Options of a run, overriding the scenario's defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct RunOptions {
    /// Number of trials (default: the scenario's).
    pub trials: Option<u64>,
    /// Master seed (default: the scenario's).
    pub seed: Option<u64>,
    /// Worker threads (default: all cores).
    pub threads: Option<usize>,
    /// Refuse runs whose expected events exceed this.
    pub max_events: f64,
    /// Refuse runs whose expected events in one trial exceed this.
    pub max_trial_events: f64,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            trials: None,
            seed: None,
            threads: None,
            max_events: DEFAULT_MAX_EVENTS,
            max_trial_events: DEFAULT_MAX_TRIAL_EVENTS,
        }
    }
}

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
            RunError::TooManyValues { .. } => {
                Some("lower `--trials` (a run is limited to 1.5e8 kept values: trials x (3 x services + 1))".into())
            }
            _ => None,
        }
    }
}

/// Checks that a run is within reason before starting it.
///
/// # Errors
/// [`RunError`] with the estimate and the limit.
pub fn check_work(model: &Model, trials: u64, options: &RunOptions) -> Result<(), RunError> {
    if trials == 0 {
        return Err(RunError::NoTrials);
    }
    let by_failure = model.expected_events_by_failure();
    let per_trial = model.expected_events_per_trial();
    // a NaN estimate is refused too
    if per_trial.is_nan() || per_trial > options.max_trial_events {
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
            limit: options.max_trial_events,
        });
    }
    let estimate = per_trial * trials as f64;
    if estimate.is_nan() || estimate > options.max_events {
        return Err(RunError::TooManyEvents {
            estimate,
            limit: options.max_events,
        });
    }
    let per_trial = stored_values_per_trial(model);
    if trials as f64 * per_trial > MAX_STORED_VALUES {
        return Err(RunError::TooManyValues {
            gib: trials as f64 * per_trial * 8.0 / (1u64 << 30) as f64,
            trials,
            services: model.services.len(),
        });
    }
    Ok(())
}

/// The per-trial values kept for exact percentiles: lost hours, downtime and
/// cost of every service, data loss and credits of those that model them,
/// and the scenario's cost.
fn stored_values_per_trial(model: &Model) -> f64 {
    let extra: usize = model
        .services
        .iter()
        .map(|s| usize::from(s.data.is_some()) + usize::from(s.sla.is_some()))
        .sum();
    (3 * model.services.len() + extra + 1) as f64
}

/// Runs the Monte Carlo simulation.
///
/// # Errors
/// [`RunError`] when the run is refused before it starts.
pub fn run(model: &Model, options: &RunOptions) -> Result<RunResult, RunError> {
    run_until(model, options, &AtomicBool::new(false))
}

/// Runs the Monte Carlo simulation until done or until `stop` is set (checked
/// before every trial, so a run stops within about a trial's time).
///
/// # Errors
/// [`RunError`] when the run is refused before it starts, or
/// [`RunError::Interrupted`] when `stop` was set.
pub fn run_until(
    model: &Model,
    options: &RunOptions,
    stop: &AtomicBool,
) -> Result<RunResult, RunError> {
    run_watched(model, options, stop, &AtomicU64::new(0)).map(|(result, _)| result)
}

/// As [`run_until`], adding 1 to `progress` after every trial (for a progress
/// bar polled by another thread), and returning the sorted per-trial values
/// next to the result (for plots).
///
/// # Errors
/// As [`run_until`].
pub fn run_watched(
    model: &Model,
    options: &RunOptions,
    stop: &AtomicBool,
    progress: &AtomicU64,
) -> Result<(RunResult, TrialValues), RunError> {
    run_core(model, options, (stop, progress), |_| ()).map(|(result, values, _)| (result, values))
}

/// As [`run_until`], also returning `sample(outcome)` of every trial, in
/// trial order: what paired comparisons of designs read.
///
/// # Errors
/// As [`run_until`].
pub fn run_sampled<T: Send>(
    model: &Model,
    options: &RunOptions,
    stop: &AtomicBool,
    sample: impl Fn(&engine::TrialOutcome) -> T + Sync,
) -> Result<(RunResult, Vec<T>), RunError> {
    run_core(model, options, (stop, &AtomicU64::new(0)), sample)
        .map(|(result, _, samples)| (result, samples))
}

/// The simulation behind every `run_*`: the result, the sorted per-trial
/// values, and `sample(outcome)` of every trial in trial order.
fn run_core<T: Send>(
    model: &Model,
    options: &RunOptions,
    (stop, progress): (&AtomicBool, &AtomicU64),
    sample: impl Fn(&engine::TrialOutcome) -> T + Sync,
) -> Result<(RunResult, TrialValues, Vec<T>), RunError> {
    let trials = options.trials.unwrap_or(model.trials);
    let seed = options.seed.unwrap_or(model.seed);
    check_work(model, trials, options)?;
    let mut model = model.clone();
    model.seed = seed;
    let plan = Plan::new(&model);
    let started = Instant::now();
    let blocks = trials.div_ceil(BLOCK_TRIALS);
    let simulate = || -> Vec<(Accumulator, Vec<T>)> {
        (0..blocks)
            .into_par_iter()
            .map_init(Workspace::default, |ws, block| {
                let first = block * BLOCK_TRIALS;
                let last = (first + BLOCK_TRIALS).min(trials);
                let mut acc = Accumulator::new(&model, (last - first) as usize);
                let mut samples = Vec::with_capacity((last - first) as usize);
                for trial in first..last {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    engine::run_trial(&model, &plan, trial, ws);
                    acc.push(ws.outcome());
                    samples.push(sample(ws.outcome()));
                    progress.fetch_add(1, Ordering::Relaxed);
                }
                (acc, samples)
            })
            .collect()
    };
    let results = in_pool(options.threads, simulate)?;
    if stop.load(Ordering::Relaxed) {
        return Err(RunError::Interrupted);
    }
    let mut total = Accumulator::new(&model, trials as usize);
    let mut samples = Vec::with_capacity(trials as usize);
    for (block, block_samples) in results {
        total.merge(block);
        samples.extend(block_samples);
    }
    let (result, values) = total.finish_with_values(&model, seed, started.elapsed().as_secs_f64());
    Ok((result, values, samples))
}

/// Runs `work` on `threads` worker threads (rayon's global pool when `None`).
fn in_pool<T: Send>(
    threads: Option<usize>,
    work: impl FnOnce() -> T + Send,
) -> Result<T, RunError> {
    match threads {
        Some(n) => Ok(rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .map_err(|_| RunError::Threads(n))?
            .install(work)),
        None => Ok(work()),
    }
}

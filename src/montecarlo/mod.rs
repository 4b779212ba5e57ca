//! Many trials: in parallel with rayon, each from its own random streams, the
//! outcomes reduced in trial order so the result does not depend on the
//! number of threads.
//!
//! A run's settings are resolved once ([`settings`]); its work is checked
//! against the limits before it starts ([`limits`]); every run goes through
//! one loop ([`execution`]), the ways of running being variants of one
//! [`Strategy`] ([`strategies`], [`variance`]; a shard's trials run in the
//! same loop, [`shard`]; so do the draws of uncertain inputs, as
//! [`variants`] of one run on the same trials); [`reduction`] reduces them
//! in a shape any split into shards reproduces.

pub mod execution;
pub mod limits;
pub mod precision;
pub mod reduction;
pub mod settings;
pub mod strategies;
pub mod variance;
pub mod variants;

use std::sync::atomic::{AtomicBool, AtomicU64};

pub use execution::{in_pool, window_trials, Pace, Trials, Watch, BLOCK_TRIALS};
pub use limits::{
    check_runs, check_stored, check_trial_work, check_work, sketches, RunError, MAX_STORED_VALUES,
};
pub use precision::Precision;
pub use reduction::{segment_start, Node, Reduced, Reducible, Reduction, SEGMENT_TRIALS};
pub use settings::{DefaultTrials, RunOptions, RunSettings, WorkLimits};
pub use settings::{
    DEFAULT_MAX_EVENTS, DEFAULT_MAX_EXACT_VALUES, DEFAULT_MAX_TRIAL_EVENTS, DEFAULT_PRECISION_CAP,
    DEFAULT_RANK_TRIALS,
};
pub use strategies::{shard, Strategy, PRECISION_BATCH_TRIALS};

use crate::engine::TrialOutcome;
use crate::model::Model;
use crate::stats::{RunResult, TrialValues};

/// Runs `model` with `settings` the way `strategy` says: the result document
/// and the sorted per-trial values behind it (for plots).
///
/// # Errors
/// [`RunError`] when the run is refused before it starts, or
/// [`RunError::Interrupted`] when `watch` says to stop.
pub fn execute(
    model: &Model,
    settings: &RunSettings,
    strategy: Strategy,
    watch: Watch<'_>,
) -> Result<(RunResult, TrialValues), RunError> {
    match strategy {
        Strategy::Plain => strategies::reduced(model, settings, (watch, None), |_| ()),
        Strategy::Precision(target) => {
            strategies::reduced(model, settings, (watch, Some(target)), |_| ())
        }
        Strategy::VarianceReduction(method) => {
            return variance::run_reduced_with(model, settings, method, watch.stop);
        }
        Strategy::ReducedToPrecision(method, target) => {
            let target = (target, watch.stop);
            return precision::run_reduced_to_precision(model, settings, method, target);
        }
    }
    .map(|(result, values, _)| (result, values))
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
    let settings = RunSettings::resolve(model, options);
    execute(model, &settings, Strategy::Plain, Watch { stop, progress })
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
    sample: impl Fn(&TrialOutcome) -> T + Sync,
) -> Result<(RunResult, Vec<T>), RunError> {
    run_sampled_with(model, &RunSettings::resolve(model, options), stop, sample)
}

/// As [`run_sampled`], with settings resolved by the caller (a command of
/// several runs resolves them once).
///
/// # Errors
/// As [`run_until`].
pub fn run_sampled_with<T: Send>(
    model: &Model,
    settings: &RunSettings,
    stop: &AtomicBool,
    sample: impl Fn(&TrialOutcome) -> T + Sync,
) -> Result<(RunResult, Vec<T>), RunError> {
    let watch = Watch {
        stop,
        progress: &AtomicU64::new(0),
    };
    strategies::reduced(model, settings, (watch, None), sample)
        .map(|(result, _, samples)| (result, samples))
}

/// [`Strategy::Precision`] with the settings of `options`, the cap
/// defaulting to [`DEFAULT_PRECISION_CAP`].
///
/// # Errors
/// As [`run_until`]; the work limits apply to the cap.
pub fn run_to_precision(
    model: &Model,
    options: &RunOptions,
    target: Precision,
    stop: &AtomicBool,
) -> Result<(RunResult, TrialValues), RunError> {
    let strategy = Strategy::Precision(target);
    let settings = RunSettings::resolve_for(model, options, strategy.default_trials());
    let watch = Watch {
        stop,
        progress: &AtomicU64::new(0),
    };
    execute(model, &settings, strategy, watch)
}

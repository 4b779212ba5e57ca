//! Many trials: in parallel with rayon, each from its own random streams, the
//! outcomes reduced in trial order so the result does not depend on the
//! number of threads.

use std::ops::Range;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Instant;

use rayon::prelude::*;

use crate::engine::{self, Plan, TrialOutcome, Workspace};
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

/// The most per-service values (trials x the per-service measures with
/// percentiles) a run keeps exactly, about 240 MB; above, per-service
/// percentiles come from a quantile sketch ([`crate::stats::Sketch`]) whose
/// memory does not grow with the trials. Every example runs far below it.
pub const DEFAULT_MAX_EXACT_VALUES: f64 = 3e7;

/// Blocks of a window hold at most about this many service accumulators:
/// finished blocks wait for the window to be merged in order, so this bounds
/// their memory whatever the number of trials.
const WINDOW_SERVICE_BLOCKS: usize = 1 << 16;

/// Options of a run, overriding the scenario's defaults: what a command
/// line says. [`RunSettings::resolve`] turns them into a run's settings.
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
    /// Keep per-service values for exact percentiles up to this many
    /// (trials x per-service measures), else sketch them.
    pub max_exact_values: f64,
}

impl Default for RunOptions {
    fn default() -> Self {
        let limits = WorkLimits::default();
        RunOptions {
            trials: None,
            seed: None,
            threads: None,
            max_events: limits.max_events,
            max_trial_events: limits.max_trial_events,
            max_exact_values: limits.max_exact_values,
        }
    }
}

impl RunOptions {
    /// The limits on the work of a run these options set.
    pub fn limits(&self) -> WorkLimits {
        WorkLimits {
            max_events: self.max_events,
            max_trial_events: self.max_trial_events,
            max_exact_values: self.max_exact_values,
        }
    }
}

/// The limits on a run's work (see [`check_work`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WorkLimits {
    /// Refuse runs whose expected events exceed this.
    pub max_events: f64,
    /// Refuse runs whose expected events in one trial exceed this.
    pub max_trial_events: f64,
    /// Keep per-service values for exact percentiles up to this many
    /// (trials x per-service measures), else sketch them.
    pub max_exact_values: f64,
}

impl Default for WorkLimits {
    fn default() -> Self {
        WorkLimits {
            max_events: DEFAULT_MAX_EVENTS,
            max_trial_events: DEFAULT_MAX_TRIAL_EVENTS,
            max_exact_values: DEFAULT_MAX_EXACT_VALUES,
        }
    }
}

/// Where a run's number of trials comes from when the options do not set it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DefaultTrials {
    /// The scenario's `trials`.
    Scenario,
    /// [`DEFAULT_PRECISION_CAP`]: the cap of a run to a precision.
    PrecisionCap,
    /// [`DEFAULT_RANK_TRIALS`]: each run of `rank`.
    Rank,
}

/// The trials of each run of `rank` unless `--trials` says otherwise.
pub const DEFAULT_RANK_TRIALS: u64 = 2000;

/// The settings of one run, resolved once from its [`RunOptions`] over the
/// scenario's defaults: every run of a command reads them from here.
#[derive(Debug, Clone, PartialEq)]
pub struct RunSettings {
    /// Number of trials (the cap, for a run to a precision).
    pub trials: u64,
    /// Master seed.
    pub seed: u64,
    /// Worker threads (`None`: all cores).
    pub threads: Option<usize>,
    /// The limits on the run's work.
    pub limits: WorkLimits,
}

impl RunSettings {
    /// The settings of a run of `model` with `options`: the options where
    /// they are set, else the scenario's trials and seed.
    pub fn resolve(model: &Model, options: &RunOptions) -> RunSettings {
        RunSettings::resolve_for(model, options, DefaultTrials::Scenario)
    }

    /// As [`RunSettings::resolve`], the trials defaulting to `default`.
    pub fn resolve_for(model: &Model, options: &RunOptions, default: DefaultTrials) -> RunSettings {
        let default_trials = match default {
            DefaultTrials::Scenario => model.trials,
            DefaultTrials::PrecisionCap => DEFAULT_PRECISION_CAP,
            DefaultTrials::Rank => DEFAULT_RANK_TRIALS,
        };
        RunSettings {
            trials: options.trials.unwrap_or(default_trials),
            seed: options.seed.unwrap_or(model.seed),
            threads: options.threads,
            limits: options.limits(),
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
                Some("lower `--trials` (a run keeps at most 1.5e8 exact values: one a trial for the scenario's cost, more for `compare`, `rank` and `--variance-reduction`)".into())
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
    let per_trial = if sketches(model, trials, limits) {
        1.0 // the scenario's cost
    } else {
        per_service_values(model) + 1.0
    };
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
    run_core(model, &settings, (stop, progress), |_| ()).map(|(result, values, _)| (result, values))
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
    sample: impl Fn(&engine::TrialOutcome) -> T + Sync,
) -> Result<(RunResult, Vec<T>), RunError> {
    run_core(model, settings, (stop, &AtomicU64::new(0)), sample)
        .map(|(result, _, samples)| (result, samples))
}

/// The simulation behind every `run_*`: the result, the sorted per-trial
/// values, and `sample(outcome)` of every trial in trial order.
fn run_core<T: Send>(
    model: &Model,
    settings: &RunSettings,
    (stop, progress): (&AtomicBool, &AtomicU64),
    sample: impl Fn(&engine::TrialOutcome) -> T + Sync,
) -> Result<(RunResult, TrialValues, Vec<T>), RunError> {
    let trials = settings.trials;
    check_work(model, trials, &settings.limits)?;
    let plan = Plan::seeded(model, settings.seed);
    let started = Instant::now();
    let sketched = sketches(model, trials, &settings.limits);
    let mut total = Accumulator::with_values(model, trials as usize, sketched);
    let mut samples = Vec::with_capacity(trials as usize);
    let finished = in_pool(settings.threads, || {
        let per_block = |model: &Model, trials: Trials<'_>| {
            let mut acc = Accumulator::new(model, trials.len());
            let mut samples = Vec::with_capacity(trials.len());
            trials.for_each(|outcome| {
                acc.push(outcome);
                samples.push(sample(outcome));
            });
            (acc, samples)
        };
        let watch = (stop, progress);
        simulate_windows(model, &plan, 0..trials, watch, per_block, |(block, s)| {
            total.merge(block);
            samples.extend(s);
        });
        finish_unless_stopped(total, model, settings.seed, started, stop)
    })?;
    let Some((result, values)) = finished else {
        return Err(RunError::Interrupted);
    };
    Ok((result, values, samples))
}

/// The result and per-trial values of `total`, unless the run was stopped.
/// Called inside the run's thread pool: the percentiles' sorts run on it.
fn finish_unless_stopped(
    total: Accumulator,
    model: &Model,
    seed: u64,
    started: Instant,
    stop: &AtomicBool,
) -> Option<(RunResult, TrialValues)> {
    let seconds = started.elapsed().as_secs_f64();
    (!stop.load(Ordering::Relaxed)).then(|| total.finish_with_values(model, seed, seconds))
}

/// As [`simulate`], a window of blocks at a time (see [`window_trials`]),
/// handing what `per_block` made of each block to `each`, in trial order.
/// A window is handed over while the next one is simulated (so the merge
/// does not idle the other threads): what waits is two windows, whatever
/// the range. Stops between windows when `stop` is set.
pub fn simulate_windows<T: Send>(
    model: &Model,
    plan: &Plan,
    range: Range<u64>,
    watch: (&AtomicBool, &AtomicU64),
    per_block: impl Fn(&Model, Trials<'_>) -> T + Sync,
    mut each: impl FnMut(T) + Send,
) {
    let mut done: Vec<T> = Vec::new();
    for window in windows(model, range) {
        if watch.0.load(Ordering::Relaxed) {
            break;
        }
        let handed = std::mem::take(&mut done);
        let (_, next) = rayon::join(
            || handed.into_iter().for_each(&mut each),
            || simulate(model, plan, window, watch, &per_block),
        );
        done = next;
    }
    done.into_iter().for_each(each);
}

/// The windows of `range`: [`window_trials`] long, each ending on a block
/// boundary (so no block is cut in two), in order.
pub fn windows(model: &Model, range: Range<u64>) -> impl Iterator<Item = Range<u64>> {
    let window = window_trials(model);
    let mut first = range.start;
    std::iter::from_fn(move || {
        (first < range.end).then(|| {
            let last = (first / BLOCK_TRIALS * BLOCK_TRIALS + window).min(range.end);
            let this = first..last;
            first = last;
            this
        })
    })
}

/// Trials simulated between two in-order merges: a whole number of blocks,
/// enough for every thread to stay busy (64 blocks each), few enough that
/// the finished blocks waiting to be merged stay small
/// ([`WINDOW_SERVICE_BLOCKS`]). The window does not change any number: the
/// blocks and their merge order are the same.
pub fn window_trials(model: &Model) -> u64 {
    let threads = rayon::current_num_threads().max(1);
    let by_memory = WINDOW_SERVICE_BLOCKS / model.services.len().max(1);
    let blocks = by_memory.min(64 * threads).max(4 * threads);
    blocks as u64 * BLOCK_TRIALS
}

/// Trials per batch of a [`run_to_precision`] run: 16 blocks, a fixed
/// number, so where a run stops depends only on the seed.
pub const PRECISION_BATCH_TRIALS: u64 = 16 * BLOCK_TRIALS;

/// The most trials a [`run_to_precision`] run simulates when
/// [`RunOptions::trials`] does not set the cap ([`DefaultTrials::PrecisionCap`]).
pub const DEFAULT_PRECISION_CAP: u64 = 1_000_000;

/// Runs batches of [`PRECISION_BATCH_TRIALS`] trials until every objective
/// is decided (met or failed), or the 95% CI of the mean lost hours of
/// every service an objective names (every service, when none does) is
/// narrower than `+- half_width` hours, or the cap is reached
/// ([`RunOptions::trials`], default [`DEFAULT_PRECISION_CAP`]). The result
/// is the document (and the per-trial values) of a plain run of as many trials.
///
/// # Errors
/// As [`run_until`]; the work limits apply to the cap.
pub fn run_to_precision(
    model: &Model,
    options: &RunOptions,
    half_width: f64,
    stop: &AtomicBool,
) -> Result<(RunResult, TrialValues), RunError> {
    let settings = RunSettings::resolve_for(model, options, DefaultTrials::PrecisionCap);
    let cap = settings.trials;
    check_work(model, cap, &settings.limits)?;
    let plan = Plan::seeded(model, settings.seed);
    let started = Instant::now();
    let sketched = sketches(model, cap, &settings.limits);
    let finished = in_pool(settings.threads, || {
        let mut total = Accumulator::with_values(model, 0, sketched);
        while total.trials() < cap && !stop.load(Ordering::Relaxed) {
            let first = total.trials();
            let last = (first + PRECISION_BATCH_TRIALS).min(cap);
            let watch = (stop, &AtomicU64::new(0));
            for block in simulate(model, &plan, first..last, watch, accumulate) {
                total.merge(block);
            }
            if precise_enough(model, &total, half_width) {
                break;
            }
        }
        finish_unless_stopped(total, model, settings.seed, started, stop)
    })?;
    finished.ok_or(RunError::Interrupted)
}

/// The stopping rule of [`run_to_precision`].
fn precise_enough(model: &Model, total: &Accumulator, half_width: f64) -> bool {
    if !model.objectives.is_empty() && total.objectives_decided(model) {
        return true;
    }
    let named: Vec<usize> = model
        .objectives
        .iter()
        .filter_map(|o| o.measure.service())
        .collect();
    let services = if named.is_empty() {
        (0..model.services.len()).collect()
    } else {
        named
    };
    services
        .into_iter()
        .all(|s| total.lost_half_width(s) < half_width)
}

/// Runs `work` on a pool of `threads` threads, or on rayon's global pool.
///
/// # Errors
/// [`RunError::Threads`] when the pool cannot be built.
pub fn in_pool<T: Send>(
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

/// Simulates the trials `range`, in parallel over the 64-trial blocks
/// `[64 b, 64 (b + 1))` it meets (cut to the range), and returns what
/// `per_block` made of each block, in trial order. Whatever the range, a
/// trial always belongs to the same block: this is what makes shards merge
/// into the very numbers of a single run.
pub fn simulate<T: Send>(
    model: &Model,
    plan: &Plan,
    range: Range<u64>,
    (stop, progress): (&AtomicBool, &AtomicU64),
    per_block: impl Fn(&Model, Trials<'_>) -> T + Sync,
) -> Vec<T> {
    if range.is_empty() {
        return Vec::new();
    }
    let blocks = (range.start / BLOCK_TRIALS)..range.end.div_ceil(BLOCK_TRIALS);
    // (listed: a range of u64 is not an indexed parallel iterator)
    let blocks: Vec<u64> = blocks.collect();
    let spare = Spare::default();
    blocks
        .into_par_iter()
        // one block a job: rayon otherwise stops splitting at a few large
        // pieces, and a thread with nothing left to steal idles while the
        // other finishes its piece (~0.1 s per window on W1)
        .with_max_len(1)
        .map(|block| {
            let first = (block * BLOCK_TRIALS).max(range.start);
            let last = ((block + 1) * BLOCK_TRIALS).min(range.end);
            let mut ws = spare.take();
            let made = per_block(
                model,
                Trials {
                    plan,
                    range: first..last,
                    stop,
                    progress,
                    ws: &mut ws,
                },
            );
            spare.give(ws);
            made
        })
        .collect()
}

/// Workspaces between blocks: a block takes one and gives it back, so a
/// thread reuses its buffers from block to block (a fresh workspace costs
/// page faults as its buffers grow: ~5% of a run when made per block).
/// A workspace holds nothing a trial reads before writing it.
#[derive(Default)]
struct Spare(std::sync::Mutex<Vec<Workspace>>);

impl Spare {
    /// A spare workspace, or a new one.
    fn take(&self) -> Workspace {
        self.list().pop().unwrap_or_default()
    }

    /// Keeps `ws` for the next block.
    fn give(&self, ws: Workspace) {
        self.list().push(ws);
    }

    /// The list (a panicked block's poison changes nothing in it).
    fn list(&self) -> std::sync::MutexGuard<'_, Vec<Workspace>> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The trials of one block, simulated one by one as they are iterated.
pub struct Trials<'a> {
    plan: &'a Plan,
    range: Range<u64>,
    stop: &'a AtomicBool,
    progress: &'a AtomicU64,
    ws: &'a mut Workspace,
}

impl Trials<'_> {
    /// The number of trials in the block.
    pub fn len(&self) -> usize {
        (self.range.end - self.range.start) as usize
    }

    /// True for a block without trials.
    pub fn is_empty(&self) -> bool {
        self.range.is_empty()
    }

    /// Calls `f` with the outcome of each trial in turn; stops early when
    /// the run is asked to stop.
    pub fn for_each(self, mut f: impl FnMut(&TrialOutcome)) {
        for trial in self.range {
            if self.stop.load(Ordering::Relaxed) {
                break;
            }
            if !engine::run_trial_until(self.plan, trial, self.ws, self.stop) {
                break;
            }
            f(self.ws.outcome());
            self.progress.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// The accumulator of one block.
fn accumulate(model: &Model, trials: Trials<'_>) -> Accumulator {
    let mut acc = Accumulator::new(model, trials.len());
    trials.for_each(|outcome| acc.push(outcome));
    acc
}

/// The accumulator of outcomes of trials `0, 1, 2, ...` pushed in trial
/// order, reduced exactly as [`run_until`] reduces them: pushed one by one
/// into 64-trial blocks, the blocks merged in order. So a merge of shards
/// gives the same floating-point numbers as a single run, and holds only one
/// block of outcomes at a time.
pub struct Reduction<'a> {
    model: &'a Model,
    total: Accumulator,
    block: Accumulator,
    in_block: u64,
}

impl<'a> Reduction<'a> {
    /// An empty reduction of a run of `trials` trials of `model` (which
    /// decide, with `limits`, whether the per-service values are sketched).
    pub fn new(model: &'a Model, trials: u64, limits: &WorkLimits) -> Reduction<'a> {
        let sketched = sketches(model, trials, limits);
        Reduction {
            model,
            total: Accumulator::with_values(model, trials as usize, sketched),
            block: Accumulator::new(model, BLOCK_TRIALS as usize),
            in_block: 0,
        }
    }

    /// Adds the outcome of the next trial.
    pub fn push(&mut self, outcome: &TrialOutcome) {
        self.block.push(outcome);
        self.in_block += 1;
        if self.in_block == BLOCK_TRIALS {
            self.flush();
        }
    }

    fn flush(&mut self) {
        let block = std::mem::replace(
            &mut self.block,
            Accumulator::new(self.model, BLOCK_TRIALS as usize),
        );
        self.total.merge(block);
        self.in_block = 0;
    }

    /// The accumulator of every trial pushed.
    pub fn finish(mut self) -> Accumulator {
        if self.in_block > 0 {
            self.flush();
        }
        self.total
    }
}

/// The accumulator of outcomes of trials `0..outcomes.len()` in trial
/// order, reduced as a [`Reduction`] reduces them.
pub fn reduce(model: &Model, outcomes: &[TrialOutcome], limits: &WorkLimits) -> Accumulator {
    let mut reduction = Reduction::new(model, outcomes.len() as u64, limits);
    outcomes.iter().for_each(|o| reduction.push(o));
    reduction.finish()
}

//! A run's settings: what the options say over the scenario's defaults,
//! resolved once ([`RunSettings::resolve`]), with every default here.

use crate::model::Model;

/// The default bound on the expected events of a whole run.
pub const DEFAULT_MAX_EVENTS: f64 = 5e10;

/// The default bound on the expected events of one trial (bounds memory per
/// thread: about 40 bytes an event).
pub const DEFAULT_MAX_TRIAL_EVENTS: f64 = 2e7;

/// The most per-service values (trials x the per-service measures with
/// percentiles) a run keeps exactly, about 240 MB; above, per-service
/// percentiles come from a quantile sketch ([`crate::stats::Sketch`]) whose
/// memory does not grow with the trials. Every example runs far below it.
pub const DEFAULT_MAX_EXACT_VALUES: f64 = 3e7;

/// The most trials a [`run_to_precision`] run simulates when
/// [`RunOptions::trials`] does not set the cap ([`DefaultTrials::PrecisionCap`]).
pub const DEFAULT_PRECISION_CAP: u64 = 1_000_000;

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

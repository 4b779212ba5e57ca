//! `faultline run`: simulate a scenario and write its result document (or,
//! with `--shard`, one shard's partial result).

use std::path::PathBuf;

use clap::ValueEnum;

use super::args::{positive_number, Limits, RunSettings};
use super::emit::OutputArgs;
use super::load::load_with;
use super::output::{stderr, Inputs, Problem};
use super::refusal::print_refusal;
use super::signals::Signals;
use super::{merge, progress, shard, Exit};
use crate::montecarlo::variance::Method;
use crate::montecarlo::DEFAULT_MAX_EXACT_VALUES;
use crate::montecarlo::{self, Precision, RunError, RunOptions, Strategy, Watch};
use crate::scenario;
use crate::shard::Shard;
use crate::stats::{RunResult, TrialValues};

/// Arguments of `run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// The scenario file (RON).
    pub scenario: PathBuf,
    /// Trials, seed and threads.
    #[command(flatten)]
    pub settings: RunSettings,
    /// Where and how to write the result, and how objectives decide the exit code.
    #[command(flatten)]
    pub output: OutputArgs,
    /// Run until the 95% CI half-width of every judged measure is at most this
    /// duration (e.g. `0.5h`), or, given as a share (e.g. `10%`), until the CI
    /// half-width of every judged measure is at most that share of its mean;
    /// `--trials` caps the run (default 1,000,000).
    #[arg(long, value_parser = Precision::parse, conflicts_with = "shard")]
    pub precision: Option<Precision>,
    /// Estimate the means with a variance-reduction method: the same
    /// precision from fewer trials (with control variates percentiles stay
    /// those of the trials; with importance sampling they are weighted).
    #[arg(long, value_enum, default_value_t = VarianceMethod::None, conflicts_with = "shard")]
    pub variance_reduction: VarianceMethod,
    /// Run only shard I of N (from 0): about trials [I n / N, (I + 1) n / N),
    /// cut on 1,024-trial segments. Writes a partial result for `faultline
    /// merge` to `--output` (or stdout). `auto`:
    /// I and N from the scheduler (Kubernetes Indexed Job, Slurm job array, or
    /// FAULTLINE_SHARD=I/N).
    #[arg(long, value_name = "I/N|auto", value_parser = shard::ShardArg::parse, conflicts_with_all = ["format", "junit", "strict"])]
    pub shard: Option<shard::ShardArg>,
    /// The number of shards of `--shard auto` where the scheduler does not
    /// give it (a Kubernetes Indexed Job: its `completions`).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..), requires = "shard")]
    pub shard_count: Option<u64>,
    /// The work a run refuses to start.
    #[command(flatten)]
    pub limits: Limits,
    /// Keep at most this many per-service values (trials x per-service
    /// measures) for exact percentiles, then sketch them (hidden: for tests).
    #[arg(long, hide = true, default_value_t = DEFAULT_MAX_EXACT_VALUES, value_parser = positive_number)]
    pub max_exact_values: f64,
    /// With uncertain inputs (`Between`, `Observed`): how many draws of
    /// them, each simulated on the same trials (ignored without).
    #[arg(long, default_value_t = crate::uncertainty::DEFAULT_DRAWS,
          value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub draws: u64,
}

/// Variance-reduction methods of `run`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum VarianceMethod {
    /// Plain Monte Carlo.
    None,
    /// Control variates on each failure's outages and outage hours.
    ControlVariates,
    /// The same controls with exact means (renewal theory): no floor from a
    /// reference simulation's error.
    ExactControls,
    /// Importance sampling: rare shared outages (zones, regions, providers,
    /// `All`, `Tagged`) made frequent, each trial weighted by its likelihood
    /// ratio.
    Importance,
}

impl RunArgs {
    /// `run` of `scenario` with the settings given and everything else at
    /// its default, writing `output` as given.
    pub fn plain(scenario: PathBuf, settings: RunSettings, output: OutputArgs) -> RunArgs {
        RunArgs {
            scenario,
            settings,
            output,
            precision: None,
            variance_reduction: VarianceMethod::None,
            shard: None,
            shard_count: None,
            limits: Limits::default(),
            max_exact_values: DEFAULT_MAX_EXACT_VALUES,
            draws: crate::uncertainty::DEFAULT_DRAWS,
        }
    }
}

/// `faultline run`.
pub fn run(args: &RunArgs) -> Exit {
    let mut inputs = Inputs::default();
    let Some(loaded) = load_with(&args.scenario, &[], &mut inputs) else {
        return Exit::Failure;
    };
    if let Err(e) = args.output.check(&inputs) {
        Problem::parse(&e.to_string()).print();
        return e.exit();
    }
    let options = RunOptions {
        max_exact_values: args.max_exact_values,
        ..args.settings.options(&args.limits)
    };
    let shard = match shard::resolve(args.shard, args.shard_count) {
        Ok(shard) => shard,
        Err(exit) => return exit,
    };
    let signals = Signals::register();
    if let Some(shard) = shard {
        return run_shard(args, &loaded, &options, shard, &signals);
    }
    if !loaded.model.uncertain.is_empty() {
        return super::uncertain::run(args, &loaded, &options, &signals);
    }
    match simulate(args, &loaded.model, &options, &signals) {
        Ok((result, values)) => {
            warn_fallback(&result);
            args.output.emit(&result, &loaded.model, &values)
        }
        Err(e) => refused(args, &loaded, &e, &signals),
    }
}

/// Runs the simulation `args` ask for: the strategy of its flags (a plain
/// run with a progress bar, to a precision, with a variance-reduction
/// method, or both) through the one execution path.
fn simulate(
    args: &RunArgs,
    model: &crate::model::Model,
    options: &RunOptions,
    signals: &Signals,
) -> Result<(RunResult, TrialValues), RunError> {
    let method = match args.variance_reduction {
        VarianceMethod::None => None,
        VarianceMethod::ControlVariates => Some(Method::ControlVariates),
        VarianceMethod::ExactControls => Some(Method::ExactControls),
        VarianceMethod::Importance => Some(Method::Importance),
    };
    let strategy = match (args.precision, method) {
        (Some(target), None) => Strategy::Precision(target),
        (Some(target), Some(method)) => Strategy::ReducedToPrecision(method, target),
        (None, Some(method)) => Strategy::VarianceReduction(method),
        (None, None) => Strategy::Plain,
    };
    let settings = montecarlo::RunSettings::resolve_for(model, options, strategy.default_trials());
    let stop = &signals.stop;
    if strategy == Strategy::Plain {
        progress::with_progress(settings.trials, |progress| {
            montecarlo::execute(model, &settings, strategy, Watch { stop, progress })
        })
    } else {
        let progress = &std::sync::atomic::AtomicU64::new(0);
        montecarlo::execute(model, &settings, strategy, Watch { stop, progress })
    }
}

/// `run --shard`: simulates one shard and writes its partial result.
fn run_shard(
    args: &RunArgs,
    loaded: &scenario::Loaded,
    options: &RunOptions,
    shard: Shard,
    signals: &Signals,
) -> Exit {
    let file = args.scenario.display().to_string();
    // the text the model was built from: the merged scenario when the
    // file uses `extends`; `load` accepted it, so it is UTF-8
    let source = match &loaded.composed {
        Some(c) => c.text.clone(),
        None => String::from_utf8_lossy(&loaded.bytes).into_owned(),
    };
    let output = args.output.output.as_deref();
    let written = merge::write_shard(
        &loaded.model,
        (&file, &source),
        options,
        (shard, args.draws, output),
        &signals.stop,
    );
    match written {
        Ok(()) => Exit::Success,
        Err(merge::ShardError::Run(e)) => refused(args, loaded, &e, signals),
        Err(merge::ShardError::Draw(e)) => {
            Problem::error(e.to_string()).in_file(&file, None).print();
            Exit::Failure
        }
        Err(merge::ShardError::Output(e)) => {
            Problem::parse(&e.to_string()).print();
            e.exit()
        }
    }
}

/// Says on stderr when a variance-reduction method fell back to plain Monte
/// Carlo, and why (the document says it too).
fn warn_fallback(result: &RunResult) {
    if let Some(vr) = &result.variance_reduction {
        if let Some(reason) = &vr.fallback {
            Problem::warning(format!(
                "--variance-reduction: {} not used, {} instead: {reason}",
                vr.method, vr.estimator
            ))
            .print();
        }
    }
}

/// Reports a run that did not finish: interrupted or refused.
pub(super) fn refused(
    args: &RunArgs,
    loaded: &scenario::Loaded,
    e: &RunError,
    signals: &Signals,
) -> Exit {
    if *e == RunError::Interrupted {
        stderr!(
            "{}: interrupted: nothing was written",
            crate::text::one_line(&args.scenario.display().to_string())
        );
        return signals.exit();
    }
    print_refusal(&args.scenario, loaded, e, args.settings.trials.is_none());
    Exit::Failure
}

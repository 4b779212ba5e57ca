//! Command-line interface: clap types and one function per subcommand.
//!
//! Output goes through [`output`]: one sink for stdout and files, and the
//! `stderr!` printer for diagnostics (`eprintln!` panics on a closed stderr).
#![deny(clippy::print_stdout, clippy::print_stderr)]

mod explain;
mod output;
mod progress;
mod report;
mod sensitivity;
mod uncertain;

pub use explain::{ExplainArgs, RankArgs, StoryFormat};
pub use report::{BlastArgs, BlastFormat, GraphArgs, GraphFormat, ReportArgs};

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use clap::{Parser, Subcommand, ValueEnum};

use crate::compare::CompareError;
use crate::model::Model;
use crate::montecarlo::{
    self, RunError, RunOptions, DEFAULT_MAX_EVENTS, DEFAULT_MAX_EXACT_VALUES,
    DEFAULT_MAX_TRIAL_EVENTS,
};
use crate::precision::Precision;
use crate::report::compare::{
    render as render_comparison, render_html as render_comparison_html, render_sweep, CompareFormat,
};
use crate::scenario;
use crate::shard::Shard;
use output::{stderr, Inputs, OutputError, OUTPUT};

mod emit;
mod merge;

/// faultline: what does an outage cost, and which design would have saved us?
#[derive(Debug, Parser)]
#[command(name = "faultline", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Simulate a scenario and report availability, downtime and cost.
    Run(RunArgs),
    /// Run several designs on common random numbers and compare each with the first.
    Compare(CompareArgs),
    /// Print the fully merged scenario (after `extends`, `remove` and `--set`) as RON.
    Show {
        /// The scenario file.
        scenario: PathBuf,
        /// Set the value at a dot path: `services.db.deployments.0.replicas=2`.
        #[arg(long = "set", value_name = "PATH=VALUE")]
        sets: Vec<String>,
    },
    /// Run a grid of variants of a scenario on common random numbers and mark the cheapest.
    Sweep(SweepArgs),
    /// Merge the partial results of `run --shard` into the result document.
    Merge(merge::MergeArgs),
    /// Validate scenarios without running them; exit 1 on any error.
    Check {
        /// Scenario files.
        #[arg(required = true)]
        scenarios: Vec<PathBuf>,
    },
    /// Simulate a scenario and write a self-contained HTML report.
    Report(ReportArgs),
    /// Print the dependency graph, domains as clusters (Mermaid or DOT).
    Graph(GraphArgs),
    /// What breaks if each domain or service fails alone (no simulation).
    Blast(BlastArgs),
    /// The story of one simulated horizon: each failure, what it changed, what it cost.
    Explain(ExplainArgs),
    /// What to fix next: the loss each failure and domain causes, on common random numbers.
    Rank(RankArgs),
    /// Which uncertain input drives the cost: each at its p5 and p95, the others at their p50.
    Sensitivity(sensitivity::SensitivityArgs),
}

/// Arguments of `run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// The scenario file (RON).
    pub scenario: PathBuf,
    /// Number of trials (overrides the scenario's `trials`).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    pub trials: Option<u64>,
    /// Master seed (overrides the scenario's `seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
    pub threads: Option<u16>,
    /// Where and how to write the result, and how objectives decide the exit code.
    #[command(flatten)]
    pub output: emit::OutputArgs,
    /// Run batches of 1024 trials until every objective is decided or the 95% CI
    /// of the lost hours of the objectives' services is narrower than +- this
    /// duration (e.g. `0.5h`), or, given as a share (e.g. `10%`), until the CI
    /// half-width of every judged measure is at most that share of its mean;
    /// `--trials` caps the run (default 1,000,000).
    #[arg(long, value_parser = Precision::parse, conflicts_with = "shard")]
    pub precision: Option<Precision>,
    /// Estimate the means with a variance-reduction method: the same
    /// precision from fewer trials (percentiles stay those of the trials).
    #[arg(long, value_enum, default_value_t = VarianceMethod::None, conflicts_with = "shard")]
    pub variance_reduction: VarianceMethod,
    /// Run only shard I of N (from 0): trials [I n / N, (I + 1) n / N). Writes a
    /// partial result for `faultline merge` to `--output` (or stdout).
    #[arg(long, value_parser = Shard::parse, conflicts_with_all = ["format", "junit", "strict"])]
    pub shard: Option<Shard>,
    /// Refuse runs expected to simulate more events than this.
    #[arg(long, default_value_t = DEFAULT_MAX_EVENTS, value_parser = positive_number)]
    pub max_events: f64,
    /// Refuse runs expected to simulate more events than this in one trial.
    #[arg(long, default_value_t = DEFAULT_MAX_TRIAL_EVENTS, value_parser = positive_number)]
    pub max_trial_events: f64,
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

/// Arguments of `compare`.
#[derive(Debug, clap::Args)]
pub struct CompareArgs {
    /// The designs (RON); the first is the baseline the others are compared with.
    #[arg(required = true, num_args = 2..)]
    pub designs: Vec<PathBuf>,
    /// Number of trials (default: the first design's `trials`).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    pub trials: Option<u64>,
    /// Master seed (default: the first design's `seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
    pub threads: Option<u16>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ComparisonFormat::Table)]
    pub format: ComparisonFormat,
    /// Write the output to this file (atomically) instead of stdout.
    #[arg(long)]
    pub output: Option<PathBuf>,
    /// Refuse runs expected to simulate more events than this (each design).
    #[arg(long, default_value_t = DEFAULT_MAX_EVENTS, value_parser = positive_number)]
    pub max_events: f64,
    /// Refuse runs expected to simulate more events than this in one trial.
    #[arg(long, default_value_t = DEFAULT_MAX_TRIAL_EVENTS, value_parser = positive_number)]
    pub max_trial_events: f64,
}

/// Arguments of `sweep`.
#[derive(Debug, clap::Args)]
pub struct SweepArgs {
    /// The scenario file (RON).
    pub scenario: PathBuf,
    /// Values to try at a dot path: `services.db.deployments.0.replicas=1,2,3`
    /// (repeat for a grid).
    #[arg(long = "set", value_name = "PATH=V1,V2,...", required = true, value_parser = parse_set)]
    pub sets: Vec<crate::sweep::SetArg>,
    /// Number of trials (overrides the scenario's `trials`).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    pub trials: Option<u64>,
    /// Master seed (overrides the scenario's `seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
    pub threads: Option<u16>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TextFormat::Table)]
    pub format: TextFormat,
    /// Write the output to this file (atomically) instead of stdout.
    #[arg(long)]
    pub output: Option<PathBuf>,
}

/// The most variants one sweep runs.
pub const MAX_VARIANTS: usize = 1000;

fn parse_set(text: &str) -> Result<crate::sweep::SetArg, String> {
    crate::sweep::SetArg::parse(text)
}

/// Output formats of `run` and `merge`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned text for a terminal.
    Table,
    /// The result document (SPEC section 4).
    Json,
    /// Markdown tables for a pull request or CI summary.
    Markdown,
    /// A self-contained HTML report with plots (as `faultline report`).
    Html,
}

/// Output formats of `compare` and `sweep`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TextFormat {
    /// Aligned text for a terminal.
    Table,
    /// The comparison (or sweep) document.
    Json,
    /// Markdown tables for a pull request or CI summary.
    Markdown,
}

/// Output formats of `compare`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ComparisonFormat {
    /// Aligned text for a terminal.
    Table,
    /// The comparison document.
    Json,
    /// Markdown tables for a pull request or CI summary.
    Markdown,
    /// A self-contained HTML page: the designs side by side, their paired
    /// differences and a chart of the TCO per design.
    Html,
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
}

/// Exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Success.
    Success = 0,
    /// An invalid scenario, a refused run or a failed objective.
    Failure = 1,
    /// A usage error (clap exits with 2 itself).
    Usage = 2,
    /// Stopped by SIGINT (Ctrl-C): 128 + 2.
    Interrupted = 130,
    /// Stopped by SIGTERM: 128 + 15.
    Terminated = 143,
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(e as u8)
    }
}

/// Runs the parsed command line.
pub fn main(cli: Cli) -> Exit {
    match cli.command {
        Command::Run(args) => run(&args),
        Command::Compare(args) => compare(&args),
        Command::Show { scenario, sets } => show(&scenario, &sets),
        Command::Sweep(args) => sweep(&args),
        Command::Merge(args) => merge::merge(&args),
        Command::Check { scenarios } => check(&scenarios),
        Command::Report(args) => report::report(&args),
        Command::Graph(args) => report::graph(&args),
        Command::Blast(args) => report::blast(&args),
        Command::Explain(args) => explain::explain(&args),
        Command::Rank(args) => explain::rank(&args),
        Command::Sensitivity(args) => sensitivity::run(&args),
    }
}

/// A finite number greater than zero, for the work limits.
fn positive_number(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(x) if x.is_finite() && x > 0.0 => Ok(x),
        _ => Err(format!("`{text}` is not a number greater than zero")),
    }
}

/// Reads and validates a scenario, printing diagnostics on failure; returns
/// the model and the file's bytes.
fn load(path: &Path) -> Option<(Model, Vec<u8>)> {
    load_with(path, &[], &mut Inputs::default()).map(|l| (l.model, l.bytes))
}

/// As [`load`], with `--set` edits, returning everything loaded and adding
/// every file read (the scenario and its `extends` bases) to `inputs`.
fn load_with(
    path: &Path,
    sets: &[scenario::compose::Assignment],
    inputs: &mut Inputs,
) -> Option<scenario::Loaded> {
    let name = path.display().to_string();
    let read = std::cell::RefCell::new(Vec::new());
    let reading = |p: &Path| {
        read.borrow_mut().push(p.to_path_buf());
        read_bounded(p)
    };
    let loaded = scenario::load_path(path, &name, &reading, sets);
    read.into_inner().iter().for_each(|p| inputs.add(p));
    match loaded {
        Ok(loaded) => {
            for warnings in &loaded.warnings {
                stderr!("{}", scenario::FileWarnings(warnings.clone()));
            }
            Some(loaded)
        }
        Err(diagnostics) => {
            for d in diagnostics {
                stderr!("{d}");
            }
            None
        }
    }
}

/// Reads a regular file, refusing to read more than the scenario size limit.
fn read_bounded(path: &Path) -> std::io::Result<Vec<u8>> {
    crate::input::read_regular(path, scenario::MAX_FILE_BYTES)
}

fn check(paths: &[PathBuf]) -> Exit {
    let mut ok = true;
    for path in paths {
        match load(path) {
            Some((model, _)) => stderr!(
                "{}: ok: {} service(s), {} failure process(es)",
                crate::text::one_line(&path.display().to_string()),
                model.services.len(),
                model.processes.len()
            ),
            None => ok = false,
        }
    }
    if ok {
        Exit::Success
    } else {
        Exit::Failure
    }
}

fn run(args: &RunArgs) -> Exit {
    let mut inputs = Inputs::default();
    let Some(loaded) = load_with(&args.scenario, &[], &mut inputs) else {
        return Exit::Failure;
    };
    let model = &loaded.model;
    if let Err(e) = args.output.check(&inputs) {
        stderr!("{e}");
        return e.exit();
    }
    let options = RunOptions {
        trials: args.trials,
        seed: args.seed,
        threads: args.threads.map(usize::from),
        max_events: args.max_events,
        max_trial_events: args.max_trial_events,
        max_exact_values: args.max_exact_values,
    };
    let signals = Signals::register();
    if !model.uncertain.is_empty() {
        return uncertain::run(args, &loaded, &options, &signals);
    }
    if let Some(shard) = args.shard {
        let file = args.scenario.display().to_string();
        // the text the model was built from: the merged scenario when the
        // file uses `extends`; `load` accepted it, so it is UTF-8
        let source = match &loaded.composed {
            Some(c) => c.text.clone(),
            None => String::from_utf8_lossy(&loaded.bytes).into_owned(),
        };
        let output = args.output.output.as_deref();
        let written = merge::write_shard(
            model,
            (&file, &source),
            &options,
            (shard, output),
            &signals.stop,
        );
        return match written {
            Ok(()) => Exit::Success,
            Err(merge::ShardError::Run(e)) => refused(args, &loaded, &e, &signals),
            Err(merge::ShardError::Output(e)) => {
                stderr!("{e}");
                e.exit()
            }
        };
    }
    let method = match args.variance_reduction {
        VarianceMethod::ControlVariates => Some(crate::variance::Method::ControlVariates),
        VarianceMethod::ExactControls => Some(crate::variance::Method::ExactControls),
        VarianceMethod::None => None,
    };
    let outcome = match (args.precision, method) {
        (Some(p), None) => montecarlo::run_to_precision(model, &options, p, &signals.stop),
        (Some(p), Some(method)) => {
            let target = (p, &*signals.stop);
            crate::precision::run_reduced_to_precision(model, &options, method, target)
        }
        (None, Some(method)) => {
            crate::variance::run_reduced(model, &options, method, &signals.stop)
        }
        (None, None) => {
            let total = options.trials.unwrap_or(model.trials);
            progress::with_progress(total, |counter| {
                montecarlo::run_watched(model, &options, &signals.stop, counter)
            })
        }
    };
    if let Ok((result, _)) = &outcome {
        warn_fallback(result);
    }
    match outcome {
        Ok((result, values)) => args.output.emit(&result, model, &values),
        Err(e) => refused(args, &loaded, &e, &signals),
    }
}

/// Says on stderr when a variance-reduction method fell back to plain Monte
/// Carlo, and why (the document says it too).
fn warn_fallback(result: &crate::stats::RunResult) {
    if let Some(vr) = &result.variance_reduction {
        if let Some(reason) = &vr.fallback {
            stderr!(
                "warning: --variance-reduction: {} not used, {} instead: {reason}",
                vr.method,
                vr.estimator
            );
        }
    }
}

/// Reports a run that did not finish: interrupted or refused.
fn refused(args: &RunArgs, loaded: &scenario::Loaded, e: &RunError, signals: &Signals) -> Exit {
    if *e == RunError::Interrupted {
        stderr!(
            "{}: interrupted: nothing was written",
            crate::text::one_line(&args.scenario.display().to_string())
        );
        return signals.exit();
    }
    report_refusal(args, loaded, e);
    Exit::Failure
}

fn compare(args: &CompareArgs) -> Exit {
    let mut designs = Vec::new();
    let mut inputs = Inputs::default();
    for path in &args.designs {
        match load_with(path, &[], &mut inputs) {
            Some(loaded) => designs.push((path.display().to_string(), loaded.model)),
            None => return Exit::Failure,
        }
    }
    if let Err(e) = check_output(args.output.as_deref(), &inputs) {
        stderr!("{e}");
        return e.exit();
    }
    let options = RunOptions {
        trials: args.trials,
        seed: args.seed,
        threads: args.threads.map(usize::from),
        max_events: args.max_events,
        max_trial_events: args.max_trial_events,
        ..RunOptions::default()
    };
    let signals = Signals::register();
    let comparison = match crate::compare::compare(&designs, &options, &signals.stop) {
        Ok(c) => c,
        Err(CompareError::Run {
            error: RunError::Interrupted,
            ..
        }) => {
            stderr!("compare: interrupted: nothing was written");
            return signals.exit();
        }
        Err(e) => {
            stderr!("error: {}", scenario::diagnostic::one_line(&e.to_string()));
            if let CompareError::Run { error, .. } = &e {
                if let Some(hint) = error.hint() {
                    stderr!("  hint: {hint}");
                }
            } else {
                stderr!("  hint: give every design the same `horizon`");
            }
            return Exit::Failure;
        }
    };
    let rendered = match args.format {
        ComparisonFormat::Table => render_comparison(&comparison, CompareFormat::Table),
        ComparisonFormat::Json => render_comparison(&comparison, CompareFormat::Json),
        ComparisonFormat::Markdown => render_comparison(&comparison, CompareFormat::Markdown),
        ComparisonFormat::Html => render_comparison_html(&comparison),
    };
    match rendered {
        Ok(text) => output::emit(OUTPUT, args.output.as_deref(), &text),
        Err(e) => {
            stderr!("error: {e}");
            Exit::Failure
        }
    }
}

fn show(path: &Path, sets: &[String]) -> Exit {
    let mut assignments = Vec::new();
    for set in sets {
        match crate::sweep::SetArg::parse(set) {
            Ok(arg) if arg.values.len() == 1 => {
                assignments.extend(
                    crate::sweep::grid(&[arg])
                        .into_iter()
                        .flat_map(|v| v.assignments),
                );
            }
            Ok(_) => {
                stderr!("error: `--set {set}` gives several values; `show` takes one");
                return Exit::Usage;
            }
            Err(e) => {
                stderr!("error: {e}");
                return Exit::Usage;
            }
        }
    }
    let Some(loaded) = load_with(path, &assignments, &mut Inputs::default()) else {
        return Exit::Failure;
    };
    let text = match loaded.composed {
        Some(c) => c.text,
        None => {
            let name = path.display().to_string();
            match scenario::compose::compose(path, &name, &read_bounded, &[]) {
                Ok(c) => c.text,
                Err(diagnostics) => {
                    diagnostics.iter().for_each(|d| stderr!("{d}"));
                    return Exit::Failure;
                }
            }
        }
    };
    output::emit(OUTPUT, None, &text)
}

fn sweep(args: &SweepArgs) -> Exit {
    let variants = crate::sweep::grid(&args.sets);
    if variants.len() > MAX_VARIANTS {
        stderr!(
            "error: the grid has {} variants; at most {MAX_VARIANTS} are run",
            variants.len()
        );
        return Exit::Failure;
    }
    let mut designs = Vec::new();
    let mut inputs = Inputs::default();
    for v in &variants {
        match load_with(&args.scenario, &v.assignments, &mut inputs) {
            Some(loaded) => designs.push((v.label.clone(), loaded.model)),
            None => return Exit::Failure,
        }
    }
    if let Err(e) = check_output(args.output.as_deref(), &inputs) {
        stderr!("{e}");
        return e.exit();
    }
    let options = RunOptions {
        trials: args.trials,
        seed: args.seed,
        threads: args.threads.map(usize::from),
        ..RunOptions::default()
    };
    let signals = Signals::register();
    // a variant qualifies when every objective of the scenario is met
    let meets = |_: usize, s: &crate::compare::DesignSummary| s.meets_objectives;
    let result = match crate::sweep::sweep(&designs, &options, &signals.stop, &meets) {
        Ok(s) => s,
        Err(CompareError::Run {
            error: RunError::Interrupted,
            ..
        }) => {
            stderr!("sweep: interrupted: nothing was written");
            return signals.exit();
        }
        Err(e) => {
            stderr!("error: {}", scenario::diagnostic::one_line(&e.to_string()));
            return Exit::Failure;
        }
    };
    match render_sweep(&result, compare_format(args.format)) {
        Ok(text) => output::emit(OUTPUT, args.output.as_deref(), &text),
        Err(e) => {
            stderr!("error: {e}");
            Exit::Failure
        }
    }
}

fn compare_format(format: TextFormat) -> CompareFormat {
    match format {
        TextFormat::Table => CompareFormat::Table,
        TextFormat::Json => CompareFormat::Json,
        TextFormat::Markdown => CompareFormat::Markdown,
    }
}

/// Flags set by SIGINT and SIGTERM while a run is simulating: the run stops
/// at the next trial and exits 130 or 143 without writing anything.
struct Signals {
    /// Set by either signal.
    stop: Arc<AtomicBool>,
    /// Set by SIGTERM only, to choose the exit code.
    terminated: Arc<AtomicBool>,
}

impl Signals {
    /// Registers the flags. Where that fails the signals keep their default
    /// action (the process dies at once, and `--output` is still left intact).
    fn register() -> Signals {
        use signal_hook::consts::{SIGINT, SIGTERM};
        let signals = Signals {
            stop: Arc::default(),
            terminated: Arc::default(),
        };
        for signal in [SIGINT, SIGTERM] {
            let _ = signal_hook::flag::register(signal, Arc::clone(&signals.stop));
        }
        let _ = signal_hook::flag::register(SIGTERM, Arc::clone(&signals.terminated));
        signals
    }

    fn exit(&self) -> Exit {
        if self.terminated.load(Ordering::Relaxed) {
            Exit::Terminated
        } else {
            Exit::Interrupted
        }
    }
}

/// Prints why a run was refused, at the field that made it too large where
/// that was written in the file (not when a flag such as `--trials` did).
fn report_refusal(args: &RunArgs, loaded: &scenario::Loaded, e: &RunError) {
    let bytes = match &loaded.composed {
        Some(c) => c.text.as_bytes(),
        None => &loaded.bytes,
    };
    let position = refusal_position(bytes, e, args.trials.is_none());
    let mut file =
        scenario::diagnostic::one_line(&args.scenario.display().to_string()).into_owned();
    // in a composed scenario, the file of the chain that wrote the field
    let position = match (&loaded.composed, position) {
        (Some(c), Some(p)) => {
            let (source, p) = c.origin(p);
            file = c.sources.get(source).map_or(file, |s| s.name.clone());
            Some(p)
        }
        (_, p) => p,
    };
    let message = scenario::diagnostic::one_line(&e.to_string()).into_owned();
    match position {
        Some(p) => stderr!("{file}:{}:{}: error: {message}", p.line, p.col),
        None => stderr!("{file}: error: {message}"),
    }
    if let Some(hint) = e.hint() {
        stderr!("  hint: {hint}");
    }
}

/// Why `--output` (if given) cannot be written or would overwrite one of
/// `inputs`, checked before a long run rather than after.
fn check_output(path: Option<&Path>, inputs: &Inputs) -> Result<(), OutputError> {
    path.map_or(Ok(()), |p| output::check(OUTPUT, p, inputs))
}

/// `FILE:LINE:COL: error: MESSAGE` and the hint of a refused run of the
/// scenario at `path` (with its bytes), for the commands other than `run`.
fn print_refusal(path: &Path, bytes: &[u8], e: &RunError, trials_from_file: bool) {
    let file = crate::text::one_line(&path.display().to_string()).into_owned();
    let message = scenario::diagnostic::one_line(&e.to_string()).into_owned();
    match refusal_position(bytes, e, trials_from_file) {
        Some(p) => stderr!("{file}:{}:{}: error: {message}", p.line, p.col),
        None => stderr!("{file}: error: {message}"),
    }
    if let Some(hint) = e.hint() {
        stderr!("  hint: {hint}");
    }
}

/// Where the field that made a run too large is written (`trials` only when
/// the file set them).
fn refusal_position(
    bytes: &[u8],
    e: &RunError,
    trials_from_file: bool,
) -> Option<scenario::Position> {
    match e {
        RunError::TooManyEvents { .. } | RunError::TooManyValues { .. } if trials_from_file => {
            scenario::field_position(bytes, None, "trials")
        }
        RunError::TrialTooLarge { failure, .. } => {
            scenario::field_position(bytes, Some(failure), "every")
        }
        RunError::TimelinesTooLarge { service, .. } => {
            scenario::service_field_position(bytes, service, &["depends_on"])
        }
        RunError::SlaWindows { service, .. } => {
            scenario::service_field_position(bytes, service, &["sla", "window"])
        }
        RunError::TooManyRuns { .. } => scenario::field_position(bytes, None, "failures"),
        _ => None,
    }
}

/// `FILE:LINE:COL` of `field` (inside the failure named `failure`, if
/// any) in a scenario's bytes, or `FILE` when it cannot be found.
fn located(path: &Path, bytes: &[u8], failure: Option<&str>, field: &'static str) -> String {
    let file = crate::text::one_line(&path.display().to_string()).into_owned();
    match scenario::field_position(bytes, failure, field) {
        Some(p) => format!("{file}:{}:{}", p.line, p.col),
        None => file.to_string(),
    }
}

/// Writes `bytes` to `path` as `--output` does: a regular file (or a new
/// one) is replaced atomically (a temporary file in the same folder renamed
/// over it), so a reader never sees a half-written file and an interrupted
/// run leaves the old one intact; a FIFO or character device is written in
/// place.
///
/// # Errors
/// Any I/O error, or a path `--output` refuses (a folder, a symbolic link to
/// a regular file, a block device); a temporary file is removed.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    output::write(OUTPUT, Some(path), bytes).map_err(std::io::Error::other)
}

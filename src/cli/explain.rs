//! The commands that look inside the simulation: `explain` (the story of one
//! trial) and `rank` (what to fix next).

use std::path::PathBuf;

use clap::ValueEnum;

use super::output::stderr;
use super::report::print_document;
use super::{load, positive_number, print_refusal, read_bounded, Exit, Signals};
use crate::explain::{self, ExplainError, Pick};
use crate::montecarlo::{DefaultTrials, RunError, RunOptions, RunSettings};
use crate::montecarlo::{DEFAULT_MAX_EVENTS, DEFAULT_MAX_TRIAL_EVENTS};
use crate::rank::{self, Change};
use crate::scenario::{self, compose::Assignment};

/// Arguments of `explain`.
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("which").required(true).args(["trial", "worst", "percentile"])))]
pub struct ExplainArgs {
    /// The scenario file (RON).
    pub scenario: PathBuf,
    /// Explain trial N (numbered from 0; must be below the number of trials).
    #[arg(long)]
    pub trial: Option<u64>,
    /// Explain the trial with the highest cost (`--percentile 100`).
    #[arg(long)]
    pub worst: bool,
    /// Explain the trial at this percentile of the cost per trial (0 < P <= 100).
    #[arg(long, value_parser = percentile)]
    pub percentile: Option<f64>,
    /// Number of trials of the run the trial is picked from (overrides the scenario's `trials`).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    pub trials: Option<u64>,
    /// Master seed (overrides the scenario's `seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads for the run that finds a percentile. The choice does not depend on it.
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
    pub threads: Option<u16>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = StoryFormat::Table)]
    pub format: StoryFormat,
    /// Refuse runs expected to simulate more events than this.
    #[arg(long, default_value_t = DEFAULT_MAX_EVENTS, value_parser = positive_number)]
    pub max_events: f64,
    /// Refuse runs expected to simulate more events than this in one trial.
    #[arg(long, default_value_t = DEFAULT_MAX_TRIAL_EVENTS, value_parser = positive_number)]
    pub max_trial_events: f64,
}

/// Formats of `explain` and `rank`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StoryFormat {
    /// Aligned text for a terminal.
    Table,
    /// A JSON document.
    Json,
    /// Markdown for a pull request.
    Markdown,
}

/// A percentile in (0, 100].
fn percentile(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(p) if p > 0.0 && p <= 100.0 => Ok(p),
        _ => Err(format!(
            "`{text}` is not a percentile above 0 and at most 100"
        )),
    }
}

/// `faultline explain`.
pub fn explain(args: &ExplainArgs) -> Exit {
    let Some((model, bytes)) = load(&args.scenario) else {
        return Exit::Failure;
    };
    let pick = match (args.trial, args.percentile) {
        (Some(n), _) => Pick::Trial(n),
        (None, Some(p)) => Pick::Percentile(p),
        (None, None) => Pick::Percentile(100.0),
    };
    let options = RunOptions {
        trials: args.trials,
        seed: args.seed,
        threads: args.threads.map(usize::from),
        max_events: args.max_events,
        max_trial_events: args.max_trial_events,
        ..RunOptions::default()
    };
    let signals = Signals::register();
    let explained = match explain::explain(&model, &options, pick, &signals.stop) {
        Ok(e) => e,
        Err(ExplainError::Run(RunError::Interrupted)) => {
            stderr!(
                "{}: interrupted",
                crate::text::one_line(&args.scenario.display().to_string())
            );
            return signals.exit();
        }
        Err(ExplainError::Run(e)) => {
            print_refusal(&args.scenario, &bytes, &e, args.trials.is_none());
            return Exit::Failure;
        }
        Err(e) => {
            stderr!(
                "{}: error: {e}",
                crate::text::one_line(&args.scenario.display().to_string())
            );
            if let Some(hint) = e.hint() {
                stderr!("  hint: {hint}");
            }
            return Exit::Failure;
        }
    };
    let text = match args.format {
        StoryFormat::Table => Ok(explain::table(&model, &explained)),
        StoryFormat::Markdown => Ok(explain::markdown(&model, &explained)),
        StoryFormat::Json => explain::json(&model, &explained),
    };
    print_document("explain", text)
}

/// Arguments of `rank`.
#[derive(Debug, clap::Args)]
pub struct RankArgs {
    /// The scenario file (RON).
    pub scenario: PathBuf,
    /// Trials of each run (default 2000: one run per candidate).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    pub trials: Option<u64>,
    /// Master seed (overrides the scenario's `seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
    pub threads: Option<u16>,
    /// Rows to show of each list.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..))]
    pub top: u64,
    /// Output format.
    #[arg(long, value_enum, default_value_t = StoryFormat::Table)]
    pub format: StoryFormat,
    /// Refuse runs expected to simulate more events than this (all runs together).
    #[arg(long, default_value_t = DEFAULT_MAX_EVENTS, value_parser = positive_number)]
    pub max_events: f64,
    /// Refuse runs expected to simulate more events than this in one trial.
    #[arg(long, default_value_t = DEFAULT_MAX_TRIAL_EVENTS, value_parser = positive_number)]
    pub max_trial_events: f64,
}

/// `faultline rank`.
pub fn rank(args: &RankArgs) -> Exit {
    let Some((model, bytes)) = load(&args.scenario) else {
        return Exit::Failure;
    };
    let options = RunOptions {
        trials: args.trials,
        seed: args.seed,
        threads: args.threads.map(usize::from),
        max_events: args.max_events,
        max_trial_events: args.max_trial_events,
        ..RunOptions::default()
    };
    let priced = rank::changes::priced(&model);
    // refused before the changes are loaded (one load of the file each)
    let changes = if priced {
        rank::changes(&model).len()
    } else {
        0
    };
    let runs = 1 + model.failures.len() + model.domains.len() + changes;
    let settings = RunSettings::resolve_for(&model, &options, DefaultTrials::Rank);
    if let Err(e) = crate::montecarlo::check_runs(&model, runs, &settings) {
        print_refusal(&args.scenario, &bytes, &e, false);
        return Exit::Failure;
    }
    let changes = if priced {
        design_changes(args, &model)
    } else {
        Vec::new()
    };
    let signals = Signals::register();
    let ranking = match rank::rank(&model, &options, &changes, &signals.stop) {
        Ok(r) => r,
        Err(RunError::Interrupted) => {
            stderr!(
                "{}: interrupted",
                crate::text::one_line(&args.scenario.display().to_string())
            );
            return signals.exit();
        }
        Err(e) => {
            print_refusal(&args.scenario, &bytes, &e, false);
            return Exit::Failure;
        }
    };
    let top = usize::try_from(args.top).unwrap_or(usize::MAX);
    let text = match args.format {
        StoryFormat::Table => Ok(rank::table(&model, &ranking, top)),
        StoryFormat::Markdown => Ok(rank::markdown(&model, &ranking, top)),
        StoryFormat::Json => rank::json(&model, &ranking, top),
    };
    print_document("rank", text)
}

/// The built-in changes that load as valid scenarios, each with its model
/// (a change the scenario refuses, say a replica past a limit, is left out
/// with a note).
fn design_changes(
    args: &RankArgs,
    model: &crate::model::Model,
) -> Vec<(Change, crate::model::Model)> {
    let name = crate::text::one_line(&args.scenario.display().to_string()).into_owned();
    let mut out = Vec::new();
    for change in rank::changes(model) {
        let sets: Vec<Assignment> = change.sets.iter().filter_map(|s| assignment(s)).collect();
        match scenario::load_path(&args.scenario, &name, &read_bounded, &sets) {
            Ok(loaded) => out.push((change, loaded.model)),
            Err(_) => stderr!(
                "{name}: note: left out `{}`: the scenario refuses it",
                change.label
            ),
        }
    }
    out
}

/// `PATH=VALUE` as an edit.
fn assignment(text: &str) -> Option<Assignment> {
    let eq = text.find('=')?;
    Some(Assignment {
        argument: text.to_string(),
        path: 0..eq,
        value: eq + 1..text.len(),
    })
}

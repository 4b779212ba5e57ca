//! The commands that look inside the simulation: `explain` (the story of one
//! trial) and `rank` (what to fix next).

use std::path::PathBuf;

use clap::ValueEnum;

use super::report::print;
use super::{load, Exit, Signals};
use crate::explain::{self, ExplainError, Pick};
use crate::montecarlo::{RunError, RunOptions};

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
    let Some((model, _)) = load(&args.scenario) else {
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
        ..RunOptions::default()
    };
    let signals = Signals::register();
    let explained = match explain::explain(&model, &options, pick, &signals.stop) {
        Ok(e) => e,
        Err(ExplainError::Run(RunError::Interrupted)) => {
            eprintln!("{}: interrupted", args.scenario.display());
            return signals.exit();
        }
        Err(e) => {
            eprintln!("{}: error: {e}", args.scenario.display());
            if let Some(hint) = e.hint() {
                eprintln!("  hint: {hint}");
            }
            return Exit::Failure;
        }
    };
    let text = match args.format {
        StoryFormat::Table => explain::table(&model, &explained),
        StoryFormat::Markdown => explain::markdown(&model, &explained),
        StoryFormat::Json => match explain::json(&model, &explained) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("error: could not write the explain document: {e}");
                return Exit::Failure;
            }
        },
    };
    print(&text)
}

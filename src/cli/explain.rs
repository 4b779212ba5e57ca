//! `faultline explain`: the story of one simulated horizon.

use std::path::PathBuf;

use super::args::{Limits, RunSettings, TextFormat};
use super::load::load_with;
use super::output::{self, stderr, Inputs, Problem};
use super::refusal::print_refusal;
use super::signals::Signals;
use super::Exit;
use crate::analysis::explain::{self, ExplainError, Pick};
use crate::montecarlo::RunError;

/// Arguments of `explain`.
#[derive(Debug, clap::Args)]
#[command(
    group(clap::ArgGroup::new("which").required(true).args(["trial", "worst", "percentile"])),
    mut_arg("trials", |a| a.help("Number of trials of the run the trial is picked from (overrides the scenario's `trials`)")),
    mut_arg("threads", |a| a.help("Worker threads for the run that finds a percentile. The choice does not depend on it")),
)]
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
    /// Trials, seed and threads.
    #[command(flatten)]
    pub settings: RunSettings,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TextFormat::Table)]
    pub format: TextFormat,
    /// The work a run refuses to start.
    #[command(flatten)]
    pub limits: Limits,
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
    let Some(loaded) = load_with(&args.scenario, &[], &mut Inputs::default()) else {
        return Exit::Failure;
    };
    let model = &loaded.model;
    super::uncertain::warn_at_medians("explain", model);
    let pick = match (args.trial, args.percentile) {
        (Some(n), _) => Pick::Trial(n),
        (None, Some(p)) => Pick::Percentile(p),
        (None, None) => Pick::Percentile(100.0),
    };
    let options = args.settings.options(&args.limits);
    let signals = Signals::register();
    let explained = match explain::explain(model, &options, pick, &signals.stop) {
        Ok(e) => e,
        Err(ExplainError::Run(RunError::Interrupted)) => {
            stderr!(
                "{}: interrupted",
                crate::text::one_line(&args.scenario.display().to_string())
            );
            return signals.exit();
        }
        Err(ExplainError::Run(e)) => {
            print_refusal(&args.scenario, &loaded, &e, args.settings.trials.is_none());
            return Exit::Failure;
        }
        Err(e) => {
            Problem::error(e.to_string())
                .in_file(&args.scenario.display().to_string(), None)
                .with_hint(e.hint().as_deref())
                .print();
            return Exit::Failure;
        }
    };
    let text = match args.format {
        TextFormat::Table => Ok(explain::table(model, &explained)),
        TextFormat::Markdown => Ok(explain::markdown(model, &explained)),
        TextFormat::Json => explain::json(model, &explained),
    };
    output::print_document("explain", None, text)
}

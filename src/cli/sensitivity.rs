//! `faultline sensitivity`: the tornado of a scenario's uncertain inputs
//! alone.

use std::path::PathBuf;

use super::explain::StoryFormat;
use super::output::stderr;
use super::report::print_document;
use super::{load, positive_number, print_refusal, Exit, Signals};
use crate::montecarlo::{RunError, RunOptions, DEFAULT_MAX_EVENTS, DEFAULT_MAX_TRIAL_EVENTS};
use crate::uncertainty::sensitivity::{self, SensitivityDocument};
use crate::uncertainty::DrawsError;

/// Arguments of `sensitivity`.
#[derive(Debug, clap::Args)]
pub struct SensitivityArgs {
    /// The scenario file (RON), with uncertain inputs (`Between`, `Observed`).
    pub scenario: PathBuf,
    /// Trials of each run (overrides the scenario's `trials`).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    pub trials: Option<u64>,
    /// Master seed (overrides the scenario's `seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
    pub threads: Option<u16>,
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

/// `faultline sensitivity`.
pub fn run(args: &SensitivityArgs) -> Exit {
    let Some((model, bytes)) = load(&args.scenario) else {
        return Exit::Failure;
    };
    let file = crate::text::one_line(&args.scenario.display().to_string()).into_owned();
    if model.uncertain.is_empty() {
        stderr!("{file}: error: the scenario has no uncertain inputs");
        stderr!("  hint: write an assumption as a range, such as `every: Between(\"1y\", \"4y\")`");
        return Exit::Failure;
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
    let entries = match sensitivity::tornado(&model, &options, &signals.stop) {
        Ok(e) => e,
        Err(DrawsError::Run(RunError::Interrupted)) => {
            stderr!("{file}: interrupted");
            return signals.exit();
        }
        Err(DrawsError::Run(e)) => {
            print_refusal(&args.scenario, &bytes, &e, args.trials.is_none());
            return Exit::Failure;
        }
        Err(e) => {
            stderr!("{file}: error: {e}");
            return Exit::Failure;
        }
    };
    let document = SensitivityDocument {
        scenario: model.name.clone(),
        seed: options.seed.unwrap_or(model.seed),
        trials: options.trials.unwrap_or(model.trials),
        sensitivity: entries,
    };
    let text = match args.format {
        StoryFormat::Json => serde_json::to_string_pretty(&document).map(|t| t + "\n"),
        StoryFormat::Table => Ok(table(&document)),
        StoryFormat::Markdown => Ok(markdown(&document)),
    };
    print_document("sensitivity", text)
}

fn table(d: &SensitivityDocument) -> String {
    let mut out = format!(
        "{}\nsensitivity: {} trials per run, seed {}; mean cost with each input at its p5 and p95, the others at their p50\n\n",
        crate::text::one_line(&d.scenario),
        d.trials,
        d.seed
    );
    for line in sensitivity::lines(&d.sensitivity) {
        out.push_str(&line);
        out.push('\n');
    }
    out
}

fn markdown(d: &SensitivityDocument) -> String {
    let mut out = format!(
        "### Sensitivity: {}\n\n{} trials per run, seed {}; mean cost with each input at its p5 and p95, the others at their p50.\n\n| input | at | low | high | cost at low | cost at high | swing |\n| --- | --- | ---: | ---: | ---: | ---: | ---: |\n",
        crate::text::markdown(&d.scenario),
        d.trials,
        d.seed
    );
    for e in &d.sensitivity {
        out.push_str(&format!(
            "| {} | {} | {:.4} | {:.4} | {:.0} | {:.0} | {:.0} |\n",
            crate::text::markdown(&e.input),
            crate::text::markdown(&e.at),
            e.low,
            e.high,
            e.cost_at_low,
            e.cost_at_high,
            e.swing
        ));
    }
    out
}

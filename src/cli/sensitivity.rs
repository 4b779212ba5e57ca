//! `faultline sensitivity`: the tornado of a scenario's uncertain inputs
//! alone.

use std::path::PathBuf;

use super::args::{Limits, RunSettings, TextFormat};
use super::load::load_with;
use super::output::{self, stderr, Inputs, Problem};
use super::refusal::print_refusal;
use super::signals::Signals;
use super::Exit;
use crate::montecarlo::RunError;
use crate::report::uncertain;
use crate::uncertainty::sensitivity::{self, SensitivityDocument};
use crate::uncertainty::DrawsError;

/// Arguments of `sensitivity`.
#[derive(Debug, clap::Args)]
pub struct SensitivityArgs {
    /// The scenario file (RON), with uncertain inputs (`Between`, `Observed`).
    pub scenario: PathBuf,
    /// Trials of each run, seed and threads.
    #[command(flatten)]
    pub settings: RunSettings,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TextFormat::Table)]
    pub format: TextFormat,
    /// Refusal limits (all runs together).
    #[command(flatten)]
    pub limits: Limits,
}

/// `faultline sensitivity`.
pub fn run(args: &SensitivityArgs) -> Exit {
    let Some(loaded) = load_with(&args.scenario, &[], &mut Inputs::default()) else {
        return Exit::Failure;
    };
    let model = &loaded.model;
    let file = crate::text::one_line(&args.scenario.display().to_string()).into_owned();
    if model.uncertain.is_empty() {
        Problem::error("the scenario has no uncertain inputs")
            .in_file(&file, None)
            .with_hint(Some(
                "write an assumption as a range, such as `every: Between(\"1y\", \"4y\")`",
            ))
            .print();
        return Exit::Failure;
    }
    let options = args.settings.options(&args.limits);
    let signals = Signals::register();
    let entries = match sensitivity::tornado(model, &options, &signals.stop) {
        Ok(e) => e,
        Err(DrawsError::Run(RunError::Interrupted)) => {
            stderr!("{file}: interrupted");
            return signals.exit();
        }
        Err(DrawsError::Run(e)) => {
            print_refusal(&args.scenario, &loaded, &e, args.settings.trials.is_none());
            return Exit::Failure;
        }
        Err(e) => {
            Problem::error(e.to_string()).in_file(&file, None).print();
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
        TextFormat::Json => serde_json::to_string_pretty(&document).map(|t| t + "\n"),
        TextFormat::Table => Ok(table(&document)),
        TextFormat::Markdown => Ok(markdown(&document)),
    };
    output::print_document("sensitivity", None, text)
}

fn table(d: &SensitivityDocument) -> String {
    let mut out = format!(
        "{}\nsensitivity: {} trials per run, seed {}; mean cost with each input at its p5 and p95, the others at their p50 (± the 95% half-width); the swing's interval is paired on the same trials\n\n",
        crate::text::one_line(&d.scenario),
        d.trials,
        d.seed
    );
    for line in uncertain::tornado_lines(&d.sensitivity) {
        out.push_str(&line);
        out.push('\n');
    }
    out
}

fn markdown(d: &SensitivityDocument) -> String {
    let mut out = format!(
        "### Sensitivity: {}\n\n{} trials per run, seed {}; mean cost with each input at its p5 and p95, the others at their p50 (± the 95% half-width); the swing's interval is paired on the same trials.\n\n| input | at | low | high | cost at low | cost at high | swing [95% CI] |\n| --- | --- | ---: | ---: | ---: | ---: | ---: |\n",
        crate::text::markdown(&d.scenario),
        d.trials,
        d.seed
    );
    for e in &d.sensitivity {
        out.push_str(&format!(
            "| {} | {} | {:.4} | {:.4} | {} | {} | {} |\n",
            crate::text::markdown(&e.input),
            crate::text::markdown(&e.at),
            e.low,
            e.high,
            uncertain::plus_minus(e.cost_at_low, e.cost_at_low_ci95),
            uncertain::plus_minus(e.cost_at_high, e.cost_at_high_ci95),
            uncertain::swing(e)
        ));
    }
    out
}

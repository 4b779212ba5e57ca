//! Argument groups shared by several subcommands (flattened into each
//! command's arguments with `#[command(flatten)]`), the output formats, and
//! the value parsers of numeric flags.
//!
//! A command whose help for a shared flag says something of its own changes
//! only the text: `#[command(mut_arg("trials", |a| a.help("...")))]`.

use clap::ValueEnum;

use crate::montecarlo::{RunOptions, DEFAULT_MAX_EVENTS, DEFAULT_MAX_TRIAL_EVENTS};

/// `--trials`, `--seed` and `--threads`: how many trials a simulation runs,
/// from which seed, on how many threads.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct RunSettings {
    /// Number of trials (overrides the scenario's `trials`).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    pub trials: Option<u64>,
    /// Master seed (overrides the scenario's `seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
    pub threads: Option<u16>,
}

/// `--max-events` and `--max-trial-events`: the work a command refuses to
/// start.
#[derive(Debug, Clone, clap::Args)]
pub struct Limits {
    /// Refuse runs expected to simulate more events than this.
    #[arg(long, default_value_t = DEFAULT_MAX_EVENTS, value_parser = positive_number)]
    pub max_events: f64,
    /// Refuse runs expected to simulate more events than this in one trial.
    #[arg(long, default_value_t = DEFAULT_MAX_TRIAL_EVENTS, value_parser = positive_number)]
    pub max_trial_events: f64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_events: DEFAULT_MAX_EVENTS,
            max_trial_events: DEFAULT_MAX_TRIAL_EVENTS,
        }
    }
}

impl RunSettings {
    /// The run options these settings and `limits` give (the rest default).
    pub fn options(&self, limits: &Limits) -> RunOptions {
        RunOptions {
            trials: self.trials,
            seed: self.seed,
            threads: self.threads.map(usize::from),
            max_events: limits.max_events,
            max_trial_events: limits.max_trial_events,
            ..RunOptions::default()
        }
    }
}

/// Output formats of the commands that write a result document (`run`,
/// `merge`) or a comparison (`compare`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned text for a terminal.
    Table,
    /// The JSON document (of `run` and `merge`: the result document).
    Json,
    /// Markdown tables for a pull request or CI summary.
    Markdown,
    /// A self-contained HTML report with plots (as `faultline report`).
    Html,
}

/// Output formats of the commands that write text or JSON only (`sweep`,
/// `blast`, `explain`, `rank`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TextFormat {
    /// Aligned text for a terminal.
    Table,
    /// A JSON document.
    Json,
    /// Markdown for a pull request or CI summary.
    Markdown,
}

/// A duration greater than zero, in hours.
pub fn positive_duration(text: &str) -> Result<f64, String> {
    match crate::model::Duration::parse(text) {
        Ok(d) if d.hours() > 0.0 => Ok(d.hours()),
        Ok(_) => Err(format!("`{text}` must be greater than zero")),
        Err(e) => Err(e.to_string()),
    }
}

/// A finite number greater than zero, for the work limits.
pub fn positive_number(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(x) if x.is_finite() && x > 0.0 => Ok(x),
        _ => Err(format!("`{text}` is not a number greater than zero")),
    }
}

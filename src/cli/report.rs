//! The commands that draw a scenario: `report` (HTML), `graph` (DOT or
//! Mermaid) and `blast` (the static what-if table).

use std::path::PathBuf;

use clap::ValueEnum;

use super::output::{self, stderr, OUTPUT};
use super::{load, run, Exit, Format, RunArgs};
use crate::blast;
use crate::montecarlo::{DEFAULT_MAX_EVENTS, DEFAULT_MAX_TRIAL_EVENTS};

/// Arguments of `report`.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// The scenario file (RON).
    pub scenario: PathBuf,
    /// The HTML file to write (atomically).
    #[arg(long, short)]
    pub output: PathBuf,
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

/// Arguments of `graph`.
#[derive(Debug, clap::Args)]
pub struct GraphArgs {
    /// The scenario file (RON).
    pub scenario: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = GraphFormat::Mermaid)]
    pub format: GraphFormat,
}

/// Formats of `graph`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    /// Graphviz DOT (`dot -Tsvg`).
    Dot,
    /// A Mermaid flowchart (GitHub renders it in Markdown).
    Mermaid,
}

/// Arguments of `blast`.
#[derive(Debug, clap::Args)]
pub struct BlastArgs {
    /// The scenario file (RON).
    pub scenario: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = BlastFormat::Table)]
    pub format: BlastFormat,
    /// Refuse an analysis expected to take more steps than this (units
    /// failing alone x the model's size).
    #[arg(long, default_value_t = blast::DEFAULT_MAX_WORK, value_parser = super::positive_number)]
    pub max_work: f64,
}

/// Formats of `blast`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BlastFormat {
    /// Aligned text for a terminal.
    Table,
    /// A JSON document.
    Json,
    /// Markdown for a pull request.
    Markdown,
}

/// `faultline report`: `run --format html --output FILE`.
pub fn report(args: &ReportArgs) -> Exit {
    run(&RunArgs {
        scenario: args.scenario.clone(),
        trials: args.trials,
        seed: args.seed,
        threads: args.threads,
        output: super::emit::OutputArgs {
            format: Format::Html,
            output: Some(args.output.clone()),
            junit: None,
            strict: false,
        },
        precision: None,
        variance_reduction: super::VarianceMethod::None,
        shard: None,
        max_events: DEFAULT_MAX_EVENTS,
        max_trial_events: DEFAULT_MAX_TRIAL_EVENTS,
        max_exact_values: crate::montecarlo::DEFAULT_MAX_EXACT_VALUES,
        draws: crate::uncertainty::DEFAULT_DRAWS,
    })
}

/// `faultline graph`.
pub fn graph(args: &GraphArgs) -> Exit {
    let Some((model, _)) = load(&args.scenario) else {
        return Exit::Failure;
    };
    let text = match args.format {
        GraphFormat::Dot => crate::graph::dot(&model),
        GraphFormat::Mermaid => crate::graph::mermaid(&model),
    };
    print(&text)
}

/// `faultline blast`.
pub fn blast(args: &BlastArgs) -> Exit {
    let Some((model, bytes)) = load(&args.scenario) else {
        return Exit::Failure;
    };
    if let Err(e) = blast::check_work(&model, args.max_work) {
        let at = super::located(&args.scenario, &bytes, None, "services");
        stderr!("{at}: error: {e}\n  hint: {}", e.hint());
        return Exit::Failure;
    }
    let analysis = blast::analyse(&model);
    let text = match args.format {
        BlastFormat::Table => Ok(blast::table(&model, &analysis)),
        BlastFormat::Markdown => Ok(blast::markdown(&model, &analysis)),
        BlastFormat::Json => blast::json(&model, &analysis),
    };
    print_document("blast", text)
}

/// Prints a rendered document, or says which one could not be written.
pub fn print_document(what: &str, text: Result<String, impl std::fmt::Display>) -> Exit {
    match text {
        Ok(text) => print(&text),
        Err(e) => {
            stderr!("error: could not write the {what} document: {e}");
            Exit::Failure
        }
    }
}

/// Writes `text` to stdout: exit 1 with a message when that fails, 0 when
/// its reader left early.
pub fn print(text: &str) -> Exit {
    output::emit(OUTPUT, None, text)
}

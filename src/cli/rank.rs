//! `faultline rank`: what to fix next, on common random numbers.

use std::path::PathBuf;

use super::args::{Limits, RunSettings, TextFormat};
use super::load::{load_with, read_bounded};
use super::output::{self, stderr, Inputs};
use super::refusal::print_refusal;
use super::signals::Signals;
use super::Exit;
use crate::analysis::rank::{self, Change};
use crate::model::Model;
use crate::montecarlo::{DefaultTrials, RunError, RunSettings as Resolved};
use crate::scenario::{self, compose::Assignment};

/// Arguments of `rank`.
#[derive(Debug, clap::Args)]
#[command(
    mut_arg("trials", |a| a.help("Trials of each run (default 2000: one run per candidate)")),
    mut_arg("max_events", |a| a.help("Refuse runs expected to simulate more events than this (all runs together)")),
)]
pub struct RankArgs {
    /// The scenario file (RON).
    pub scenario: PathBuf,
    /// Trials, seed and threads.
    #[command(flatten)]
    pub settings: RunSettings,
    /// Rows to show of each list.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..))]
    pub top: u64,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TextFormat::Table)]
    pub format: TextFormat,
    /// The work the runs refuse to start.
    #[command(flatten)]
    pub limits: Limits,
}

/// `faultline rank`.
pub fn rank(args: &RankArgs) -> Exit {
    let Some(loaded) = load_with(&args.scenario, &[], &mut Inputs::default()) else {
        return Exit::Failure;
    };
    let model = &loaded.model;
    super::uncertain::warn_at_medians("rank", model);
    let options = args.settings.options(&args.limits);
    let priced = rank::changes::priced(model);
    // refused before the changes are loaded (one load of the file each)
    let changes = if priced {
        rank::changes(model).len()
    } else {
        0
    };
    let runs = 1 + model.failures.len() + model.domains.len() + changes;
    let settings = Resolved::resolve_for(model, &options, DefaultTrials::Rank);
    if let Err(e) = crate::montecarlo::check_runs(model, runs, &settings) {
        print_refusal(&args.scenario, &loaded, &e, false);
        return Exit::Failure;
    }
    let changes = if priced {
        design_changes(args, model)
    } else {
        Vec::new()
    };
    let signals = Signals::register();
    let ranking = match rank::rank(model, &options, &changes, &signals.stop) {
        Ok(r) => r,
        Err(RunError::Interrupted) => {
            stderr!(
                "{}: interrupted",
                crate::text::one_line(&args.scenario.display().to_string())
            );
            return signals.exit();
        }
        Err(e) => {
            print_refusal(&args.scenario, &loaded, &e, false);
            return Exit::Failure;
        }
    };
    let top = usize::try_from(args.top).unwrap_or(usize::MAX);
    let text = match args.format {
        TextFormat::Table => Ok(rank::table(model, &ranking, top)),
        TextFormat::Markdown => Ok(rank::markdown(model, &ranking, top)),
        TextFormat::Json => rank::json(model, &ranking, top),
    };
    output::print_document("rank", None, text)
}

/// The built-in changes that load as valid scenarios, each with its model
/// (a change the scenario refuses, say a replica past a limit, is left out
/// with a note).
fn design_changes(args: &RankArgs, model: &Model) -> Vec<(Change, Model)> {
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

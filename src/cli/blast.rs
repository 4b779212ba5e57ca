//! `faultline blast`: what breaks if each domain or service fails alone (no
//! simulation).

use std::path::PathBuf;

use super::args::{positive_number, TextFormat};
use super::load::load_with;
use super::output::{self, Inputs};
use super::refusal::locate;
use super::Exit;
use crate::analysis::blast;
use crate::scenario;

/// Arguments of `blast`.
#[derive(Debug, clap::Args)]
pub struct BlastArgs {
    /// The scenario file (RON).
    pub scenario: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TextFormat::Table)]
    pub format: TextFormat,
    /// Refuse an analysis expected to take more steps than this (units
    /// failing alone x the model's size).
    #[arg(long, default_value_t = blast::DEFAULT_MAX_WORK, value_parser = positive_number)]
    pub max_work: f64,
}

/// `faultline blast`.
pub fn blast(args: &BlastArgs) -> Exit {
    let Some(loaded) = load_with(&args.scenario, &[], &mut Inputs::default()) else {
        return Exit::Failure;
    };
    let model = &loaded.model;
    super::uncertain::warn_at_medians("blast", model);
    if let Err(e) = blast::check_work(model, args.max_work) {
        let at = locate(&args.scenario, &loaded, |bytes| {
            scenario::field_position(bytes, None, "services")
        });
        at.error(&e.to_string()).with_hint(Some(e.hint())).print();
        return Exit::Failure;
    }
    let analysis = blast::analyse(model);
    let text = match args.format {
        TextFormat::Table => Ok(blast::table(model, &analysis)),
        TextFormat::Markdown => Ok(blast::markdown(model, &analysis)),
        TextFormat::Json => blast::json(model, &analysis),
    };
    output::print_document("blast", None, text)
}

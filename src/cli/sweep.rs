//! `faultline sweep`: a grid of variants of one scenario on common random
//! numbers, the cheapest marked.

use std::path::PathBuf;

use super::args::{RunSettings, TextFormat};
use super::compare::{check_output, failed};
use super::load::load_with;
use super::output::{self, Inputs, Problem};
use super::signals::Signals;
use super::Exit;
use crate::analysis::sweep::SetArg;
use crate::report::compare::{render_sweep, CompareFormat};

/// The most variants one sweep runs.
pub const MAX_VARIANTS: usize = 1000;

/// Arguments of `sweep`.
#[derive(Debug, clap::Args)]
pub struct SweepArgs {
    /// The scenario file (RON).
    pub scenario: PathBuf,
    /// Values to try at a dot path: `services.db.deployments.0.replicas=1,2,3`
    /// (repeat for a grid).
    #[arg(long = "set", value_name = "PATH=V1,V2,...", required = true, value_parser = SetArg::parse)]
    pub sets: Vec<SetArg>,
    /// Trials, seed and threads.
    #[command(flatten)]
    pub settings: RunSettings,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TextFormat::Table)]
    pub format: TextFormat,
    /// Write the output to this file (atomically) instead of stdout.
    #[arg(long)]
    pub output: Option<PathBuf>,
}

/// `faultline sweep`.
pub fn sweep(args: &SweepArgs) -> Exit {
    let variants = crate::analysis::sweep::grid(&args.sets);
    if variants.len() > MAX_VARIANTS {
        Problem::error(format!(
            "the grid has {} variants; at most {MAX_VARIANTS} are run",
            variants.len()
        ))
        .print();
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
    // the variants are one scenario with other values: one warning, in the
    // file (the variants' positions are those of their edited text)
    if let Some((_, model)) = designs.iter().find(|(_, m)| !m.uncertain.is_empty()) {
        let file = args.scenario.display().to_string();
        super::uncertain::warn_at_medians_in("sweep", model, Some(&file));
    }
    if let Err(e) = check_output(args.output.as_deref(), &inputs) {
        Problem::parse(&e.to_string()).print();
        return e.exit();
    }
    let options = args.settings.options(&super::args::Limits::default());
    let signals = Signals::register();
    // a variant qualifies when every objective of the scenario is met
    let meets = |_: usize, s: &crate::analysis::compare::DesignSummary| s.meets_objectives;
    let result = match crate::analysis::sweep::sweep(&designs, &options, &signals.stop, &meets) {
        Ok(s) => s,
        Err(e) => return failed("sweep", &e, &signals),
    };
    let format = match args.format {
        TextFormat::Table => CompareFormat::Table,
        TextFormat::Json => CompareFormat::Json,
        TextFormat::Markdown => CompareFormat::Markdown,
    };
    output::print_document(
        "sweep",
        args.output.as_deref(),
        render_sweep(&result, format),
    )
}

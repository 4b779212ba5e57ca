//! `faultline compare`: several designs on common random numbers, each
//! compared with the first.

use std::path::{Path, PathBuf};

use super::args::{Format, Limits, RunSettings};
use super::load::load_with;
use super::output::{self, stderr, Inputs, OutputError, Problem, OUTPUT};
use super::signals::Signals;
use super::Exit;
use crate::analysis::compare::CompareError;
use crate::montecarlo::RunError;
use crate::report::compare::{render, render_html, CompareFormat};
use crate::uncertainty::paired::{self, PairedError};

/// Arguments of `compare`.
#[derive(Debug, clap::Args)]
#[command(
    mut_arg("trials", |a| a.help("Number of trials (default: the first design's `trials`)")),
    mut_arg("seed", |a| a.help("Master seed (default: the first design's `seed`)")),
    mut_arg("max_events", |a| a.help("Refuse runs expected to simulate more events than this (each design)")),
)]
pub struct CompareArgs {
    /// The designs (RON); the first is the baseline the others are compared with.
    #[arg(required = true, num_args = 2..)]
    pub designs: Vec<PathBuf>,
    /// Trials, seed and threads.
    #[command(flatten)]
    pub settings: RunSettings,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write the output to this file (atomically) instead of stdout.
    #[arg(long)]
    pub output: Option<PathBuf>,
    /// The work a run refuses to start.
    #[command(flatten)]
    pub limits: Limits,
    /// With uncertain inputs (`Between`, `Observed`) in any design: how
    /// many draws of them every design is run on, paired draw by draw.
    #[arg(long, default_value_t = crate::uncertainty::DEFAULT_DRAWS,
          value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub draws: u64,
}

/// `faultline compare`.
pub fn compare(args: &CompareArgs) -> Exit {
    let mut designs = Vec::new();
    let mut inputs = Inputs::default();
    for path in &args.designs {
        match load_with(path, &[], &mut inputs) {
            Some(loaded) => designs.push((path.display().to_string(), loaded.model)),
            None => return Exit::Failure,
        }
    }
    if let Err(e) = check_output(args.output.as_deref(), &inputs) {
        Problem::parse(&e.to_string()).print();
        return e.exit();
    }
    let options = args.settings.options(&args.limits);
    let signals = Signals::register();
    let mut comparison = match crate::analysis::compare::compare(&designs, &options, &signals.stop)
    {
        Ok(c) => c,
        Err(e) => return failed("compare", &e, &signals),
    };
    if designs.iter().any(|(_, m)| !m.uncertain.is_empty()) {
        let over = paired::over_inputs(&designs, &options, args.draws, &signals.stop);
        match over {
            Ok(over) => {
                for (d, o) in comparison.differences.iter_mut().zip(over) {
                    d.over_inputs = Some(o);
                }
            }
            Err(e) => return failed_draws(&e, &signals),
        }
    }
    let rendered = match args.format {
        Format::Table => render(&comparison, CompareFormat::Table),
        Format::Json => render(&comparison, CompareFormat::Json),
        Format::Markdown => render(&comparison, CompareFormat::Markdown),
        Format::Html => render_html(&comparison),
    };
    output::print_document("comparison", args.output.as_deref(), rendered)
}

/// Reports a comparison (of `command`: `compare` or `sweep`) that did not
/// finish: interrupted, refused, or of designs that cannot be compared.
pub fn failed(command: &str, e: &CompareError, signals: &Signals) -> Exit {
    let hint = match e {
        CompareError::Run {
            error: RunError::Interrupted,
            ..
        } => {
            stderr!("{command}: interrupted: nothing was written");
            return signals.exit();
        }
        CompareError::Run { error, .. } => error.hint(),
        _ => Some("give every design the same `horizon`".to_string()),
    };
    Problem::error(e.to_string())
        .with_hint(hint.as_deref())
        .print();
    Exit::Failure
}

/// Reports draws of a comparison that did not finish: interrupted, refused,
/// or a draw that makes a distribution invalid.
fn failed_draws(e: &PairedError, signals: &Signals) -> Exit {
    let hint = match e {
        PairedError::Run {
            error: RunError::Interrupted,
            ..
        } => {
            stderr!("compare: interrupted: nothing was written");
            return signals.exit();
        }
        PairedError::Run { error, .. } => error.hint(),
        PairedError::Draw { .. } => Some("narrow the input's range".to_string()),
    };
    Problem::error(e.to_string())
        .with_hint(hint.as_deref())
        .print();
    Exit::Failure
}

/// Why `--output` (if given) cannot be written or would overwrite one of
/// `inputs`, checked before a long run rather than after.
pub fn check_output(path: Option<&Path>, inputs: &Inputs) -> Result<(), OutputError> {
    path.map_or(Ok(()), |p| output::check(OUTPUT, p, inputs))
}

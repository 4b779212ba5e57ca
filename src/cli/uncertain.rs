//! `run` of a scenario with uncertain inputs: the two-level run, and the
//! options it refuses.

use super::output::Problem;
use super::run::{refused, RunArgs, VarianceMethod};
use super::signals::Signals;
use super::Exit;
use crate::montecarlo::RunOptions;
use crate::scenario;

/// `run` of a scenario with uncertain inputs: in two levels, refusing what
/// does not combine with draws.
pub(super) fn run(
    args: &RunArgs,
    loaded: &scenario::Loaded,
    options: &RunOptions,
    signals: &Signals,
) -> Exit {
    let other = if args.shard.is_some() {
        Some("--shard")
    } else if args.precision.is_some() {
        Some("--precision")
    } else if args.variance_reduction != VarianceMethod::None {
        Some("--variance-reduction")
    } else {
        None
    };
    if let Some(flag) = other {
        Problem::error(format!(
            "{flag} does not work with uncertain inputs (`Between`, `Observed`) yet"
        ))
        .with_hint(Some("run without it, or give the inputs plain values"))
        .print();
        return Exit::Usage;
    }
    let model = &loaded.model;
    let run = crate::uncertainty::run::run_two_level(model, args.draws, options, &signals.stop);
    match run {
        Ok(two) => args.output.emit(&two.result, model, &two.values),
        Err(crate::uncertainty::DrawsError::Run(e)) => refused(args, loaded, &e, signals),
        Err(e) => {
            let file = args.scenario.display().to_string();
            Problem::error(e.to_string()).in_file(&file, None).print();
            Exit::Failure
        }
    }
}

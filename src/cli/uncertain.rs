//! `run` of a scenario with uncertain inputs: the two-level run, and the
//! options it refuses.

use super::output::Problem;
use super::run::{refused, RunArgs, VarianceMethod};
use super::signals::Signals;
use super::Exit;
use crate::model::Model;
use crate::montecarlo::RunOptions;
use crate::scenario::{self, diagnostic::Position};

/// `run` of a scenario with uncertain inputs: in two levels, refusing what
/// does not combine with draws.
pub(super) fn run(
    args: &RunArgs,
    loaded: &scenario::Loaded,
    options: &RunOptions,
    signals: &Signals,
) -> Exit {
    let other = if args.precision.is_some() {
        Some("--precision")
    } else if args.variance_reduction != VarianceMethod::None {
        Some("--variance-reduction")
    } else {
        None
    };
    if let Some(flag) = other {
        refuse_with_draws(flag, loaded);
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

/// Refuses `flag` with uncertain inputs, located at the first of them:
/// stopping a two-level run at a precision, or tilting or adjusting its
/// trials, would have to hold for every draw at once, and the draws'
/// spread is not trial noise that more trials shrink.
fn refuse_with_draws(flag: &str, loaded: &scenario::Loaded) {
    let first = loaded.model.uncertain.first();
    let name = first.map_or(String::new(), |i| format!(" (`{}`)", i.name));
    let message = format!(
        "{flag} does not work with uncertain inputs (`Between`, `Observed`){name}: \
         the spread over the draws is not trial noise that more or tilted trials reduce"
    );
    at_first_input(Problem::error(message), &loaded.model)
        .with_hint(Some(
            "run without it (`--draws` and `--trials` set the work), or give the inputs plain values",
        ))
        .print();
}

/// Warns, at the first uncertain input of `model` (none without any), that
/// `command` runs every uncertain input at its median: only `run`,
/// `compare` and `sensitivity` draw them.
pub(super) fn warn_at_medians(command: &str, model: &Model) {
    warn_at_medians_in(command, model, None);
}

/// [`warn_at_medians`] in `file` without a position when given one (a
/// scenario edited by `--set` is read from its edited text, whose lines are
/// not the file's), else at the first input.
pub(super) fn warn_at_medians_in(command: &str, model: &Model, file: Option<&str>) {
    let Some(first) = model.uncertain.first() else {
        return;
    };
    let count = match model.uncertain.len() {
        1 => "its uncertain input".to_string(),
        n => format!("its {n} uncertain inputs"),
    };
    let message = format!(
        "{command} runs the scenario with {count} at their medians (`{}` here): \
         its numbers hold for those values only",
        first.name
    );
    let problem = Problem::warning(message);
    let problem = match file {
        Some(file) => problem.in_file(file, None),
        None => at_first_input(problem, model),
    };
    problem
        .with_hint(Some(
            "`faultline run` draws the inputs (`--draws N`) and gives the range over them; \
             `faultline sensitivity` shows which one moves the answer",
        ))
        .print();
}

/// `problem` located at the first uncertain input of `model`, as its `at`
/// (`FILE:LINE:COL`) says.
fn at_first_input<'a>(problem: Problem<'a>, model: &Model) -> Problem<'a> {
    let located = model.uncertain.first().and_then(|input| {
        let mut parts = input.at.rsplitn(3, ':');
        let col = parts.next()?.parse().ok()?;
        let line = parts.next()?.parse().ok()?;
        Some((parts.next()?.to_string(), Position { line, col }))
    });
    match &located {
        Some((file, position)) => problem.in_file(file, Some(*position)),
        None => problem,
    }
}

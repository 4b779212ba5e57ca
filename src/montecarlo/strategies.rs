//! The ways of running a scenario's trials, each a variant of
//! [`Strategy`] over the one loop ([`super::execution::drive`]): all the
//! trials, batches until precise enough, control variates, or one shard's
//! range of a run split over machines.

use std::ops::{ControlFlow, Range};
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::time::Instant;

use super::execution::{drive, in_pool, Pace, Trials, Watch, BLOCK_TRIALS};
use super::precision::Precision;
use super::reduction::{Reduced, Reduction};
use super::{check_stored, check_work, sketches, variance, DefaultTrials, RunError, RunSettings};
use crate::engine::{Plan, TrialOutcome};
use crate::model::Model;
use crate::stats::{Accumulator, RunResult, TrialValues};

/// Trials per batch of a [`Strategy::Precision`] run: 16 blocks, a fixed
/// number, so where a run stops depends only on the seed.
pub const PRECISION_BATCH_TRIALS: u64 = 16 * BLOCK_TRIALS;

/// How a run goes through its trials.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Strategy {
    /// Every trial of the settings.
    Plain,
    /// Batches of [`PRECISION_BATCH_TRIALS`] trials until the target is
    /// reached ([`Precision::reached`]), or the settings' trials (the cap)
    /// are done. The result is the document of a plain run of as many
    /// trials.
    Precision(Precision),
    /// Plain trials, their means estimated with control variates
    /// ([`variance`]).
    VarianceReduction(variance::Method),
    /// A variance-reduction method run on doubling trials until the target
    /// is reached or the cap is done.
    ReducedToPrecision(variance::Method, Precision),
}

impl Strategy {
    /// Where the run's trials come from when the options do not set them:
    /// the scenario's, or, for a run to a precision, the default cap.
    pub fn default_trials(self) -> DefaultTrials {
        match self {
            Strategy::Precision(_) | Strategy::ReducedToPrecision(..) => {
                DefaultTrials::PrecisionCap
            }
            Strategy::Plain | Strategy::VarianceReduction(_) => DefaultTrials::Scenario,
        }
    }
}

/// The result document and the sorted per-trial values behind it (for
/// plots), and `sample(outcome)` of every trial in trial order.
pub(super) type Sampled<T> = (RunResult, TrialValues, Vec<T>);

/// Runs the trials of `settings` (a cap, for a run to a precision) and
/// reduces them into the result document; `sample` is kept of each trial,
/// in trial order. The work limits apply to the settings' trials.
///
/// # Errors
/// [`RunError`] when the run is refused before it starts, or
/// [`RunError::Interrupted`] when `watch` says to stop.
pub(super) fn reduced<T: Send>(
    model: &Model,
    settings: &RunSettings,
    (watch, target): (Watch<'_>, Option<Precision>),
    sample: impl Fn(&TrialOutcome) -> T + Sync,
) -> Result<Sampled<T>, RunError> {
    check_work(model, settings.trials, &settings.limits)?;
    let plan = Plan::seeded(model, settings.seed);
    reduced_on(model, &plan, settings, (watch, target), sample)
}

/// A block's trials accumulated (each with its weight on a tilted plan),
/// with each trial's sample in trial order.
fn accumulate_sampled<T>(
    model: &Model,
    plan: &Plan,
    trials: Trials<'_>,
    sample: &impl Fn(&TrialOutcome) -> T,
) -> (Accumulator, Vec<T>) {
    let mut acc = Accumulator::new(model, trials.len());
    let mut samples = Vec::with_capacity(trials.len());
    trials.for_each(|outcome| {
        if plan.tilted {
            acc.push_weighted(outcome, outcome.weight);
        } else {
            acc.push(outcome);
        }
        samples.push(sample(outcome));
    });
    (acc, samples)
}

/// As [`reduced`], on the trials of `plan` (built from `model` with the
/// settings' seed), the work limits checked by the caller: a tilted plan
/// ([`Plan::with_importance`]) counts each trial with its weight.
pub(super) fn reduced_on<T: Send>(
    model: &Model,
    plan: &Plan,
    settings: &RunSettings,
    (watch, target): (Watch<'_>, Option<Precision>),
    sample: impl Fn(&TrialOutcome) -> T + Sync,
) -> Result<Sampled<T>, RunError> {
    let trials = settings.trials;
    if std::mem::size_of::<T>() > 0 {
        // the samples kept beside the accumulators: at least a value a trial
        let per_trial = std::mem::size_of::<T>().div_ceil(8) as f64;
        check_stored(model, trials, per_trial)?;
    }
    let started = Instant::now();
    let sketched = sketches(model, trials, &settings.limits);
    // a run to a precision rarely does all its trials: no room ahead
    let room = if target.is_some() { 0 } else { trials };
    let mut values = Accumulator::with_values(model, room as usize, sketched);
    let mut reduction = Reduction::new(model, trials);
    let mut samples = Vec::with_capacity(room as usize);
    let pace = target.map_or(Pace::Pipelined, |_| Pace::Batches(PRECISION_BATCH_TRIALS));
    let per_block =
        |model: &Model, trials: Trials<'_>| accumulate_sampled(model, plan, trials, &sample);
    let finished = in_pool(settings.threads, || {
        drive(
            (model, plan),
            0..trials,
            (watch, pace),
            per_block,
            |blocks| {
                for (block, s) in blocks {
                    values.merge_values(&block);
                    // (a block of the loop is whole: it always fits)
                    let _ = reduction.push_block(&block);
                    samples.extend(s);
                }
                match target {
                    Some(x) if precise_enough(model, (&reduction.total(), &values), x) => {
                        ControlFlow::Break(())
                    }
                    _ => ControlFlow::Continue(()),
                }
            },
        );
        let seconds = started.elapsed().as_secs_f64();
        let mut total = reduction.finish();
        total.take_values_from(values);
        (!watch.stopped()).then(|| total.finish_with_values(model, settings.seed, seconds))
    })?;
    let (result, values) = finished.ok_or(RunError::Interrupted)?;
    Ok((result, values, samples))
}

/// The stopping rule of [`Strategy::Precision`] on the trials so far
/// (`total` their moments, `values` their kept values).
fn precise_enough(
    model: &Model,
    (total, values): (&Accumulator, &Accumulator),
    target: Precision,
) -> bool {
    let estimate = |m| {
        let moments = total.sample(m).moments;
        let half = total.half_width(m);
        (moments.mean, half.is_finite().then_some(half))
    };
    target.reached(model, estimate, || {
        total.objectives_decided_by(model, values)
    })
}

/// Runs the trials `range` of a run with `settings` (one shard of it:
/// whole segments, see [`super::reduction`]), in the same loop as a whole
/// run, and reduces them as a whole run would: the tree's nodes of its
/// segments and the values of its trials. The work limits apply to the
/// range's trials.
///
/// # Errors
/// [`RunError`] when the shard is refused before it starts, or
/// [`RunError::Interrupted`] when `stop` was set.
pub fn shard(
    model: &Model,
    settings: &RunSettings,
    range: Range<u64>,
    stop: &AtomicBool,
) -> Result<Reduced, RunError> {
    let length = range.end - range.start;
    if length > 0 {
        check_work(model, length, &settings.limits)?;
    }
    let plan = Plan::seeded(model, settings.seed);
    let watch = Watch {
        stop,
        progress: &AtomicU64::new(0),
    };
    let sketched = sketches(model, settings.trials, &settings.limits);
    let mut values = Accumulator::with_values(model, length as usize, sketched);
    let mut reduction = Reduction::starting_at(model, settings.trials, range.start);
    let mut misfit = None;
    in_pool(settings.threads, || {
        drive(
            (model, &plan),
            range,
            (watch, Pace::Pipelined),
            accumulate,
            |blocks| {
                for block in blocks {
                    values.merge_values(&block);
                    reduction.push_or_break(&block, &mut misfit)?;
                }
                ControlFlow::Continue(())
            },
        );
    })?;
    watch.ended(misfit)?;
    Ok(Reduced {
        nodes: reduction.into_nodes(),
        values: values.take_value_lists(),
        variants: None,
    })
}

/// The accumulator of one block.
fn accumulate(model: &Model, trials: Trials<'_>) -> Accumulator {
    let mut acc = Accumulator::new(model, trials.len());
    trials.for_each(|outcome| acc.push(outcome));
    acc
}

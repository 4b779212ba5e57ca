//! The paired trials of a drill: trial i of the scenario and of the drilled
//! model, recorded with [`engine::trace`] (the same numbers as a run, plus
//! the served-fraction timelines the recovery time is read from). Trials are
//! simulated in parallel over the run's 64-trial blocks and collected in
//! trial order, so the result does not depend on the number of threads.

use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;

use crate::engine::{self, trace::Steps, Plan, Trace, Workspace};
use crate::model::Model;
use crate::montecarlo::{
    check_runs, in_pool, RunError, RunSettings, BLOCK_TRIALS, MAX_STORED_VALUES,
};

/// One trial's differences, with the incident minus without.
#[derive(Debug, Clone, PartialEq)]
pub struct Pair {
    /// Per service: lost hours, downtime hours, cost, data loss hours.
    pub services: Vec<[f64; 4]>,
    /// The scenario's cost.
    pub cost: f64,
    /// Hours from the incident's end until every service is back at its
    /// fraction without it.
    pub recovery: f64,
}

/// Simulates `trials` trials of both models and pairs them.
///
/// # Errors
/// [`RunError`] when the work is refused, the thread pool cannot be built,
/// or `stop` was set.
pub fn run(
    (model, drilled): (&Model, &Model),
    settings: &RunSettings,
    stop: &AtomicBool,
) -> Result<Vec<Pair>, RunError> {
    let trials = settings.trials;
    check_runs(drilled, 2, settings)?;
    let values = trials as f64 * (4.0 * model.services.len() as f64 + 2.0);
    if values > MAX_STORED_VALUES {
        return Err(RunError::TooManyValues {
            gib: values * 8.0 / (1u64 << 30) as f64,
            trials,
            services: model.services.len(),
        });
    }
    let plans = (
        Plan::seeded(model, settings.seed),
        Plan::seeded(drilled, settings.seed),
    );
    let blocks: Vec<u64> = (0..trials.div_ceil(BLOCK_TRIALS)).collect();
    let per_block = |block: u64| -> Vec<Pair> {
        let mut ws = Workspace::default();
        let range = block * BLOCK_TRIALS..((block + 1) * BLOCK_TRIALS).min(trials);
        let mut out = Vec::with_capacity(BLOCK_TRIALS as usize);
        for trial in range {
            if stop.load(Ordering::Relaxed) {
                break;
            }
            let base = engine::trace(&plans.0, trial, &mut ws);
            let with = engine::trace(&plans.1, trial, &mut ws);
            out.push(pair(drilled, &base, &with));
        }
        out
    };
    let pairs: Vec<Pair> = in_pool(settings.threads, || {
        blocks
            .into_par_iter()
            .with_max_len(1)
            .flat_map_iter(per_block)
            .collect()
    })?;
    if stop.load(Ordering::Relaxed) {
        return Err(RunError::Interrupted);
    }
    Ok(pairs)
}

/// The differences of one trial.
fn pair(drilled: &Model, base: &Trace, with: &Trace) -> Pair {
    let services = (base.outcome.services.iter())
        .zip(&with.outcome.services)
        .map(|(b, w)| {
            [
                w.lost_hours - b.lost_hours,
                w.downtime_hours - b.downtime_hours,
                w.cost - b.cost,
                w.data_loss_hours - b.data_loss_hours,
            ]
        })
        .collect();
    // the drill is the last process of the drilled model
    let drill = drilled.processes.len() - 1;
    let end = (with.occurrences.iter())
        .find(|o| o.process == drill)
        .map_or(drilled.horizon, |o| o.end);
    Pair {
        services,
        cost: with.outcome.cost - base.outcome.cost,
        recovery: recovery_hours(&base.services, &with.services, end, drilled.horizon),
    }
}

/// The value of a timeline at `t` (the last step starting at or before it).
fn value_at(steps: &Steps, t: f64) -> f64 {
    let k = steps.partition_point(|&(from, _)| from <= t);
    steps.get(k.wrapping_sub(1)).map_or(1.0, |&(_, v)| v)
}

/// Hours from `end` to the first moment at or after it at which every
/// service's fraction in `with` equals its fraction in `base` (`horizon -
/// end` when none comes before the horizon).
pub fn recovery_hours(base: &[Steps], with: &[Steps], end: f64, horizon: f64) -> f64 {
    let agree = |t: f64| {
        base.iter()
            .zip(with)
            .all(|(b, w)| (value_at(b, t) - value_at(w, t)).abs() <= 1e-12)
    };
    if agree(end) {
        return 0.0;
    }
    let mut changes: Vec<f64> = (base.iter().chain(with))
        .flat_map(|steps| steps.iter().map(|&(t, _)| t))
        .filter(|&t| t > end && t < horizon)
        .collect();
    changes.sort_by(f64::total_cmp);
    changes.dedup();
    changes
        .into_iter()
        .find(|&t| agree(t))
        .map_or(horizon - end, |t| t - end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_is_the_first_moment_every_service_agrees_again() {
        let base = vec![vec![(0.0, 1.0)], vec![(0.0, 1.0), (50.0, 0.0), (60.0, 1.0)]];
        // service 0 back at 25, service 1 down until 70 where the base is back at 60
        let with = vec![
            vec![(0.0, 1.0), (10.0, 0.0), (25.0, 1.0)],
            vec![
                (0.0, 1.0),
                (10.0, 0.0),
                (22.0, 1.0),
                (50.0, 0.0),
                (70.0, 1.0),
            ],
        ];
        assert_eq!(recovery_hours(&base, &with, 20.0, 100.0), 5.0);
        assert_eq!(recovery_hours(&base, &with, 30.0, 100.0), 0.0);
        assert_eq!(recovery_hours(&base, &with, 62.0, 100.0), 8.0);
        let never = vec![vec![(0.0, 1.0), (10.0, 0.0)], base[1].clone()];
        assert_eq!(recovery_hours(&base, &never, 20.0, 100.0), 80.0);
    }
}

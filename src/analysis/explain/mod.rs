//! `faultline explain`: the story of one simulated horizon. Picks a trial
//! (by index, or the one at a percentile of the scenario's cost over a run),
//! re-runs it with the engine's recording on ([`engine::trace`]) and lays
//! out in time order each failure occurrence, the deployment and service
//! state changes, what routing did where it shows, and what each occurrence
//! was attributed.

mod document;
mod render;
mod story;

pub use document::{json, ExplainDocument};
pub use render::{markdown, table};
pub use story::{story, target_name, Entry, Event, RoutingNote, Story, MAX_STORY_EVENTS};

use std::sync::atomic::AtomicBool;

use crate::engine::{self, Plan, Trace, Workspace};
use crate::model::Model;
use crate::montecarlo::{self, RunError, RunOptions, RunSettings};

/// Which trial to explain.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Pick {
    /// Trial `N` (numbered from 0).
    Trial(u64),
    /// The trial at this nearest-rank percentile (0 < p <= 100) of the
    /// scenario's cost over the run; 100 is the worst.
    Percentile(f64),
}

/// The trial chosen, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Selection {
    /// What was asked for.
    pub pick: Pick,
    /// The seed of the run.
    pub seed: u64,
    /// The trials of the run.
    pub trials: u64,
    /// For a percentile: the trial's rank by cost (1 = cheapest).
    pub rank: Option<u64>,
}

/// A trial and its story.
#[derive(Debug, Clone, PartialEq)]
pub struct Explained {
    /// How it was chosen.
    pub selection: Selection,
    /// What the engine recorded.
    pub trace: Trace,
}

/// Why a trial could not be explained.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ExplainError {
    /// The run that finds the percentile was refused or interrupted.
    #[error(transparent)]
    Run(#[from] RunError),
    /// `--trial` is not below the number of trials.
    #[error("trial `{trial}` is not among the {trials} trials of this run")]
    NoSuchTrial {
        /// The trial asked for.
        trial: u64,
        /// The trials of the run.
        trials: u64,
    },
}

impl ExplainError {
    /// How to get past the error.
    pub fn hint(&self) -> Option<String> {
        match self {
            ExplainError::Run(e) => e.hint(),
            ExplainError::NoSuchTrial { trials, .. } => Some(format!(
                "trials are numbered from 0 to {}; raise `--trials` to reach further",
                trials.saturating_sub(1)
            )),
        }
    }
}

/// Picks the trial and traces it.
///
/// # Errors
/// [`ExplainError`] when the trial does not exist or the run is refused.
pub fn explain(
    model: &Model,
    options: &RunOptions,
    pick: Pick,
    stop: &AtomicBool,
) -> Result<Explained, ExplainError> {
    let settings = RunSettings::resolve(model, options);
    let (trials, seed) = (settings.trials, settings.seed);
    // the trace's trial, within the limits of a run's (the run that finds
    // a percentile checks its own)
    montecarlo::check_work(model, 1, &settings.limits)?;
    let (trial, rank) = match pick {
        Pick::Trial(trial) if trial < trials => (trial, None),
        Pick::Trial(trial) => return Err(ExplainError::NoSuchTrial { trial, trials }),
        Pick::Percentile(p) => {
            let (_, values) = montecarlo::run_sampled_with(model, &settings, stop, |o| {
                (o.cost, o.services.iter().map(|s| s.lost_hours).sum::<f64>())
            })?;
            let (trial, rank) = at_percentile(&values, p);
            (trial, Some(rank))
        }
    };
    let plan = Plan::seeded(model, seed);
    let trace = engine::trace_until(&plan, trial, &mut Workspace::default(), stop)
        .ok_or(RunError::Interrupted)?;
    Ok(Explained {
        selection: Selection {
            pick,
            seed,
            trials,
            rank,
        },
        trace,
    })
}

/// The trial at nearest-rank percentile `p` (0 < p <= 100) of
/// `(cost, lost hours)` per trial, and its rank (from 1): trials are ordered
/// by cost, ties by total lost hours, then by index, and the one of rank
/// `ceil(p / 100 * n)` is chosen (the same rank as the result document's
/// percentiles, so its cost is the document's `cost.p99` for p = 99).
pub fn at_percentile(values: &[(f64, f64)], p: f64) -> (u64, u64) {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| {
        (values[a].0.total_cmp(&values[b].0))
            .then(values[a].1.total_cmp(&values[b].1))
            .then(a.cmp(&b))
    });
    let n = order.len();
    let rank = ((p / 100.0 * n as f64).ceil() as usize).clamp(1, n.max(1));
    let trial = order.get(rank - 1).copied().unwrap_or(0);
    (trial as u64, rank as u64)
}

#[cfg(test)]
mod tests {
    use super::at_percentile;

    #[test]
    fn percentiles_use_nearest_rank_with_ties_by_lost_hours_then_index() {
        let values: Vec<(f64, f64)> = (0..100).map(|i| (f64::from(i % 50), 0.0)).collect();
        // costs 0..49 twice: rank 100 is the later of the two 49s
        assert_eq!(at_percentile(&values, 100.0), (99, 100));
        assert_eq!(at_percentile(&values, 99.0), (49, 99));
        assert_eq!(at_percentile(&values, 50.0), (74, 50));
        assert_eq!(at_percentile(&values, 0.001), (0, 1));
        let tied = [(5.0, 2.0), (5.0, 9.0), (5.0, 1.0)];
        assert_eq!(at_percentile(&tied, 100.0), (1, 3));
    }
}

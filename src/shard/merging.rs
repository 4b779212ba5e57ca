//! The merge of checked partials, one at a time in shard order, through
//! the reduction of a single run: each tree node pushed where it belongs,
//! the per-trial values appended in trial order.

use super::check::{check_values, SummaryCheck};
use super::draws::DrawsMerging;
use super::{MergeError, MergePlan, Partial};
use crate::montecarlo::{sketches, Reducible, Reduction};
use crate::stats::{Accumulator, RunResult, TrialValues};

/// A merge under way.
pub(super) struct Merging<'m> {
    plan: &'m MergePlan,
    reduction: Reduction,
    /// Every trial's values, in trial order.
    values: Accumulator,
    check: SummaryCheck<'m>,
    sketched: bool,
    /// A two-level run's merge (a scenario with uncertain inputs).
    draws: Option<DrawsMerging<'m>>,
}

impl<'m> Merging<'m> {
    /// An empty merge of the run `plan` describes.
    ///
    /// # Errors
    /// As [`DrawsMerging::new`] for a two-level run.
    pub(super) fn new(plan: &'m MergePlan) -> Result<Merging<'m>, MergeError> {
        let model = &plan.model;
        let two_level = plan.draws.map(|d| DrawsMerging::new(plan, d)).transpose()?;
        // a two-level run keeps its values per draw
        let length = if two_level.is_some() { 0 } else { plan.trials };
        let sketched = sketches(model, plan.trials, &plan.limits);
        Ok(Merging {
            plan,
            reduction: Reduction::new(model, plan.trials),
            values: Accumulator::with_values(model, length as usize, sketched),
            check: SummaryCheck::new(model),
            sketched,
            draws: two_level,
        })
    }

    /// Adds `part` (read from `file`), the next shard: its header was
    /// checked, its content is checked here.
    ///
    /// # Errors
    /// [`MergeError::Impossible`] at a value no run writes,
    /// [`MergeError::Corrupt`] when a piece does not fit where it lies.
    pub(super) fn add(&mut self, file: &str, part: &Partial) -> Result<(), MergeError> {
        let corrupt = |reason: String| MergeError::Corrupt {
            file: file.to_string(),
            reason,
        };
        let reduced = &part.reduced;
        match (&mut self.draws, &reduced.variants) {
            (Some(draws), Some(variants)) => {
                return draws.add(file, variants, part.first_trial..part.end_trial);
            }
            (None, None) => {}
            (Some(_), None) | (None, Some(_)) => {
                return Err(corrupt(
                    "its trials are not reduced as its header's draws say".into(),
                ));
            }
        }
        for (k, node) in reduced.nodes.iter().enumerate() {
            let path = format!("reduced.nodes[{k}].summary");
            self.check.summary(file, &path, &node.summary)?;
            let summary = Accumulator::from_summary(&self.plan.model, &node.summary);
            self.reduction
                .push_node(node.level, summary)
                .map_err(corrupt)?;
        }
        let trials = part.end_trial - part.first_trial;
        check_values(&self.plan.model, &reduced.values, trials, self.sketched)
            .map_err(|m| m.inside(&"reduced.values").of(file))?;
        self.values.append_value_lists(&reduced.values);
        self.reduction.ends_at(part.end_trial).map_err(corrupt)
    }

    /// The result document of the merged run and the per-trial values
    /// behind it.
    ///
    /// # Errors
    /// [`MergeError::Corrupt`] when the partials do not cover the run.
    pub(super) fn finish(self) -> Result<(RunResult, TrialValues), MergeError> {
        if let Some(draws) = self.draws {
            return draws.finish();
        }
        let plan = self.plan;
        covered(&self.reduction, plan.trials)?;
        let mut total = self.reduction.finish();
        total.take_values_from(self.values);
        Ok(total.finish_with_values(&plan.model, plan.seed, plan.seconds))
    }
}

/// Checks that the partials merged into `reduction` cover the run's
/// `trials`.
///
/// # Errors
/// [`MergeError::Corrupt`] when they end elsewhere.
pub(super) fn covered<A: Reducible>(
    reduction: &Reduction<A>,
    trials: u64,
) -> Result<(), MergeError> {
    if reduction.position() == trials {
        return Ok(());
    }
    Err(MergeError::Corrupt {
        file: String::new(),
        reason: format!(
            "the partials end at trial {}, not {trials}",
            reduction.position()
        ),
    })
}

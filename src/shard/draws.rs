//! The merge of the partials of a two-level run (a scenario with uncertain
//! inputs): every draw and the tornado's runs on each shard's trials, their
//! tree nodes pushed where they belong and each draw's per-trial values
//! appended in trial order, the document then made as a single run makes
//! it ([`DrawVariants::document`]).

use super::check::{check_values, within, Misfit, SummaryCheck, MAX_MAGNITUDE};
use super::{MergeError, MergePlan};
use crate::montecarlo::variants::{VariantBlock, VariantNode, VariantsPart};
use crate::montecarlo::{sketches, Reduction, RunSettings};
use crate::stats::{Accumulator, RunResult, TrialValues};
use crate::uncertainty::run::DrawVariants;

/// A merge of a two-level run's partials under way.
pub(super) struct DrawsMerging<'m> {
    plan: &'m MergePlan,
    variants: DrawVariants<'m>,
    reduction: Reduction<VariantBlock>,
    /// Per draw, its values in trial order.
    values: Vec<Accumulator>,
    /// Per variant, the check of its summaries.
    checks: Vec<SummaryCheck<'m>>,
    sketched: bool,
}

impl<'m> DrawsMerging<'m> {
    /// An empty merge of the run of `draws` draws `plan` describes.
    ///
    /// # Errors
    /// [`MergeError::Corrupt`] when a draw makes a distribution invalid
    /// (no shard of this scenario and seed ran).
    pub(super) fn new(plan: &'m MergePlan, draws: u64) -> Result<DrawsMerging<'m>, MergeError> {
        let model = &plan.model;
        let variants =
            DrawVariants::build(model, draws, plan.seed).map_err(|e| MergeError::Corrupt {
                file: String::new(),
                reason: e.to_string(),
            })?;
        let sketched = sketches(model, plan.trials, &plan.limits);
        let length = plan.trials as usize;
        Ok(DrawsMerging {
            plan,
            reduction: Reduction::of(variants.empty(), plan.trials, 0),
            values: vec![Accumulator::with_values(model, length, sketched); variants.draws()],
            checks: (0..variants.shape().0)
                .map(|_| SummaryCheck::new(model))
                .collect(),
            variants,
            sketched,
        })
    }

    /// Adds the variants' part of a partial (read from `file`) of the
    /// trials `trials`, the next shard.
    ///
    /// # Errors
    /// [`MergeError::Impossible`] at a value no run writes,
    /// [`MergeError::Corrupt`] when a piece does not fit where it lies.
    pub(super) fn add(
        &mut self,
        file: &str,
        part: &VariantsPart,
        trials: std::ops::Range<u64>,
    ) -> Result<(), MergeError> {
        let corrupt = |reason: String| MergeError::Corrupt {
            file: file.to_string(),
            reason,
        };
        let model = &self.plan.model;
        for (k, node) in part.nodes.iter().enumerate() {
            let path = format!("reduced.variants.nodes[{k}]");
            self.check_node(node)
                .map_err(|m| m.inside(&path).of(file))?;
            for ((r, run), check) in node.runs.iter().enumerate().zip(&mut self.checks) {
                check.summary(file, &format!("{path}.runs[{r}]"), run)?;
            }
            let block = node.block(model, self.variants.draws());
            self.reduction
                .push_node(node.level, block)
                .map_err(corrupt)?;
        }
        if part.values.len() != self.values.len() {
            return Err(corrupt(format!(
                "it holds the values of {} draw(s), not {}",
                part.values.len(),
                self.values.len()
            )));
        }
        for (d, (lists, values)) in part.values.iter().zip(&mut self.values).enumerate() {
            check_values(model, lists, trials.end - trials.start, self.sketched).map_err(|m| {
                m.inside(&format_args!("reduced.variants.values[{d}]"))
                    .of(file)
            })?;
            values.append_value_lists(lists);
        }
        self.reduction.ends_at(trials.end).map_err(corrupt)
    }

    /// Checks a node's shape and its measures' moments.
    fn check_node(&self, node: &VariantNode) -> Result<(), Misfit> {
        let (runs, measures) = self.variants.shape();
        let ends = runs.saturating_sub(self.variants.draws()) / 2;
        let shape = [
            ("runs", node.runs.len(), runs),
            ("pooled", node.pooled.len(), measures),
            ("averages", node.averages.len(), measures),
            ("pairs", node.pairs.len(), ends),
        ];
        for (field, found, expected) in shape {
            if found != expected {
                let reason = format!("it holds {found} entries, not {expected}");
                return Err(Misfit::new(field, reason));
            }
        }
        if let Some(run) = node.runs.iter().find(|r| r.trials != node.trials) {
            let reason = format!(
                "a run of {} trials in a node of {}",
                run.trials, node.trials
            );
            return Err(Misfit::new("runs", reason));
        }
        let pooled = node.trials.saturating_mul(self.variants.draws() as u64);
        for (field, pairs, n) in [
            ("pooled", &node.pooled, pooled),
            ("averages", &node.averages, node.trials),
            ("pairs", &node.pairs, node.trials),
        ] {
            for (k, &[mean, m2, nonzero]) in pairs.iter().enumerate() {
                let at = format!("{field}[{k}]");
                if !mean.is_finite() || mean.abs() > MAX_MAGNITUDE {
                    return Err(Misfit::new(
                        at,
                        format!("mean {mean} is not a number in range"),
                    ));
                }
                within(&at, m2, f64::MAX)?;
                within(&at, nonzero, n as f64)?;
                if nonzero.fract() != 0.0 {
                    return Err(Misfit::new(at, "its nonzero count is not whole".into()));
                }
            }
        }
        Ok(())
    }

    /// The merged run's document and the per-trial values behind it.
    ///
    /// # Errors
    /// [`MergeError::Corrupt`] when the partials do not cover the run.
    pub(super) fn finish(self) -> Result<(RunResult, TrialValues), MergeError> {
        let plan = self.plan;
        super::merging::covered(&self.reduction, plan.trials)?;
        let settings = RunSettings {
            trials: plan.trials,
            seed: plan.seed,
            threads: None,
            limits: plan.limits,
        };
        let total = self.reduction.finish();
        let two = (self.variants).document(&settings, (total, self.values), plan.seconds);
        Ok((two.result, two.values))
    }
}

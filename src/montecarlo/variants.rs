//! Several variants of one model (the same shape, other numbers: the draws
//! of uncertain inputs) run on the same trials in the one loop
//! ([`drive`]): each block is simulated on every variant's plan in turn,
//! trial after trial, and reduces to one [`VariantBlock`] that goes through
//! the segment tree ([`Reduction`]) like a single run's block, so that a
//! shard of the trials merges into the very numbers of a whole run and no
//! number depends on the threads.

use std::ops::{ControlFlow, Range};

use serde::{Deserialize, Serialize};

use super::execution::{drive, in_pool, Pace, Trials, Watch, BLOCK_TRIALS};
use super::reduction::{Reducible, Reduction};
use super::{window_trials, RunError, RunSettings};
use crate::engine::{Plan, TrialOutcome};
use crate::model::Model;
use crate::stats::{Accumulator, Moments, Summary, ValueLists};

/// Reads the per-trial measures averaged over the kept variants into the
/// slice (one value a measure).
pub type MeasureReader<'a> = &'a (dyn Fn(&TrialOutcome, &mut [f64]) + Sync);

/// The variants of a run and what is kept of them.
#[derive(Clone, Copy)]
pub struct Variants<'a> {
    /// The first variant's model: the shape of every accumulator.
    pub model: &'a Model,
    /// Each variant's plan, seeded with the run's seed.
    pub plans: &'a [Plan],
    /// The first `kept` variants keep their per-trial values, and their
    /// per-trial measures are averaged.
    pub kept: usize,
    /// How many per-trial measures, and how they are read.
    pub measures: (usize, MeasureReader<'a>),
}

/// What a contiguous run of trials of every variant reduces to.
#[derive(Debug, Clone)]
pub struct VariantBlock {
    /// Trials held.
    pub trials: u64,
    /// Per variant, the moments of its trials (per-trial values only in a
    /// block fresh from the loop).
    pub runs: Vec<Accumulator>,
    /// Per measure, its moments over every trial of every kept variant
    /// (within a block: trial after trial, the variants in order).
    pub pooled: Vec<Moments>,
    /// Per measure, the moments over the trials of its per-trial average
    /// over the kept variants.
    pub averages: Vec<Moments>,
    /// Per pair of variants after the kept ones (a tornado input's low and
    /// high end), the moments of the per-trial difference of the
    /// scenario's cost, high minus low: the paired spread of a swing.
    pub pairs: Vec<Moments>,
}

impl VariantBlock {
    /// A block of no trial of `variants` variants of `model`, the first
    /// `kept` of them kept, with `measures` per-trial measures.
    pub fn empty(model: &Model, (variants, kept): (usize, usize), measures: usize) -> VariantBlock {
        VariantBlock {
            trials: 0,
            runs: vec![Accumulator::new(model, 0); variants],
            pooled: vec![Moments::default(); measures],
            averages: vec![Moments::default(); measures],
            pairs: vec![Moments::default(); variants.saturating_sub(kept) / 2],
        }
    }
}

impl Reducible for VariantBlock {
    fn merge_next(&mut self, next: &Self) {
        self.trials += next.trials;
        for (run, other) in self.runs.iter_mut().zip(&next.runs) {
            run.merge_moments(other);
        }
        for (m, other) in self.pooled.iter_mut().zip(&next.pooled) {
            m.merge(other);
        }
        for (m, other) in self.averages.iter_mut().zip(&next.averages) {
            m.merge(other);
        }
        for (m, other) in self.pairs.iter_mut().zip(&next.pairs) {
            m.merge(other);
        }
    }

    fn trial_count(&self) -> u64 {
        self.trials
    }
}

/// The trials of a range of every variant, reduced: the tree's moments and
/// the per-trial values of the kept variants, in trial order.
pub struct VariantsReduced {
    /// The moments, through the segment tree.
    pub reduction: Reduction<VariantBlock>,
    /// Per kept variant, its per-trial values (no moments).
    pub values: Vec<Accumulator>,
}

/// Runs the trials `range` (the whole run's, or a shard's whole segments)
/// of a run of `settings.trials` trials of every variant, and reduces them.
/// `sketched`: whether the kept variants' per-service values are sketched.
/// The caller checks the work limits.
///
/// # Errors
/// [`RunError::Threads`], [`RunError::Interrupted`] when `watch` says to
/// stop, [`RunError::Shard`] for a range that does not fit the tree.
pub fn run_variants(
    variants: Variants<'_>,
    settings: &RunSettings,
    range: Range<u64>,
    (watch, sketched): (Watch<'_>, bool),
) -> Result<VariantsReduced, RunError> {
    let Variants {
        model,
        plans,
        kept,
        measures: (measures, _),
    } = variants;
    let empty = VariantBlock::empty(model, (plans.len(), kept), measures);
    let mut reduction = Reduction::of(empty, settings.trials, range.start);
    let length = (range.end - range.start) as usize;
    let mut values = vec![Accumulator::with_values(model, length, sketched); kept];
    let Some(first) = plans.first() else {
        // no variant: nothing to simulate
        return Ok(VariantsReduced { reduction, values });
    };
    let mut misfit = None;
    // a window of blocks holds every variant's accumulators: as many in
    // all as one run's window holds, but at least 16 blocks a thread (a
    // block of many variants is long: the threads wait for the slowest
    // block at each window's end)
    let threads = rayon::current_num_threads().max(1) as u64;
    let window =
        (window_trials(model) / plans.len().max(1) as u64).max(16 * threads * BLOCK_TRIALS);
    in_pool(settings.threads, || {
        drive(
            (model, first),
            range,
            (watch, Pace::PipelinedBy(window)),
            |model, trials| simulate_block(variants, model, trials),
            |blocks| {
                for block in blocks {
                    for (kept, run) in values.iter_mut().zip(&block.runs) {
                        kept.merge_values(run);
                    }
                    reduction.push_or_break(&block, &mut misfit)?;
                }
                ControlFlow::Continue(())
            },
        );
    })?;
    watch.ended(misfit)?;
    Ok(VariantsReduced { reduction, values })
}

/// One block's trials on every variant: their accumulators (the kept
/// variants' with their values) and the per-trial measures' moments.
fn simulate_block(variants: Variants<'_>, model: &Model, trials: Trials<'_>) -> VariantBlock {
    let (kept, (measures, read)) = (variants.kept, variants.measures);
    let n = trials.len();
    let mut block = VariantBlock {
        trials: n as u64,
        runs: (0..variants.plans.len())
            .map(|p| Accumulator::new(model, if p < kept { n } else { 0 }))
            .collect(),
        pairs: vec![Moments::default(); variants.plans.len().saturating_sub(kept) / 2],
        ..VariantBlock::empty(model, (0, 0), measures)
    };
    let (mut row, mut sums) = (vec![0.0; measures], vec![0.0; measures]);
    let average = |sum: f64| sum / kept as f64;
    let mut low_cost = 0.0;
    trials.for_each_on(variants.plans, |p, outcome| {
        block.runs[p].push(outcome);
        if p >= kept {
            // a pair's low end, then its high end, in the same trial
            let end = p - kept;
            match block.pairs.get_mut(end / 2) {
                Some(pair) if end % 2 == 1 => pair.push(outcome.cost - low_cost),
                _ => low_cost = outcome.cost,
            }
            return;
        }
        if measures == 0 {
            return;
        }
        if p == 0 {
            sums.fill(0.0);
        }
        read(outcome, &mut row);
        for ((sum, m), &x) in sums.iter_mut().zip(&mut block.pooled).zip(&row) {
            *sum += x;
            m.push(x);
        }
        if p + 1 == kept {
            for (m, &sum) in block.averages.iter_mut().zip(&sums) {
                m.push(average(sum));
            }
        }
    });
    block
}

/// A node of the tree of a run of variants, as a shard's partial holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VariantNode {
    /// Its level: it holds `2^level` segments.
    pub level: u32,
    /// Trials it holds.
    pub trials: u64,
    /// Per variant, its moments.
    pub runs: Vec<Summary>,
    /// Per measure, `[mean, m2, nonzero]` over every trial of every kept
    /// variant (`trials` times the kept variants).
    pub pooled: Vec<[f64; 3]>,
    /// Per measure, `[mean, m2, nonzero]` of its per-trial averages over
    /// the kept variants (`trials` values).
    pub averages: Vec<[f64; 3]>,
    /// Per pair of variants after the kept ones, `[mean, m2, nonzero]` of
    /// the per-trial cost difference, high minus low (`trials` values).
    pub pairs: Vec<[f64; 3]>,
}

/// What a shard of a run of variants reduces to: the tree's nodes of its
/// segments, in trial order, and each kept variant's per-trial values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VariantsPart {
    /// Complete nodes, in trial order.
    pub nodes: Vec<VariantNode>,
    /// Per kept variant, the per-trial values of the shard's trials.
    pub values: Vec<ValueLists>,
}

impl VariantsReduced {
    /// The nodes and values a shard's partial holds.
    pub fn into_part(self) -> VariantsPart {
        let pair = |m: &Moments| [m.mean, m.m2, m.nonzero as f64];
        let nodes = (self.reduction.into_parts().into_iter())
            .map(|(level, block)| VariantNode {
                level,
                trials: block.trials,
                runs: block.runs.iter().map(Accumulator::summary).collect(),
                pooled: block.pooled.iter().map(pair).collect(),
                averages: block.averages.iter().map(pair).collect(),
                pairs: block.pairs.iter().map(pair).collect(),
            })
            .collect();
        let values = (self.values.into_iter())
            .map(|mut v| v.take_value_lists())
            .collect();
        VariantsPart { nodes, values }
    }
}

impl VariantNode {
    /// The block it stands for, of variants of `model` whose first `kept`
    /// are kept (the caller checked its numbers).
    pub fn block(&self, model: &Model, kept: usize) -> VariantBlock {
        let moments = |n: u64, [mean, m2, nonzero]: [f64; 3]| Moments {
            n,
            mean,
            m2,
            nonzero: (nonzero.max(0.0) as u64).min(n),
        };
        let pooled_n = self.trials.saturating_mul(kept as u64);
        VariantBlock {
            trials: self.trials,
            runs: (self.runs.iter())
                .map(|s| Accumulator::from_summary(model, s))
                .collect(),
            pooled: self.pooled.iter().map(|&p| moments(pooled_n, p)).collect(),
            averages: self
                .averages
                .iter()
                .map(|&p| moments(self.trials, p))
                .collect(),
            pairs: (self.pairs.iter())
                .map(|&p| moments(self.trials, p))
                .collect(),
        }
    }
}

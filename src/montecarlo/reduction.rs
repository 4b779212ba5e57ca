//! The reduction of trial outcomes into one accumulator, exactly as a run
//! reduces them, for partials merged from their outcomes.

use super::{sketches, WorkLimits, BLOCK_TRIALS};
use crate::engine::TrialOutcome;
use crate::model::Model;
use crate::stats::Accumulator;

/// The accumulator of outcomes of trials `0, 1, 2, ...` pushed in trial
/// order, reduced exactly as [`run_until`] reduces them: pushed one by one
/// into 64-trial blocks, the blocks merged in order. So a merge of shards
/// gives the same floating-point numbers as a single run, and holds only one
/// block of outcomes at a time.
pub struct Reduction<'a> {
    model: &'a Model,
    total: Accumulator,
    block: Accumulator,
    in_block: u64,
}

impl<'a> Reduction<'a> {
    /// An empty reduction of a run of `trials` trials of `model` (which
    /// decide, with `limits`, whether the per-service values are sketched).
    pub fn new(model: &'a Model, trials: u64, limits: &WorkLimits) -> Reduction<'a> {
        let sketched = sketches(model, trials, limits);
        Reduction {
            model,
            total: Accumulator::with_values(model, trials as usize, sketched),
            block: Accumulator::new(model, BLOCK_TRIALS as usize),
            in_block: 0,
        }
    }

    /// Adds the outcome of the next trial.
    pub fn push(&mut self, outcome: &TrialOutcome) {
        self.block.push(outcome);
        self.in_block += 1;
        if self.in_block == BLOCK_TRIALS {
            self.flush();
        }
    }

    fn flush(&mut self) {
        let block = std::mem::replace(
            &mut self.block,
            Accumulator::new(self.model, BLOCK_TRIALS as usize),
        );
        self.total.merge(block);
        self.in_block = 0;
    }

    /// The accumulator of every trial pushed.
    pub fn finish(mut self) -> Accumulator {
        if self.in_block > 0 {
            self.flush();
        }
        self.total
    }
}

/// The accumulator of outcomes of trials `0..outcomes.len()` in trial
/// order, reduced as a [`Reduction`] reduces them.
pub fn reduce(model: &Model, outcomes: &[TrialOutcome], limits: &WorkLimits) -> Accumulator {
    let mut reduction = Reduction::new(model, outcomes.len() as u64, limits);
    outcomes.iter().for_each(|o| reduction.push(o));
    reduction.finish()
}

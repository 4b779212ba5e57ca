//! The reduction of a run's trials into one accumulator, in a shape that
//! any split of the trials into shards reproduces exactly.
//!
//! Trials go into 64-trial blocks; the blocks of a segment
//! ([`SEGMENT_TRIALS`] trials) are merged in order; the segments are merged
//! pairwise in a fixed binary tree over their indices (a node of level `l`
//! holds segments `[j 2^l, (j + 1) 2^l)`), and the nodes left are merged
//! from the first to the last. A run of at most one segment is therefore
//! the plain in-order merge of its blocks. A shard simulates whole
//! segments and reduces them into the tree's nodes; merging the shards'
//! nodes in order rebuilds the very nodes of a single run, so the same
//! floating-point numbers, with partials whose size does not grow with
//! their trials.
//!
//! Only the moments go through the tree; the per-trial values (exact, in
//! trial order, or sketched) are appended apart, in trial order.

use std::ops::ControlFlow;

use serde::{Deserialize, Serialize};

use super::BLOCK_TRIALS;
use crate::model::Model;
use crate::stats::{Accumulator, Summary, ValueLists};

/// What the tree reduces: the moments of a contiguous run of trials,
/// merged with those of the trials that directly follow.
pub trait Reducible: Clone {
    /// Merges the moments of `next`, whose trials directly follow.
    fn merge_next(&mut self, next: &Self);
    /// The trials it holds.
    fn trial_count(&self) -> u64;
}

impl Reducible for Accumulator {
    fn merge_next(&mut self, next: &Self) {
        self.merge_moments(next);
    }

    fn trial_count(&self) -> u64 {
        self.trials()
    }
}

/// Blocks per segment: the blocks of a segment are merged in order.
pub const SEGMENT_BLOCKS: u64 = 16;

/// Trials per segment (1,024): a run of at most this many trials reduces
/// its blocks in order, one after the other.
pub const SEGMENT_TRIALS: u64 = SEGMENT_BLOCKS * BLOCK_TRIALS;

/// The start of the segment that holds trial `t` of a run of `trials`
/// trials, or `trials` for `t == trials`: where shard ranges are cut.
pub fn segment_start(t: u64, trials: u64) -> u64 {
    if t >= trials {
        trials
    } else {
        t / SEGMENT_TRIALS * SEGMENT_TRIALS
    }
}

/// Complete nodes of the tree, in trial order, each merged with its left
/// sibling as soon as both are complete.
#[derive(Clone)]
struct Stack<A>(Vec<(u32, u64, A)>);

impl<A: Reducible> Stack<A> {
    /// Pushes node `index` of `level`, merging complete siblings upwards.
    fn push(&mut self, level: u32, index: u64, acc: A) {
        self.0.push((level, index, acc));
        while let [.., (l1, i1, _), (l2, i2, _)] = self.0[..] {
            if l1 != l2 || i1 % 2 != 0 || i2 != i1 + 1 {
                break;
            }
            let Some((_, _, right)) = self.0.pop() else {
                break;
            };
            if let Some((level, index, left)) = self.0.last_mut() {
                left.merge_next(&right);
                *level += 1;
                *index /= 2;
            }
        }
    }

    /// The nodes merged from first to last (`empty` without nodes).
    fn fold(self, empty: A) -> A {
        let mut nodes = self.0.into_iter().map(|(_, _, acc)| acc);
        let Some(mut total) = nodes.next() else {
            return empty;
        };
        nodes.for_each(|node| total.merge_next(&node));
        total
    }
}

/// The moments of a run's trials, pushed in trial order as whole blocks or
/// tree nodes ([`Reduced`]). `A` is what a block reduces to: an
/// [`Accumulator`], or the blocks of several runs on the same trials.
#[derive(Clone)]
pub struct Reduction<A = Accumulator> {
    /// What holds no trial.
    empty: A,
    /// Trials of the whole run.
    trials: u64,
    /// Trials pushed so far (from the first trial).
    position: u64,
    /// The blocks of the current segment, merged in order.
    segment: A,
    stack: Stack<A>,
}

impl Reduction {
    /// An empty reduction of a run of `trials` trials of `model`.
    pub fn new(model: &Model, trials: u64) -> Reduction {
        Reduction::starting_at(model, trials, 0)
    }

    /// An empty reduction of the trials from `first` (a segment's start) of
    /// a run of `trials` trials of `model`: a shard's.
    pub fn starting_at(model: &Model, trials: u64, first: u64) -> Reduction {
        Reduction::of(Accumulator::new(model, 0), trials, first)
    }

    /// The tree's nodes of the trials pushed, in trial order: a shard's,
    /// whose trials end on a segment boundary or at the run's end.
    pub fn into_nodes(self) -> Vec<Node> {
        (self.into_parts().into_iter())
            .map(|(level, acc)| Node {
                level,
                summary: acc.summary(),
            })
            .collect()
    }
}

impl<A: Reducible> Reduction<A> {
    /// Pushes a block of a run's loop, noting in `misfit` why one does not
    /// fit the tree (a shard's range that is not whole segments) and
    /// breaking the loop then.
    pub fn push_or_break(&mut self, block: &A, misfit: &mut Option<String>) -> ControlFlow<()> {
        match self.push_block(block) {
            Ok(()) => ControlFlow::Continue(()),
            Err(e) => {
                *misfit = Some(e);
                ControlFlow::Break(())
            }
        }
    }

    /// An empty reduction of the trials from `first` (a segment's start) of
    /// a run of `trials` trials, `empty` holding no trial.
    pub fn of(empty: A, trials: u64, first: u64) -> Reduction<A> {
        Reduction {
            segment: empty.clone(),
            empty,
            trials,
            position: first,
            stack: Stack(Vec::new()),
        }
    }

    /// Trials pushed so far.
    pub fn position(&self) -> u64 {
        self.position
    }

    /// Checks that the pieces pushed end at trial `end` (a shard's last
    /// trial's end); else says where they end.
    ///
    /// # Errors
    /// The message when they end elsewhere.
    pub fn ends_at(&self, end: u64) -> Result<(), String> {
        if self.position == end {
            return Ok(());
        }
        Err(format!(
            "its pieces end at trial {}, not at its last trial's end {end}",
            self.position
        ))
    }

    /// Adds the next block, whole (its moments; not its values).
    ///
    /// # Errors
    /// Why the block does not fit here.
    pub fn push_block(&mut self, block: &A) -> Result<(), String> {
        let end = ((self.position / BLOCK_TRIALS + 1) * BLOCK_TRIALS).min(self.trials);
        if !self.position.is_multiple_of(BLOCK_TRIALS) {
            return Err(format!("a block at trial {}", self.position));
        }
        self.fits("a block", block.trial_count(), end - self.position)?;
        self.position = end;
        self.segment.merge_next(block);
        if self.position.is_multiple_of(SEGMENT_TRIALS) || self.position == self.trials {
            self.close_segment();
        }
        Ok(())
    }

    /// Adds node `level` of the tree that starts at the current trial.
    ///
    /// # Errors
    /// Why the node does not fit here.
    pub fn push_node(&mut self, level: u32, node: A) -> Result<(), String> {
        let size = u128::from(SEGMENT_TRIALS) << level.min(64);
        if self.open() || level > 48 || u128::from(self.position) % size != 0 {
            return Err(format!(
                "a node of level {level} at trial {}",
                self.position
            ));
        }
        let expected = (u128::from(self.trials - self.position)).min(size) as u64;
        self.fits("a node", node.trial_count(), expected)?;
        let index = (u128::from(self.position) / size) as u64;
        self.position += expected;
        self.stack.push(level, index, node);
        Ok(())
    }

    /// The moments of every trial pushed, as if the run ended here (for a
    /// stopping rule).
    pub fn total(&self) -> A {
        self.clone().finish()
    }

    /// The moments of every trial pushed (the run ends here); no values.
    pub fn finish(mut self) -> A {
        if self.open() {
            self.close_segment();
        }
        self.stack.fold(self.empty)
    }

    /// The tree's nodes of the trials pushed (level and moments), in trial
    /// order: a shard's, whose trials end on a segment boundary or at the
    /// run's end.
    pub fn into_parts(self) -> Vec<(u32, A)> {
        (self.stack.0.into_iter())
            .map(|(level, _, acc)| (level, acc))
            .collect()
    }

    /// Whether a segment is under way.
    fn open(&self) -> bool {
        self.segment.trial_count() > 0
    }

    fn fits(&self, what: &str, n: u64, expected: u64) -> Result<(), String> {
        if n == expected && n > 0 {
            Ok(())
        } else {
            Err(format!(
                "{what} of {n} trial(s) at trial {}, where {expected} are due",
                self.position
            ))
        }
    }

    fn close_segment(&mut self) {
        let segment = std::mem::replace(&mut self.segment, self.empty.clone());
        let index = (self.position - 1) / SEGMENT_TRIALS;
        self.stack.push(0, index, segment);
    }
}

/// A node of the tree, as a partial holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Node {
    /// Its level: it holds `2^level` segments.
    pub level: u32,
    /// Its moments.
    pub summary: Summary,
}

/// What a shard's trials reduce to: the tree's nodes of its segments, in
/// trial order, and the values of its trials.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reduced {
    /// Complete nodes, in trial order.
    pub nodes: Vec<Node>,
    /// The per-trial values of the shard's trials, in trial order.
    pub values: ValueLists,
    /// A two-level run's (variants of the model on the same trials): its
    /// nodes and values, `nodes` and `values` then empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variants: Option<super::variants::VariantsPart>,
}

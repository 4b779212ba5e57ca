//! The one loop every run goes through: trials in 64-trial blocks,
//! simulated in parallel with rayon a window of blocks at a time, each from
//! its own random streams, what is made of each block handed over in trial
//! order, so that no number depends on the threads.

use std::ops::{ControlFlow, Range};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use rayon::prelude::*;

use super::RunError;
use crate::engine::{self, Plan, TrialOutcome, Workspace};
use crate::model::Model;

/// Trials per block. Blocks are the unit of parallel work and of merging; the
/// size is fixed, so the order of floating-point reductions is too.
pub const BLOCK_TRIALS: u64 = 64;

/// Blocks of a window hold at most about this many service accumulators:
/// finished blocks wait for the window to be merged in order, so this bounds
/// their memory whatever the number of trials.
const WINDOW_SERVICE_BLOCKS: usize = 1 << 16;

/// What a run watches while it runs: the signal to stop (checked before
/// every trial) and the count of trials done (for a progress bar).
#[derive(Clone, Copy)]
pub struct Watch<'a> {
    /// Set to stop the run.
    pub stop: &'a AtomicBool,
    /// Incremented after every trial.
    pub progress: &'a AtomicU64,
}

impl Watch<'_> {
    /// Whether the run was asked to stop.
    pub fn stopped(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    /// How a loop over a range of trials ended: [`RunError::Interrupted`]
    /// when asked to stop, [`RunError::Shard`] when a block did not fit the
    /// tree (`misfit`), else fine.
    pub fn ended(&self, misfit: Option<String>) -> Result<(), RunError> {
        if self.stopped() {
            return Err(RunError::Interrupted);
        }
        misfit.map_or(Ok(()), |reason| Err(RunError::Shard(reason)))
    }
}

/// How the loop walks its range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pace {
    /// Windows of [`window_trials`], each handed over while the next one is
    /// simulated (so the hand-over does not idle the other threads).
    Pipelined,
    /// As [`Pace::Pipelined`], windows of this many trials (rounded to
    /// whole blocks): for blocks that each hold several runs.
    PipelinedBy(u64),
    /// Batches of this many trials (a whole number of blocks), each handed
    /// over before the next is simulated: the hand-over decides whether to
    /// go on.
    Batches(u64),
}

/// Simulates the trials `range` of the model `plan` was built from, a
/// window at a time ([`Pace`]), and hands what `per_block` made of each
/// block of a window to `each`, in trial order. Stops between windows when
/// `watch` says so or `each` breaks (with [`Pace::Pipelined`], the window
/// simulated meanwhile is dropped). Whatever the pace, the blocks and their
/// order are the same.
pub fn drive<T: Send>(
    (model, plan): (&Model, &Plan),
    range: Range<u64>,
    (watch, pace): (Watch<'_>, Pace),
    per_block: impl Fn(&Model, Trials<'_>) -> T + Sync,
    mut each: impl FnMut(Vec<T>) -> ControlFlow<()> + Send,
) {
    let length = match pace {
        Pace::Pipelined => window_trials(model),
        Pace::PipelinedBy(n) => n.max(BLOCK_TRIALS) / BLOCK_TRIALS * BLOCK_TRIALS,
        Pace::Batches(n) => n.max(BLOCK_TRIALS),
    };
    let mut done: Vec<T> = Vec::new();
    for window in windows(range, length) {
        if watch.stopped() {
            break;
        }
        let handed = std::mem::take(&mut done);
        let next = match pace {
            Pace::Pipelined | Pace::PipelinedBy(_) => {
                let (flow, next) = rayon::join(
                    || each(handed),
                    || simulate(plan, model, window, watch, &per_block),
                );
                if flow.is_break() {
                    return;
                }
                next
            }
            Pace::Batches(_) => {
                let next = simulate(plan, model, window, watch, &per_block);
                if each(next).is_break() {
                    return;
                }
                Vec::new()
            }
        };
        done = next;
    }
    if !done.is_empty() {
        let _ = each(done);
    }
}

/// The windows of `range`: `length` long, each ending on a block boundary
/// (so no block is cut in two), in order.
fn windows(range: Range<u64>, length: u64) -> impl Iterator<Item = Range<u64>> {
    let mut first = range.start;
    std::iter::from_fn(move || {
        (first < range.end).then(|| {
            let last = (first / BLOCK_TRIALS * BLOCK_TRIALS + length).min(range.end);
            let this = first..last;
            first = last;
            this
        })
    })
}

/// Trials simulated between two in-order hand-overs: a whole number of
/// blocks, enough for every thread to stay busy (64 blocks each), few
/// enough that the finished blocks waiting to be merged stay small
/// ([`WINDOW_SERVICE_BLOCKS`]). The window does not change any number: the
/// blocks and their merge order are the same.
pub fn window_trials(model: &Model) -> u64 {
    let threads = rayon::current_num_threads().max(1);
    let by_memory = WINDOW_SERVICE_BLOCKS / model.services.len().max(1);
    let blocks = by_memory.min(64 * threads).max(4 * threads);
    blocks as u64 * BLOCK_TRIALS
}

/// Runs `work` on a pool of `threads` threads, or on rayon's global pool.
///
/// # Errors
/// [`RunError::Threads`] when the pool cannot be built.
pub fn in_pool<T: Send>(
    threads: Option<usize>,
    work: impl FnOnce() -> T + Send,
) -> Result<T, RunError> {
    match threads {
        Some(n) => Ok(rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .map_err(|_| RunError::Threads(n))?
            .install(work)),
        None => Ok(work()),
    }
}

/// Simulates the trials `range`, in parallel over the 64-trial blocks
/// `[64 b, 64 (b + 1))` it meets (cut to the range), and returns what
/// `per_block` made of each block, in trial order. Whatever the range, a
/// trial always belongs to the same block: this is what makes shards merge
/// into the very numbers of a single run.
fn simulate<T: Send>(
    plan: &Plan,
    model: &Model,
    range: Range<u64>,
    watch: Watch<'_>,
    per_block: impl Fn(&Model, Trials<'_>) -> T + Sync,
) -> Vec<T> {
    if range.is_empty() {
        return Vec::new();
    }
    let blocks = (range.start / BLOCK_TRIALS)..range.end.div_ceil(BLOCK_TRIALS);
    // (listed: a range of u64 is not an indexed parallel iterator)
    let blocks: Vec<u64> = blocks.collect();
    let spare = Spare::default();
    blocks
        .into_par_iter()
        // one block a job: rayon otherwise stops splitting at a few large
        // pieces, and a thread with nothing left to steal idles while the
        // other finishes its piece (~0.1 s per window on W1)
        .with_max_len(1)
        .map(|block| {
            let first = (block * BLOCK_TRIALS).max(range.start);
            let last = ((block + 1) * BLOCK_TRIALS).min(range.end);
            let mut ws = spare.take();
            let trials = Trials {
                plan,
                range: first..last,
                watch,
                ws: &mut ws,
            };
            let made = per_block(model, trials);
            spare.give(ws);
            made
        })
        .collect()
}

/// Workspaces between blocks: a block takes one and gives it back, so a
/// thread reuses its buffers from block to block (a fresh workspace costs
/// page faults as its buffers grow: ~5% of a run when made per block).
/// A workspace holds nothing a trial reads before writing it.
#[derive(Default)]
struct Spare(std::sync::Mutex<Vec<Workspace>>);

impl Spare {
    /// A spare workspace, or a new one.
    fn take(&self) -> Workspace {
        self.list().pop().unwrap_or_default()
    }

    /// Keeps `ws` for the next block.
    fn give(&self, ws: Workspace) {
        self.list().push(ws);
    }

    /// The list (a panicked block's poison changes nothing in it).
    fn list(&self) -> std::sync::MutexGuard<'_, Vec<Workspace>> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The trials of one block, simulated one by one as they are iterated.
pub struct Trials<'a> {
    plan: &'a Plan,
    range: Range<u64>,
    watch: Watch<'a>,
    ws: &'a mut Workspace,
}

impl Trials<'_> {
    /// The number of trials in the block.
    pub fn len(&self) -> usize {
        (self.range.end - self.range.start) as usize
    }

    /// True for a block without trials.
    pub fn is_empty(&self) -> bool {
        self.range.is_empty()
    }

    /// The first trial of the block.
    pub fn first(&self) -> u64 {
        self.range.start
    }

    /// Calls `f` with the outcome of each trial in turn; stops early when
    /// the run is asked to stop.
    pub fn for_each(self, mut f: impl FnMut(&TrialOutcome)) {
        let stop = self.watch.stop;
        for trial in self.range {
            if stop.load(Ordering::Relaxed) {
                break;
            }
            if !engine::run_trial_until(self.plan, trial, self.ws, stop) {
                break;
            }
            f(self.ws.outcome());
            self.watch.progress.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Calls `f(p, outcome)` with the outcome of each trial on each plan
    /// `plans[p]` in turn (plans of models of the same shape, on the same
    /// trial streams), trial after trial; stops early when the run is asked
    /// to stop.
    pub fn for_each_on(self, plans: &[Plan], mut f: impl FnMut(usize, &TrialOutcome)) {
        let stop = self.watch.stop;
        self.ws.share_streams(plans.len() > 1);
        for trial in self.range {
            for (p, plan) in plans.iter().enumerate() {
                if stop.load(Ordering::Relaxed)
                    || !engine::run_trial_until(plan, trial, self.ws, stop)
                {
                    return;
                }
                f(p, self.ws.outcome());
            }
            self.watch.progress.fetch_add(1, Ordering::Relaxed);
        }
    }
}

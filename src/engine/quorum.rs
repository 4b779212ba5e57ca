//! A deployment's quorum timeline: 1 while at least `need` of its replicas are
//! up, else 0. A sweep over the outages of the processes gating its replicas,
//! merged in time order from per-process sorted lists (no sorting, no queue).

use super::plan::{Members, Plan};
use super::Workspace;
use crate::model::Model;
use std::ops::Range;

/// Reused buffers of the sweep.
#[derive(Debug, Default)]
pub struct Scratch {
    /// The gating outages: (start bits, end bits, gate), merged by start.
    events: Vec<(u64, u64, u32)>,
    /// Outages in progress during the sweep: (end bits, gate).
    ending: Vec<(u64, u32)>,
    /// Second buffer of the merge.
    merged: Vec<(u64, u64, u32)>,
    /// Start index of each sorted run in `events`.
    runs: Vec<usize>,
    /// Per local replica: how many gating outages hold it down.
    down: Vec<u32>,
    /// Per grid cell: the replicas held down by the outages touching it,
    /// counted once per outage (an upper bound on those down at once).
    /// All zero between sweeps.
    counts: Counts,
    /// Inputs of the product in `combine`.
    pub inputs: Vec<super::combine::Input>,
    /// Per-deployment state of the routing loop.
    pub routes: Vec<super::routing::Route>,
}

/// Cells of the coarse time grid used to find where a quorum may be lost:
/// time `t` falls in cell `round(t * GRID / horizon)`, 0 to `GRID`.
const GRID: usize = 128;

/// The cells are indexed modulo this (a power of two above `GRID`), so no
/// index needs a bounds check.
const SLOTS: usize = 256;

/// The grid's counts, all zero between sweeps.
#[derive(Debug)]
struct Counts([u64; SLOTS]);

impl Default for Counts {
    fn default() -> Self {
        Counts([0; SLOTS])
    }
}

/// The cell of time `t` (`scaled = t * GRID / horizon`, in `[0, GRID]`):
/// adding 2^52 leaves `scaled` rounded to an integer in the low bits of the
/// mantissa, cheaper than a saturating float-to-integer conversion. Any
/// non-decreasing map of time to cells keeps the grid conservative.
#[inline(always)]
fn cell(scaled: f64) -> usize {
    const ROUND: f64 = 4_503_599_627_370_496.0; // 2^52
    ((scaled + ROUND).to_bits() as usize) & (SLOTS - 1)
}

/// Computes the quorum timeline of deployment `d` into the arena.
///
/// The quorum can only be lost where at least `m = replicas - need + 1`
/// replicas are held down at once. A coarse grid over the horizon counts,
/// per cell, the replicas held down by each outage touching it (a replica
/// down twice in a cell counts twice: an upper bound, so nothing is missed);
/// only the runs of cells counting at least `m` are swept exactly, over a
/// window a quarter of a cell wider on each side than the times those cells
/// hold (so rounding can never leave a lost quorum outside it). Elsewhere the
/// quorum holds throughout, which is what almost every outage of a replica
/// in a group with spare capacity amounts to.
pub fn sweep(model: &Model, plan: &Plan, d: usize, ws: &mut Workspace) -> Range<usize> {
    let deployment = &model.deployments[d];
    let n = deployment.replicas.len();
    let start = ws.arena.begin(1.0, 0);
    let horizon = model.horizon;
    if n > 64 {
        sweep_window(plan, d, n, deployment.need, (0.0, horizon), start, ws);
        return ws.arena.finish(start);
    }
    let threshold = (n - deployment.need + 1) as u64;
    let scale = GRID as f64 / horizon;
    let counts = &mut ws.scratch.counts.0;
    for g in plan.deployment_gates[d].clone() {
        // the replicas the gate holds down
        let weight = u64::from(plan.weights[g as usize]);
        let range = ws.process_outages[plan.gates[g as usize].process as usize].clone();
        for &(a, b) in &ws.outages[range] {
            let (first, last) = (cell(a * scale), cell(b * scale));
            // at most 64 per outage: a u64 count cannot overflow
            counts[first] += weight;
            for c in first + 1..=last {
                counts[c & (SLOTS - 1)] += weight;
            }
        }
    }
    let cells = &mut counts[..=GRID];
    if !cells.iter().any(|&c| c >= threshold) {
        cells.fill(0);
        return ws.arena.finish(start);
    }
    // Scan the cells, clearing them for the next deployment as we go.
    let mut c = 0;
    while c <= GRID {
        if std::mem::take(&mut ws.scratch.counts.0[c]) < threshold {
            c += 1;
            continue;
        }
        let first = c;
        c += 1;
        while c <= GRID && std::mem::take(&mut ws.scratch.counts.0[c]) >= threshold {
            c += 1;
        }
        // cells first..c hold the times within half a cell of their centres
        let from = if first == 0 {
            0.0
        } else {
            (first as f64 - 0.75) / scale
        };
        let to = if c > GRID {
            horizon
        } else {
            ((c as f64 - 0.25) / scale).min(horizon)
        };
        sweep_window(plan, d, n, deployment.need, (from, to), start, ws);
    }
    ws.arena.finish(start)
}

/// Sweeps the outages of `d`'s gates that overlap `window`, clipped to it, in
/// time order, appending quorum changes to the timeline begun at `start`.
fn sweep_window(
    plan: &Plan,
    d: usize,
    n: usize,
    need: usize,
    window: (f64, f64),
    start: usize,
    ws: &mut Workspace,
) {
    let (w0, w1) = window;
    let scratch = &mut ws.scratch;
    scratch.events.clear();
    scratch.runs.clear();
    for g in plan.deployment_gates[d].clone() {
        let range = ws.process_outages[plan.gates[g as usize].process as usize].clone();
        let outages = &ws.outages[range];
        let first = outages.partition_point(|o| o.1 <= w0);
        let run = scratch.events.len();
        for &(a, b) in outages[first..].iter().take_while(|o| o.0 < w1) {
            // positive finite f64 bits order like the numbers
            scratch
                .events
                .push((a.max(w0).to_bits(), b.min(w1).to_bits(), g));
        }
        if scratch.events.len() > run {
            scratch.runs.push(run);
        }
    }
    // Each gate's outages are already in time order: merge the runs pairwise.
    merge_runs(&mut scratch.events, &mut scratch.merged, &mut scratch.runs);
    let mut state = Quorum::new(n, need, &mut scratch.down);
    scratch.ending.clear();
    for &(begin, end, gate) in &scratch.events {
        close_until(
            begin,
            &mut scratch.ending,
            &mut state,
            plan,
            start,
            &mut ws.arena,
        );
        let q = state.apply(plan, gate, false);
        ws.arena.push(start, f64::from_bits(begin), q, 0);
        scratch.ending.push((end, gate));
    }
    close_until(
        u64::MAX,
        &mut scratch.ending,
        &mut state,
        plan,
        start,
        &mut ws.arena,
    );
}

/// Ends the outages in progress that end by `limit` (time bits), earliest
/// first, appending the quorum after each to the timeline begun at `start`.
fn close_until(
    limit: u64,
    ending: &mut Vec<(u64, u32)>,
    state: &mut Quorum<'_>,
    plan: &Plan,
    start: usize,
    arena: &mut super::timeline::Arena,
) {
    while let Some((k, &(t, g))) = ending.iter().enumerate().min_by_key(|(_, e)| e.0) {
        if t > limit {
            return;
        }
        ending.swap_remove(k);
        let q = state.apply(plan, g, true);
        arena.push(start, f64::from_bits(t), q, 0);
    }
}

/// Up/down bookkeeping of one deployment's replicas during a sweep.
struct Quorum<'a> {
    n: usize,
    need: usize,
    /// Per local replica: how many gating outages hold it down.
    down: &'a mut Vec<u32>,
    n_down: usize,
    all_down: u32,
}

impl<'a> Quorum<'a> {
    fn new(n: usize, need: usize, down: &'a mut Vec<u32>) -> Quorum<'a> {
        down.clear();
        down.resize(n, 0);
        Quorum {
            n,
            need,
            down,
            n_down: 0,
            all_down: 0,
        }
    }

    /// Applies the start (or end, `up`) of an outage of `gate`; returns the quorum.
    #[inline]
    fn apply(&mut self, plan: &Plan, gate: u32, up: bool) -> f64 {
        match &plan.gates[gate as usize].members {
            Members::All => {
                if up {
                    self.all_down -= 1;
                } else {
                    self.all_down += 1;
                }
            }
            Members::Some(members) => {
                for &m in &plan.members[members.start as usize..members.end as usize] {
                    let c = &mut self.down[m as usize];
                    if up {
                        *c -= 1;
                        self.n_down -= usize::from(*c == 0);
                    } else {
                        self.n_down += usize::from(*c == 0);
                        *c += 1;
                    }
                }
            }
        }
        if self.all_down == 0 && self.n - self.n_down >= self.need {
            1.0
        } else {
            0.0
        }
    }
}

/// Sorts `events`, made of sorted runs starting at `runs`, by merging adjacent
/// runs pairwise until one is left: O(n log k) for k runs, no allocation once
/// the buffers are warm. Positive finite f64 bits order like the numbers.
fn merge_runs(
    events: &mut Vec<(u64, u64, u32)>,
    buffer: &mut Vec<(u64, u64, u32)>,
    runs: &mut Vec<usize>,
) {
    let n = events.len();
    buffer.clear();
    buffer.resize(n, (0, 0, 0));
    while runs.len() > 1 {
        let mut next_runs = 0;
        let mut i = 0;
        while i < runs.len() {
            let a = runs[i];
            let mid = runs.get(i + 1).copied().unwrap_or(n);
            let end = runs.get(i + 2).copied().unwrap_or(n);
            runs[next_runs] = a;
            next_runs += 1;
            merge_two(&events[a..mid], &events[mid..end], &mut buffer[a..end]);
            i += 2;
        }
        runs.truncate(next_runs);
        std::mem::swap(events, buffer);
    }
}

/// Merges two sorted runs into `out` (of their combined length), stable: on
/// equal times the left run comes first.
#[inline]
fn merge_two(left: &[(u64, u64, u32)], right: &[(u64, u64, u32)], out: &mut [(u64, u64, u32)]) {
    let (mut i, mut j) = (0, 0);
    for slot in out.iter_mut() {
        let take_right = i >= left.len() || (j < right.len() && right[j].0 < left[i].0);
        if take_right {
            *slot = right[j];
            j += 1;
        } else {
            *slot = left[i];
            i += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_time_lies_within_the_window_of_its_cell() {
        // the window of a run of cells first..=last is
        // [(first - 0.75) / scale, (last + 0.75) / scale]: each time must
        // fall in the window of its own cell, and cells must not decrease
        for horizon in [1.0, 24.0, 8760.0, 87_600.0, 1e7] {
            let scale = GRID as f64 / horizon;
            let mut previous = 0;
            for i in 0..=100_000u32 {
                let t = horizon * f64::from(i) / 100_000.0;
                let c = cell(t * scale);
                assert!(c <= GRID && c >= previous, "t {t} cell {c}");
                assert!((c as f64 - 0.75) / scale <= t && t <= (c as f64 + 0.75) / scale);
                previous = c;
            }
            assert_eq!(cell(horizon * scale), GRID);
        }
    }

    #[test]
    fn merging_sorted_runs_sorts_the_whole() {
        let mut events: Vec<(u64, u64, u32)> = [1u64, 4, 9, 2, 3, 10, 0, 5, 6, 7, 8]
            .iter()
            .enumerate()
            .map(|(i, &t)| (t, t, i as u32))
            .collect();
        let mut runs = vec![0, 3, 6, 9];
        let mut buffer = Vec::new();
        merge_runs(&mut events, &mut buffer, &mut runs);
        let times: Vec<u64> = events.iter().map(|e| e.0).collect();
        assert_eq!(times, vec![0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    }
}

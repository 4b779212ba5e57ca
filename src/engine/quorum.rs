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
    down: Vec<u16>,
    /// Inputs of the product in `combine`.
    pub inputs: Vec<super::combine::Input>,
    /// Per-deployment state of the routing loop.
    pub routes: Vec<super::routing::Route>,
}

/// Computes the quorum timeline of deployment `d` into the arena.
pub fn sweep(model: &Model, plan: &Plan, d: usize, ws: &mut Workspace) -> Range<usize> {
    let deployment = &model.deployments[d];
    let gates = plan.deployment_gates[d].clone();
    let scratch = &mut ws.scratch;
    scratch.events.clear();
    scratch.runs.clear();
    for g in gates {
        let range = ws.process_outages[plan.gates[g as usize].process as usize].clone();
        if range.is_empty() {
            continue;
        }
        scratch.runs.push(scratch.events.len());
        for &(a, b) in &ws.outages[range] {
            // positive finite f64 bits order like the numbers
            scratch.events.push((a.to_bits(), b.to_bits(), g));
        }
    }
    let start = ws.arena.begin(1.0, 0);
    if scratch.events.is_empty() {
        return ws.arena.finish(start);
    }
    // Each gate's outages are already in time order: merge the runs pairwise.
    merge_runs(&mut scratch.events, &mut scratch.merged, &mut scratch.runs);
    let mut state = Quorum::new(
        deployment.replicas.len(),
        deployment.need,
        &mut scratch.down,
    );
    scratch.ending.clear();
    for &(begin, end, gate) in &scratch.events {
        // close the outages that ended by now, earliest first
        while let Some((k, &(t, g))) = scratch.ending.iter().enumerate().min_by_key(|(_, e)| e.0) {
            if t > begin {
                break;
            }
            scratch.ending.swap_remove(k);
            let q = state.apply(plan, g, true);
            ws.arena.push(start, f64::from_bits(t), q, 0);
        }
        let q = state.apply(plan, gate, false);
        ws.arena.push(start, f64::from_bits(begin), q, 0);
        scratch.ending.push((end, gate));
    }
    while let Some((k, &(t, g))) = scratch.ending.iter().enumerate().min_by_key(|(_, e)| e.0) {
        scratch.ending.swap_remove(k);
        let q = state.apply(plan, g, true);
        ws.arena.push(start, f64::from_bits(t), q, 0);
    }
    ws.arena.finish(start)
}

/// Up/down bookkeeping of one deployment's replicas during a sweep.
struct Quorum<'a> {
    n: usize,
    need: usize,
    /// Per local replica: how many gating outages hold it down.
    down: &'a mut Vec<u16>,
    n_down: usize,
    all_down: u32,
}

impl<'a> Quorum<'a> {
    fn new(n: usize, need: usize, down: &'a mut Vec<u16>) -> Quorum<'a> {
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

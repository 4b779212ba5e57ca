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
    /// Starts and ends of the gating outages: (time bits, gate << 1 | is end).
    events: Vec<(u64, u32)>,
    /// Second buffer of the merge.
    merged: Vec<(u64, u32)>,
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
    let n = deployment.replicas.len();
    let gates = plan.deployment_gates[d].clone();
    // Every start and end of a gating outage, keyed by time; positive finite
    // f64 bits sort like the numbers, so an integer sort orders them by time.
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
            scratch.events.push((a.to_bits(), g << 1));
            scratch.events.push((b.to_bits(), g << 1 | 1));
        }
    }
    let start = ws.arena.begin(1.0, 0);
    if scratch.events.is_empty() {
        return ws.arena.finish(start);
    }
    // Each gate's events are already in time order: merge the runs pairwise.
    merge_runs(&mut scratch.events, &mut scratch.merged, &mut scratch.runs);
    let events = &scratch.events;
    let down = &mut scratch.down;
    down.clear();
    down.resize(n, 0);
    let mut n_down = 0usize;
    let mut all_down = 0u32;
    let need = deployment.need;
    for &(time, payload) in events.iter() {
        let up = payload & 1 == 1;
        match &plan.gates[(payload >> 1) as usize].members {
            Members::All => {
                if up {
                    all_down -= 1;
                } else {
                    all_down += 1;
                }
            }
            Members::Some(members) => {
                for &m in &plan.members[members.start as usize..members.end as usize] {
                    let c = &mut down[m as usize];
                    if up {
                        *c -= 1;
                        n_down -= usize::from(*c == 0);
                    } else {
                        n_down += usize::from(*c == 0);
                        *c += 1;
                    }
                }
            }
        }
        let q = if all_down == 0 && n - n_down >= need {
            1.0
        } else {
            0.0
        };
        ws.arena.push(start, f64::from_bits(time), q, 0);
    }
    ws.arena.finish(start)
}

/// Sorts `events`, made of sorted runs starting at `runs`, by merging adjacent
/// runs pairwise until one is left: O(n log k) for k runs, no allocation once
/// the buffers are warm. Positive finite f64 bits order like the numbers.
fn merge_runs(events: &mut Vec<(u64, u32)>, buffer: &mut Vec<(u64, u32)>, runs: &mut Vec<usize>) {
    let n = events.len();
    buffer.clear();
    buffer.resize(n, (0, 0));
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
fn merge_two(left: &[(u64, u32)], right: &[(u64, u32)], out: &mut [(u64, u32)]) {
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
        let mut events: Vec<(u64, u32)> = [1u64, 4, 9, 2, 3, 10, 0, 5, 6, 7, 8]
            .iter()
            .enumerate()
            .map(|(i, &t)| (t, i as u32))
            .collect();
        let mut runs = vec![0, 3, 6, 9];
        let mut buffer = Vec::new();
        merge_runs(&mut events, &mut buffer, &mut runs);
        let times: Vec<u64> = events.iter().map(|e| e.0).collect();
        assert_eq!(times, vec![0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    }
}

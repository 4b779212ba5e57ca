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
    /// One cursor per gate with outages left.
    heads: Vec<Head>,
    /// Per local replica: how many gating outages hold it down.
    down: Vec<u16>,
    /// Inputs of the product in `combine`.
    pub inputs: Vec<super::combine::Input>,
    /// Per-deployment state of the routing loop.
    pub routes: Vec<super::routing::Route>,
}

#[derive(Debug, Clone, Copy)]
struct Head {
    /// Time of the next change.
    time: f64,
    /// Index of the current outage.
    outage: usize,
    /// End of this process's outages.
    end: usize,
    /// Whether the next change is the outage's end (else its start).
    at_end: bool,
    /// The gate.
    gate: u32,
}

/// Computes the quorum timeline of deployment `d` into the arena.
pub fn sweep(model: &Model, plan: &Plan, d: usize, ws: &mut Workspace) -> Range<usize> {
    let deployment = &model.deployments[d];
    let n = deployment.replicas.len();
    let gates = plan.deployment_gates[d].clone();
    let heads = &mut ws.scratch.heads;
    heads.clear();
    for g in gates {
        let range = ws.process_outages[plan.gates[g as usize].process as usize].clone();
        if !range.is_empty() {
            heads.push(Head { time: ws.outages[range.start].0, outage: range.start, end: range.end, at_end: false, gate: g });
        }
    }
    let start = ws.arena.begin(1.0, 0);
    if heads.is_empty() {
        return ws.arena.finish(start);
    }
    let down = &mut ws.scratch.down;
    down.clear();
    down.resize(n, 0);
    let mut n_down = 0usize;
    let mut all_down = 0u32;
    let need = deployment.need;
    while !heads.is_empty() {
        let mut h = 0;
        for i in 1..heads.len() {
            if heads[i].time < heads[h].time {
                h = i;
            }
        }
        let head = heads[h];
        let up = head.at_end;
        match &plan.gates[head.gate as usize].members {
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
        let q = if all_down == 0 && n - n_down >= need { 1.0 } else { 0.0 };
        ws.arena.push(start, head.time, q, 0);
        let cursor = &mut heads[h];
        if !cursor.at_end {
            cursor.at_end = true;
            cursor.time = ws.outages[cursor.outage].1;
        } else if cursor.outage + 1 < cursor.end {
            cursor.outage += 1;
            cursor.at_end = false;
            cursor.time = ws.outages[cursor.outage].0;
        } else {
            heads.swap_remove(h);
        }
    }
    ws.arena.finish(start)
}

//! Culprits: the outages holding down a deployment's replicas while its
//! quorum is lost, or while it served less for want of the capacity they
//! took, found while the outages are at hand.

use std::ops::Range;

use crate::engine::plan::Plan;
use crate::engine::Workspace;
use crate::model::Model;

/// Finds the culprits of every quorum loss of service `s`'s deployments
/// while their outages are at hand: the trial drops a service's own
/// outages once it is evaluated (see `Plan::generation`).
pub fn take_culprits(model: &Model, plan: &Plan, s: usize, ws: &mut Workspace) {
    for k in ws.ledger.spans[s].reduced.clone() {
        let x = ws.ledger.reduced[k];
        let span = gate_outages(plan, x.deployment as usize, (x.start, x.end), ws);
        ws.ledger.reduced[k].culprits = span;
    }
    for d in model.services[s].deployments.clone() {
        let q = ws.quorum[d].clone();
        if ws.arena.constant_one(&q) {
            continue;
        }
        ws.blame.cover_steps(ws.arena.steps.len());
        for j in q.clone() {
            if ws.arena.steps[j].v == 0.0 {
                step_culprits(plan, d, &q, j, ws);
            }
        }
    }
}

/// The outages holding deployment `d`'s replicas down while its quorum is lost within `[a, b)`.
#[inline]
pub(super) fn own_culprits(plan: &Plan, d: usize, a: f64, b: f64, ws: &mut Workspace) {
    let q = ws.quorum[d].clone();
    let mut j = ws.arena.index_at(&q, a);
    while j < q.end && ws.arena.steps[j].t < b {
        if ws.arena.steps[j].v == 0.0 {
            let c = ws.arena.steps[j].t.max(a);
            let e = ws.arena.step_end(&q, j, f64::INFINITY).min(b);
            let (first, last) = step_culprits(plan, d, &q, j, ws);
            let blame = &mut ws.blame;
            for i in first..last {
                let (start, end, k) = blame.culprits[i as usize];
                if end > c && start < e {
                    blame.intervals.push((start.max(c), end.min(e), k));
                }
            }
        }
        j += 1;
    }
}

/// The outages holding `d`'s replicas down while it served less for want of
/// the capacity they took, within `[a, b)`.
#[inline]
pub(super) fn capacity_culprits(model: &Model, d: usize, a: f64, b: f64, ws: &mut Workspace) {
    let span = ws.ledger.spans[model.deployments[d].service]
        .reduced
        .clone();
    for x in &ws.ledger.reduced[span] {
        if x.deployment as usize != d || x.end <= a || x.start >= b {
            continue;
        }
        let (c, e) = (x.start.max(a), x.end.min(b));
        let blame = &mut ws.blame;
        for i in x.culprits.0..x.culprits.1 {
            let (start, end, k) = blame.culprits[i as usize];
            if end > c && start < e {
                blame.intervals.push((start.max(c), end.min(e), k));
            }
        }
    }
}

/// Appends to `culprits` the outages of `d`'s gates overlapping `[c, e)`;
/// returns their span.
#[inline]
fn gate_outages(plan: &Plan, d: usize, (c, e): (f64, f64), ws: &mut Workspace) -> (u32, u32) {
    let blame = &mut ws.blame;
    let first = blame.culprits.len() as u32;
    let gates = plan.deployment_gates[d].start as usize..plan.deployment_gates[d].end as usize;
    for gate in &plan.gates[gates] {
        let p = gate.process as usize;
        let outages = ws.process_outages[p].clone();
        // occurrence ids count the trial's outages in generation order
        let first_id = ws.process_first[p];
        let from = outages.start + ws.outages[outages.clone()].partition_point(|o| o.1 <= c);
        for k in from..outages.end {
            let (start, end) = ws.outages[k];
            if start >= e {
                break;
            }
            blame
                .culprits
                .push((start, end, (first_id + k - outages.start) as u32));
        }
    }
    if plan.holds.is_empty() {
        return (first, blame.culprits.len() as u32);
    }
    // the stretches control-plane occurrences held its outages
    let service = plan.layout.model.deployments[d].service;
    for held in &ws.ledger.held[ws.ledger.spans[service].held.clone()] {
        if held.deployment as usize == d && held.end > c && held.start < e {
            blame.culprits.push((held.start, held.end, held.occurrence));
        }
    }
    (first, blame.culprits.len() as u32)
}

/// The span in `culprits` of the outages of `d`'s gates overlapping its
/// quorum step `j` (at 0), found on the first visit of the trial.
fn step_culprits(
    plan: &Plan,
    d: usize,
    q: &Range<usize>,
    j: usize,
    ws: &mut Workspace,
) -> (u32, u32) {
    if ws.blame.culprit_stamp[j] == ws.blame.trial {
        return ws.blame.culprit_span[j];
    }
    let c = ws.arena.steps[j].t;
    let e = ws.arena.step_end(q, j, f64::INFINITY);
    let span = gate_outages(plan, d, (c, e), ws);
    ws.blame.culprit_stamp[j] = ws.blame.trial;
    ws.blame.culprit_span[j] = span;
    span
}

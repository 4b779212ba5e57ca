//! The walk from a service's loss step back through the deployments
//! contributing to it and, recursively, their dependencies below 1, to the
//! culprit intervals in effect; the intervals remembered per loss step so
//! that a dependent over the same window takes them instead of walking again.

use std::ops::Range;

use super::culprits::{capacity_culprits, own_culprits};
use super::scratch::advance;
use crate::engine::combine::source_range;
use crate::engine::plan::{Node, Plan};
use crate::engine::Workspace;
use crate::model::Model;

/// Gathers the culprit intervals of service `s` over `[a, b)` into `intervals`.
pub(super) fn collect(
    model: &Model,
    plan: &Plan,
    s: usize,
    (a, b): (f64, f64),
    mask: u64,
    ws: &mut Workspace,
) {
    let blame = &mut ws.blame;
    advance(
        &mut blame.epoch,
        [&mut blame.visited_deployment, &mut blame.visited_service],
    );
    blame.intervals.clear();
    blame.stack.clear();
    push_contributors(model, s, mask, &mut blame.stack);
    while let Some(node) = ws.blame.stack.pop() {
        #[cfg(test)]
        {
            ws.blame.visits += 1;
        }
        match node {
            Node::Deployment(d) => visit_deployment(model, plan, d as usize, (a, b), ws),
            Node::Service(x) => visit_service(model, x as usize, (a, b), ws),
        }
    }
}

/// The walk's visit of deployment `d` (once per walk): its own culprits and
/// those of its capacity over `[a, b)`, and its sources below 1 then pushed.
#[inline]
fn visit_deployment(model: &Model, plan: &Plan, d: usize, (a, b): (f64, f64), ws: &mut Workspace) {
    if ws.blame.visited_deployment[d] == ws.blame.epoch {
        return;
    }
    ws.blame.visited_deployment[d] = ws.blame.epoch;
    // a service served by this deployment alone shares its
    // timeline: its remembered step is this walk (a chain of
    // services is then walked one link per loss, not to its root)
    let r = ws.deployment[d].clone();
    if ws.service[model.deployments[d].service] == r {
        let j = ws.arena.index_at(&r, a);
        if recall(&r, j, (a, b), model.horizon, ws) {
            return;
        }
    }
    own_culprits(plan, d, a, b, ws);
    capacity_culprits(model, d, a, b, ws);
    for source in &plan.sources
        [plan.deployment_sources[d].start as usize..plan.deployment_sources[d].end as usize]
    {
        let r = source_range(ws, source.node);
        if !ws.arena.constant_one(&r) && ws.arena.degraded_within(&r, a, b) {
            ws.blame.stack.push(source.node);
        }
    }
}

/// The walk's visit of service `x` (once per walk): the contributors of
/// its loss steps within `[a, b)` pushed, or its remembered intervals taken.
#[inline]
fn visit_service(model: &Model, x: usize, (a, b): (f64, f64), ws: &mut Workspace) {
    if ws.blame.visited_service[x] == ws.blame.epoch {
        return;
    }
    ws.blame.visited_service[x] = ws.blame.epoch;
    let r = ws.service[x].clone();
    let mut j = ws.arena.index_at(&r, a);
    if recall(&r, j, (a, b), model.horizon, ws) {
        return;
    }
    while j < r.end && ws.arena.steps[j].t < b {
        let step = ws.arena.steps[j];
        if step.v < 1.0 {
            push_contributors(model, x, step.mask, &mut ws.blame.stack);
        }
        j += 1;
    }
}

/// Pushes the deployments of service `s` that `mask` marks as behind its
/// loss (its only one, for a service of one deployment).
fn push_contributors(model: &Model, s: usize, mask: u64, stack: &mut Vec<Node>) {
    let deployments = model.services[s].deployments.clone();
    let mask = if deployments.len() == 1 { 1 } else { mask };
    for (k, d) in deployments.enumerate() {
        if k < 64 && mask & (1 << k) != 0 {
            stack.push(Node::Deployment(d as u32));
        }
    }
}

/// Gives the stretches of `(a, b)` in which a control-plane occurrence held
/// a switch of service `s` to that occurrence alone: every culprit interval
/// gathered for the step is cut out of them.
pub(super) fn held_switches(ws: &mut Workspace, s: usize, (a, b): (f64, f64)) {
    let span = ws.ledger.spans[s].held_switches.clone();
    let intervals = &mut ws.blame.intervals;
    for held in &ws.ledger.held_switches[span] {
        let (h0, h1) = (held.start.max(a), held.end.min(b));
        if h1 <= h0 {
            continue;
        }
        for k in 0..intervals.len() {
            let (from, to, o) = intervals[k];
            if to <= h0 || from >= h1 {
                continue;
            }
            // keep what lies before the stretch here, what lies after at the end
            intervals[k] = (from, h0.max(from), o);
            if to > h1 {
                intervals.push((h1, to, o));
            }
        }
        intervals.retain(|x| x.1 > x.0);
        intervals.push((h0, h1, held.occurrence));
    }
}

/// Keeps the culprit intervals gathered for the service step at arena index
/// `i`, sorted and without repeats (a repeat changes no culprit set).
pub(super) fn remember(i: usize, ws: &mut Workspace) {
    let blame = &mut ws.blame;
    blame.intervals.sort_unstable_by(|x, y| {
        x.0.total_cmp(&y.0)
            .then(x.1.total_cmp(&y.1))
            .then(x.2.cmp(&y.2))
    });
    blame.intervals.dedup();
    let first = blame.memo.len() as u32;
    blame.memo.extend_from_slice(&blame.intervals);
    blame.memo_stamp[i] = blame.trial;
    blame.memo_span[i] = (first, blame.memo.len() as u32);
}

/// Takes the remembered culprit intervals of service step `j` (of the
/// timeline `r`) when that step is exactly the window `[a, b)` and below 1:
/// they are what walking the service's dependencies over the window finds.
fn recall(
    r: &Range<usize>,
    j: usize,
    (a, b): (f64, f64),
    horizon: f64,
    ws: &mut Workspace,
) -> bool {
    if j >= r.end {
        return false;
    }
    let step = ws.arena.steps[j];
    let blame = &mut ws.blame;
    if step.t != a
        || step.v >= 1.0
        || blame.memo_stamp[j] != blame.trial
        || ws.arena.step_end(r, j, horizon) != b
    {
        return false;
    }
    let (first, last) = blame.memo_span[j];
    let memo = &blame.memo[first as usize..last as usize];
    blame.intervals.extend_from_slice(memo);
    true
}

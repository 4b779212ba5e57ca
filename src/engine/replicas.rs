//! Replica-level timelines, for the deployments whose replicas matter one by
//! one: those with a finite capacity (which scales with the replicas that are
//! up) and those with recovery dependencies (a failed replica comes back only
//! once what it needs to relaunch has been up for the catch-up time).
//!
//! Each replica's outages (the union of its gates' outages) are walked in
//! time order, each end pushed back until the recovery dependencies are
//! ready, then the count of replicas down is swept.

use std::ops::Range;

use super::combine::source_range;
use super::hold::{held_end, Held, Outage};
use super::plan::{Members, Node, Plan};
use super::timeline::Arena;
use super::Workspace;
use crate::model::{Model, Target};

/// Reused buffers.
#[derive(Debug, Default)]
pub struct Scratch {
    /// Outages per local replica: (replica, start, end, an outage of the
    /// whole service).
    intervals: Vec<(u32, f64, f64, bool)>,
    /// Stretches control-plane occurrences held the deployment's outages.
    pub held: Vec<Held>,
    /// Changes of the count of replicas down: (time, +1 or -1).
    changes: Vec<(f64, i32)>,
}

/// The timelines of one deployment built replica by replica.
#[derive(Debug, Clone)]
pub struct Exact {
    /// 1 while at least `need` replicas are up, else 0.
    pub quorum: Range<usize>,
    /// `capacity * up / replicas` (infinite when the capacity is unlimited).
    pub capacity: Range<usize>,
    /// Whether a replica was still waiting on a recovery dependency at the horizon.
    pub stuck: bool,
    /// When the last of those waiting replicas' own outages ended (from then
    /// on they only wait); `-inf` when none waits.
    pub stuck_since: f64,
}

/// Builds deployment `d`'s timelines replica by replica.
pub fn build(model: &Model, plan: &Plan, d: usize, ws: &mut Workspace) -> Exact {
    let deployment = &model.deployments[d];
    let n = deployment.replicas.len();
    let mut scratch = std::mem::take(&mut ws.exact);
    scratch.intervals.clear();
    scratch.held.clear();
    for g in plan.deployment_gates[d].clone() {
        let gate = &plan.gates[g as usize];
        let outages = &ws.outages[ws.process_outages[gate.process as usize].clone()];
        let members: &[u32] = match &gate.members {
            Members::All => &[],
            Members::Some(r) => &plan.members[r.start as usize..r.end as usize],
        };
        let whole = matches!(
            model.processes[gate.process as usize].target,
            Target::Service(_)
        );
        for &(a, b) in outages {
            if matches!(gate.members, Members::All) {
                scratch
                    .intervals
                    .extend((0..n as u32).map(|i| (i, a, b, whole)));
            } else {
                scratch
                    .intervals
                    .extend(members.iter().map(|&i| (i, a, b, whole)));
            }
        }
    }
    scratch
        .intervals
        .sort_unstable_by(|x, y| x.0.cmp(&y.0).then(x.1.total_cmp(&y.1)));
    let recovery = plan.deployment_recovery[d].clone();
    let (stuck, stuck_since) = replica_changes(model, plan, (d, recovery), ws, &mut scratch);
    ws.ledger.held.extend_from_slice(&scratch.held);
    scratch
        .changes
        .sort_unstable_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)));
    let need = deployment.need;
    let quorum = count_timeline(&mut ws.arena, &scratch.changes, |down| {
        f64::from(u8::from(n - down >= need))
    });
    let per_replica = deployment.capacity / n as f64;
    let capacity = count_timeline(&mut ws.arena, &scratch.changes, |down| {
        if per_replica.is_finite() {
            per_replica * (n - down) as f64
        } else {
            f64::INFINITY
        }
    });
    ws.exact = scratch;
    Exact {
        quorum,
        capacity,
        stuck,
        stuck_since,
    }
}

/// Unites each replica's outages, delays each end until the recovery
/// dependencies are ready, and records the count changes. Returns whether a
/// replica never came back because of a recovery dependency, and when the
/// last such replica's own outage ended.
// Long (about 65 lines) on purpose: one pass over the replicas' outages
// whose closures (`ready`, `back_at`) share the holds and recovery state;
// cut up, the pieces would pass that state around as half a dozen
// parameters, in the hot path of exact deployments.
fn replica_changes(
    model: &Model,
    plan: &Plan,
    (d, recovery): (usize, Range<u32>),
    ws: &Workspace,
    scratch: &mut Scratch,
) -> (bool, f64) {
    scratch.changes.clear();
    let (mut stuck, mut since) = (false, f64::NEG_INFINITY);
    let held = !plan.deployment_holds[d].is_empty();
    let ready = |b: f64, from: f64| ready_at(model, plan, recovery.clone(), ws, (b, from));
    let back_at = |outage: Outage, end: f64, record: Option<&mut Vec<Held>>| {
        if held {
            back_held(plan, (outage, end, model.horizon), ws, (&ready, record))
        } else {
            (ready(end, end), end)
        }
    };
    let mut i = 0;
    let intervals = &scratch.intervals;
    while i < intervals.len() {
        let (replica, start, mut end, mut whole) = intervals[i];
        let outage = |service| Outage {
            deployment: d,
            replica,
            service,
        };
        let (mut back, mut waits) = back_at(outage(whole), end, None);
        i += 1;
        while i < intervals.len() && intervals[i].0 == replica && intervals[i].1 < back {
            if back == f64::INFINITY {
                // it waits from `waits` on: its later outages change nothing
                i += 1;
                continue;
            }
            let next = intervals[i].1;
            if held && next > end {
                // down from `end` to the next outage only for the holds
                let from = scratch.held.len();
                back_at(outage(whole), end, Some(&mut scratch.held));
                for x in &mut scratch.held[from..] {
                    x.end = x.end.min(next);
                }
                scratch.held.retain(|x| x.end > x.start);
            }
            if intervals[i].2 >= end {
                whole = intervals[i].3 || (whole && intervals[i].2 == end);
                end = intervals[i].2;
            }
            (back, waits) = back_at(outage(whole), end, None);
            i += 1;
        }
        if held {
            back_at(outage(whole), end, Some(&mut scratch.held));
        }
        scratch.changes.push((start, 1));
        if back < model.horizon {
            scratch.changes.push((back, -1));
        } else if back == f64::INFINITY {
            stuck = true;
            since = since.max(waits);
        }
    }
    (stuck, since)
}

/// When an outage that would end at `end` ends under control-plane holds
/// and recovery dependencies: held while an occurrence is in effect, then
/// waiting until the dependencies are ready (`ready`), and so on. Returns
/// that time and the time its last wait on the dependencies began.
fn back_held(
    plan: &Plan,
    (outage, end, horizon): (Outage, f64, f64),
    ws: &Workspace,
    (ready, mut record): (&dyn Fn(f64, f64) -> f64, Option<&mut Vec<Held>>),
) -> (f64, f64) {
    let mut x = end;
    // the wait on the dependencies began when the first hold ended
    let mut from = f64::NAN;
    loop {
        let released = held_end(plan, outage, x, ws, record.as_deref_mut());
        if from.is_nan() {
            from = released;
        }
        let back = ready(released, from);
        if back == released || back >= horizon {
            return (back, released);
        }
        x = back;
    }
}

/// The earliest time from `b` on at which every recovery dependency has
/// been above 0 for its catch-up time without interruption (infinite if
/// never within the horizon). A deadlock broken by hand at a time `B` while
/// the wait is on (`ws.breaks`, from `from` on) counts a dependency of the
/// cycle as back at `B`.
fn ready_at(
    model: &Model,
    plan: &Plan,
    recovery: Range<u32>,
    ws: &Workspace,
    (b, from): (f64, f64),
) -> f64 {
    let horizon = model.horizon;
    let mut t = b;
    // a break ends the wait that began at `from` if it comes before its end
    loop {
        let mut latest = t;
        for &(node, catch_up) in &plan.recovery[recovery.start as usize..recovery.end as usize] {
            let range = source_range(ws, node);
            let mut ready = ready_one(&ws.arena, &range, t, catch_up);
            if !ws.breaks.is_empty() && in_cycle(model, ws, node) {
                if let Some(&broken) = ws.breaks.iter().find(|&&x| x >= from && x < ready) {
                    ready = ready.min(broken + catch_up);
                }
            }
            latest = latest.max(ready);
        }
        if latest == t || latest >= horizon {
            return latest;
        }
        t = latest;
    }
}

/// Whether the dependency `node` belongs to the recovery cycle whose
/// deadlocks are being broken (`ws.break_cycle`, positions in the order).
fn in_cycle(model: &Model, ws: &Workspace, node: Node) -> bool {
    let service = match node {
        Node::Service(x) => x as usize,
        Node::Deployment(d) => model.deployments[d as usize].service,
    };
    model.topological_order[ws.break_cycle.clone()].contains(&service)
}

/// The earliest time from `b` on at which the timeline `range` has been above
/// 0 for `catch_up` hours without interruption (infinite if never).
fn ready_one(arena: &Arena, range: &Range<usize>, b: f64, catch_up: f64) -> f64 {
    let steps = &arena.steps;
    let mut i = arena.index_at(range, b);
    let mut since = if steps[i].v > 0.0 {
        let mut j = i;
        while j > range.start && steps[j - 1].v > 0.0 {
            j -= 1;
        }
        steps[j].t
    } else {
        f64::INFINITY
    };
    loop {
        if steps[i].v > 0.0 {
            let target = b.max(since + catch_up);
            let mut j = i;
            while j + 1 < range.end && steps[j + 1].t <= target && steps[j + 1].v > 0.0 {
                j += 1;
            }
            if j + 1 >= range.end || steps[j + 1].t > target {
                return target;
            }
            i = j + 1;
        } else {
            let mut j = i + 1;
            while j < range.end && steps[j].v <= 0.0 {
                j += 1;
            }
            if j >= range.end {
                return f64::INFINITY;
            }
            i = j;
            since = steps[j].t;
        }
    }
}

/// A timeline of `value(down)` over the sorted count changes.
fn count_timeline(
    arena: &mut Arena,
    changes: &[(f64, i32)],
    value: impl Fn(usize) -> f64,
) -> Range<usize> {
    let start = arena.begin(value(0), 0);
    let mut down: i64 = 0;
    for &(t, delta) in changes {
        down += i64::from(delta);
        arena.push(start, t, value(down.max(0) as usize), 0);
    }
    arena.finish(start)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn timeline(arena: &mut Arena, changes: &[(f64, f64)]) -> Range<usize> {
        let start = arena.begin(1.0, 0);
        for &(t, v) in changes {
            arena.push(start, t, v, 0);
        }
        arena.finish(start)
    }

    #[test]
    fn readiness_waits_for_the_dependency_and_its_catch_up() {
        let mut arena = Arena::default();
        let r = timeline(
            &mut arena,
            &[(10.0, 0.0), (20.0, 1.0), (21.0, 0.0), (22.0, 1.0)],
        );
        // up throughout before 10: ready at once
        assert_eq!(ready_one(&arena, &r, 5.0, 0.0), 5.0);
        assert_eq!(ready_one(&arena, &r, 5.0, 2.0), 5.0);
        // down at 12: back at 20; with a 0.5 h catch-up, 20.5
        assert_eq!(ready_one(&arena, &r, 12.0, 0.0), 20.0);
        assert_eq!(ready_one(&arena, &r, 12.0, 0.5), 20.5);
        // a 2 h catch-up is interrupted at 21: 22 + 2
        assert_eq!(ready_one(&arena, &r, 12.0, 2.0), 24.0);
        // just back at 20.2 with a 0.5 h backlog: 20.5
        assert_eq!(ready_one(&arena, &r, 20.2, 0.5), 20.5);
    }

    #[test]
    fn a_dependency_that_never_returns_is_never_ready() {
        let mut arena = Arena::default();
        let r = timeline(&mut arena, &[(10.0, 0.0)]);
        assert_eq!(ready_one(&arena, &r, 12.0, 0.0), f64::INFINITY);
    }
}

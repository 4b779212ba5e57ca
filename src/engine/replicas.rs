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
use super::plan::{Members, Plan};
use super::timeline::Arena;
use super::Workspace;
use crate::model::Model;

/// Reused buffers.
#[derive(Debug, Default)]
pub struct Scratch {
    /// Outages per local replica: (replica, start, end).
    intervals: Vec<(u32, f64, f64)>,
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
}

/// Builds deployment `d`'s timelines replica by replica.
pub fn build(model: &Model, plan: &Plan, d: usize, ws: &mut Workspace) -> Exact {
    let deployment = &model.deployments[d];
    let n = deployment.replicas.len();
    let mut scratch = std::mem::take(&mut ws.exact);
    scratch.intervals.clear();
    for g in plan.deployment_gates[d].clone() {
        let gate = &plan.gates[g as usize];
        let outages = &ws.outages[ws.process_outages[gate.process as usize].clone()];
        let members: &[u32] = match &gate.members {
            Members::All => &[],
            Members::Some(r) => &plan.members[r.start as usize..r.end as usize],
        };
        for &(a, b) in outages {
            if matches!(gate.members, Members::All) {
                scratch.intervals.extend((0..n as u32).map(|i| (i, a, b)));
            } else {
                scratch.intervals.extend(members.iter().map(|&i| (i, a, b)));
            }
        }
    }
    scratch
        .intervals
        .sort_unstable_by(|x, y| x.0.cmp(&y.0).then(x.1.total_cmp(&y.1)));
    let recovery = plan.deployment_recovery[d].clone();
    let stuck = replica_changes(model, plan, recovery, ws, &mut scratch);
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
    }
}

/// Unites each replica's outages, delays each end until the recovery
/// dependencies are ready, and records the count changes. Returns whether a
/// replica never came back because of a recovery dependency.
fn replica_changes(
    model: &Model,
    plan: &Plan,
    recovery: Range<u32>,
    ws: &Workspace,
    scratch: &mut Scratch,
) -> bool {
    scratch.changes.clear();
    let mut stuck = false;
    let ready = |b: f64| ready_at(plan, recovery.clone(), ws, b, model.horizon);
    let mut i = 0;
    let intervals = &scratch.intervals;
    while i < intervals.len() {
        let (replica, start, mut end) = intervals[i];
        let mut back = ready(end);
        i += 1;
        while i < intervals.len() && intervals[i].0 == replica && intervals[i].1 < back {
            end = end.max(intervals[i].2);
            back = ready(end);
            i += 1;
        }
        scratch.changes.push((start, 1));
        if back < model.horizon {
            scratch.changes.push((back, -1));
        } else if back == f64::INFINITY {
            stuck = true;
        }
    }
    stuck
}

/// The earliest time from `b` on at which every recovery dependency has
/// been above 0 for its catch-up time without interruption (infinite if
/// never within the horizon).
fn ready_at(plan: &Plan, recovery: Range<u32>, ws: &Workspace, b: f64, horizon: f64) -> f64 {
    let mut t = b;
    loop {
        let mut latest = t;
        for &(node, catch_up) in &plan.recovery[recovery.start as usize..recovery.end as usize] {
            let range = source_range(ws, node);
            latest = latest.max(ready_one(&ws.arena, &range, t, catch_up));
        }
        if latest == t || latest >= horizon {
            return latest;
        }
        t = latest;
    }
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

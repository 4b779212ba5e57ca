//! Cold-start deadlocks broken by hand (`Recovery(manual: ...)`).
//!
//! A deadlock of a recovery cycle forms at the first moment when every
//! deployment of the cycle left waiting is down only because it waits on
//! another member: the latest end of those waiting replicas' own outages.
//! People break it a `manual` draw later; recovery then proceeds as if the
//! cycle's dependencies had come back at that moment (each waiting replica
//! returns after its edge's `catch_up`). The cycle is evaluated again with
//! the break, and a later deadlock is broken in turn, each break drawn in
//! order from the cycle's own stream.

use std::ops::Range;
use std::sync::atomic::AtomicBool;

use super::cycle::settle_cycle;
use super::streams;
use super::{Plan, Workspace, MAX_RECOVERY_PASSES};
use crate::model::{stream_key, Model};

/// Breaks the deadlocks of the recovery cycle `cycle` (positions in the
/// topological order), if its `manual` says people do, re-evaluating it
/// after each break. `None` when `stop` was set meanwhile.
pub fn break_deadlocks(
    model: &Model,
    plan: &Plan,
    cycle: Range<usize>,
    trial: u64,
    ws: &mut Workspace,
    stop: &AtomicBool,
) -> Option<()> {
    let index = model.recovery_cycles.iter().position(|c| *c == cycle);
    let Some(Some(manual)) = index.and_then(|k| model.recovery_manual.get(k)) else {
        return Some(());
    };
    let mut rng = None;
    ws.breaks.clear();
    ws.break_cycle = cycle.clone();
    for _ in 0..MAX_RECOVERY_PASSES {
        let formed = formed_at(model, &cycle, ws);
        if formed == f64::NEG_INFINITY {
            break;
        }
        let rng = rng.get_or_insert_with(|| {
            let first = &model.services[model.topological_order[cycle.start]].name;
            // 0xFE never occurs in UTF-8: no failure name can make the same key
            let key = stream_key(&[b"\xfedeadlock", first.as_bytes()]);
            streams::stream(model.seed, key, trial)
        });
        let broken = formed + manual.sample(rng);
        // a wait that formed before the last break is one no break ends
        if broken >= model.horizon || ws.breaks.last().is_some_and(|&b| formed <= b) {
            break;
        }
        ws.breaks.push(broken);
        let settled = settle_cycle(model, plan, cycle.clone(), trial, ws, stop);
        if settled.is_none() {
            ws.breaks.clear();
            return None;
        }
    }
    ws.breaks.clear();
    Some(())
}

/// When the cycle's deadlock formed: the latest moment a deployment of it
/// left waiting at the horizon began to wait only (`-inf` when none waits).
fn formed_at(model: &Model, cycle: &Range<usize>, ws: &Workspace) -> f64 {
    let mut formed = f64::NEG_INFINITY;
    for &s in &model.topological_order[cycle.clone()] {
        for d in model.services[s].deployments.clone() {
            if ws.stuck[d] {
                formed = formed.max(ws.stuck_since[d]);
            }
        }
    }
    formed
}

//! Recovery cycles: services that need each other to recover are evaluated
//! together, pass after pass, until their timelines settle.

use std::ops::Range;
use std::sync::atomic::AtomicBool;

use super::evaluate::evaluate;
use super::plan::Plan;
use super::workspace::Workspace;
use super::{deadlock, stopped, MAX_RECOVERY_PASSES};
use crate::model::Model;

/// Evaluates the services of a recovery cycle (`model.topological_order[cycle]`)
/// until a pass changes nothing; then, when people break its deadlocks
/// (`Recovery(manual: ...)`), breaks each one and evaluates it again
/// ([`deadlock`]).
pub(super) fn evaluate_cycle(
    model: &Model,
    plan: &Plan,
    cycle: Range<usize>,
    trial: u64,
    ws: &mut Workspace,
    stop: &AtomicBool,
) -> Option<()> {
    settle_cycle(model, plan, cycle.clone(), trial, ws, stop)?;
    deadlock::break_deadlocks(model, plan, cycle, trial, ws, stop)
}

/// Evaluates a recovery cycle's services until a pass changes nothing. The
/// first pass assumes every one of them down throughout, and each pass can
/// only shorten outages, so the passes settle on the worst consistent
/// history: services that each wait for the other to recover stay down (a
/// cold-start deadlock), unless people break it at a time in `ws.breaks`.
pub(super) fn settle_cycle(
    model: &Model,
    plan: &Plan,
    cycle: Range<usize>,
    trial: u64,
    ws: &mut Workspace,
    stop: &AtomicBool,
) -> Option<()> {
    let services = &model.topological_order[cycle];
    let down = ws.arena.begin(0.0, 0);
    let down = ws.arena.finish(down);
    for &s in services {
        ws.service[s] = down.clone();
        for d in model.services[s].deployments.clone() {
            ws.deployment[d] = down.clone();
        }
    }
    for pass in 0..MAX_RECOVERY_PASSES {
        stopped(stop)?;
        ws.previous.clear();
        for &s in services {
            ws.previous.push(ws.service[s].clone());
            let deployments = model.services[s].deployments.clone();
            ws.previous
                .extend(deployments.map(|d| ws.deployment[d].clone()));
        }
        for &s in services {
            evaluate(model, plan, s, trial, ws);
        }
        if pass > 0 && settled(model, services, ws) {
            return Some(());
        }
    }
    Some(())
}

/// Whether the cycle's timelines equal those of the previous pass.
fn settled(model: &Model, services: &[usize], ws: &Workspace) -> bool {
    let mut previous = ws.previous.iter();
    let same = |now: &Range<usize>, before: Option<&Range<usize>>| {
        before.is_some_and(|b| ws.arena.steps[now.clone()] == ws.arena.steps[b.clone()])
    };
    services.iter().all(|&s| {
        same(&ws.service[s], previous.next())
            && model.services[s]
                .deployments
                .clone()
                .all(|d| same(&ws.deployment[d], previous.next()))
    })
}

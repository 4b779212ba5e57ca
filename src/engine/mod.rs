//! One trial: a discrete-event simulation of one horizon, deterministic given
//! (model, seed, trial index).
//!
//! The engine has no global event queue. Every failure process is an
//! independent alternating renewal process, so its outages over the horizon
//! are generated up front from its own random stream ([`streams`]). Then, in
//! topological order of the services:
//! 1. each deployment's quorum timeline comes from a sweep over the outages of
//!    the processes that gate its replicas, in time order ([`quorum`]);
//! 2. its served fraction is the quorum times its dependencies' factors, a
//!    merge of already-computed timelines ([`combine`]);
//! 3. the service's fraction comes from its routing policy, a small local
//!    event loop over its deployments' timelines with its own timers and
//!    random stream ([`routing`]).
//!
//! Only what a change affects is evaluated: a replica failure touches the one
//! deployment it belongs to, and a service whose inputs never changed keeps a
//! one-step timeline. Lost service is attributed to the failure occurrences
//! behind it ([`attribution`]). All buffers live in a [`Workspace`] that is
//! reused across trials, so a warm trial allocates nothing.

mod arrivals;
mod attribution;
mod combine;
mod cycle;
mod data;
mod deadlock;
mod demand;
mod evaluate;
mod generation;
mod hold;
pub mod layout;
mod measure;
mod outcome;
pub mod plan;
mod quorum;
mod replicas;
mod routing;
mod sla;
pub mod streams;
pub mod timeline;
pub mod trace;
mod workspace;

use std::sync::atomic::{AtomicBool, Ordering};

pub use outcome::{FailureOutcome, ServiceOutcome, TrialOutcome};
pub use plan::Plan;
pub use routing::RoutingStats;
pub use trace::{trace, trace_until, Occurrence, Trace};
pub use workspace::Workspace;

use crate::model::Model;
use evaluate::evaluate;
use generation::{generate, tally};
use measure::measure;

/// The most passes over a recovery cycle before its result is taken as it
/// stands (each pass can only lengthen outages, so it errs on the safe side).
pub const MAX_RECOVERY_PASSES: usize = 1024;

/// Simulates trial `trial` of the model `plan` was built from
/// ([`Plan::new`], or [`Plan::seeded`] for a run's seed) in `ws`; read the
/// result with [`Workspace::outcome`]. The trial runs in the engine's
/// numbering of the model ([`layout`]) and its outcome is in the model's.
pub fn run_trial(plan: &Plan, trial: u64, ws: &mut Workspace) {
    run_trial_until(plan, trial, ws, &AtomicBool::new(false));
}

/// As [`run_trial`], giving up as soon as `stop` is set: it is read before
/// each service (or recovery cycle pass) is evaluated, so a
/// long trial stops within about a service's work. Returns whether the
/// trial finished; the outcome of one that did not means nothing.
pub fn run_trial_until(plan: &Plan, trial: u64, ws: &mut Workspace, stop: &AtomicBool) -> bool {
    simulate(plan, trial, ws, stop).is_some()
}

/// [`run_trial_until`] in the engine's numbering; `None` when stopped.
fn simulate(plan: &Plan, trial: u64, ws: &mut Workspace, stop: &AtomicBool) -> Option<()> {
    let model = &plan.layout.model;
    workspace::reset(model, ws);
    ws.repair_first.clear();
    ws.repair_first.resize(plan.repair_groups, usize::MAX);
    ws.merged.clear();
    attribution::start(ws);
    generate(model, plan, plan.shared.clone(), trial, ws);
    let shared = ws.outages.len();
    evaluate_services(model, plan, (trial, shared), ws, stop)?;
    generate(model, plan, plan.ungated.clone(), trial, ws);
    release(ws, shared);
    tally(plan, ws);
    measure_services(model, plan, ws, stop)?;
    // not stopped from here on: the attribution resets what it touched at
    // its end, for the next trial in this workspace
    attribute_services(model, plan, ws);
    Some(())
}

/// Evaluates the services in topological order, a recovery cycle's
/// together, each with its own processes generated just before (and
/// dropped after, past the first `shared` outages, once the culprits of its
/// quorum losses are noted). `None` when stopped.
fn evaluate_services(
    model: &Model,
    plan: &Plan,
    (trial, shared): (u64, usize),
    ws: &mut Workspace,
    stop: &AtomicBool,
) -> Option<()> {
    let order = &model.topological_order;
    let mut cycles = model.recovery_cycles.iter().peekable();
    let mut k = 0;
    while k < order.len() {
        stopped(stop)?;
        let services = match cycles.peek() {
            Some(cycle) if cycle.start == k => {
                let cycle = (*cycle).clone();
                cycles.next();
                for &s in &order[cycle.clone()] {
                    generate(model, plan, plan.service_processes[s].clone(), trial, ws);
                }
                cycle::evaluate_cycle(model, plan, cycle.clone(), trial, ws, stop)?;
                cycle
            }
            _ => {
                let s = order[k];
                generate(model, plan, plan.service_processes[s].clone(), trial, ws);
                evaluate(model, plan, s, trial, ws);
                k..k + 1
            }
        };
        for &s in &order[services.clone()] {
            attribution::take_culprits(model, plan, s, ws);
        }
        release(ws, shared);
        k = services.end;
    }
    Some(())
}

/// Measures every service into the outcome, with the deployments of each
/// recovery cycle still deadlocked at the horizon. `None` when stopped.
fn measure_services(
    model: &Model,
    plan: &Plan,
    ws: &mut Workspace,
    stop: &AtomicBool,
) -> Option<()> {
    let order = &model.topological_order;
    for &s in order {
        measure(model, s, plan.layout.service[s], ws, stop)?;
    }
    for cycle in &model.recovery_cycles {
        for &s in &order[cycle.clone()] {
            let stuck = model.services[s]
                .deployments
                .clone()
                .filter(|&d| ws.stuck[d]);
            ws.outcome.services[plan.layout.service[s]].deadlocks = stuck.count() as u32;
        }
    }
    Some(())
}

/// Attributes every service's loss to the failure occurrences behind it,
/// adds the attributions up per failure definition, and totals the cost.
fn attribute_services(model: &Model, plan: &Plan, ws: &mut Workspace) {
    attribution::begin(model, ws);
    for s in model.topological_order.iter().copied() {
        attribution::attribute(model, plan, s, ws);
    }
    attribution::collect_failures(model, plan, ws);
    let services = &ws.outcome.services;
    let model_service = |s: usize| plan.layout.service[s];
    let order = &model.topological_order;
    ws.outcome.cost = order.iter().map(|&s| services[model_service(s)].cost).sum();
}

/// `None` once `stop` is set (a relaxed load: a few cycles per service).
#[inline]
fn stopped(stop: &AtomicBool) -> Option<()> {
    (!stop.load(Ordering::Relaxed)).then_some(())
}

/// Drops the outages of the services evaluated (those past the first
/// `shared`), unless the trial keeps them all.
fn release(ws: &mut Workspace, shared: usize) {
    if !ws.keep_outages {
        ws.outages.truncate(shared);
    }
}

#[cfg(test)]
mod tests;

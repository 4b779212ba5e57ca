//! Evaluating one service: its deployments' quorum and served-fraction
//! timelines, its data losses, and its routing into the service timeline,
//! with what the attribution needs noted in the ledger.

use super::plan::Plan;
use super::workspace::Workspace;
use super::{attribution, combine, data, quorum, replicas, routing};
use crate::model::Model;

/// Builds service `s`'s deployment and service timelines.
pub(super) fn evaluate(model: &Model, plan: &Plan, s: usize, trial: u64, ws: &mut Workspace) {
    let service = &model.services[s];
    let held_start = ws.ledger.held.len();
    for d in service.deployments.clone() {
        if plan.exact[d] {
            let exact = replicas::build(model, plan, d, ws);
            ws.quorum[d] = exact.quorum;
            ws.capacity[d] = exact.capacity;
            ws.stuck[d] = exact.stuck;
            ws.stuck_since[d] = exact.stuck_since;
        } else {
            ws.quorum[d] = quorum::sweep(model, plan, d, ws);
        }
    }
    let mut lost = 0.0;
    let data_start = ws.ledger.data.len();
    let mut rng = service.data.as_ref().map(|_| data::stream(model, s, trial));
    if let (Some(policy), Some(rng)) = (&service.data, rng.as_mut()) {
        lost += data::destroy(model, plan, s, policy, rng, ws);
    }
    for d in service.deployments.clone() {
        ws.deployment[d] = combine::deployment(plan, d, ws.quorum[d].clone(), ws);
    }
    ws.ledger.switches.clear();
    let reduced_start = ws.ledger.reduced.len();
    let switches_start = ws.ledger.held_switches.len();
    let (range, stats) = routing::service(model, plan, s, trial, ws);
    if let (Some(policy), Some(rng)) = (&service.data, rng.as_mut()) {
        // one lag per failover that moved traffic, charged to what caused it
        let ledger = &mut ws.ledger;
        for &t in &ledger.switches {
            let hours = data::lag(&policy.replication, rng);
            lost += hours;
            ledger
                .data
                .push((t, hours, attribution::CAUSED_THE_FAILOVER));
        }
    }
    let spans = &mut ws.ledger.spans[s];
    spans.held = held_start..ws.ledger.held.len();
    spans.held_switches = switches_start..ws.ledger.held_switches.len();
    spans.reduced = reduced_start..ws.ledger.reduced.len();
    spans.data = data_start..ws.ledger.data.len();
    ws.service[s] = range;
    ws.routing[s] = stats;
    ws.data_lost[s] = lost;
}

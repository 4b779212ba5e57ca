//! Routing: turns a service's deployment fractions into the service fraction.
//! A small event loop per service over its deployments' timelines, with the
//! policy's timers and the service's own random stream.

mod active_active;
mod failover;
mod route;
mod shortfalls;

use std::ops::Range;

pub use route::Route;

use super::attribution::Shortfall;
use super::demand::Demand;
use super::hold::{Outages, Switches};
use super::plan::Plan;
use super::streams::{self, Stream};
use super::Workspace;
use crate::model::{stream_key, Model, Overload, Routing};
use active_active::{active_active, Collapse};
use failover::{failover, Policy};
use route::Track;
use shortfalls::Shortfalls;

/// What a service's routing did in one trial, besides its timeline.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RoutingStats {
    /// Routing actions: drains, switches, collapses and returns.
    pub events: u64,
    /// Completed failovers (ActivePassive or Manual switches, not failbacks).
    pub failovers: u32,
    /// Failovers whose automated switch failed and needed a human.
    pub failed_failovers: u32,
    /// Returns to the first deployment.
    pub failbacks: u32,
    /// Failovers that moved traffic to a different deployment (each loses a
    /// replication lag under asynchronous replication).
    pub data_switches: u32,
    /// Overload collapses of deployments.
    pub collapses: u32,
    /// Lost-service hours from load shedding (capacity below the share).
    pub shed_hours: f64,
}

/// Builds service `s`'s timeline; returns it and what the routing did. The
/// stretches where a deployment served less for want of the capacity its
/// failures took go to `ws.ledger.reduced`, the times of the failovers that
/// moved traffic to `ws.ledger.switches`.
pub fn service(
    model: &Model,
    plan: &Plan,
    s: usize,
    trial: u64,
    ws: &mut Workspace,
) -> (Range<usize>, RoutingStats) {
    let service = &model.services[s];
    let deployments = service.deployments.clone();
    let capped = deployments
        .clone()
        .any(|d| model.deployments[d].capacity.is_finite());
    if deployments.len() == 1 && !capped {
        // One deployment: whatever the policy, the service serves what it serves.
        return (
            ws.deployment[deployments.start].clone(),
            RoutingStats::default(),
        );
    }
    fill_routes(model, deployments, ws);
    match &service.routing {
        Routing::ActiveActive { shift } => {
            route_active_active(model, (s, trial), *shift, capped, ws)
        }
        Routing::ActivePassive {
            detect,
            switch,
            success,
            manual,
            failback,
        } => {
            let policy = Policy::Automatic {
                detect,
                switch,
                success: *success,
                manual: manual.as_ref(),
                failback: *failback,
            };
            route_failover(model, plan, (s, trial), policy, capped, ws)
        }
        Routing::Manual { respond } => {
            let policy = Policy::Manual { respond };
            route_failover(model, plan, (s, trial), policy, capped, ws)
        }
    }
}

/// The demand of service `s`'s routing loop and where it records its
/// deployments' shortfalls of capacity (`capped`: any has a capacity).
fn loop_inputs<'a>(
    model: &'a Model,
    s: usize,
    capped: bool,
    reduced: &'a mut Vec<Shortfall>,
) -> (Demand<'a>, Shortfalls<'a>) {
    let service = &model.services[s];
    // the curve matters only against a capacity
    let demand = Demand::new(service.traffic.as_deref().filter(|_| capped));
    let shortfalls = Shortfalls {
        capped,
        first: service.deployments.start as u32,
        out: reduced,
    };
    (demand, shortfalls)
}

/// Routes ActiveActive service `s` over the workspace's routes.
fn route_active_active(
    model: &Model,
    (s, trial): (usize, u64),
    shift: f64,
    capped: bool,
    ws: &mut Workspace,
) -> (Range<usize>, RoutingStats) {
    let (demand, shortfalls) = loop_inputs(model, s, capped, &mut ws.ledger.reduced);
    let collapse = collapse_policy(model, s, trial);
    active_active(
        &mut ws.arena,
        &mut ws.scratch.routes,
        (shift, collapse, demand),
        shortfalls,
        model.horizon,
    )
}

/// Routes ActivePassive or Manual service `s` under `policy` over the
/// workspace's routes; control-plane occurrences on its deployments hold
/// its switches.
fn route_failover(
    model: &Model,
    plan: &Plan,
    (s, trial): (usize, u64),
    policy: Policy<'_>,
    capped: bool,
    ws: &mut Workspace,
) -> (Range<usize>, RoutingStats) {
    let (demand, shortfalls) = loop_inputs(model, s, capped, &mut ws.ledger.reduced);
    let deployments = model.services[s].deployments.clone();
    let held = (deployments.clone()).any(|d| !plan.deployment_holds[d].is_empty());
    let holds = held.then(|| Switches {
        plan,
        outages: Outages {
            outages: &ws.outages,
            ranges: &ws.process_outages,
            first: &ws.process_first,
        },
        first: deployments.start,
        held: &mut ws.ledger.held_switches,
    });
    failover(
        &mut ws.arena,
        &mut ws.scratch.routes,
        (policy, routing_stream(model, s, trial), demand, holds),
        (shortfalls, &mut ws.ledger.switches),
        model.horizon,
    )
}

/// Fills the workspace's routes with the routing state of `deployments` at
/// time 0: each receiving traffic, its timelines read from their start.
fn fill_routes(model: &Model, deployments: Range<usize>, ws: &mut Workspace) {
    let routes = &mut ws.scratch.routes;
    routes.clear();
    for d in deployments {
        let nominal = model.deployments[d].capacity;
        let capacity = if ws.capacity[d].is_empty() {
            Track::new(0..0, f64::INFINITY)
        } else {
            Track::new(ws.capacity[d].clone(), nominal)
        };
        routes.push(Route {
            fraction: Track::new(ws.deployment[d].clone(), 1.0),
            capacity,
            receiving: true,
            drain_at: f64::INFINITY,
            overload_since: f64::INFINITY,
            collapsed_until: f64::NEG_INFINITY,
            nominal,
            short_since: f64::INFINITY,
        });
    }
}

/// The collapse policy of ActiveActive service `s` (`None`: it sheds).
fn collapse_policy(model: &Model, s: usize, trial: u64) -> Collapse<'_> {
    match &model.services[s].overload {
        Overload::Shed => None,
        Overload::Collapse { after, recover } => {
            Some((*after, recover, routing_stream(model, s, trial)))
        }
    }
}

/// The random stream of service `s`'s routing in trial `trial`.
fn routing_stream(model: &Model, s: usize, trial: u64) -> Stream {
    // 0xFE never occurs in UTF-8: no failure name can make the same key.
    let key = stream_key(&[b"\xferouting", model.services[s].name.as_bytes()]);
    streams::stream(model.seed, key, trial)
}

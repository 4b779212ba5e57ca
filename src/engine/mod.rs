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

mod attribution;
mod combine;
pub mod plan;
mod quorum;
mod routing;
pub mod streams;
pub mod timeline;

use std::ops::Range;

pub use plan::Plan;
use timeline::Arena;

use crate::model::Model;

/// Measures of one service in one trial.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ServiceOutcome {
    /// Lost-service hours: the integral of (1 - s).
    pub lost_hours: f64,
    /// Hours at s = 0.
    pub downtime_hours: f64,
    /// Hours at 0 < s < 1.
    pub degraded_hours: f64,
    /// Number of full outages (entries into s = 0).
    pub outages: u32,
    /// `per_hour * lost_hours`.
    pub cost: f64,
}

/// Measures of one failure definition in one trial.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct FailureOutcome {
    /// Occurrences that started within the horizon.
    pub occurrences: u64,
    /// Sum over occurrences of the services each affected.
    pub blast_services: u64,
    /// The most services one occurrence affected.
    pub blast_max: u32,
    /// Lost-service hours attributed to its occurrences.
    pub lost_hours: f64,
    /// Cost attributed to its occurrences.
    pub cost: f64,
}

/// Everything one trial measured.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TrialOutcome {
    /// Per service, in model order.
    pub services: Vec<ServiceOutcome>,
    /// Per failure definition, in model order.
    pub failures: Vec<FailureOutcome>,
    /// Sum of the services' costs.
    pub cost: f64,
    /// State changes simulated: failures and repairs, plus routing actions.
    pub events: u64,
    /// Lost hours for which no culprit was found; zero for a correct engine.
    pub unattributed_hours: f64,
}

/// Per-thread buffers, reused from one trial to the next.
#[derive(Debug, Default)]
pub struct Workspace {
    /// Outages of all processes, grouped by process (an outage is an occurrence).
    outages: Vec<(f64, f64)>,
    /// The process of each outage.
    outage_process: Vec<u32>,
    /// Outage range of each process.
    process_outages: Vec<Range<usize>>,
    /// Step arena of all timelines of the trial.
    arena: Arena,
    /// Quorum timeline of each deployment.
    quorum: Vec<Range<usize>>,
    /// Served-fraction timeline of each deployment.
    deployment: Vec<Range<usize>>,
    /// Served-fraction timeline of each service.
    service: Vec<Range<usize>>,
    /// Scratch of the sweeps and merges.
    scratch: quorum::Scratch,
    /// Scratch of the attribution.
    blame: attribution::Scratch,
    /// The outcome being filled.
    outcome: TrialOutcome,
}

impl Workspace {
    /// The outcome of the last trial run in this workspace.
    pub fn outcome(&self) -> &TrialOutcome {
        &self.outcome
    }
}

/// Simulates trial `trial` of `model` in `ws`; read the result with
/// [`Workspace::outcome`].
pub fn run_trial(model: &Model, plan: &Plan, trial: u64, ws: &mut Workspace) {
    reset(model, ws);
    generate(model, trial, ws);
    let horizon = model.horizon;
    for &s in &model.topological_order {
        for d in model.services[s].deployments.clone() {
            let q = quorum::sweep(model, plan, d, ws);
            ws.quorum[d] = q.clone();
            ws.deployment[d] = combine::deployment(plan, d, q, ws);
        }
        let (range, events) = routing::service(model, s, trial, ws);
        ws.service[s] = range;
        ws.outcome.events += events;
        measure(model, s, ws, horizon);
    }
    attribution::begin(model, ws);
    for s in model.topological_order.iter().copied() {
        attribution::attribute(model, plan, s, ws);
    }
    attribution::collect_failures(model, ws);
    ws.outcome.cost = model
        .topological_order
        .iter()
        .map(|&s| ws.outcome.services[s].cost)
        .sum();
}

fn reset(model: &Model, ws: &mut Workspace) {
    ws.outages.clear();
    ws.outage_process.clear();
    ws.process_outages.clear();
    ws.arena.steps.clear();
    let d = model.deployments.len();
    let s = model.services.len();
    ws.quorum.clear();
    ws.quorum.resize(d, 0..0);
    ws.deployment.clear();
    ws.deployment.resize(d, 0..0);
    ws.service.clear();
    ws.service.resize(s, 0..0);
    ws.outcome.services.clear();
    ws.outcome.services.resize(s, ServiceOutcome::default());
    ws.outcome.failures.clear();
    ws.outcome
        .failures
        .resize(model.failures.len(), FailureOutcome::default());
    ws.outcome.events = 0;
    ws.outcome.cost = 0.0;
    ws.outcome.unattributed_hours = 0.0;
}

fn generate(model: &Model, trial: u64, ws: &mut Workspace) {
    for (p, process) in model.processes.iter().enumerate() {
        let mut rng = streams::stream(model.seed, process.stream_key, trial);
        let start = ws.outages.len();
        let failure = &model.failures[process.failure];
        ws.outcome.events +=
            streams::generate_outages(failure, model.horizon, &mut rng, &mut ws.outages);
        ws.outage_process.resize(ws.outages.len(), p as u32);
        ws.process_outages.push(start..ws.outages.len());
        ws.outcome.failures[process.failure].occurrences += (ws.outages.len() - start) as u64;
    }
}

fn measure(model: &Model, s: usize, ws: &mut Workspace, horizon: f64) {
    let range = ws.service[s].clone();
    let mut out = ServiceOutcome::default();
    let mut previous = 1.0;
    for i in range.clone() {
        let step = ws.arena.steps[i];
        let dt = ws.arena.step_end(&range, i, horizon) - step.t;
        out.lost_hours += (1.0 - step.v) * dt;
        if step.v == 0.0 {
            out.downtime_hours += dt;
            if previous > 0.0 {
                out.outages += 1;
            }
        } else if step.v < 1.0 {
            out.degraded_hours += dt;
        }
        previous = step.v;
    }
    out.cost = out.lost_hours * model.services[s].cost_per_hour;
    ws.outcome.services[s] = out;
}

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
mod data;
mod deadlock;
mod demand;
mod hold;
pub mod layout;
pub mod plan;
mod quorum;
mod replicas;
mod routing;
pub mod streams;
pub mod timeline;
pub mod trace;

use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};

pub use plan::Plan;
pub use routing::RoutingStats;
use timeline::Arena;
pub use trace::{trace, trace_until, Occurrence, Trace};

use crate::model::{Model, Service, Sla};

/// The most passes over a recovery cycle before its result is taken as it
/// stands (each pass can only lengthen outages, so it errs on the safe side).
pub const MAX_RECOVERY_PASSES: usize = 1024;

/// Measures of one service in one trial.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceOutcome {
    /// Lost-service hours: the integral of (1 - s).
    pub lost_hours: f64,
    /// Hours at s = 0.
    pub downtime_hours: f64,
    /// Hours at 0 < s < 1.
    pub degraded_hours: f64,
    /// Number of full outages (entries into s = 0).
    pub outages: u32,
    /// Lost-service hours weighted by the traffic at the time (equal to
    /// `lost_hours` without a traffic curve).
    pub weighted_lost_hours: f64,
    /// Lost-service hours from load shedding.
    pub shed_hours: f64,
    /// Overload collapses.
    pub collapses: u32,
    /// Completed failovers.
    pub failovers: u32,
    /// Failovers whose automated switch failed.
    pub failed_failovers: u32,
    /// Returns to the first deployment.
    pub failbacks: u32,
    /// Hours of writes lost.
    pub data_loss_hours: f64,
    /// SLA windows with a refund owed.
    pub sla_breaches: u32,
    /// SLA credits owed (money).
    pub credits: f64,
    /// Deployments of a recovery cycle still waiting on each other at the horizon.
    pub deadlocks: u32,
    /// Total money: `per_hour * weighted_lost_hours`, plus
    /// `per_data_loss_hour * data_loss_hours`, plus `credits`.
    pub cost: f64,
    /// The downtime part of `cost` (`per_hour * weighted_lost_hours`).
    pub downtime_cost: f64,
}

/// Measures of one failure definition in one trial.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FailureOutcome {
    /// Occurrences that started within the horizon.
    pub occurrences: u64,
    /// Hours its outages lasted within the horizon, summed over its targets
    /// (whatever they took down): a control variate of the loss.
    pub downtime_hours: f64,
    /// Sum over occurrences of the services each affected.
    pub blast_services: u64,
    /// The most services one occurrence affected.
    pub blast_max: u32,
    /// Lost-service hours attributed to its occurrences.
    pub lost_hours: f64,
    /// Money attributed to its occurrences: downtime cost, data losses
    /// and SLA credits.
    pub cost: f64,
}

/// Everything one trial measured.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrialOutcome {
    /// Per service, in model order.
    pub services: Vec<ServiceOutcome>,
    /// Per failure definition, in model order.
    pub failures: Vec<FailureOutcome>,
    /// Per failure process, in model order: its outages and their hours
    /// within the horizon (the controls of variance reduction).
    pub processes: Vec<(u32, f64)>,
    /// Sum of the services' costs.
    pub cost: f64,
    /// State changes simulated: failures and repairs, plus routing actions.
    pub events: u64,
    /// Likelihood ratio of the trial's failure history under importance
    /// sampling (1 without): every measure of the trial counts with this weight.
    pub weight: f64,
    /// Lost hours no failure occurrence caused (a design whose capacity is
    /// short of the demand with everything up).
    pub unattributed_hours: f64,
    /// Their cost, with the data losses and SLA credits no occurrence caused.
    pub unattributed_cost: f64,
}

/// Per-thread buffers, reused from one trial to the next.
#[derive(Debug, Default)]
pub struct Workspace {
    /// Outages of the processes at hand, grouped by process: the shared
    /// ones, then those of the service being evaluated (all of them when
    /// `keep_outages`). An outage is an occurrence.
    outages: Vec<(f64, f64)>,
    /// Keep every outage of the trial in `outages` (for `trace`).
    keep_outages: bool,
    /// Occurrences generated so far: an outage's id is its rank in the
    /// order of `Plan::generation`.
    occurrences: usize,
    /// The id of each generated process's first outage, in the order of
    /// `Plan::generation` (non-decreasing: finds an outage's process).
    generation_starts: Vec<usize>,
    /// Outage range in `outages` of each process (while at hand).
    process_outages: Vec<Range<usize>>,
    /// The id of each process's first outage.
    process_first: Vec<usize>,
    /// Per process: the logarithm of its history's likelihood ratio (0
    /// unless importance sampling tilts it).
    log_lr: Vec<f64>,
    /// Step arena of all timelines of the trial.
    arena: Arena,
    /// Quorum timeline of each deployment.
    quorum: Vec<Range<usize>>,
    /// Served-fraction timeline of each deployment.
    deployment: Vec<Range<usize>>,
    /// Served-fraction timeline of each service.
    service: Vec<Range<usize>>,
    /// Effective-capacity timeline of each deployment (empty: unlimited).
    capacity: Vec<Range<usize>>,
    /// Per deployment: a replica still waiting on a recovery dependency at the horizon.
    stuck: Vec<bool>,
    /// Per deployment, where `stuck`: when its waiting replicas' own outages
    /// had all ended.
    stuck_since: Vec<f64>,
    /// Times at which people broke a deadlock of the recovery cycle being
    /// evaluated (ascending; empty outside a cycle with `manual`).
    breaks: Vec<f64>,
    /// That cycle, as positions in the topological order.
    break_cycle: Range<usize>,
    /// What each service's routing did.
    routing: Vec<RoutingStats>,
    /// Hours of writes each service lost.
    data_lost: Vec<f64>,
    /// Timelines of a recovery cycle's previous pass, to see it settle.
    previous: Vec<Range<usize>>,
    /// Scratch of the replica-level timelines.
    exact: replicas::Scratch,
    /// Scratch of the data loss.
    data: data::Scratch,
    /// Scratch of the sweeps and merges.
    scratch: quorum::Scratch,
    /// Scratch of the attribution.
    blame: attribution::Scratch,
    /// What the evaluation leaves for the attribution: shortfalls of
    /// capacity, data losses and SLA credits, with their times.
    ledger: attribution::Ledger,
    /// The outcome being filled, in the model's numbering.
    outcome: TrialOutcome,
    /// The stream of the process being generated, restarted for each (its
    /// buffer is not cleared again for every process).
    stream: streams::Stream,
    /// Whether the trials of several variants of a model run one after
    /// the other in this workspace, each process's stream output kept on
    /// its tape for the next ([`Workspace::share_streams`]).
    taping: bool,
    /// Per process, its tape.
    tapes: Vec<streams::Tape>,
    /// Per group of processes repaired by crews: the id of its first
    /// occurrence, once its first process is generated in the trial (its
    /// processes share their occurrences' ids).
    repair_first: Vec<usize>,
    /// Scratch of the crews' schedules.
    repairs: arrivals::Scratch,
    /// Scheduled outages that merged several starts: (occurrence, starts
    /// beyond the first); each start counts the outage's blast radius.
    merged: Vec<(usize, u32)>,
}

impl Workspace {
    /// Runs the trials of several variants of a model (the same shape, on
    /// the same trial streams) one after the other in this workspace when
    /// `shared`: each process's stream output is kept for the next variant
    /// of the same trial instead of computed again (the same words).
    pub fn share_streams(&mut self, shared: bool) {
        self.taping = shared;
    }

    /// The outcome of the last trial run in this workspace.
    pub fn outcome(&self) -> &TrialOutcome {
        &self.outcome
    }

    /// The process of the outage with id `o`.
    fn process_of(&self, plan: &Plan, o: usize) -> usize {
        let k = self.generation_starts.partition_point(|&start| start <= o);
        plan.generation[k.saturating_sub(1)] as usize
    }
}

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
    reset(model, ws);
    ws.repair_first.clear();
    ws.repair_first.resize(plan.repair_groups, usize::MAX);
    ws.merged.clear();
    attribution::start(ws);
    generate(model, plan, plan.shared.clone(), trial, ws);
    let shared = ws.outages.len();
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
                evaluate_cycle(model, plan, cycle.clone(), trial, ws, stop)?;
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
    generate(model, plan, plan.ungated.clone(), trial, ws);
    release(ws, shared);
    tally(plan, ws);
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
    attribution::begin(model, ws);
    // not stopped from here on: the attribution resets what it touched at
    // its end, for the next trial in this workspace
    for s in model.topological_order.iter().copied() {
        attribution::attribute(model, plan, s, ws);
    }
    attribution::collect_failures(model, plan, ws);
    let services = &ws.outcome.services;
    let model_service = |s: usize| plan.layout.service[s];
    ws.outcome.cost = order.iter().map(|&s| services[model_service(s)].cost).sum();
    Some(())
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

/// Builds service `s`'s deployment and service timelines.
fn evaluate(model: &Model, plan: &Plan, s: usize, trial: u64, ws: &mut Workspace) {
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

/// Evaluates the services of a recovery cycle (`model.topological_order[cycle]`)
/// until a pass changes nothing; then, when people break its deadlocks
/// (`Recovery(manual: ...)`), breaks each one and evaluates it again
/// ([`deadlock`]).
fn evaluate_cycle(
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
fn settle_cycle(
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

/// Prepares `ws` for a trial of `model`. Arrays that every trial writes
/// whole are only sized (clearing them would cost a pass over arrays of the
/// model's size per trial); those written in part are reset.
fn reset(model: &Model, ws: &mut Workspace) {
    let (p, d, s) = (
        model.processes.len(),
        model.deployments.len(),
        model.services.len(),
    );
    ws.outages.clear();
    ws.occurrences = 0;
    ws.generation_starts.clear();
    ws.arena.steps.clear();
    // written whole by every trial
    sized(&mut ws.process_outages, p, 0..0);
    sized(&mut ws.process_first, p, 0);
    sized(&mut ws.log_lr, p, 0.0);
    sized(&mut ws.quorum, d, 0..0);
    sized(&mut ws.deployment, d, 0..0);
    sized(&mut ws.service, s, 0..0);
    sized(&mut ws.routing, s, RoutingStats::default());
    sized(&mut ws.data_lost, s, 0.0);
    ws.ledger.reset(s);
    sized(&mut ws.outcome.services, s, ServiceOutcome::default());
    sized(&mut ws.outcome.processes, p, (0, 0.0));
    // written in part
    ws.capacity.clear();
    ws.capacity.resize(d, 0..0);
    ws.stuck.clear();
    ws.stuck.resize(d, false);
    sized(&mut ws.stuck_since, d, f64::NEG_INFINITY);
    ws.breaks.clear();
    ws.outcome.failures.clear();
    ws.outcome
        .failures
        .resize(model.failures.len(), FailureOutcome::default());
    ws.outcome.events = 0;
    ws.outcome.weight = 1.0;
    ws.outcome.cost = 0.0;
    ws.outcome.unattributed_hours = 0.0;
    ws.outcome.unattributed_cost = 0.0;
}

/// Gives `v` the length `n` (new entries `fill`), keeping what it holds
/// when it already has it.
fn sized<T: Clone>(v: &mut Vec<T>, n: usize, fill: T) {
    if v.len() != n {
        v.clear();
        v.resize(n, fill);
    }
}

/// Generates the outages of the processes `plan.generation[span]`, each from
/// its own stream (so the order they are generated in changes no number).
fn generate(model: &Model, plan: &Plan, span: Range<u32>, trial: u64, ws: &mut Workspace) {
    // `process_of` needs the spans generated in the order of `plan.generation`
    debug_assert_eq!(ws.generation_starts.len(), span.start as usize);
    for &p in &plan.generation[span.start as usize..span.end as usize] {
        let p = p as usize;
        if ws.taping {
            generate_taped(model, plan, p, trial, ws);
            continue;
        }
        ws.stream
            .restart(model.seed, model.processes[p].stream_key, trial);
        generate_process(model, plan, p, ws);
    }
}

/// [`generate_process`] on the process's tape: its stream's output as the
/// previous variant of the trial computed it ([`streams::Tape`]).
#[inline(never)]
fn generate_taped(model: &Model, plan: &Plan, p: usize, trial: u64, ws: &mut Workspace) {
    if ws.tapes.len() < model.processes.len() {
        ws.tapes
            .resize_with(model.processes.len(), Default::default);
    }
    let key = model.processes[p].stream_key;
    ws.stream
        .restart_taped(model.seed, key, trial, &mut ws.tapes[p]);
    generate_process(model, plan, p, ws);
    ws.stream.untape(&mut ws.tapes[p]);
}

/// Generates the outages of process `p` from `ws.stream`, restarted for it.
#[inline(always)]
fn generate_process(model: &Model, plan: &Plan, p: usize, ws: &mut Workspace) {
    let process = &model.processes[p];
    let rng = &mut ws.stream;
    let start = ws.outages.len();
    let failure = &model.failures[process.failure];
    if !failure.is_plain() {
        generate_other(model, plan, p, ws);
        return;
    }
    let tilt = plan.tilt[p];
    let (events, hours) = if tilt == 1.0 {
        streams::generate_outages(failure, model.horizon, rng, &mut ws.outages)
    } else {
        let (events, log_lr) =
            streams::generate_tilted_outages(failure, model.horizon, tilt, rng, &mut ws.outages);
        ws.log_lr[p] = log_lr;
        let hours = ws.outages[start..].iter().map(|o| o.1 - o.0).sum::<f64>();
        (events, hours)
    };
    let count = ws.outages.len() - start;
    ws.outcome.events += events;
    ws.generation_starts.push(ws.occurrences);
    ws.process_first[p] = ws.occurrences;
    ws.occurrences += count;
    ws.process_outages[p] = start..ws.outages.len();
    ws.outcome.processes[plan.layout.process[p]] = (count as u32, hours);
}

/// [`generate`] of process `p` (its stream restarted) when its failure is
/// not drawn as in v1 ([`arrivals`]): out of the v1 loop, which stays as it
/// was. The replicas repaired by crews share their group's occurrence ids
/// (the first of them generated numbers them) and only the first in the
/// repair order counts them; a schedule's merged starts are noted for the
/// blast radius.
#[cold]
#[inline(never)]
fn generate_other(model: &Model, plan: &Plan, p: usize, ws: &mut Workspace) {
    let process = &model.processes[p];
    let failure = &model.failures[process.failure];
    let repair = process.repair.as_deref().copied();
    let start = ws.outages.len();
    let history = arrivals::generate(
        failure,
        repair,
        model.horizon,
        &mut ws.stream,
        &mut ws.outages,
        &mut ws.repairs,
    );
    let count = ws.outages.len() - start;
    ws.outcome.events += history.events;
    ws.generation_starts.push(ws.occurrences);
    ws.process_first[p] = ws.occurrences;
    match repair {
        Some(r) if ws.repair_first[r.group] != usize::MAX => {
            ws.process_first[p] = ws.repair_first[r.group];
        }
        Some(r) => {
            ws.repair_first[r.group] = ws.occurrences;
            ws.occurrences += count;
        }
        None => ws.occurrences += count,
    }
    let counted = match repair {
        Some(r) if r.rank > 0 => 0,
        _ => history.occurrences,
    };
    ws.process_outages[p] = start..ws.outages.len();
    ws.outcome.processes[plan.layout.process[p]] = (counted, history.hours);
    let first = ws.process_first[p];
    let merged = (ws.repairs.merged.iter()).map(|&(k, extra)| (first + k, extra));
    ws.merged.extend(merged);
}

/// Adds the processes' outages up per failure definition, and their
/// likelihood ratios into the trial's weight, in the model's process order.
fn tally(plan: &Plan, ws: &mut Workspace) {
    let outcome = &mut ws.outcome;
    let failures = plan.layout.process_failure.iter();
    for (&(count, hours), &failure) in outcome.processes.iter().zip(failures) {
        let f = &mut outcome.failures[failure];
        f.occurrences += u64::from(count);
        f.downtime_hours += hours;
    }
    let mut log_weight = 0.0;
    if plan.tilted {
        for &p in &plan.layout.engine_process {
            if plan.tilt[p] != 1.0 {
                log_weight += ws.log_lr[p];
            }
        }
    }
    ws.outcome.weight = log_weight.exp();
}

/// Measures service `s` into the outcome's entry `m` (its model id).
/// `None` when `stop` was set while its SLA windows were measured.
fn measure(model: &Model, s: usize, m: usize, ws: &mut Workspace, stop: &AtomicBool) -> Option<()> {
    let horizon = model.horizon;
    let service = &model.services[s];
    let range = ws.service[s].clone();
    let mut out = ServiceOutcome::default();
    let mut previous = 1.0;
    for i in range.clone() {
        let step = ws.arena.steps[i];
        let end = ws.arena.step_end(&range, i, horizon);
        let dt = end - step.t;
        out.lost_hours += (1.0 - step.v) * dt;
        out.weighted_lost_hours += (1.0 - step.v)
            * service
                .traffic
                .as_ref()
                .map_or(dt, |traffic| traffic.between(step.t, end));
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
    // sums of many steps can pass the horizon by a rounding
    out.lost_hours = out.lost_hours.min(horizon);
    out.downtime_hours = out.downtime_hours.min(horizon);
    out.degraded_hours = out.degraded_hours.min(horizon);
    let stats = ws.routing[s];
    out.shed_hours = stats.shed_hours;
    out.collapses = stats.collapses;
    out.failovers = stats.failovers;
    out.failed_failovers = stats.failed_failovers;
    out.failbacks = stats.failbacks;
    out.data_loss_hours = ws.data_lost[s];
    let credits_start = ws.ledger.credits.len();
    if let Some(sla) = &service.sla {
        (out.sla_breaches, out.credits) = credits(
            sla,
            &ws.arena,
            &range,
            horizon,
            &mut ws.ledger.credits,
            stop,
        )?;
    }
    ws.ledger.spans[s].credits = credits_start..ws.ledger.credits.len();
    ws.outcome.events += stats.events;
    out.downtime_cost = out.weighted_lost_hours * service.cost_per_hour;
    out.cost = out.downtime_cost + cost_of_data(service, out.data_loss_hours) + out.credits;
    ws.outcome.services[m] = out;
    Some(())
}

fn cost_of_data(service: &Service, hours: f64) -> f64 {
    if hours > 0.0 {
        hours * service.cost_per_data_loss_hour
    } else {
        0.0
    }
}

/// SLA windows with a refund owed, and the credits: the horizon is cut into
/// windows from time 0 (the last one may be shorter, its revenue pro rata),
/// each window's availability measured, and the largest refund of the tiers
/// it falls below paid on its revenue. Each window's credit goes to `owed`
/// as (window index, money), for the attribution. `None` when `stop` is set
/// meanwhile (read every [`STOP_EVERY`] windows).
fn credits(
    sla: &Sla,
    arena: &Arena,
    range: &Range<usize>,
    horizon: f64,
    owed: &mut Vec<(f64, f64)>,
    stop: &AtomicBool,
) -> Option<(u32, f64)> {
    let mut breaches = 0;
    let mut credits = 0.0;
    let mut settle = |window: f64, lost: f64| {
        let start = window * sla.window;
        let length = sla.window.min(horizon - start);
        let availability = 1.0 - lost / length;
        let refund = sla
            .credits
            .iter()
            .filter(|tier| availability < tier.below)
            .map(|tier| tier.refund)
            .fold(None, |best: Option<f64>, r| {
                Some(best.map_or(r, |b| b.max(r)))
            });
        if let Some(refund) = refund {
            breaches += 1;
            let credit = refund * sla.revenue * length / sla.window;
            credits += credit;
            owed.push((window, credit));
        }
    };
    let mut window = 0.0;
    let mut lost = 0.0;
    let mut visited: u64 = 0;
    for i in range.clone() {
        let step = arena.steps[i];
        let end = arena.step_end(range, i, horizon);
        let mut t = step.t;
        while step.v < 1.0 && t < end {
            visited += 1;
            if visited.is_multiple_of(STOP_EVERY) {
                stopped(stop)?;
            }
            let (w, until) = window_piece(t, end, sla.window);
            if w != window {
                if lost > 0.0 {
                    settle(window, lost);
                }
                (window, lost) = (w, 0.0);
            }
            lost += (1.0 - step.v) * (until - t);
            t = until;
        }
    }
    if lost > 0.0 {
        settle(window, lost);
    }
    Some((breaches, credits))
}

/// SLA windows measured between two reads of the stop flag.
const STOP_EVERY: u64 = 1 << 20;

/// The SLA window (its index from 0) that the time `t` falls in, and the
/// end of the piece of `[t, end)` within it: every window is measured,
/// however small. The credits and their attribution cut time the same way.
fn window_piece(t: f64, end: f64, window: f64) -> (f64, f64) {
    let mut w = (t / window).floor();
    if (w + 1.0) * window <= t {
        // rounding put t at the end of window w: it starts the next
        w += 1.0;
    }
    let until = end.min((w + 1.0) * window);
    // a window below the precision of t (only with the limits raised far):
    // finish the stretch here rather than never advance
    (w, if until <= t { end } else { until })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// Examples with recovery cycles, exact deployments, failovers, data
    /// loss, overload, SLA credits and traffic curves.
    const EXAMPLES: [(&str, &str); 6] = [
        (
            "control-plane-recovery.ron",
            include_str!("../../scenarios/control-plane-recovery.ron"),
        ),
        (
            "data-loss.ron",
            include_str!("../../scenarios/data-loss.ron"),
        ),
        (
            "failover-that-fails.ron",
            include_str!("../../scenarios/failover-that-fails.ron"),
        ),
        (
            "overload-cascade.ron",
            include_str!("../../scenarios/overload-cascade.ron"),
        ),
        (
            "sla-credits.ron",
            include_str!("../../scenarios/sla-credits.ron"),
        ),
        (
            "shop-two-providers.ron",
            include_str!("../../scenarios/shop-two-providers.ron"),
        ),
    ];

    /// Names in the reverse of the evaluation order (`a-web` needs `b-api`
    /// needs `c-orders`...), every kind of target, exact deployments, a
    /// recovery cycle, data loss, failover and collapse.
    const REVERSED: &str = r#"Scenario(name: "reversed", horizon: "1y", trials: 10, seed: 7,
        domains: ["aws/us-east-1/a", "aws/us-east-1/b", "aws/us-west-2/a", "aws/us-west-2/b"],
        failures: [
            (name: "region", on: EachRegion(), every: "2y", lasts: LogNormal(median: "5h", p90: "20h"), cause: Capacity),
            (name: "zone", on: EachZone(), every: "1y", lasts: Exp(mean: "6h"), cause: Power),
            (name: "host", on: EachReplica(), every: "30d", lasts: Exp(mean: "3h"), cause: Hardware),
            (name: "rollout", on: EachDeployment(), every: "90d", lasts: Exp(mean: "1h"), cause: Software),
            (name: "config", on: EachService(), every: "1y", lasts: Exp(mean: "2h"), cause: Config),
            (name: "migration", on: Service("c-orders"), every: "5y", lasts: Exp(mean: "1h"), cause: Config, destroys_data: true),
        ],
        services: {
            "a-web": (deployments: [(in: "aws/us-east-1", zones: ["a", "b"], replicas: 4, need: 2, capacity: 0.6),
                                    (in: "aws/us-west-2", zones: ["a", "b"], replicas: 4, need: 2, capacity: 0.6)],
                      routing: ActiveActive(shift: "3m"),
                      overload: Collapse(after: "10m", recover: Exp(mean: "30m")),
                      depends_on: { "b-api": Hard, "d-search": Soft(impact: 0.2) }, cost: (per_hour: 1000)),
            "b-api": (deployments: [(in: "aws/us-east-1", zones: ["a", "b"], replicas: 3, need: 2)],
                      depends_on: { "c-orders": Hard, "e-auth": Hard, "f-control": Recovery(catch_up: "20m") },
                      cost: (per_hour: 500)),
            "c-orders": (deployments: [(in: "aws/us-east-1", zones: ["a", "b"], replicas: 2, need: 1),
                                       (in: "aws/us-west-2", zones: ["a", "b"], replicas: 2, need: 1)],
                         routing: ActivePassive(detect: Exp(mean: "3m"), switch: Fixed("10m")),
                         data: (replication: Async(lag: Exp(mean: "30s")), backup: (every: "1d", restore: Exp(mean: "4h"))),
                         cost: (per_hour: 800, per_data_loss_hour: 5000)),
            "d-search": (deployments: [(in: "aws/us-west-2", zones: ["a", "b"], replicas: 2, need: 1)]),
            "e-auth": (deployments: [(in: "aws/us-east-1", zones: ["a", "b"], replicas: 3, need: 2)],
                       depends_on: { "f-control": Recovery(catch_up: "30m") }),
            "f-control": (deployments: [(in: "aws/us-east-1", zones: ["a", "b"], replicas: 3, need: 2)],
                          depends_on: { "e-auth": Recovery() }),
        })"#;

    /// `n` services in a chain (see [`crate::test_scenarios::chain`]).
    fn chain(n: usize) -> crate::model::Model {
        crate::test_scenarios::chain(n, "30d")
    }

    /// The loss steps of a trial's service timelines (what is attributed).
    fn loss_steps(model: &Model, ws: &Workspace) -> u64 {
        (0..model.services.len())
            .map(|s| {
                let range = ws.service[s].clone();
                ws.arena.steps[range].iter().filter(|x| x.v < 1.0).count() as u64
            })
            .sum()
    }

    #[test]
    fn attributing_a_chain_walks_a_bounded_number_of_links_per_loss() {
        // an outage at the head of a chain is lost by every service below
        // it: walking each loss back to the head costs the chain's length
        // per loss step, the cube of the chain in all
        for n in [40, 160] {
            let model = chain(n);
            let plan = Plan::new(&model);
            let mut ws = Workspace::default();
            let (mut visits, mut steps) = (0, 0);
            for trial in 0..3 {
                ws.blame.visits = 0;
                run_trial(&plan, trial, &mut ws);
                visits += ws.blame.visits;
                steps += loss_steps(&plan.layout.model, &ws);
            }
            assert!(
                steps > 20 * n as u64,
                "{n}: {steps} loss steps: nothing is tested"
            );
            let per_step = visits as f64 / steps as f64;
            assert!(per_step < 3.0, "{n}: {per_step} nodes walked per loss step");
        }
    }

    #[test]
    fn sla_windows_of_a_second_are_each_measured() {
        // down from the first failure (within seconds) to the horizon: every
        // one-second window from there on is below 50% and owes its refund
        let text = r#"Scenario(horizon: "10h", seed: 9, domains: ["aws/r/a"],
            failures: [(name: "host", on: EachReplica(), every: "1s", lasts: Fixed("20h"))],
            services: { "web": (deployments: [(in: "aws/r/a")],
                sla: (window: "1s", revenue: 1, credits: [(below: 0.5, refund: 1)])) })"#;
        let model = crate::scenario::load("sla.ron", text.as_bytes()).unwrap();
        let plan = Plan::new(&model);
        let window = 1.0 / 3600.0;
        for trial in 0..5 {
            let story = trace(&plan, trial, &mut Workspace::default());
            let start = story.occurrences[0].start;
            // windows wholly down, and the one the failure starts in if it
            // starts in its first half (36,000 windows in ten hours)
            let first = (start / window).floor();
            let into = start / window - first;
            let expected = 36_000.0 - first - 1.0 + if into < 0.5 { 1.0 } else { 0.0 };
            let breaches = f64::from(story.outcome.services[0].sla_breaches);
            assert!(
                (breaches - expected).abs() <= 1.0,
                "trial {trial}: {breaches} vs {expected}"
            );
        }
    }

    #[test]
    fn a_stopped_trial_gives_up_and_the_next_one_is_whole() {
        let model = chain(30);
        let plan = Plan::new(&model);
        let mut ws = Workspace::default();
        assert!(!run_trial_until(&plan, 1, &mut ws, &AtomicBool::new(true)));
        run_trial(&plan, 1, &mut ws);
        let after = ws.outcome().clone();
        let mut fresh = Workspace::default();
        run_trial(&plan, 1, &mut fresh);
        assert_eq!(&after, fresh.outcome());
        assert!(after.services.iter().any(|s| s.lost_hours > 0.0));
    }

    #[test]
    fn the_engine_numbering_changes_no_outcome_and_no_story() {
        let mut reordered = 0;
        let reversed = [("reversed.ron", REVERSED)];
        for (name, text) in EXAMPLES.into_iter().chain(reversed) {
            let model = crate::scenario::load(name, text.as_bytes()).unwrap();
            let renumbered = Plan::new(&model);
            let as_written = Plan::in_model_numbering(&model);
            if renumbered.layout.service != as_written.layout.service {
                reordered += 1;
            }
            let (mut a, mut b) = (Workspace::default(), Workspace::default());
            let mut lost = 0.0;
            for trial in 0..200 {
                run_trial(&renumbered, trial, &mut a);
                run_trial(&as_written, trial, &mut b);
                assert_eq!(a.outcome(), b.outcome(), "{name} trial {trial}");
                lost += a
                    .outcome()
                    .services
                    .iter()
                    .map(|s| s.lost_hours)
                    .sum::<f64>();
            }
            assert!(
                lost > 0.0,
                "{name}: no loss in 200 trials: nothing is tested"
            );
            for trial in 0..20 {
                let x = trace(&renumbered, trial, &mut a);
                let y = trace(&as_written, trial, &mut b);
                assert_eq!(x, y, "{name} trial {trial}");
            }
        }
        // the test means something: most examples evaluate services in
        // another order than the file's
        assert!(reordered >= 3, "{reordered}");
    }
}

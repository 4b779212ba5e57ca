//! Attribution of lost service and money to failure occurrences, and blast
//! radius.
//!
//! A service's loss with everything up (its fraction at time 0, below 1 when
//! capacity falls short of demand) is nobody's: `unattributed`. During each
//! step of its timeline with s < 1, the rest of the lost rate goes to the
//! culprits: the outages in effect that hold down a replica of a deployment
//! whose quorum is lost, or that took capacity from a deployment short of
//! it, among the deployments contributing to the loss (those receiving
//! traffic and below 1, or the active one) and, recursively, the deployments
//! of their dependencies that are below 1 at the time. At every instant the
//! rate is split equally among the distinct culprits, so the attributions
//! add up to the service's lost hours exactly. An occurrence's blast radius
//! is the number of services it was attributed a loss in.
//!
//! Money follows: the downtime cost with the lost hours; writes lost at a
//! failover to the culprits last in effect when it completed, writes a
//! failure destroyed to that occurrence; an SLA window's credit to the
//! occurrences that lost service in the window, pro rata to what they lost
//! in it (the unattributed loss taking its part).

use super::combine::source_range;
use super::hold::Held;
use super::plan::{Node, Plan};
use super::Workspace;
use crate::model::{Model, Routing, Traffic};
use std::ops::Range;

/// The "occurrence" of a data loss charged to the culprits of the failover
/// that caused it (those last in effect for the service when it completed).
pub const CAUSED_THE_FAILOVER: u32 = u32::MAX;

/// A lost rate this close to the service's loss with everything up is that
/// loss (rounding, not a failure).
const NEGLIGIBLE: f64 = 1e-12;

/// What a trial's evaluation leaves for its attribution besides the
/// timelines, per service (entries of a service evaluated again, in a
/// recovery cycle, are those of its last pass).
#[derive(Debug, Default)]
pub struct Ledger {
    /// Stretches where a deployment served less than with every replica up,
    /// for want of the capacity its failures took.
    pub reduced: Vec<Shortfall>,
    /// Times of the failovers of the service being routed that moved traffic
    /// to another deployment.
    pub switches: Vec<f64>,
    /// Writes lost: (time, hours, occurrence that caused them, or
    /// [`CAUSED_THE_FAILOVER`]).
    pub data: Vec<(f64, f64, u32)>,
    /// SLA credits owed: (window index, money), in window order.
    pub credits: Vec<(f64, f64)>,
    /// Stretches control-plane occurrences held outages of the service's
    /// deployments beyond their own ends.
    pub held: Vec<Held>,
    /// Stretches they held the service's switches: the service's loss in
    /// each is the occurrence's alone.
    pub held_switches: Vec<Held>,
    /// Per service: its entries in `reduced`, `data`, `credits`, `held`
    /// and `held_switches`.
    pub spans: Vec<Spans>,
}

/// A stretch where a deployment served less than with every replica up.
#[derive(Debug, Clone, Copy)]
pub struct Shortfall {
    /// When it began (hours).
    pub start: f64,
    /// When it ended (hours).
    pub end: f64,
    /// The deployment.
    pub deployment: u32,
    /// The span in the attribution's culprits of the outages of its gates
    /// overlapping it (found while the outages are at hand).
    pub culprits: (u32, u32),
}

/// A service's entries in the lists of the [`Ledger`].
#[derive(Debug, Default, Clone)]
pub struct Spans {
    /// In `reduced`.
    pub reduced: Range<usize>,
    /// In `data`.
    pub data: Range<usize>,
    /// In `credits`.
    pub credits: Range<usize>,
    /// In `held`.
    pub held: Range<usize>,
    /// In `held_switches`.
    pub held_switches: Range<usize>,
}

impl Ledger {
    /// Empties the lists for a trial of a model with `services` services
    /// (every service's spans are written by its evaluation).
    pub fn reset(&mut self, services: usize) {
        self.reduced.clear();
        self.data.clear();
        self.credits.clear();
        self.held.clear();
        self.held_switches.clear();
        if self.spans.len() != services {
            self.spans.clear();
            self.spans.resize(services, Spans::default());
        }
    }
}

/// The SLA windows of the service being attributed: each window's lost
/// service, per occurrence and unattributed, until its credit is shared.
#[derive(Debug, Default)]
struct Windows {
    /// Window length (hours); infinite without an SLA.
    length: f64,
    /// Index of the window being filled.
    index: f64,
    /// Per occurrence: lost hours in the window.
    lost: Vec<f64>,
    /// Occurrences with lost hours in the window.
    hit: Vec<u32>,
    /// Lost hours in the window no occurrence caused.
    unclaimed: f64,
    /// The service's credits (window index, money), and the next one to share.
    credits: Vec<(f64, f64)>,
    next: usize,
}
/// Reused buffers of the attribution.
#[derive(Debug, Default)]
pub struct Scratch {
    stack: Vec<Node>,
    visited_deployment: Vec<u32>,
    visited_service: Vec<u32>,
    epoch: u32,
    /// Culprit boundaries: (time, occurrence, is start).
    entries: Vec<(f64, u32, bool)>,
    /// Culprit intervals gathered for one loss step: (from, to, occurrence).
    intervals: Vec<(f64, f64, u32)>,
    /// Per arena step of a service timeline below 1: the trial (`trial`)
    /// its culprit intervals were gathered in, and their span in `memo`,
    /// sorted and without repeats. Services are attributed dependencies
    /// first, so a dependent whose loss step covers the same window as a
    /// dependency's takes the dependency's intervals instead of walking
    /// its dependency closure again (a provider outage takes every service
    /// down over the same window).
    memo_stamp: Vec<u32>,
    memo_span: Vec<(u32, u32)>,
    memo: Vec<(f64, f64, u32)>,
    count: Vec<u32>,
    position: Vec<u32>,
    active: Vec<u32>,
    /// Per occurrence: attributed lost hours, cost, services hit, last
    /// service, and whether it was given anything this trial.
    lost: Vec<f64>,
    cost: Vec<f64>,
    blast: Vec<u32>,
    last_service: Vec<u32>,
    seen: Vec<bool>,
    /// Occurrences given a share this trial (the only entries to collect and reset).
    touched: Vec<u32>,
    /// The SLA windows of the service being attributed.
    windows: Windows,
    /// `touched` as (model process, occurrence, engine process), in the
    /// order their attributions are added up.
    ordered: Vec<(usize, u32, usize)>,
    /// The culprits last in effect for the service being attributed: they
    /// take a loss that outlives them (a restore, a collapse, a relaunch
    /// backlog, a failback).
    fallback: Vec<u32>,
    /// Opt-in (for `explain`): record what each occurrence was attributed.
    record: bool,
    /// When recording: (occurrence, service) for each service an occurrence hit.
    hits: Vec<(u32, u32)>,
    /// When recording: (occurrence, lost hours, cost, services hit) for each
    /// occurrence attributed a loss, in occurrence order.
    recorded: Vec<(u32, f64, f64, u32)>,
    /// Per arena step of a quorum timeline at 0: the trial (`trial`) its
    /// culprits were found in, and their span in `culprits`. A deployment
    /// is visited once per loss step of every service that depends on it:
    /// its culprits are looked up once per trial.
    culprit_stamp: Vec<u32>,
    culprit_span: Vec<(u32, u32)>,
    /// Outages holding a quorum down over a whole step: (start, end, occurrence).
    culprits: Vec<(f64, f64, u32)>,
    /// The trial counter of `culprit_stamp` and `memo_stamp` (never 0 once a
    /// trial began).
    trial: u32,
    /// Nodes the dependency walks visited (tests check they stay few).
    #[cfg(test)]
    pub visits: u64,
    /// Lost hours no culprit could be found for, and their cost.
    pub unattributed: f64,
    /// The cost of `unattributed`.
    pub unattributed_cost: f64,
}

impl Scratch {
    /// Sizes the per-occurrence arrays for a trial. Entries are zero (or
    /// `u32::MAX`) between trials: `collect_failures` resets what it touched.
    fn reset(&mut self, model: &Model, outages: usize) {
        self.visited_deployment.resize(model.deployments.len(), 0);
        self.visited_service.resize(model.services.len(), 0);
        if self.count.len() < outages {
            self.count.resize(outages, 0);
            self.position.resize(outages, 0);
            self.blast.resize(outages, 0);
            self.last_service.resize(outages, u32::MAX);
            self.lost.resize(outages, 0.0);
            self.cost.resize(outages, 0.0);
            self.seen.resize(outages, false);
            self.windows.lost.resize(outages, 0.0);
        }
        self.active.clear();
        self.touched.clear();
        self.hits.clear();
        self.recorded.clear();
        self.unattributed = 0.0;
        self.unattributed_cost = 0.0;
    }

    /// Sizes the per-step stamps to the arena's `steps`.
    fn cover_steps(&mut self, steps: usize) {
        if self.culprit_stamp.len() < steps {
            self.culprit_stamp.resize(steps, 0);
            self.culprit_span.resize(steps, (0, 0));
            self.memo_stamp.resize(steps, 0);
            self.memo_span.resize(steps, (0, 0));
        }
    }
}

impl Scratch {
    /// Makes the next trials record each occurrence's attribution (off by
    /// default: the Monte Carlo runs pay one untaken branch per hit).
    pub fn set_record(&mut self, record: bool) {
        self.record = record;
    }

    /// Recorded (occurrence, lost hours, cost, services hit), in occurrence order.
    pub fn recorded(&self) -> &[(u32, f64, f64, u32)] {
        &self.recorded
    }

    /// Recorded (occurrence, service) hits, in the order they happened.
    pub fn hits(&self) -> &[(u32, u32)] {
        &self.hits
    }
}

/// Starts a trial: the culprits found and remembered in the last one are
/// forgotten. Call before the evaluation ([`take_culprits`] runs during it).
pub fn start(ws: &mut Workspace) {
    let blame = &mut ws.blame;
    advance(
        &mut blame.trial,
        [&mut blame.culprit_stamp, &mut blame.memo_stamp],
    );
    blame.culprits.clear();
    blame.memo.clear();
}

/// Finds the culprits of every quorum loss of service `s`'s deployments
/// while their outages are at hand: the trial drops a service's own
/// outages once it is evaluated (see `Plan::generation`).
pub fn take_culprits(model: &Model, plan: &Plan, s: usize, ws: &mut Workspace) {
    for k in ws.ledger.spans[s].reduced.clone() {
        let x = ws.ledger.reduced[k];
        let span = gate_outages(plan, x.deployment as usize, (x.start, x.end), ws);
        ws.ledger.reduced[k].culprits = span;
    }
    for d in model.services[s].deployments.clone() {
        let q = ws.quorum[d].clone();
        if ws.arena.constant_one(&q) {
            continue;
        }
        ws.blame.cover_steps(ws.arena.steps.len());
        for j in q.clone() {
            if ws.arena.steps[j].v == 0.0 {
                step_culprits(plan, d, &q, j, ws);
            }
        }
    }
}

/// Prepares the per-occurrence accumulators of the trial's attribution.
pub fn begin(model: &Model, ws: &mut Workspace) {
    ws.blame.reset(model, ws.occurrences);
    ws.blame.cover_steps(ws.arena.steps.len());
}

/// Attributes every loss step of service `s`, its data losses and its SLA credits.
pub fn attribute(model: &Model, plan: &Plan, s: usize, ws: &mut Workspace) {
    let range = ws.service[s].clone();
    let spans = ws.ledger.spans[s].clone();
    if ws.arena.constant_one(&range) && spans.data.is_empty() {
        return;
    }
    let service = &model.services[s];
    let per_hour = service.cost_per_hour;
    let traffic = service.traffic.as_deref();
    // a routed service marks the design's own capacity shortfall with mask 0
    let routed = service.deployments.len() > 1
        || service
            .deployments
            .clone()
            .any(|d| model.deployments[d].capacity.is_finite());
    // the loss with everything up (time 0) is the design's, nobody's;
    // against a traffic curve, the design's loss at the hour's demand
    let shortfall = 1.0 - ws.arena.steps[range.start].v;
    let capped = (service.deployments.clone()).any(|d| model.deployments[d].capacity.is_finite());
    let curve = traffic.filter(|_| capped);
    ws.blame.fallback.clear();
    let sla = service.sla.as_ref();
    match sla {
        Some(sla) => (ws.blame.windows).open(sla.window, &ws.ledger.credits[spans.credits]),
        None => ws.blame.windows.length = f64::INFINITY,
    }
    let mut data = spans.data;
    let price = (per_hour, traffic);
    for i in range.clone() {
        let step = ws.arena.steps[i];
        if !data.is_empty() {
            charge_data(ws, &mut data, step.t, service.cost_per_data_loss_hour);
        }
        if step.v >= 1.0 {
            continue;
        }
        let b = ws.arena.step_end(&range, i, model.horizon);
        let loss = 1.0 - step.v;
        let mut own = if routed && step.mask == 0 {
            loss
        } else {
            loss.min(shortfall)
        };
        if loss - own <= NEGLIGIBLE {
            own = loss;
        }
        if let Some(curve) = curve.filter(|_| own < loss) {
            // the design's own shortfall follows the demand hour by hour
            collect(model, plan, s, step.t, b, step.mask, ws);
            held_switches(ws, s, (step.t, b));
            remember(i, ws);
            let mut p = step.t;
            while p < b {
                let q = super::demand::next_change(curve, p).min(b);
                let design = design_loss(model, s, super::demand::weight_at(curve, p));
                let mut own = loss.min(design);
                if loss - own <= NEGLIGIBLE {
                    own = loss;
                }
                sweep(ws, s as u32, (p, q), (own, loss - own), price);
                p = q;
            }
            continue;
        }
        if own == loss {
            ws.blame.spread((step.t, b), s as u32, (own, 0.0), price);
            ws.blame.fallback.clear();
            continue;
        }
        collect(model, plan, s, step.t, b, step.mask, ws);
        held_switches(ws, s, (step.t, b));
        remember(i, ws);
        sweep(ws, s as u32, (step.t, b), (own, loss - own), price);
    }
    if !data.is_empty() {
        let per_hour = service.cost_per_data_loss_hour;
        charge_data(ws, &mut data, f64::INFINITY, per_hour);
    }
    if sla.is_some() {
        ws.blame.settle_window();
        ws.blame.settle_unmatched(f64::INFINITY);
    }
}

/// Charges the data losses of `data` (the service's span of the ledger,
/// advanced past them) up to time `t`: a failover's to the culprits last in
/// effect, a destroying failure's to its occurrence.
/// Gives the stretches of `(a, b)` in which a control-plane occurrence held
/// a switch of service `s` to that occurrence alone: every culprit interval
/// gathered for the step is cut out of them.
fn held_switches(ws: &mut Workspace, s: usize, (a, b): (f64, f64)) {
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

/// The share of service `s`'s demand lost with every replica of every
/// deployment up when the demand is `w` times its mean: an even split over
/// the deployments under ActiveActive, the first deployment alone
/// otherwise, each serving at most its capacity.
fn design_loss(model: &Model, s: usize, w: f64) -> f64 {
    let service = &model.services[s];
    let deployments = service.deployments.clone();
    let capacity = |d: usize| model.deployments[d].capacity;
    match service.routing {
        Routing::ActiveActive { .. } => {
            let n = deployments.len() as f64;
            let served: f64 = deployments.map(|d| (capacity(d) * n / w).min(1.0)).sum();
            1.0 - served / n
        }
        _ => 1.0 - (capacity(deployments.start) / w).min(1.0),
    }
}

fn charge_data(ws: &mut Workspace, data: &mut Range<usize>, t: f64, per_hour: f64) {
    while data.start < data.end && ws.ledger.data[data.start].0 <= t {
        let (_, hours, occurrence) = ws.ledger.data[data.start];
        data.start += 1;
        let money = hours * per_hour;
        let blame = &mut ws.blame;
        if occurrence != CAUSED_THE_FAILOVER {
            blame.charge(occurrence as usize, money);
        } else if blame.fallback.is_empty() {
            blame.unattributed_cost += money;
        } else {
            let n = blame.fallback.len() as f64;
            for k in 0..blame.fallback.len() {
                blame.charge(blame.fallback[k] as usize, money / n);
            }
        }
    }
}

/// Advances the counter that `stamped` entries are compared with (an entry
/// equal to it was set since); clears them when the counter wraps around.
fn advance(counter: &mut u32, stamped: [&mut Vec<u32>; 2]) {
    if *counter == u32::MAX {
        stamped
            .into_iter()
            .for_each(|v| v.iter_mut().for_each(|x| *x = 0));
        *counter = 0;
    }
    *counter += 1;
}

/// Gathers the culprit intervals of service `s` over `[a, b)` into `intervals`.
fn collect(model: &Model, plan: &Plan, s: usize, a: f64, b: f64, mask: u64, ws: &mut Workspace) {
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
            Node::Deployment(d) => {
                let d = d as usize;
                if ws.blame.visited_deployment[d] == ws.blame.epoch {
                    continue;
                }
                ws.blame.visited_deployment[d] = ws.blame.epoch;
                // a service served by this deployment alone shares its
                // timeline: its remembered step is this walk (a chain of
                // services is then walked one link per loss, not to its root)
                let r = ws.deployment[d].clone();
                if ws.service[model.deployments[d].service] == r {
                    let j = ws.arena.index_at(&r, a);
                    if recall(&r, j, (a, b), model.horizon, ws) {
                        continue;
                    }
                }
                own_culprits(plan, d, a, b, ws);
                capacity_culprits(model, d, a, b, ws);
                for source in &plan.sources[plan.deployment_sources[d].start as usize
                    ..plan.deployment_sources[d].end as usize]
                {
                    let r = source_range(ws, source.node);
                    if !ws.arena.constant_one(&r) && ws.arena.degraded_within(&r, a, b) {
                        ws.blame.stack.push(source.node);
                    }
                }
            }
            Node::Service(x) => {
                let x = x as usize;
                if ws.blame.visited_service[x] == ws.blame.epoch {
                    continue;
                }
                ws.blame.visited_service[x] = ws.blame.epoch;
                let r = ws.service[x].clone();
                let mut j = ws.arena.index_at(&r, a);
                if recall(&r, j, (a, b), model.horizon, ws) {
                    continue;
                }
                while j < r.end && ws.arena.steps[j].t < b {
                    let step = ws.arena.steps[j];
                    if step.v < 1.0 {
                        push_contributors(model, x, step.mask, &mut ws.blame.stack);
                    }
                    j += 1;
                }
            }
        }
    }
}

fn push_contributors(model: &Model, s: usize, mask: u64, stack: &mut Vec<Node>) {
    let deployments = model.services[s].deployments.clone();
    let mask = if deployments.len() == 1 { 1 } else { mask };
    for (k, d) in deployments.enumerate() {
        if k < 64 && mask & (1 << k) != 0 {
            stack.push(Node::Deployment(d as u32));
        }
    }
}

/// The outages holding deployment `d`'s replicas down while its quorum is lost within `[a, b)`.
fn own_culprits(plan: &Plan, d: usize, a: f64, b: f64, ws: &mut Workspace) {
    let q = ws.quorum[d].clone();
    let mut j = ws.arena.index_at(&q, a);
    while j < q.end && ws.arena.steps[j].t < b {
        if ws.arena.steps[j].v == 0.0 {
            let c = ws.arena.steps[j].t.max(a);
            let e = ws.arena.step_end(&q, j, f64::INFINITY).min(b);
            let (first, last) = step_culprits(plan, d, &q, j, ws);
            let blame = &mut ws.blame;
            for i in first..last {
                let (start, end, k) = blame.culprits[i as usize];
                if end > c && start < e {
                    blame.intervals.push((start.max(c), end.min(e), k));
                }
            }
        }
        j += 1;
    }
}

/// The outages holding `d`'s replicas down while it served less for want of
/// the capacity they took, within `[a, b)`.
fn capacity_culprits(model: &Model, d: usize, a: f64, b: f64, ws: &mut Workspace) {
    let span = ws.ledger.spans[model.deployments[d].service]
        .reduced
        .clone();
    for x in &ws.ledger.reduced[span] {
        if x.deployment as usize != d || x.end <= a || x.start >= b {
            continue;
        }
        let (c, e) = (x.start.max(a), x.end.min(b));
        let blame = &mut ws.blame;
        for i in x.culprits.0..x.culprits.1 {
            let (start, end, k) = blame.culprits[i as usize];
            if end > c && start < e {
                blame.intervals.push((start.max(c), end.min(e), k));
            }
        }
    }
}

/// Appends to `culprits` the outages of `d`'s gates overlapping `[c, e)`;
/// returns their span.
#[inline]
fn gate_outages(plan: &Plan, d: usize, (c, e): (f64, f64), ws: &mut Workspace) -> (u32, u32) {
    let blame = &mut ws.blame;
    let first = blame.culprits.len() as u32;
    let gates = plan.deployment_gates[d].start as usize..plan.deployment_gates[d].end as usize;
    for gate in &plan.gates[gates] {
        let p = gate.process as usize;
        let outages = ws.process_outages[p].clone();
        // occurrence ids count the trial's outages in generation order
        let first_id = ws.process_first[p];
        let from = outages.start + ws.outages[outages.clone()].partition_point(|o| o.1 <= c);
        for k in from..outages.end {
            let (start, end) = ws.outages[k];
            if start >= e {
                break;
            }
            blame
                .culprits
                .push((start, end, (first_id + k - outages.start) as u32));
        }
    }
    if plan.holds.is_empty() {
        return (first, blame.culprits.len() as u32);
    }
    // the stretches control-plane occurrences held its outages
    let service = plan.layout.model.deployments[d].service;
    for held in &ws.ledger.held[ws.ledger.spans[service].held.clone()] {
        if held.deployment as usize == d && held.end > c && held.start < e {
            blame.culprits.push((held.start, held.end, held.occurrence));
        }
    }
    (first, blame.culprits.len() as u32)
}

/// The span in `culprits` of the outages of `d`'s gates overlapping its
/// quorum step `j` (at 0), found on the first visit of the trial.
fn step_culprits(
    plan: &Plan,
    d: usize,
    q: &Range<usize>,
    j: usize,
    ws: &mut Workspace,
) -> (u32, u32) {
    if ws.blame.culprit_stamp[j] == ws.blame.trial {
        return ws.blame.culprit_span[j];
    }
    let c = ws.arena.steps[j].t;
    let e = ws.arena.step_end(q, j, f64::INFINITY);
    let span = gate_outages(plan, d, (c, e), ws);
    ws.blame.culprit_stamp[j] = ws.blame.trial;
    ws.blame.culprit_span[j] = span;
    span
}

/// Keeps the culprit intervals gathered for the service step at arena index
/// `i`, sorted and without repeats (a repeat changes no culprit set).
fn remember(i: usize, ws: &mut Workspace) {
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

/// Leaves the rate `rates.0` over `[a, b)` unattributed and splits the rate
/// `rates.1` equally among the culprits in effect.
fn sweep(
    ws: &mut Workspace,
    s: u32,
    (a, b): (f64, f64),
    rates: (f64, f64),
    price: (f64, Option<&Traffic>),
) {
    let blame = &mut ws.blame;
    blame.entries.clear();
    for &(from, to, k) in &blame.intervals {
        blame.entries.push((from, k, true));
        blame.entries.push((to, k, false));
    }
    blame
        .entries
        .sort_unstable_by(|x, y| x.0.total_cmp(&y.0).then(y.2.cmp(&x.2)).then(x.1.cmp(&y.1)));
    let mut previous = a;
    let entries = std::mem::take(&mut blame.entries);
    for &(t, occurrence, is_start) in &entries {
        // intervals of a whole step swept piece by piece reach outside (a, b)
        blame.spread((previous.max(a), t.min(b)), s, rates, price);
        previous = previous.max(t);
        let o = occurrence as usize;
        if is_start {
            blame.count[o] += 1;
            if blame.count[o] == 1 {
                blame.position[o] = blame.active.len() as u32;
                blame.active.push(occurrence);
            }
        } else {
            blame.count[o] -= 1;
            if blame.count[o] == 0 {
                let p = blame.position[o] as usize;
                blame.active.swap_remove(p);
                if let Some(&moved) = blame.active.get(p) {
                    blame.position[moved as usize] = p as u32;
                }
            }
        }
    }
    blame.spread((previous, b), s, rates, price);
    blame.entries = entries;
}

impl Scratch {
    /// Over `[from, to)`: the rate `rates.0` unattributed, the rate
    /// `rates.1` [shared](Scratch::share) by the culprits; cut at the
    /// service's SLA windows (their credits are shared as each one closes).
    #[inline]
    fn spread(
        &mut self,
        (from, to): (f64, f64),
        s: u32,
        rates: (f64, f64),
        price: (f64, Option<&Traffic>),
    ) {
        if to <= from {
            return;
        }
        if self.windows.length == f64::INFINITY {
            self.both(from, to, s, rates, price);
            return;
        }
        let mut t = from;
        while t < to {
            let (index, until) = super::sla::window_piece(t, to, self.windows.length);
            if index != self.windows.index {
                self.settle_window();
                self.settle_unmatched(index);
                self.windows.index = index;
            }
            self.both(t, until, s, rates, price);
            t = until;
        }
    }

    /// The two rates of [`spread`](Scratch::spread) over `[from, to)`.
    #[inline]
    fn both(
        &mut self,
        from: f64,
        to: f64,
        s: u32,
        rates: (f64, f64),
        price: (f64, Option<&Traffic>),
    ) {
        if rates.0 > 0.0 {
            self.share(from, to, s, rates.0, price, false);
        }
        if rates.1 > 0.0 {
            self.share(from, to, s, rates.1, price, true);
        }
    }

    /// Splits the loss rate `loss` over `[from, to)` equally among the
    /// culprits in effect (or, when none is, those last in effect), or
    /// leaves it unattributed when it is not `claimed` or nobody is to blame.
    fn share(
        &mut self,
        from: f64,
        to: f64,
        s: u32,
        loss: f64,
        price: (f64, Option<&Traffic>),
        claimed: bool,
    ) {
        let lost = (to - from) * loss;
        let (per_hour, traffic) = price;
        let weighted = traffic.map_or(to - from, |t| t.between(from, to)) * loss;
        let culprits = if !claimed {
            &self.active[..0]
        } else if self.active.is_empty() {
            &self.fallback
        } else {
            self.fallback.clone_from(&self.active);
            &self.active
        };
        let windowed = self.windows.length < f64::INFINITY;
        if culprits.is_empty() {
            self.unattributed += lost;
            self.unattributed_cost += weighted * per_hour;
            if windowed {
                self.windows.unclaimed += lost;
            }
            return;
        }
        let n = culprits.len() as f64;
        for &o in culprits {
            let o = o as usize;
            self.lost[o] += lost / n;
            self.cost[o] += weighted / n * per_hour;
            if !self.seen[o] {
                self.seen[o] = true;
                self.touched.push(o as u32);
            }
            if windowed {
                if self.windows.lost[o] == 0.0 {
                    self.windows.hit.push(o as u32);
                }
                self.windows.lost[o] += lost / n;
            }
            if self.last_service[o] != s {
                if self.record {
                    self.hits.push((o as u32, s));
                }
                self.last_service[o] = s;
                self.blast[o] += 1;
            }
        }
    }

    /// Gives occurrence `o` `money` (a data loss or a credit it caused).
    fn charge(&mut self, o: usize, money: f64) {
        self.cost[o] += money;
        if !self.seen[o] {
            self.seen[o] = true;
            self.touched.push(o as u32);
        }
    }

    /// Shares the credit of the window being filled, if it has one, pro rata
    /// to the lost hours in it, and empties the window.
    fn settle_window(&mut self) {
        let w = &mut self.windows;
        let credit = match w.credits.get(w.next) {
            Some(&(index, credit)) if index == w.index => {
                w.next += 1;
                credit
            }
            _ => 0.0,
        };
        let total = w.unclaimed + w.hit.iter().map(|&o| w.lost[o as usize]).sum::<f64>();
        if credit > 0.0 && total > 0.0 {
            self.unattributed_cost += credit * w.unclaimed / total;
            for k in 0..self.windows.hit.len() {
                let o = self.windows.hit[k] as usize;
                let part = credit * self.windows.lost[o] / total;
                self.charge(o, part);
            }
        } else {
            self.unattributed_cost += credit;
        }
        let w = &mut self.windows;
        w.hit.iter().for_each(|&o| w.lost[o as usize] = 0.0);
        w.hit.clear();
        w.unclaimed = 0.0;
    }

    /// Leaves unattributed the credits of windows before `index` that no
    /// lost hour was found in (none, unless rounding at a window boundary
    /// put a window's last sliver of loss in the next one).
    fn settle_unmatched(&mut self, index: f64) {
        let w = &mut self.windows;
        while let Some(&(i, credit)) = w.credits.get(w.next) {
            if i >= index {
                break;
            }
            w.next += 1;
            self.unattributed_cost += credit;
        }
    }
}

impl Windows {
    /// Starts the windows of a service: of `length` hours (infinite without
    /// an SLA), with their `credits`.
    fn open(&mut self, length: f64, credits: &[(f64, f64)]) {
        self.length = length;
        self.index = -1.0;
        self.unclaimed = 0.0;
        self.credits.clear();
        self.credits.extend_from_slice(credits);
        self.next = 0;
    }
}

/// Adds the per-occurrence attributions up per failure definition, in
/// occurrence order (by process, then time), and resets the entries it read.
pub fn collect_failures(model: &Model, plan: &Plan, ws: &mut Workspace) {
    // each occurrence's process found once, ordered by the model's process
    // numbering whatever the engine's, then by time
    let mut ordered = std::mem::take(&mut ws.blame.ordered);
    ordered.clear();
    ordered.extend(ws.blame.touched.iter().map(|&o| {
        let p = ws.process_of(plan, o as usize);
        (plan.layout.process[p], o, p)
    }));
    ordered.sort_unstable();
    // a scheduled outage that merged several starts: each start counts its
    // blast radius (`occurrences` counts the starts)
    for &(o, extra) in &ws.merged {
        let f = model.processes[ws.process_of(plan, o)].failure;
        let failure = &mut ws.outcome.failures[f];
        failure.blast_services += u64::from(ws.blame.blast[o]) * u64::from(extra);
    }
    for &(_, o, p) in &ordered {
        let o = o as usize;
        let blame = &mut ws.blame;
        let f = &mut ws.outcome.failures[model.processes[p].failure];
        f.lost_hours += blame.lost[o];
        f.cost += blame.cost[o];
        f.blast_services += u64::from(blame.blast[o]);
        f.blast_max = f.blast_max.max(blame.blast[o]);
        if blame.record {
            (blame.recorded).push((o as u32, blame.lost[o], blame.cost[o], blame.blast[o]));
        }
        blame.lost[o] = 0.0;
        blame.cost[o] = 0.0;
        blame.blast[o] = 0;
        blame.last_service[o] = u32::MAX;
        blame.seen[o] = false;
    }
    ws.blame.ordered = ordered;
    ws.outcome.unattributed_hours = ws.blame.unattributed;
    ws.outcome.unattributed_cost = ws.blame.unattributed_cost;
}

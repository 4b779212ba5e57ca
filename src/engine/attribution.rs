//! Attribution of lost service to failure occurrences, and blast radius.
//!
//! During each step of a service's timeline with s < 1, the culprits are the
//! outages in effect that hold down a replica of a deployment whose quorum is
//! lost, among the deployments contributing to the loss (those receiving
//! traffic and below 1, or the active one) and, recursively, the deployments
//! of their dependencies that are below 1 at the time. At every instant the
//! lost rate `1 - s` is split equally among the distinct culprits, so the
//! attributions add up to the service's lost hours exactly. An occurrence's
//! blast radius is the number of services it was attributed a loss in.

use super::combine::source_range;
use super::plan::{Node, Plan};
use super::Workspace;
use crate::model::{Model, Traffic};
use std::ops::Range;

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
    /// Per occurrence: attributed lost hours, cost, services hit, last service.
    lost: Vec<f64>,
    cost: Vec<f64>,
    blast: Vec<u32>,
    last_service: Vec<u32>,
    /// Occurrences given a share this trial (the only entries to collect and reset).
    touched: Vec<u32>,
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

/// Attributes every loss step of service `s`.
pub fn attribute(model: &Model, plan: &Plan, s: usize, ws: &mut Workspace) {
    let range = ws.service[s].clone();
    if ws.arena.constant_one(&range) {
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
    ws.blame.fallback.clear();
    for i in range.clone() {
        let step = ws.arena.steps[i];
        if step.v >= 1.0 {
            continue;
        }
        let b = ws.arena.step_end(&range, i, model.horizon);
        if routed && step.mask == 0 {
            let lost = (b - step.t) * (1.0 - step.v);
            let weighted = traffic.map_or(b - step.t, |t| t.between(step.t, b)) * (1.0 - step.v);
            ws.blame.unattributed += lost;
            ws.blame.unattributed_cost += weighted * per_hour;
            ws.blame.fallback.clear();
            continue;
        }
        collect(model, plan, s, step.t, b, step.mask, ws);
        remember(i, ws);
        sweep(ws, s as u32, (step.t, b), 1.0 - step.v, (per_hour, traffic));
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

/// The span in `culprits` of the outages of `d`'s gates overlapping its
/// quorum step `j` (at 0), found on the first visit of the trial.
fn step_culprits(
    plan: &Plan,
    d: usize,
    q: &Range<usize>,
    j: usize,
    ws: &mut Workspace,
) -> (u32, u32) {
    let blame = &mut ws.blame;
    if blame.culprit_stamp[j] == blame.trial {
        return blame.culprit_span[j];
    }
    let c = ws.arena.steps[j].t;
    let e = ws.arena.step_end(q, j, f64::INFINITY);
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
    let span = (first, blame.culprits.len() as u32);
    blame.culprit_stamp[j] = blame.trial;
    blame.culprit_span[j] = span;
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

/// Splits the loss rate `loss` over `[a, b)` equally among the culprits in effect.
fn sweep(
    ws: &mut Workspace,
    s: u32,
    (a, b): (f64, f64),
    loss: f64,
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
        blame.share(previous, t, s, loss, price);
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
    blame.share(previous, b, s, loss, price);
    blame.entries = entries;
}

impl Scratch {
    fn share(&mut self, from: f64, to: f64, s: u32, loss: f64, price: (f64, Option<&Traffic>)) {
        if to <= from {
            return;
        }
        let lost = (to - from) * loss;
        let (per_hour, traffic) = price;
        let weighted = traffic.map_or(to - from, |t| t.between(from, to)) * loss;
        let culprits = if self.active.is_empty() {
            &self.fallback
        } else {
            self.fallback.clone_from(&self.active);
            &self.active
        };
        if culprits.is_empty() {
            self.unattributed += lost;
            self.unattributed_cost += weighted * per_hour;
            return;
        }
        let n = culprits.len() as f64;
        for &o in culprits {
            let o = o as usize;
            self.lost[o] += lost / n;
            self.cost[o] += weighted / n * per_hour;
            if self.last_service[o] != s {
                if self.blast[o] == 0 {
                    self.touched.push(o as u32);
                }
                if self.record {
                    self.hits.push((o as u32, s));
                }
                self.last_service[o] = s;
                self.blast[o] += 1;
            }
        }
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
    }
    ws.blame.ordered = ordered;
    ws.outcome.unattributed_hours = ws.blame.unattributed;
    ws.outcome.unattributed_cost = ws.blame.unattributed_cost;
}

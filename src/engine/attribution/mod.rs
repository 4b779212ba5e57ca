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

mod culprits;
mod ledger;
mod scratch;
mod share;
mod walk;
mod windows;

use std::ops::Range;

pub use culprits::take_culprits;
pub use ledger::{Ledger, Shortfall, CAUSED_THE_FAILOVER};
pub use scratch::Scratch;

use super::plan::Plan;
use super::Workspace;
use crate::model::{Model, Routing, Traffic};
use scratch::advance;
use share::sweep;
use walk::{collect, held_switches, remember};

/// A lost rate this close to the service's loss with everything up is that
/// loss (rounding, not a failure).
const NEGLIGIBLE: f64 = 1e-12;

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
    let split = Split::of(model, s, range.clone(), ws.arena.steps[range.start].v);
    ws.blame.fallback.clear();
    let sla = service.sla.as_ref();
    match sla {
        Some(sla) => (ws.blame.windows).open(sla.window, &ws.ledger.credits[spans.credits]),
        None => ws.blame.windows.length = f64::INFINITY,
    }
    let mut data = spans.data;
    for i in range {
        let step = ws.arena.steps[i];
        if !data.is_empty() {
            charge_data(ws, &mut data, step.t, service.cost_per_data_loss_hour);
        }
        if step.v < 1.0 {
            attribute_step(model, plan, &split, i, ws);
        }
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

/// How a service's loss steps split between the design's own shortfall
/// (unattributed) and the culprits, and the price of its lost hours.
struct Split<'m> {
    /// The service.
    s: usize,
    /// Its timeline.
    range: Range<usize>,
    /// Whether it is routed: its routing then marks the design's own
    /// capacity shortfall with mask 0.
    routed: bool,
    /// The loss with everything up (time 0): the design's, nobody's.
    shortfall: f64,
    /// The traffic curve the design's own shortfall follows hour by hour
    /// (only against a capacity).
    curve: Option<&'m Traffic>,
    /// The downtime cost per hour, and the traffic curve that weights it.
    price: (f64, Option<&'m Traffic>),
}

impl<'m> Split<'m> {
    /// The split of service `s`, whose timeline `range` starts at `first`.
    fn of(model: &'m Model, s: usize, range: Range<usize>, first: f64) -> Split<'m> {
        let service = &model.services[s];
        let traffic = service.traffic.as_deref();
        let capped =
            (service.deployments.clone()).any(|d| model.deployments[d].capacity.is_finite());
        Split {
            s,
            range,
            routed: service.deployments.len() > 1 || capped,
            // against a traffic curve, the design's loss at the hour's demand
            shortfall: 1.0 - first,
            curve: traffic.filter(|_| capped),
            price: (service.cost_per_hour, traffic),
        }
    }
}

/// Attributes the loss step at arena index `i` of the service's timeline:
/// the design's own part unattributed, the rest shared by the culprits.
#[inline]
fn attribute_step(model: &Model, plan: &Plan, split: &Split<'_>, i: usize, ws: &mut Workspace) {
    let s = split.s;
    let step = ws.arena.steps[i];
    let b = ws.arena.step_end(&split.range, i, model.horizon);
    let loss = 1.0 - step.v;
    let mut own = if split.routed && step.mask == 0 {
        loss
    } else {
        loss.min(split.shortfall)
    };
    if loss - own <= NEGLIGIBLE {
        own = loss;
    }
    if own == loss {
        ws.blame
            .spread((step.t, b), s as u32, (own, 0.0), split.price);
        ws.blame.fallback.clear();
        return;
    }
    collect(model, plan, s, (step.t, b), step.mask, ws);
    held_switches(ws, s, (step.t, b));
    remember(i, ws);
    match split.curve {
        Some(curve) => follow_demand(model, split, curve, (step.t, b), loss, ws),
        None => sweep(ws, s as u32, (step.t, b), (own, loss - own), split.price),
    }
}

/// Sweeps the loss `loss` over `[a, b)` hour by hour of the traffic
/// `curve`: the design's own shortfall follows the demand.
fn follow_demand(
    model: &Model,
    split: &Split<'_>,
    curve: &Traffic,
    (a, b): (f64, f64),
    loss: f64,
    ws: &mut Workspace,
) {
    let mut p = a;
    while p < b {
        let q = super::demand::next_change(curve, p).min(b);
        let design = design_loss(model, split.s, super::demand::weight_at(curve, p));
        let mut own = loss.min(design);
        if loss - own <= NEGLIGIBLE {
            own = loss;
        }
        sweep(ws, split.s as u32, (p, q), (own, loss - own), split.price);
        p = q;
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

/// Charges the data losses of `data` (the service's span of the ledger,
/// advanced past them) up to time `t`: a failover's to the culprits last in
/// effect, a destroying failure's to its occurrence.
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

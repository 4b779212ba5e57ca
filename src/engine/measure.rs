//! Measuring a service's timeline into its outcome: lost, down and degraded
//! hours, outages, routing counts, data loss, SLA credits and money.

use std::ops::Range;
use std::sync::atomic::AtomicBool;

use super::outcome::ServiceOutcome;
use super::sla::credits;
use super::timeline::Arena;
use super::workspace::Workspace;
use crate::model::{Model, Service};

/// Measures service `s` into the outcome's entry `m` (its model id).
/// `None` when `stop` was set while its SLA windows were measured.
pub(super) fn measure(
    model: &Model,
    s: usize,
    m: usize,
    ws: &mut Workspace,
    stop: &AtomicBool,
) -> Option<()> {
    let horizon = model.horizon;
    let service = &model.services[s];
    let range = ws.service[s].clone();
    let mut out = timeline_measures(service, &ws.arena, &range, horizon);
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

/// The measures of a service's timeline `range`: lost (plain and weighted
/// by the traffic), down and degraded hours, and full outages.
fn timeline_measures(
    service: &Service,
    arena: &Arena,
    range: &Range<usize>,
    horizon: f64,
) -> ServiceOutcome {
    let mut out = ServiceOutcome::default();
    let mut previous = 1.0;
    for i in range.clone() {
        let step = arena.steps[i];
        let end = arena.step_end(range, i, horizon);
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
    out
}

/// The money of `hours` of writes lost.
fn cost_of_data(service: &Service, hours: f64) -> f64 {
    if hours > 0.0 {
        hours * service.cost_per_data_loss_hour
    } else {
        0.0
    }
}

//! ActiveActive routing: an even split over the deployments receiving
//! traffic, drains after `shift`, load shedding against capacity, and
//! overload collapses.

use std::ops::Range;

use super::route::{advance, all_deployments, next_change, Route};
use super::shortfalls::Shortfalls;
use super::RoutingStats;
use crate::engine::demand::Demand;
use crate::engine::streams::Stream;
use crate::engine::timeline::Arena;
use crate::model::Distribution;

/// The collapse policy of an ActiveActive service: hours of overload before a
/// collapse, the recovery time, and the service's random stream.
pub(super) type Collapse<'a> = Option<(f64, &'a Distribution, Stream)>;

/// ActiveActive: even split over the deployments receiving traffic; one at 0
/// keeps its (lost) share for `shift`, then is drained until it is back above
/// 0. A deployment whose share exceeds its capacity sheds the excess; under
/// `Collapse` it collapses after being overloaded for `after`.
pub(super) fn active_active(
    arena: &mut Arena,
    routes: &mut [Route],
    (shift, mut collapse, mut demand): (f64, Collapse<'_>, Demand<'_>),
    mut shortfalls: Shortfalls<'_>,
    horizon: f64,
) -> (Range<usize>, RoutingStats) {
    let mut stats = RoutingStats::default();
    // the state at time 0: capacity may fall short with everything up
    let mut w = demand.weight;
    while overload(routes, (0.0, w), &mut collapse, &mut stats) {}
    let (v, shed, mask) = split(routes, w);
    let start = arena.begin(v, if v < 1.0 { mask } else { 0 });
    shortfalls.note(routes, 0.0, shedding(routes, w));
    let (mut last_t, mut last_shed) = (0.0, shed);
    let after = collapse.as_ref().map_or(f64::INFINITY, |c| c.0);
    loop {
        let timers = next_timer(routes, after);
        let t = next_change(arena, routes).min(timers).min(demand.next());
        stats.shed_hours += last_shed * (t.min(horizon) - last_t);
        if t >= horizon {
            shortfalls.close(routes, horizon);
            return (arena.finish(start), stats);
        }
        let (fell, rose) = advance(arena, routes, t);
        demand.advance(t);
        w = demand.weight;
        on_changes(routes, (fell, rose), (t, shift), &mut stats);
        while overload(routes, (t, w), &mut collapse, &mut stats) {}
        let (v, shed, mask) = split(routes, w);
        arena.push(start, t, v, mask);
        shortfalls.note(routes, t, shedding(routes, w));
        (last_t, last_shed) = (t, shed);
    }
}

/// The earliest pending timer: a drain, a return from a collapse, or a
/// collapse of a deployment overloaded for `after`.
#[inline]
fn next_timer(routes: &[Route], after: f64) -> f64 {
    routes
        .iter()
        .map(|r| {
            let back = if r.collapsed() {
                r.collapsed_until
            } else {
                f64::INFINITY
            };
            r.drain_at.min(back).min(r.overload_since + after)
        })
        .fold(f64::INFINITY, f64::min)
}

/// Who receives traffic after the changes at `t`: a deployment that `fell`
/// to 0 is drained `shift` later, one that `rose` receives again (unless
/// collapsed), and due drains and returns from collapses take effect.
#[inline]
fn on_changes(
    routes: &mut [Route],
    (fell, rose): (u64, u64),
    (t, shift): (f64, f64),
    stats: &mut RoutingStats,
) {
    for (i, r) in routes.iter_mut().enumerate() {
        if fell & (1 << i) != 0 {
            r.drain_at = t + shift;
        }
        if rose & (1 << i) != 0 {
            r.receiving = !r.collapsed();
            r.drain_at = f64::INFINITY;
        }
        if r.drain_at <= t {
            r.receiving = false;
            r.drain_at = f64::INFINITY;
            stats.events += 1;
        }
        if r.collapsed() && r.collapsed_until <= t {
            r.collapsed_until = f64::NEG_INFINITY;
            r.receiving = r.value() > 0.0;
            stats.events += 1;
        }
    }
}

/// ActiveActive: whether deployment `k` serves and sheds part of its share
/// (its capacity times the deployments receiving traffic is below the
/// demand's weight `w`).
fn shedding(routes: &[Route], w: f64) -> impl Fn(usize, &Route) -> bool {
    let receiving = routes.iter().filter(|r| r.receiving).count() as f64;
    move |_, r| r.receiving && r.value() > 0.0 && r.capacity.value * receiving < w
}

/// Updates who is overloaded at `t` and collapses those overloaded for
/// `after`; returns whether any collapsed (the shares then change again).
fn overload(
    routes: &mut [Route],
    (t, w): (f64, f64),
    collapse: &mut Collapse<'_>,
    stats: &mut RoutingStats,
) -> bool {
    let receiving = routes.iter().filter(|r| r.receiving).count() as f64;
    let mut collapsed = false;
    for r in routes.iter_mut() {
        let overloaded = r.receiving && r.value() > 0.0 && r.capacity.value * receiving < w;
        if !overloaded {
            r.overload_since = f64::INFINITY;
            continue;
        }
        if r.overload_since == f64::INFINITY {
            r.overload_since = t;
        }
        if let Some((after, recover, rng)) = collapse.as_mut() {
            if r.overload_since + *after <= t {
                r.receiving = false;
                r.overload_since = f64::INFINITY;
                r.collapsed_until = t + recover.sample(rng);
                stats.collapses += 1;
                stats.events += 1;
                collapsed = true;
            }
        }
    }
    collapsed
}

/// The traffic-weighted served fraction, the fraction shed for want of
/// capacity at the demand's weight `w`, and the deployments behind the loss
/// (below 1, drained, collapsed or shedding).
fn split(routes: &[Route], w: f64) -> (f64, f64, u64) {
    let receiving = routes.iter().filter(|r| r.receiving).count();
    if receiving == 0 {
        // None receives traffic: all share the blame.
        return (0.0, 0.0, all_deployments(routes.len()));
    }
    let n = receiving as f64;
    let (mut served, mut shed, mut mask, mut idle) = (0.0, 0.0, 0u64, 0u64);
    for (i, r) in routes.iter().enumerate() {
        if !r.receiving {
            idle |= 1 << i;
            continue;
        }
        let kept = (r.capacity.value * n / w).min(1.0);
        served += r.value() * kept;
        shed += r.value() * (1.0 - kept);
        if r.value() < 1.0 || kept < 1.0 {
            mask |= 1 << i;
        }
    }
    // shedding is caused by the deployments whose share moved away or whose
    // replicas are down; with every deployment receiving and whole, it is
    // the design's own shortfall (mask 0: no failure to blame)
    let whole =
        idle == 0 && (routes.iter()).all(|r| r.value() >= 1.0 && r.capacity.value >= r.nominal);
    if whole {
        mask = 0;
    } else if shed > 0.0 {
        mask |= idle;
    }
    (served / n, shed / n, mask)
}

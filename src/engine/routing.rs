//! Routing: turns a service's deployment fractions into the service fraction.
//! A small event loop per service over its deployments' timelines, with the
//! policy's timers and the service's own random stream.

use std::ops::Range;

use rand::RngExt;

use super::attribution::Shortfall;
use super::demand::Demand;
use super::hold::{Outages, Switches};
use super::plan::Plan;
use super::streams::{self, Stream};
use super::timeline::Arena;
use super::Workspace;
use crate::model::{stream_key, Distribution, Model, Overload, Routing};

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

/// A timeline being read in time order.
#[derive(Debug, Clone, Default)]
pub struct Track {
    range: Range<usize>,
    cursor: usize,
    value: f64,
}

impl Track {
    fn new(range: Range<usize>, value: f64) -> Track {
        Track {
            cursor: range.start,
            range,
            value,
        }
    }

    /// The time of its next change (infinite when none).
    #[inline]
    fn next(&self, arena: &Arena) -> f64 {
        if self.cursor + 1 < self.range.end {
            arena.steps[self.cursor + 1].t
        } else {
            f64::INFINITY
        }
    }

    /// Moves to the change at `t`, if it has one; returns the old value.
    #[inline]
    fn advance(&mut self, arena: &Arena, t: f64) -> f64 {
        let old = self.value;
        if self.next(arena) == t {
            self.cursor += 1;
            self.value = arena.steps[self.cursor].v;
        }
        old
    }
}

/// Per-deployment state of the routing loop.
#[derive(Debug, Clone, Default)]
pub struct Route {
    /// Its served fraction.
    fraction: Track,
    /// Its effective capacity (infinite when unlimited).
    capacity: Track,
    /// ActiveActive: whether it receives traffic.
    receiving: bool,
    /// ActiveActive: when it will be drained (infinite when not pending).
    drain_at: f64,
    /// ActiveActive: since when it has been overloaded (infinite when not).
    overload_since: f64,
    /// ActiveActive: collapsed until this time (infinite past when not).
    collapsed_until: f64,
    /// Its capacity with every replica up (infinite when unlimited).
    nominal: f64,
    /// Since when it has served less than it would with every replica up
    /// (infinite when it does not): failures took capacity it needed.
    short_since: f64,
}

impl Route {
    fn value(&self) -> f64 {
        self.fraction.value
    }

    fn collapsed(&self) -> bool {
        self.collapsed_until > f64::NEG_INFINITY
    }
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
    let mut routes = std::mem::take(&mut ws.scratch.routes);
    routes.clear();
    for d in deployments.clone() {
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
    let horizon = model.horizon;
    // the curve matters only against a capacity
    let demand = Demand::new(service.traffic.as_deref().filter(|_| capped));
    let shortfalls = Shortfalls {
        capped,
        first: deployments.start as u32,
        out: &mut ws.ledger.reduced,
    };
    // control-plane occurrences on its deployments hold its switches
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
    let result = match &service.routing {
        Routing::ActiveActive { shift } => {
            let collapse = match &service.overload {
                Overload::Shed => None,
                Overload::Collapse { after, recover } => {
                    Some((*after, recover, routing_stream(model, s, trial)))
                }
            };
            active_active(
                &mut ws.arena,
                &mut routes,
                (*shift, collapse, demand),
                shortfalls,
                horizon,
            )
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
            failover(
                &mut ws.arena,
                &mut routes,
                (policy, routing_stream(model, s, trial), demand, holds),
                (shortfalls, &mut ws.ledger.switches),
                horizon,
            )
        }
        Routing::Manual { respond } => {
            let policy = Policy::Manual { respond };
            failover(
                &mut ws.arena,
                &mut routes,
                (policy, routing_stream(model, s, trial), demand, holds),
                (shortfalls, &mut ws.ledger.switches),
                horizon,
            )
        }
    };
    ws.scratch.routes = routes;
    result
}

fn routing_stream(model: &Model, s: usize, trial: u64) -> Stream {
    // 0xFE never occurs in UTF-8: no failure name can make the same key.
    let key = stream_key(&[b"\xferouting", model.services[s].name.as_bytes()]);
    streams::stream(model.seed, key, trial)
}

/// Where a service's routing records the stretches in which a deployment
/// served less than it would with every replica up (the capacity its
/// failures took): `(start, end, deployment)`.
struct Shortfalls<'a> {
    /// Whether any deployment has a finite capacity (else there is nothing
    /// to record).
    capped: bool,
    /// The id of the service's first deployment.
    first: u32,
    out: &'a mut Vec<Shortfall>,
}

impl Shortfalls<'_> {
    /// Opens or closes each deployment's stretch at `t`, as `short` says
    /// it is short of capacity at `t`.
    #[inline]
    fn note(&mut self, routes: &mut [Route], t: f64, short: impl Fn(usize, &Route) -> bool) {
        if !self.capped {
            return;
        }
        for (k, r) in routes.iter_mut().enumerate() {
            let now = r.capacity.value < r.nominal && short(k, r);
            if now && r.short_since == f64::INFINITY {
                r.short_since = t;
            } else if !now && r.short_since < f64::INFINITY {
                (self.out).push(Shortfall {
                    start: r.short_since,
                    end: t,
                    deployment: self.first + k as u32,
                    culprits: (0, 0),
                });
                r.short_since = f64::INFINITY;
            }
        }
    }

    /// Closes the stretches still open at the horizon.
    fn close(&mut self, routes: &mut [Route], horizon: f64) {
        self.note(routes, horizon, |_, _| false);
    }
}

/// The earliest next change among the deployments' timelines.
fn next_change(arena: &Arena, routes: &[Route]) -> f64 {
    routes
        .iter()
        .map(|r| r.fraction.next(arena).min(r.capacity.next(arena)))
        .fold(f64::INFINITY, f64::min)
}

/// Advances every timeline that changes at `t`; returns a bitmask of the
/// deployments that fell to 0 and of those that came back above 0.
fn advance(arena: &Arena, routes: &mut [Route], t: f64) -> (u64, u64) {
    let (mut fell, mut rose) = (0u64, 0u64);
    for (i, r) in routes.iter_mut().enumerate() {
        r.capacity.advance(arena, t);
        let old = r.fraction.advance(arena, t);
        if old > 0.0 && r.value() == 0.0 {
            fell |= 1 << i;
        } else if old == 0.0 && r.value() > 0.0 {
            rose |= 1 << i;
        }
    }
    (fell, rose)
}

/// The collapse policy of an ActiveActive service: hours of overload before a
/// collapse, the recovery time, and the service's random stream.
type Collapse<'a> = Option<(f64, &'a Distribution, Stream)>;

/// ActiveActive: even split over the deployments receiving traffic; one at 0
/// keeps its (lost) share for `shift`, then is drained until it is back above
/// 0. A deployment whose share exceeds its capacity sheds the excess; under
/// `Collapse` it collapses after being overloaded for `after`.
fn active_active(
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
        let timers = routes
            .iter()
            .map(|r| {
                let back = if r.collapsed() {
                    r.collapsed_until
                } else {
                    f64::INFINITY
                };
                r.drain_at.min(back).min(r.overload_since + after)
            })
            .fold(f64::INFINITY, f64::min);
        let t = next_change(arena, routes).min(timers).min(demand.next());
        stats.shed_hours += last_shed * (t.min(horizon) - last_t);
        if t >= horizon {
            shortfalls.close(routes, horizon);
            return (arena.finish(start), stats);
        }
        let (fell, rose) = advance(arena, routes, t);
        demand.advance(t);
        w = demand.weight;
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
        while overload(routes, (t, w), &mut collapse, &mut stats) {}
        let (v, shed, mask) = split(routes, w);
        arena.push(start, t, v, mask);
        shortfalls.note(routes, t, shedding(routes, w));
        (last_t, last_shed) = (t, shed);
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

/// The mask of the first `n` deployments (n <= 64).
fn all_deployments(n: usize) -> u64 {
    u64::MAX.checked_shr(64 - n.min(64) as u32).unwrap_or(0)
}

enum Policy<'a> {
    Automatic {
        detect: &'a Distribution,
        switch: &'a Distribution,
        success: f64,
        manual: Option<&'a Distribution>,
        failback: Option<f64>,
    },
    Manual {
        respond: &'a Distribution,
    },
}

#[derive(Clone, Copy, PartialEq)]
enum Phase {
    /// The active deployment serves (or is degraded but above 0).
    Normal,
    /// The active is at 0; detection ends at the time given.
    Detecting(f64),
    /// The switch (or the human response) ends at the time given.
    Switching(f64),
    /// The switch ended with every deployment at 0: the first back becomes active.
    Waiting,
    /// Returning to the first deployment; the service is down until the time given.
    FailingBack(f64),
}

/// The state of an ActivePassive or Manual service between changes.
struct Failover<'a> {
    policy: Policy<'a>,
    rng: Stream,
    active: usize,
    phase: Phase,
    /// Since when the first deployment has been above 0 (infinite while at 0).
    first_up_since: f64,
    stats: RoutingStats,
    /// What holds its switches (`None`: nothing can).
    holds: Option<Switches<'a>>,
}

impl Failover<'_> {
    /// When the pending detection, switch or failback ends (infinite when none is).
    fn timer(&self, routes: &[Route]) -> f64 {
        match self.phase {
            Phase::Detecting(t) | Phase::Switching(t) | Phase::FailingBack(t) => t,
            Phase::Waiting => f64::INFINITY,
            Phase::Normal => self.failback_at(routes),
        }
    }

    /// When a failback starts, if one is due: the first deployment has been
    /// above 0 for the failback delay while another is active.
    fn failback_at(&self, routes: &[Route]) -> f64 {
        match self.policy {
            Policy::Automatic {
                failback: Some(d), ..
            } if self.active != 0 && routes[0].value() > 0.0 => self.first_up_since + d,
            _ => f64::INFINITY,
        }
    }

    /// Makes `d` active after a failover at `t` (noted in `switches` when
    /// traffic moves to another deployment).
    fn switch_to(&mut self, t: f64, d: usize, switches: &mut Vec<f64>) {
        if d != self.active {
            self.stats.data_switches += 1;
            switches.push(t);
        }
        self.active = d;
    }

    /// When a switch to deployment `d` completing at `t` is held by a
    /// control-plane occurrence (and moves traffic): the occurrence's end.
    fn held_switch(&mut self, d: usize, t: f64) -> Option<f64> {
        if d == self.active {
            return None;
        }
        self.holds.as_mut()?.held_until(d, t)
    }

    /// Deployments came back above 0: end a wait, or cancel a detection (or
    /// a human response) of an active deployment that recovered.
    fn on_rise(&mut self, t: f64, rose: u64, switches: &mut Vec<f64>) {
        if rose & 1 != 0 {
            self.first_up_since = t;
        }
        if self.phase == Phase::Waiting && rose != 0 {
            let d = rose.trailing_zeros() as usize;
            if let Some(until) = self.held_switch(d, t) {
                self.phase = Phase::Switching(until);
                return;
            }
            self.switch_to(t, d, switches);
            self.phase = Phase::Normal;
            self.stats.events += 1;
        }
        let active_rose = rose & (1 << self.active) != 0;
        let cancellable = match self.phase {
            Phase::Detecting(_) => true,
            Phase::Switching(_) => matches!(self.policy, Policy::Manual { .. }),
            Phase::Normal | Phase::Waiting | Phase::FailingBack(_) => false,
        };
        if active_rose && cancellable {
            self.phase = Phase::Normal;
        }
    }

    /// The timer ending at `t`, if still pending.
    fn on_timer(&mut self, t: f64, routes: &[Route], switches: &mut Vec<f64>) {
        if self.timer(routes) != t {
            return;
        }
        self.phase = match (self.phase, &self.policy) {
            (Phase::Normal, Policy::Automatic { switch, .. }) => {
                self.stats.failbacks += 1;
                self.stats.events += 1;
                Phase::FailingBack(t + switch.sample(&mut self.rng))
            }
            (Phase::FailingBack(_), Policy::Automatic { detect, .. }) => {
                self.active = 0;
                self.stats.events += 1;
                if routes[0].value() > 0.0 {
                    Phase::Normal
                } else {
                    Phase::Detecting(t + detect.sample(&mut self.rng))
                }
            }
            (
                Phase::Detecting(_),
                Policy::Automatic {
                    switch,
                    success,
                    manual,
                    ..
                },
            ) => {
                let mut done = t + switch.sample(&mut self.rng);
                if *success < 1.0 && self.rng.random::<f64>() >= *success {
                    self.stats.failed_failovers += 1;
                    done += manual.map_or(0.0, |m| m.sample(&mut self.rng));
                }
                Phase::Switching(done)
            }
            _ => {
                let target = routes.iter().position(|r| r.value() > 0.0);
                if let Some(until) = target.and_then(|d| self.held_switch(d, t)) {
                    // the control plane holds the switch: it completes then
                    self.phase = Phase::Switching(until);
                    return;
                }
                self.stats.events += 1;
                self.stats.failovers += 1;
                match target {
                    Some(d) => {
                        self.switch_to(t, d, switches);
                        Phase::Normal
                    }
                    None => Phase::Waiting,
                }
            }
        };
    }

    /// The active deployment fell to 0 while serving: draw the detection (or
    /// the human response).
    fn on_fall(&mut self, t: f64, fell: u64) {
        if fell & 1 != 0 {
            self.first_up_since = f64::INFINITY;
        }
        if fell & (1 << self.active) != 0 && self.phase == Phase::Normal {
            self.phase = match &self.policy {
                Policy::Automatic { detect, .. } => {
                    Phase::Detecting(t + detect.sample(&mut self.rng))
                }
                Policy::Manual { respond } => Phase::Switching(t + respond.sample(&mut self.rng)),
            };
        }
    }

    /// The served fraction: the active one's, within its capacity (it takes
    /// all the traffic); 0 while failing back.
    fn fraction(&self, routes: &[Route], w: f64) -> f64 {
        if matches!(self.phase, Phase::FailingBack(_)) {
            return 0.0;
        }
        let active = &routes[self.active];
        active.value() * (active.capacity.value / w).min(1.0)
    }

    /// Whether deployment `k` serves and sheds part of the traffic: it is
    /// the active one, above 0 and short of capacity (not failing back).
    fn shedding(&self, w: f64) -> impl Fn(usize, &Route) -> bool {
        let (active, serving) = (self.active, !matches!(self.phase, Phase::FailingBack(_)));
        move |k, r| serving && k == active && r.value() > 0.0 && r.capacity.value < w
    }

    /// The deployments carrying the loss: the active one, or all of them
    /// while waiting (every one is at 0 and each holds the service down).
    fn mask(&self, n: usize) -> u64 {
        if self.phase == Phase::Waiting {
            all_deployments(n)
        } else {
            1 << self.active
        }
    }
}

/// ActivePassive and Manual: the active deployment's fraction; failover to the
/// first listed deployment above 0 after detect + switch (or respond), with a
/// human response first when the automated switch fails; failback when
/// configured. A zero-length timer fires at once, before the next change.
fn failover(
    arena: &mut Arena,
    routes: &mut [Route],
    (policy, rng, mut demand, holds): (Policy<'_>, Stream, Demand<'_>, Option<Switches<'_>>),
    (mut shortfalls, switches): (Shortfalls<'_>, &mut Vec<f64>),
    horizon: f64,
) -> (Range<usize>, RoutingStats) {
    let mut state = Failover {
        policy,
        rng,
        active: 0,
        phase: Phase::Normal,
        first_up_since: 0.0,
        stats: RoutingStats::default(),
        holds,
    };
    // the state at time 0: the active one's capacity may fall short
    let mut w = demand.weight;
    let start = arena.begin(state.fraction(routes, w), 1);
    shortfalls.note(routes, 0.0, state.shedding(w));
    let mut last_t = 0.0;
    let mut last_shed = routes[0].value() - state.fraction(routes, w);
    loop {
        let t = next_change(arena, routes)
            .min(state.timer(routes))
            .min(demand.next());
        state.stats.shed_hours += last_shed * (t.min(horizon) - last_t);
        if t >= horizon {
            shortfalls.close(routes, horizon);
            return (arena.finish(start), state.stats);
        }
        let (fell, rose) = advance(arena, routes, t);
        demand.advance(t);
        w = demand.weight;
        state.on_rise(t, rose, switches);
        state.on_timer(t, routes, switches);
        state.on_fall(t, fell);
        let v = state.fraction(routes, w);
        let active = &routes[state.active];
        last_shed = if matches!(state.phase, Phase::FailingBack(_)) {
            0.0
        } else {
            active.value() - v
        };
        last_t = t;
        arena.push(start, t, v, state.mask(routes.len()));
        shortfalls.note(routes, t, state.shedding(w));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A timeline in `arena` from (time, value) changes after an initial 1.
    fn timeline(arena: &mut Arena, changes: &[(f64, f64)]) -> Range<usize> {
        let start = arena.begin(1.0, 0);
        for &(t, v) in changes {
            arena.push(start, t, v, 0);
        }
        arena.finish(start)
    }

    fn route(range: Range<usize>) -> Route {
        Route {
            fraction: Track::new(range, 1.0),
            capacity: Track::new(0..0, f64::INFINITY),
            receiving: true,
            drain_at: f64::INFINITY,
            overload_since: f64::INFINITY,
            collapsed_until: f64::NEG_INFINITY,
            nominal: f64::INFINITY,
            short_since: f64::INFINITY,
        }
    }

    #[test]
    fn a_detection_cancelled_at_the_instant_it_ends_does_not_fail_back() {
        let mut arena = Arena::default();
        let first = timeline(&mut arena, &[(10.0, 0.0), (20.0, 1.0)]);
        let second = timeline(&mut arena, &[(30.0, 0.0), (31.0, 1.0)]);
        let mut routes = vec![route(first), route(second)];
        let (detect, switch) = (Distribution::Fixed(1.0), Distribution::Fixed(1.0));
        let policy = Policy::Automatic {
            detect: &detect,
            switch: &switch,
            success: 1.0,
            manual: None,
            failback: None,
        };
        let rng = streams::stream(1, 2, 3);
        let (mut reduced, mut switches) = (Vec::new(), Vec::new());
        let shortfalls = Shortfalls {
            capped: false,
            first: 0,
            out: &mut reduced,
        };
        let (range, stats) = failover(
            &mut arena,
            &mut routes,
            (policy, rng, Demand::new(None), None),
            (shortfalls, &mut switches),
            100.0,
        );
        let steps: Vec<(f64, f64, u64)> = arena.steps[range]
            .iter()
            .map(|s| (s.t, s.v, s.mask))
            .collect();
        // down from 10 until the switch to the second at 12; the second's own
        // outage ends as its detection would: it stays active, no failback
        assert_eq!(
            steps,
            vec![
                (0.0, 1.0, 1),
                (10.0, 0.0, 1),
                (12.0, 1.0, 2),
                (30.0, 0.0, 2),
                (31.0, 1.0, 2)
            ]
        );
        assert_eq!(stats.failovers, 1);
        assert_eq!(switches, vec![12.0]);
    }
}

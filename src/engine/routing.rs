//! Routing: turns a service's deployment fractions into the service fraction.
//! A small event loop per service over its deployments' timelines, with the
//! policy's timers and the service's own random stream.

use std::ops::Range;

use rand_chacha::ChaCha8Rng;

use super::streams;
use super::timeline::Arena;
use super::Workspace;
use crate::model::{stream_key, Distribution, Model, Routing};

/// Per-deployment state of the routing loop.
#[derive(Debug, Clone, Default)]
pub struct Route {
    range: Range<usize>,
    cursor: usize,
    value: f64,
    /// ActiveActive: whether it receives traffic.
    receiving: bool,
    /// ActiveActive: when it will be drained (infinite when not pending).
    drain_at: f64,
}

/// Builds service `s`'s timeline; returns it and the routing events.
pub fn service(model: &Model, s: usize, trial: u64, ws: &mut Workspace) -> (Range<usize>, u64) {
    let service = &model.services[s];
    let deployments = service.deployments.clone();
    if deployments.len() == 1 {
        // One deployment: whatever the policy, the service serves what it serves.
        return (ws.deployment[deployments.start].clone(), 0);
    }
    let mut routes = std::mem::take(&mut ws.scratch.routes);
    routes.clear();
    for d in deployments {
        let range = ws.deployment[d].clone();
        routes.push(Route {
            cursor: range.start,
            range,
            value: 1.0,
            receiving: true,
            drain_at: f64::INFINITY,
        });
    }
    let horizon = model.horizon;
    let result = match &service.routing {
        Routing::ActiveActive { shift } => {
            active_active(&mut ws.arena, &mut routes, *shift, horizon)
        }
        Routing::ActivePassive { detect, switch } => {
            let rng = routing_stream(model, s, trial);
            failover(
                &mut ws.arena,
                &mut routes,
                Policy::Automatic { detect, switch },
                rng,
                horizon,
            )
        }
        Routing::Manual { respond } => {
            let rng = routing_stream(model, s, trial);
            failover(
                &mut ws.arena,
                &mut routes,
                Policy::Manual { respond },
                rng,
                horizon,
            )
        }
    };
    ws.scratch.routes = routes;
    result
}

fn routing_stream(model: &Model, s: usize, trial: u64) -> ChaCha8Rng {
    // 0xFE never occurs in UTF-8: no failure name can make the same key.
    let key = stream_key(&[b"\xferouting", model.services[s].name.as_bytes()]);
    streams::stream(model.seed, key, trial)
}

/// The earliest next change among the deployments' timelines.
fn next_change(arena: &Arena, routes: &[Route]) -> f64 {
    routes
        .iter()
        .filter(|r| r.cursor + 1 < r.range.end)
        .map(|r| arena.steps[r.cursor + 1].t)
        .fold(f64::INFINITY, f64::min)
}

/// Advances every deployment that changes at `t`; returns a bitmask of those
/// that fell to 0 and of those that came back above 0.
fn advance(arena: &Arena, routes: &mut [Route], t: f64) -> (u64, u64) {
    let (mut fell, mut rose) = (0u64, 0u64);
    for (i, r) in routes.iter_mut().enumerate() {
        if r.cursor + 1 < r.range.end && arena.steps[r.cursor + 1].t == t {
            r.cursor += 1;
            let old = r.value;
            r.value = arena.steps[r.cursor].v;
            if old > 0.0 && r.value == 0.0 {
                fell |= 1 << i;
            } else if old == 0.0 && r.value > 0.0 {
                rose |= 1 << i;
            }
        }
    }
    (fell, rose)
}

/// ActiveActive: even split over the deployments receiving traffic; one at 0
/// keeps its (lost) share for `shift`, then is drained until it is back above 0.
fn active_active(
    arena: &mut Arena,
    routes: &mut [Route],
    shift: f64,
    horizon: f64,
) -> (Range<usize>, u64) {
    let start = arena.begin(1.0, 0);
    let mut events = 0;
    loop {
        let drain = routes
            .iter()
            .map(|r| r.drain_at)
            .fold(f64::INFINITY, f64::min);
        let t = next_change(arena, routes).min(drain);
        if t >= horizon {
            return (arena.finish(start), events);
        }
        let (fell, rose) = advance(arena, routes, t);
        for (i, r) in routes.iter_mut().enumerate() {
            if fell & (1 << i) != 0 {
                r.drain_at = t + shift;
            }
            if rose & (1 << i) != 0 {
                r.receiving = true;
                r.drain_at = f64::INFINITY;
            }
            if r.drain_at <= t {
                r.receiving = false;
                r.drain_at = f64::INFINITY;
                events += 1;
            }
        }
        let (v, mask) = split(routes);
        arena.push(start, t, v, mask);
    }
}

/// The traffic-weighted fraction and the deployments contributing to the loss.
fn split(routes: &[Route]) -> (f64, u64) {
    let mut receiving = 0u32;
    let mut sum = 0.0;
    let mut mask = 0u64;
    for (i, r) in routes.iter().enumerate() {
        if r.receiving {
            receiving += 1;
            sum += r.value;
            if r.value < 1.0 {
                mask |= 1 << i;
            }
        }
    }
    if receiving == 0 {
        // None receives traffic: all are at 0 and all share the blame.
        let all = if routes.len() == 64 {
            u64::MAX
        } else {
            (1u64 << routes.len()) - 1
        };
        (0.0, all)
    } else {
        (sum / f64::from(receiving), mask)
    }
}

/// The mask of the first `n` deployments (n <= 64).
fn all_deployments(n: usize) -> u64 {
    u64::MAX.checked_shr(64 - n.min(64) as u32).unwrap_or(0)
}

enum Policy<'a> {
    Automatic {
        detect: &'a Distribution,
        switch: &'a Distribution,
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
}

/// The state of an ActivePassive or Manual service between changes.
struct Failover<'a> {
    policy: Policy<'a>,
    rng: ChaCha8Rng,
    active: usize,
    phase: Phase,
    /// Switches made (routing events).
    switches: u64,
}

impl Failover<'_> {
    /// When the pending detection or switch ends (infinite when none is).
    fn timer(&self) -> f64 {
        match self.phase {
            Phase::Detecting(t) | Phase::Switching(t) => t,
            Phase::Normal | Phase::Waiting => f64::INFINITY,
        }
    }

    /// Deployments came back above 0: end a wait, or cancel a detection (or
    /// a human response) of an active deployment that recovered.
    fn on_rise(&mut self, rose: u64) {
        if self.phase == Phase::Waiting && rose != 0 {
            self.active = rose.trailing_zeros() as usize;
            self.phase = Phase::Normal;
            self.switches += 1;
        }
        let active_rose = rose & (1 << self.active) != 0;
        let cancellable = match self.phase {
            Phase::Detecting(_) => true,
            Phase::Switching(_) => matches!(self.policy, Policy::Manual { .. }),
            Phase::Normal | Phase::Waiting => false,
        };
        if active_rose && cancellable {
            self.phase = Phase::Normal;
        }
    }

    /// The timer ending at `t`, if still pending: a detection starts the
    /// switch; a switch (or response) makes the first listed deployment above
    /// 0 active, or waits for the first to come back.
    fn on_timer(&mut self, t: f64, routes: &[Route]) {
        if !matches!(self.phase, Phase::Detecting(x) | Phase::Switching(x) if x == t) {
            return;
        }
        self.phase = match (self.phase, &self.policy) {
            (Phase::Detecting(_), Policy::Automatic { switch, .. }) => {
                Phase::Switching(t + switch.sample(&mut self.rng))
            }
            _ => {
                self.switches += 1;
                match routes.iter().position(|r| r.value > 0.0) {
                    Some(d) => {
                        self.active = d;
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
        if fell & (1 << self.active) != 0 && self.phase == Phase::Normal {
            self.phase = match &self.policy {
                Policy::Automatic { detect, .. } => {
                    Phase::Detecting(t + detect.sample(&mut self.rng))
                }
                Policy::Manual { respond } => Phase::Switching(t + respond.sample(&mut self.rng)),
            };
        }
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
/// first listed deployment above 0 after detect + switch (or respond). No
/// automatic failback. A zero-length timer fires at once, before the next change.
fn failover(
    arena: &mut Arena,
    routes: &mut [Route],
    policy: Policy<'_>,
    rng: ChaCha8Rng,
    horizon: f64,
) -> (Range<usize>, u64) {
    let start = arena.begin(1.0, 1);
    let mut state = Failover {
        policy,
        rng,
        active: 0,
        phase: Phase::Normal,
        switches: 0,
    };
    loop {
        let t = next_change(arena, routes).min(state.timer());
        if t >= horizon {
            return (arena.finish(start), state.switches);
        }
        let (fell, rose) = advance(arena, routes, t);
        state.on_rise(rose);
        state.on_timer(t, routes);
        state.on_fall(t, fell);
        arena.push(
            start,
            t,
            routes[state.active].value,
            state.mask(routes.len()),
        );
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
            cursor: range.start,
            range,
            value: 1.0,
            receiving: true,
            drain_at: f64::INFINITY,
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
        };
        let rng = streams::stream(1, 2, 3);
        let (range, switches) = failover(&mut arena, &mut routes, policy, rng, 100.0);
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
        assert_eq!(switches, 1);
    }
}

//! ActivePassive and Manual routing: one active deployment, failover after
//! detection and switch (or a human response), failed switches, failback,
//! and switches held by the control plane.

use std::ops::Range;

use rand::RngExt;

use super::route::{advance, all_deployments, next_change, Route};
use super::shortfalls::Shortfalls;
use super::RoutingStats;
use crate::engine::demand::Demand;
use crate::engine::hold::Switches;
use crate::engine::streams::Stream;
use crate::engine::timeline::Arena;
use crate::model::Distribution;

pub(super) enum Policy<'a> {
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
pub(super) fn failover(
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
    use super::super::route::Track;
    use super::*;
    use crate::engine::streams;

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

//! A deployment in its service's routing loop: its served fraction and
//! capacity timelines read in time order, and the policy's state for it.

use std::ops::Range;

use crate::engine::timeline::Arena;

/// A timeline being read in time order.
#[derive(Debug, Clone, Default)]
pub struct Track {
    pub(super) range: Range<usize>,
    pub(super) cursor: usize,
    pub(super) value: f64,
}

impl Track {
    /// A track of the timeline `range`, holding `value` before its first step.
    pub(super) fn new(range: Range<usize>, value: f64) -> Track {
        Track {
            cursor: range.start,
            range,
            value,
        }
    }

    /// The time of its next change (infinite when none).
    #[inline]
    pub(super) fn next(&self, arena: &Arena) -> f64 {
        if self.cursor + 1 < self.range.end {
            arena.steps[self.cursor + 1].t
        } else {
            f64::INFINITY
        }
    }

    /// Moves to the change at `t`, if it has one; returns the old value.
    #[inline]
    pub(super) fn advance(&mut self, arena: &Arena, t: f64) -> f64 {
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
    pub(super) fraction: Track,
    /// Its effective capacity (infinite when unlimited).
    pub(super) capacity: Track,
    /// ActiveActive: whether it receives traffic.
    pub(super) receiving: bool,
    /// ActiveActive: when it will be drained (infinite when not pending).
    pub(super) drain_at: f64,
    /// ActiveActive: since when it has been overloaded (infinite when not).
    pub(super) overload_since: f64,
    /// ActiveActive: collapsed until this time (infinite past when not).
    pub(super) collapsed_until: f64,
    /// Its capacity with every replica up (infinite when unlimited).
    pub(super) nominal: f64,
    /// Since when it has served less than it would with every replica up
    /// (infinite when it does not): failures took capacity it needed.
    pub(super) short_since: f64,
}

impl Route {
    /// Its served fraction now.
    #[inline]
    pub(super) fn value(&self) -> f64 {
        self.fraction.value
    }

    /// Whether it is collapsed (ActiveActive overload).
    #[inline]
    pub(super) fn collapsed(&self) -> bool {
        self.collapsed_until > f64::NEG_INFINITY
    }
}

/// The earliest next change among the deployments' timelines.
#[inline]
pub(super) fn next_change(arena: &Arena, routes: &[Route]) -> f64 {
    routes
        .iter()
        .map(|r| r.fraction.next(arena).min(r.capacity.next(arena)))
        .fold(f64::INFINITY, f64::min)
}

/// Advances every timeline that changes at `t`; returns a bitmask of the
/// deployments that fell to 0 and of those that came back above 0.
#[inline]
pub(super) fn advance(arena: &Arena, routes: &mut [Route], t: f64) -> (u64, u64) {
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

/// The mask of the first `n` deployments (n <= 64).
#[inline]
pub(super) fn all_deployments(n: usize) -> u64 {
    u64::MAX.checked_shr(64 - n.min(64) as u32).unwrap_or(0)
}

//! The stretches in which a deployment served less than it would with every
//! replica up, for want of the capacity its failures took (for the
//! attribution).

use super::route::Route;
use crate::engine::attribution::Shortfall;

/// Where a service's routing records the stretches in which a deployment
/// served less than it would with every replica up (the capacity its
/// failures took): `(start, end, deployment)`.
pub(super) struct Shortfalls<'a> {
    /// Whether any deployment has a finite capacity (else there is nothing
    /// to record).
    pub(super) capped: bool,
    /// The id of the service's first deployment.
    pub(super) first: u32,
    /// Where the stretches go.
    pub(super) out: &'a mut Vec<Shortfall>,
}

impl Shortfalls<'_> {
    /// Opens or closes each deployment's stretch at `t`, as `short` says
    /// it is short of capacity at `t`.
    #[inline]
    pub(super) fn note(
        &mut self,
        routes: &mut [Route],
        t: f64,
        short: impl Fn(usize, &Route) -> bool,
    ) {
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
    pub(super) fn close(&mut self, routes: &mut [Route], horizon: f64) {
        self.note(routes, horizon, |_, _| false);
    }
}

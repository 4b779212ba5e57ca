//! The ledger: what a trial's evaluation leaves for its attribution besides
//! the timelines (capacity shortfalls, failovers, data losses, SLA credits,
//! control-plane holds), per service.

use std::ops::Range;

use crate::engine::hold::Held;

/// The "occurrence" of a data loss charged to the culprits of the failover
/// that caused it (those last in effect for the service when it completed).
pub const CAUSED_THE_FAILOVER: u32 = u32::MAX;

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

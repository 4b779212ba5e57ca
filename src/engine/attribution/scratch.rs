//! The attribution's reused buffers: the dependency walk's stacks and
//! marks, the culprits found per quorum step, the remembered culprit
//! intervals per loss step, and the per-occurrence accumulators.

use super::windows::Windows;
use crate::engine::plan::Node;
use crate::model::Model;

/// Reused buffers of the attribution.
#[derive(Debug, Default)]
pub struct Scratch {
    pub(super) stack: Vec<Node>,
    pub(super) visited_deployment: Vec<u32>,
    pub(super) visited_service: Vec<u32>,
    pub(super) epoch: u32,
    /// Culprit boundaries: (time, occurrence, is start).
    pub(super) entries: Vec<(f64, u32, bool)>,
    /// Culprit intervals gathered for one loss step: (from, to, occurrence).
    pub(super) intervals: Vec<(f64, f64, u32)>,
    /// Per arena step of a service timeline below 1: the trial (`trial`)
    /// its culprit intervals were gathered in, and their span in `memo`,
    /// sorted and without repeats. Services are attributed dependencies
    /// first, so a dependent whose loss step covers the same window as a
    /// dependency's takes the dependency's intervals instead of walking
    /// its dependency closure again (a provider outage takes every service
    /// down over the same window).
    pub(super) memo_stamp: Vec<u32>,
    pub(super) memo_span: Vec<(u32, u32)>,
    pub(super) memo: Vec<(f64, f64, u32)>,
    pub(super) count: Vec<u32>,
    pub(super) position: Vec<u32>,
    pub(super) active: Vec<u32>,
    /// Per occurrence: attributed lost hours, cost, services hit, last
    /// service, and whether it was given anything this trial.
    pub(super) lost: Vec<f64>,
    pub(super) cost: Vec<f64>,
    pub(super) blast: Vec<u32>,
    pub(super) last_service: Vec<u32>,
    pub(super) seen: Vec<bool>,
    /// Occurrences given a share this trial (the only entries to collect and reset).
    pub(super) touched: Vec<u32>,
    /// The SLA windows of the service being attributed.
    pub(super) windows: Windows,
    /// `touched` as (model process, occurrence, engine process), in the
    /// order their attributions are added up.
    pub(super) ordered: Vec<(usize, u32, usize)>,
    /// The culprits last in effect for the service being attributed: they
    /// take a loss that outlives them (a restore, a collapse, a relaunch
    /// backlog, a failback).
    pub(super) fallback: Vec<u32>,
    /// Opt-in (for `explain`): record what each occurrence was attributed.
    pub(super) record: bool,
    /// When recording: (occurrence, service) for each service an occurrence hit.
    pub(super) hits: Vec<(u32, u32)>,
    /// When recording: (occurrence, lost hours, cost, services hit) for each
    /// occurrence attributed a loss, in occurrence order.
    pub(super) recorded: Vec<(u32, f64, f64, u32)>,
    /// Per arena step of a quorum timeline at 0: the trial (`trial`) its
    /// culprits were found in, and their span in `culprits`. A deployment
    /// is visited once per loss step of every service that depends on it:
    /// its culprits are looked up once per trial.
    pub(super) culprit_stamp: Vec<u32>,
    pub(super) culprit_span: Vec<(u32, u32)>,
    /// Outages holding a quorum down over a whole step: (start, end, occurrence).
    pub(super) culprits: Vec<(f64, f64, u32)>,
    /// The trial counter of `culprit_stamp` and `memo_stamp` (never 0 once a
    /// trial began).
    pub(super) trial: u32,
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
    pub(super) fn reset(&mut self, model: &Model, outages: usize) {
        self.visited_deployment.resize(model.deployments.len(), 0);
        self.visited_service.resize(model.services.len(), 0);
        if self.count.len() < outages {
            self.count.resize(outages, 0);
            self.position.resize(outages, 0);
            self.blast.resize(outages, 0);
            self.last_service.resize(outages, u32::MAX);
            self.lost.resize(outages, 0.0);
            self.cost.resize(outages, 0.0);
            self.seen.resize(outages, false);
            self.windows.lost.resize(outages, 0.0);
        }
        self.active.clear();
        self.touched.clear();
        self.hits.clear();
        self.recorded.clear();
        self.unattributed = 0.0;
        self.unattributed_cost = 0.0;
    }

    /// Sizes the per-step stamps to the arena's `steps`.
    pub(super) fn cover_steps(&mut self, steps: usize) {
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

/// Advances the counter that `stamped` entries are compared with (an entry
/// equal to it was set since); clears them when the counter wraps around.
pub(super) fn advance(counter: &mut u32, stamped: [&mut Vec<u32>; 2]) {
    if *counter == u32::MAX {
        stamped
            .into_iter()
            .for_each(|v| v.iter_mut().for_each(|x| *x = 0));
        *counter = 0;
    }
    *counter += 1;
}

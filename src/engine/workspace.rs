//! The per-thread buffers a trial runs in, reused from one trial to the next
//! so that a warm trial allocates nothing, and their reset between trials.

use std::ops::Range;

use super::outcome::{FailureOutcome, ServiceOutcome, TrialOutcome};
use super::plan::Plan;
use super::routing::RoutingStats;
use super::timeline::Arena;
use super::{arrivals, attribution, data, quorum, replicas, streams};
use crate::model::Model;

/// Per-thread buffers, reused from one trial to the next.
#[derive(Debug, Default)]
pub struct Workspace {
    /// Outages of the processes at hand, grouped by process: the shared
    /// ones, then those of the service being evaluated (all of them when
    /// `keep_outages`). An outage is an occurrence.
    pub(super) outages: Vec<(f64, f64)>,
    /// Keep every outage of the trial in `outages` (for `trace`).
    pub(super) keep_outages: bool,
    /// Occurrences generated so far: an outage's id is its rank in the
    /// order of `Plan::generation`.
    pub(super) occurrences: usize,
    /// The id of each generated process's first outage, in the order of
    /// `Plan::generation` (non-decreasing: finds an outage's process).
    pub(super) generation_starts: Vec<usize>,
    /// Outage range in `outages` of each process (while at hand).
    pub(super) process_outages: Vec<Range<usize>>,
    /// The id of each process's first outage.
    pub(super) process_first: Vec<usize>,
    /// Per process: the logarithm of its history's likelihood ratio (0
    /// unless importance sampling tilts it).
    pub(super) log_lr: Vec<f64>,
    /// Step arena of all timelines of the trial.
    pub(super) arena: Arena,
    /// Quorum timeline of each deployment.
    pub(super) quorum: Vec<Range<usize>>,
    /// Served-fraction timeline of each deployment.
    pub(super) deployment: Vec<Range<usize>>,
    /// Served-fraction timeline of each service.
    pub(super) service: Vec<Range<usize>>,
    /// Effective-capacity timeline of each deployment (empty: unlimited).
    pub(super) capacity: Vec<Range<usize>>,
    /// Per deployment: a replica still waiting on a recovery dependency at the horizon.
    pub(super) stuck: Vec<bool>,
    /// Per deployment, where `stuck`: when its waiting replicas' own outages
    /// had all ended.
    pub(super) stuck_since: Vec<f64>,
    /// Times at which people broke a deadlock of the recovery cycle being
    /// evaluated (ascending; empty outside a cycle with `manual`).
    pub(super) breaks: Vec<f64>,
    /// That cycle, as positions in the topological order.
    pub(super) break_cycle: Range<usize>,
    /// What each service's routing did.
    pub(super) routing: Vec<RoutingStats>,
    /// Hours of writes each service lost.
    pub(super) data_lost: Vec<f64>,
    /// Timelines of a recovery cycle's previous pass, to see it settle.
    pub(super) previous: Vec<Range<usize>>,
    /// Scratch of the replica-level timelines.
    pub(super) exact: replicas::Scratch,
    /// Scratch of the data loss.
    pub(super) data: data::Scratch,
    /// Scratch of the sweeps and merges.
    pub(super) scratch: quorum::Scratch,
    /// Scratch of the attribution.
    pub(super) blame: attribution::Scratch,
    /// What the evaluation leaves for the attribution: shortfalls of
    /// capacity, data losses and SLA credits, with their times.
    pub(super) ledger: attribution::Ledger,
    /// The outcome being filled, in the model's numbering.
    pub(super) outcome: TrialOutcome,
    /// The stream of the process being generated, restarted for each (its
    /// buffer is not cleared again for every process).
    pub(super) stream: streams::Stream,
    /// Whether the trials of several variants of a model run one after
    /// the other in this workspace, each process's stream output kept on
    /// its tape for the next ([`Workspace::share_streams`]).
    pub(super) taping: bool,
    /// Per process, its tape.
    pub(super) tapes: Vec<streams::Tape>,
    /// Per group of processes repaired by crews: the id of its first
    /// occurrence, once its first process is generated in the trial (its
    /// processes share their occurrences' ids).
    pub(super) repair_first: Vec<usize>,
    /// Scratch of the crews' schedules.
    pub(super) repairs: arrivals::Scratch,
    /// Scheduled outages that merged several starts: (occurrence, starts
    /// beyond the first); each start counts the outage's blast radius.
    pub(super) merged: Vec<(usize, u32)>,
}

impl Workspace {
    /// Runs the trials of several variants of a model (the same shape, on
    /// the same trial streams) one after the other in this workspace when
    /// `shared`: each process's stream output is kept for the next variant
    /// of the same trial instead of computed again (the same words).
    pub fn share_streams(&mut self, shared: bool) {
        self.taping = shared;
    }

    /// The outcome of the last trial run in this workspace.
    pub fn outcome(&self) -> &TrialOutcome {
        &self.outcome
    }

    /// The process of the outage with id `o`.
    pub(super) fn process_of(&self, plan: &Plan, o: usize) -> usize {
        let k = self.generation_starts.partition_point(|&start| start <= o);
        plan.generation[k.saturating_sub(1)] as usize
    }
}

/// Prepares `ws` for a trial of `model`. Arrays that every trial writes
/// whole are only sized (clearing them would cost a pass over arrays of the
/// model's size per trial); those written in part are reset.
pub(super) fn reset(model: &Model, ws: &mut Workspace) {
    let (p, d, s) = (
        model.processes.len(),
        model.deployments.len(),
        model.services.len(),
    );
    ws.outages.clear();
    ws.occurrences = 0;
    ws.generation_starts.clear();
    ws.arena.steps.clear();
    // written whole by every trial
    sized(&mut ws.process_outages, p, 0..0);
    sized(&mut ws.process_first, p, 0);
    sized(&mut ws.log_lr, p, 0.0);
    sized(&mut ws.quorum, d, 0..0);
    sized(&mut ws.deployment, d, 0..0);
    sized(&mut ws.service, s, 0..0);
    sized(&mut ws.routing, s, RoutingStats::default());
    sized(&mut ws.data_lost, s, 0.0);
    ws.ledger.reset(s);
    sized(&mut ws.outcome.services, s, ServiceOutcome::default());
    sized(&mut ws.outcome.processes, p, (0, 0.0));
    // written in part
    ws.capacity.clear();
    ws.capacity.resize(d, 0..0);
    ws.stuck.clear();
    ws.stuck.resize(d, false);
    sized(&mut ws.stuck_since, d, f64::NEG_INFINITY);
    ws.breaks.clear();
    ws.outcome.failures.clear();
    ws.outcome
        .failures
        .resize(model.failures.len(), FailureOutcome::default());
    ws.outcome.events = 0;
    ws.outcome.weight = 1.0;
    ws.outcome.cost = 0.0;
    ws.outcome.unattributed_hours = 0.0;
    ws.outcome.unattributed_cost = 0.0;
}

/// Gives `v` the length `n` (new entries `fill`), keeping what it holds
/// when it already has it.
fn sized<T: Clone>(v: &mut Vec<T>, n: usize, fill: T) {
    if v.len() != n {
        v.clear();
        v.resize(n, fill);
    }
}

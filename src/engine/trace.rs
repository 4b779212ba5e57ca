//! The full story of one trial, copied out of the [`Workspace`] after
//! [`run_trial`]: every failure occurrence with what it was attributed, and
//! the served-fraction timelines of every deployment and service. This is
//! read-only: the trial runs exactly as in a Monte Carlo run (the recording
//! adds no draw and changes no number).

use std::ops::Range;
use std::sync::atomic::AtomicBool;

use super::{run_trial_until, Plan, TrialOutcome, Workspace};

/// One failure occurrence of the trial.
#[derive(Debug, Clone, PartialEq)]
pub struct Occurrence {
    /// Index into `Model::processes`: which failure, on which target.
    pub process: usize,
    /// When it started (hours).
    pub start: f64,
    /// When it ended (hours; the horizon when it outlasts the trial).
    pub end: f64,
    /// Lost-service hours attributed to it, over all services.
    pub lost_hours: f64,
    /// Money attributed to it: the downtime cost of its lost hours, the
    /// writes it lost or destroyed, its part of SLA credits.
    pub cost: f64,
    /// The services it was attributed a loss in (its blast radius), in the
    /// order it first hit them.
    pub services: Vec<usize>,
}

/// A piecewise-constant served fraction: `(from time, value)` steps, the
/// first at time 0.
pub type Steps = Vec<(f64, f64)>;

/// Everything explain needs of one trial.
#[derive(Debug, Clone, PartialEq)]
pub struct Trace {
    /// The trial index.
    pub trial: u64,
    /// The trial's measures, exactly as a run counts them.
    pub outcome: TrialOutcome,
    /// Every occurrence, by start time (ties by process order).
    pub occurrences: Vec<Occurrence>,
    /// Served fraction of each deployment, in model order.
    pub deployments: Vec<Steps>,
    /// Served fraction of each service, in model order.
    pub services: Vec<Steps>,
}

/// Runs trial `trial` of the model `plan` was built from (with its seed,
/// see [`Plan::seeded`]) with recording on and copies its story out.
pub fn trace(plan: &Plan, trial: u64, ws: &mut Workspace) -> Trace {
    let never = AtomicBool::new(false);
    let traced = trace_until(plan, trial, ws, &never);
    traced.unwrap_or_else(|| empty_trace(trial))
}

/// An empty trace (a trial that was never stopped always finishes).
fn empty_trace(trial: u64) -> Trace {
    Trace {
        trial,
        outcome: TrialOutcome::default(),
        occurrences: Vec::new(),
        deployments: Vec::new(),
        services: Vec::new(),
    }
}

/// As [`trace`], giving up (`None`) as soon as `stop` is set (see
/// [`run_trial_until`]).
pub fn trace_until(
    plan: &Plan,
    trial: u64,
    ws: &mut Workspace,
    stop: &AtomicBool,
) -> Option<Trace> {
    ws.blame.set_record(true);
    ws.keep_outages = true;
    let finished = run_trial_until(plan, trial, ws, stop);
    ws.keep_outages = false;
    ws.blame.set_record(false);
    if !finished {
        return None;
    }
    let occurrences = occurrences(plan, ws);
    Some(Trace {
        trial,
        outcome: ws.outcome.clone(),
        occurrences,
        deployments: in_model_order(ws, &ws.deployment, &plan.layout.deployment),
        services: in_model_order(ws, &ws.service, &plan.layout.service),
    })
}

/// The trial's occurrences (every outage was kept), with what each was
/// attributed and the services it hit, in order of start.
fn occurrences(plan: &Plan, ws: &Workspace) -> Vec<Occurrence> {
    // an occurrence is its process's outage at its id (the replicas
    // repaired by crews share their group's: it lasts until the last is
    // back)
    let mut occurrences: Vec<Occurrence> = (0..ws.occurrences)
        .map(|o| Occurrence {
            process: plan.layout.process[ws.process_of(plan, o)],
            start: f64::INFINITY,
            end: 0.0,
            lost_hours: 0.0,
            cost: 0.0,
            services: Vec::new(),
        })
        .collect();
    for &p in &plan.generation {
        let range = ws.process_outages[p as usize].clone();
        let first = ws.process_first[p as usize];
        for (k, &(start, end)) in ws.outages[range].iter().enumerate() {
            let occurrence = &mut occurrences[first + k];
            occurrence.start = occurrence.start.min(start);
            occurrence.end = occurrence.end.max(end);
        }
    }
    for &(o, lost, cost, _) in ws.blame.recorded() {
        let occurrence = &mut occurrences[o as usize];
        occurrence.lost_hours = lost;
        occurrence.cost = cost;
    }
    for &(o, s) in ws.blame.hits() {
        let s = plan.layout.service[s as usize];
        // each (occurrence, service) pair is hit once: services are
        // attributed one after the other
        occurrences[o as usize].services.push(s);
    }
    occurrences.sort_by(|a, b| a.start.total_cmp(&b.start).then(a.process.cmp(&b.process)));
    occurrences
}

/// The timelines `ranges` (in engine ids) as steps, in the model's
/// numbering (`engine_ids[e]`: the model id of engine id `e`).
fn in_model_order(ws: &Workspace, ranges: &[Range<usize>], engine_ids: &[usize]) -> Vec<Steps> {
    let mut out = vec![Steps::new(); ranges.len()];
    for (e, &m) in engine_ids.iter().enumerate() {
        let range = ranges[e].clone();
        out[m] = ws.arena.steps[range].iter().map(|s| (s.t, s.v)).collect();
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::engine::run_trial;

    const TEXT: &str = r#"Scenario(name: "t", horizon: "1y", trials: 10, seed: 3,
        domains: ["aws/r/a", "aws/r/b"],
        failures: [(name: "zone", on: EachZone(), every: "30d", lasts: Exp(mean: "5h"), cause: Power),
                   (name: "host", on: EachReplica(), every: "20d", lasts: Exp(mean: "2h"), cause: Hardware)],
        services: { "web": (deployments: [(in: "aws/r", zones: ["a", "b"], replicas: 2, need: 2)],
                            cost: (per_hour: 100)) })"#;

    #[test]
    fn tracing_changes_no_number_and_attributions_add_up() {
        let model = crate::scenario::load("t.ron", TEXT.as_bytes()).unwrap();
        let plan = Plan::new(&model);
        let mut ws = Workspace::default();
        for trial in 0..10 {
            run_trial(&plan, trial, &mut ws);
            let plain = ws.outcome().clone();
            let traced = trace(&plan, trial, &mut ws);
            assert_eq!(traced.outcome, plain);
            run_trial(&plan, trial, &mut ws);
            assert_eq!(
                ws.outcome(),
                &plain,
                "recording must not leak into the next trial"
            );
            let lost: f64 = traced.occurrences.iter().map(|o| o.lost_hours).sum();
            let total = plain.services[0].lost_hours - plain.unattributed_hours;
            assert!((lost - total).abs() < 1e-9, "{lost} vs {total}");
            let cost: f64 = traced.occurrences.iter().map(|o| o.cost).sum();
            assert!((cost - plain.services[0].downtime_cost).abs() < 1e-6);
            let hit = traced.occurrences.iter().filter(|o| o.lost_hours > 0.0);
            assert!(hit.clone().all(|o| o.services == [0]));
        }
    }
}

//! Data loss: writes lost at failovers under asynchronous replication, and
//! data destroyed by failures (restored from the last backup when no other
//! deployment holds a copy).

use std::ops::Range;

use super::combine;
use super::plan::Plan;
use super::streams::{self, Stream};
use super::Workspace;
use crate::model::{stream_key, DataPolicy, Model, Replication, Routing};

/// Reused buffers.
#[derive(Debug, Default)]
pub struct Scratch {
    /// Destroying outages of the service's deployments: (start, end,
    /// deployment, occurrence).
    events: Vec<(f64, f64, u32, u32)>,
    /// Per deployment of the service: until when its data is gone.
    destroyed_until: Vec<f64>,
    /// Restores: (deployment, start, end).
    restores: Vec<(u32, f64, f64)>,
}

/// The data stream of service `s` in trial `trial`.
pub fn stream(model: &Model, s: usize, trial: u64) -> Stream {
    // 0xFE never occurs in UTF-8: no failure name can make the same key.
    let key = stream_key(&[b"\xfedata", model.services[s].name.as_bytes()]);
    streams::stream(model.seed, key, trial)
}

/// Applies the destroying outages to service `s`'s deployments: a deployment
/// whose data is destroyed and that has no surviving copy elsewhere stays
/// down for a restore after its outage ends. Rewrites their quorum
/// timelines; returns the hours of writes lost, and notes each loss with the
/// occurrence that caused it in `ws.ledger.data`.
pub fn destroy(
    model: &Model,
    plan: &Plan,
    s: usize,
    policy: &DataPolicy,
    rng: &mut Stream,
    ws: &mut Workspace,
) -> f64 {
    let deployments = model.services[s].deployments.clone();
    let mut scratch = std::mem::take(&mut ws.data);
    scratch.events.clear();
    scratch.restores.clear();
    for d in deployments.clone() {
        for g in plan.deployment_gates[d].clone() {
            if plan.destroys[g as usize] {
                let p = plan.gates[g as usize].process as usize;
                let range = ws.process_outages[p].clone();
                let local = (d - deployments.start) as u32;
                // occurrence ids count the trial's outages in generation order
                let first = ws.process_first[p] as u32;
                scratch.events.extend(
                    (ws.outages[range].iter().enumerate())
                        .map(|(k, &(a, b))| (a, b, local, first + k as u32)),
                );
            }
        }
    }
    if scratch.events.is_empty() {
        ws.data = scratch;
        return 0.0;
    }
    scratch
        .events
        .sort_unstable_by(|x, y| x.0.total_cmp(&y.0).then(x.2.cmp(&y.2)).then(x.3.cmp(&y.3)));
    let lost = destruction_losses(model, s, policy, rng, &mut scratch, &mut ws.ledger.data);
    restore(deployments, &scratch.restores, model.horizon, ws);
    ws.data = scratch;
    lost
}

/// Walks the destroying outages in time order, grouped by start (one
/// occurrence may destroy several deployments at once). Each group's loss
/// goes to `caused` as (time, hours, occurrence), shared equally by the
/// distinct occurrences of the group.
fn destruction_losses(
    model: &Model,
    s: usize,
    policy: &DataPolicy,
    rng: &mut Stream,
    scratch: &mut Scratch,
    caused: &mut Vec<(f64, f64, u32)>,
) -> f64 {
    let n = model.services[s].deployments.len();
    scratch.destroyed_until.clear();
    scratch.destroyed_until.resize(n, f64::NEG_INFINITY);
    let routed_by_switch = !matches!(model.services[s].routing, Routing::ActiveActive { .. });
    let mut lost = 0.0;
    let mut i = 0;
    while i < scratch.events.len() {
        let a = scratch.events[i].0;
        let group = i..i + scratch.events[i..].partition_point(|e| e.0 == a);
        for &(_, b, d, _) in &scratch.events[group.clone()] {
            let until = &mut scratch.destroyed_until[d as usize];
            *until = until.max(b);
        }
        let copy = scratch.destroyed_until.iter().any(|&u| u <= a);
        let mut hours = 0.0;
        if copy {
            // re-seeded from the copy; the writes in flight are lost unless a
            // failover (ActivePassive, Manual) already counted them
            if !routed_by_switch {
                hours = lag(&policy.replication, rng);
            }
        } else {
            let every = policy.backup_every;
            hours = a - (a / every).floor() * every;
            for &(_, b, d, _) in &scratch.events[group.clone()] {
                let end = b + policy.restore.sample(rng);
                scratch.restores.push((d, b, end));
                let until = &mut scratch.destroyed_until[d as usize];
                *until = until.max(end);
            }
        }
        lost += hours;
        note_causes(&scratch.events[group.clone()], a, hours, caused);
        i = group.end;
    }
    lost
}

/// Notes `hours` of writes lost at `a`, shared equally by the distinct
/// occurrences of `group` (sorted by deployment: one occurrence may appear
/// once per deployment it destroyed).
fn note_causes(
    group: &[(f64, f64, u32, u32)],
    a: f64,
    hours: f64,
    caused: &mut Vec<(f64, f64, u32)>,
) {
    if hours <= 0.0 {
        return;
    }
    let first_seen = |i: usize| group[..i].iter().all(|e| e.3 != group[i].3);
    let distinct = (0..group.len()).filter(|&i| first_seen(i)).count();
    for i in (0..group.len()).filter(|&i| first_seen(i)) {
        caused.push((a, hours / distinct as f64, group[i].3));
    }
}

/// One replication lag: the writes lost when traffic moves to a replica.
pub fn lag(replication: &Replication, rng: &mut Stream) -> f64 {
    match replication {
        Replication::Sync => 0.0,
        Replication::Async { lag } => lag.sample(rng),
    }
}

/// Holds each restoring deployment's quorum at 0 over its restores (cut at
/// the horizon, like every other outage).
fn restore(
    deployments: Range<usize>,
    restores: &[(u32, f64, f64)],
    horizon: f64,
    ws: &mut Workspace,
) {
    for (k, d) in deployments.enumerate() {
        let mut mine: Vec<(f64, f64)> = restores
            .iter()
            .filter(|r| r.0 as usize == k)
            .map(|r| (r.1, r.2.min(horizon)))
            .collect();
        if mine.is_empty() {
            continue;
        }
        mine.sort_unstable_by(|x, y| x.0.total_cmp(&y.0));
        let start = ws.arena.begin(1.0, 0);
        let mut current = mine[0];
        for &(a, b) in &mine[1..] {
            if a <= current.1 {
                current.1 = current.1.max(b);
            } else {
                ws.arena.push(start, current.0, 0.0, 0);
                ws.arena.push(start, current.1, 1.0, 0);
                current = (a, b);
            }
        }
        ws.arena.push(start, current.0, 0.0, 0);
        ws.arena.push(start, current.1, 1.0, 0);
        let overlay = ws.arena.finish(start);
        let quorum = ws.quorum[d].clone();
        ws.quorum[d] = combine::multiply(&mut ws.arena, &mut ws.scratch.inputs, quorum, overlay);
    }
}

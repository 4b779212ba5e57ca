//! Drawing a trial's outages: each failure process's history from its own
//! stream, numbered as occurrences in the order of `Plan::generation`, and
//! their tally per failure definition.

use std::ops::Range;

use super::plan::Plan;
use super::workspace::Workspace;
use super::{arrivals, streams};
use crate::model::Model;

/// Generates the outages of the processes `plan.generation[span]`, each from
/// its own stream (so the order they are generated in changes no number).
pub(super) fn generate(
    model: &Model,
    plan: &Plan,
    span: Range<u32>,
    trial: u64,
    ws: &mut Workspace,
) {
    // `process_of` needs the spans generated in the order of `plan.generation`
    debug_assert_eq!(ws.generation_starts.len(), span.start as usize);
    for &p in &plan.generation[span.start as usize..span.end as usize] {
        let p = p as usize;
        if ws.taping {
            generate_taped(model, plan, p, trial, ws);
            continue;
        }
        ws.stream
            .restart(model.seed, model.processes[p].stream_key, trial);
        generate_process(model, plan, p, ws);
    }
}

/// [`generate_process`] on the process's tape: its stream's output as the
/// previous variant of the trial computed it ([`streams::Tape`]).
#[inline(never)]
fn generate_taped(model: &Model, plan: &Plan, p: usize, trial: u64, ws: &mut Workspace) {
    if ws.tapes.len() < model.processes.len() {
        ws.tapes
            .resize_with(model.processes.len(), Default::default);
    }
    let key = model.processes[p].stream_key;
    ws.stream
        .restart_taped(model.seed, key, trial, &mut ws.tapes[p]);
    generate_process(model, plan, p, ws);
    ws.stream.untape(&mut ws.tapes[p]);
}

/// Generates the outages of process `p` from `ws.stream`, restarted for it.
#[inline(always)]
fn generate_process(model: &Model, plan: &Plan, p: usize, ws: &mut Workspace) {
    let process = &model.processes[p];
    let rng = &mut ws.stream;
    let start = ws.outages.len();
    let failure = &model.failures[process.failure];
    if !failure.is_plain() {
        generate_other(model, plan, p, ws);
        return;
    }
    // an alternating process draws at least once (its first up time): that
    // draw then finds its words in the buffer and takes the inlined path
    if failure.once.is_none() {
        rng.fill();
    }
    let tilt = plan.tilt[p];
    let (events, hours) = if tilt == 1.0 {
        streams::generate_outages(failure, model.horizon, rng, &mut ws.outages)
    } else {
        let (events, log_lr) =
            streams::generate_tilted_outages(failure, model.horizon, tilt, rng, &mut ws.outages);
        ws.log_lr[p] = log_lr;
        let hours = ws.outages[start..].iter().map(|o| o.1 - o.0).sum::<f64>();
        (events, hours)
    };
    let count = ws.outages.len() - start;
    ws.outcome.events += events;
    ws.generation_starts.push(ws.occurrences);
    ws.process_first[p] = ws.occurrences;
    ws.occurrences += count;
    ws.process_outages[p] = start..ws.outages.len();
    ws.outcome.processes[plan.layout.process[p]] = (count as u32, hours);
}

/// [`generate`] of process `p` (its stream restarted) when its failure is
/// not drawn as in v1 ([`arrivals`]): out of the v1 loop, which stays as it
/// was. The replicas repaired by crews share their group's occurrence ids
/// (the first of them generated numbers them) and only the first in the
/// repair order counts them; a schedule's merged starts are noted for the
/// blast radius.
#[cold]
#[inline(never)]
fn generate_other(model: &Model, plan: &Plan, p: usize, ws: &mut Workspace) {
    let process = &model.processes[p];
    let failure = &model.failures[process.failure];
    let repair = process.repair.as_deref().copied();
    let start = ws.outages.len();
    let history = arrivals::generate(
        failure,
        repair,
        model.horizon,
        &mut ws.stream,
        &mut ws.outages,
        &mut ws.repairs,
    );
    let count = ws.outages.len() - start;
    ws.outcome.events += history.events;
    ws.generation_starts.push(ws.occurrences);
    ws.process_first[p] = ws.occurrences;
    match repair {
        Some(r) if ws.repair_first[r.group] != usize::MAX => {
            ws.process_first[p] = ws.repair_first[r.group];
        }
        Some(r) => {
            ws.repair_first[r.group] = ws.occurrences;
            ws.occurrences += count;
        }
        None => ws.occurrences += count,
    }
    let counted = match repair {
        Some(r) if r.rank > 0 => 0,
        _ => history.occurrences,
    };
    ws.process_outages[p] = start..ws.outages.len();
    ws.outcome.processes[plan.layout.process[p]] = (counted, history.hours);
    let first = ws.process_first[p];
    let merged = (ws.repairs.merged.iter()).map(|&(k, extra)| (first + k, extra));
    ws.merged.extend(merged);
}

/// Adds the processes' outages up per failure definition, and their
/// likelihood ratios into the trial's weight, in the model's process order.
pub(super) fn tally(plan: &Plan, ws: &mut Workspace) {
    let outcome = &mut ws.outcome;
    let failures = plan.layout.process_failure.iter();
    for (&(count, hours), &failure) in outcome.processes.iter().zip(failures) {
        let f = &mut outcome.failures[failure];
        f.occurrences += u64::from(count);
        f.downtime_hours += hours;
    }
    let mut log_weight = 0.0;
    if plan.tilted {
        for &p in &plan.layout.engine_process {
            if plan.tilt[p] != 1.0 {
                log_weight += ws.log_lr[p];
            }
        }
    }
    ws.outcome.weight = log_weight.exp();
}

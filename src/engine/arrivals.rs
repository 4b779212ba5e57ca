//! The outages of the failure processes that are not drawn as in v1:
//! up times from a distribution other than the exponential, scheduled
//! starts, and replicas repaired one by one by crews. Only scenarios using
//! these constructs come here: the v1 loop ([`super::streams`]) is untouched.

use rand::RngExt;

use super::streams::Stream;
use crate::model::{schedule_repairs, Arrival, Distribution, Failure, Repair};

/// Outages of a process, and the merges of its scheduled starts.
type Merging<'a> = (&'a mut Vec<(f64, f64)>, &'a mut Vec<(usize, u32)>);

/// Reused buffers of the crews' schedule.
#[derive(Debug, Default)]
pub struct Scratch {
    /// When each crew is free.
    free: Vec<f64>,
    /// When each replica of the group is back.
    ends: Vec<f64>,
    /// The outages of the last scheduled process generated that merged
    /// several starts: (index among its outages, starts beyond the first).
    pub merged: Vec<(usize, u32)>,
}

/// What one process's history amounts to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct History {
    /// State changes within the horizon.
    pub events: u64,
    /// Outage hours within the horizon.
    pub hours: f64,
    /// Occurrences that started (a schedule's merged outages count each start).
    pub occurrences: u32,
}

/// Appends the outages over `[0, horizon)` of one process of `failure`
/// (under `repair`, those of its replica) to `out`, in time order, never
/// overlapping, clipped at the horizon.
pub fn generate(
    failure: &Failure,
    repair: Option<Repair>,
    horizon: f64,
    rng: &mut Stream,
    out: &mut Vec<(f64, f64)>,
    scratch: &mut Scratch,
) -> History {
    let start = out.len();
    scratch.merged.clear();
    let occurrences = match (&failure.arrival, repair) {
        (
            &Arrival::Schedule {
                every,
                first,
                chance,
            },
            _,
        ) => scheduled(
            (every, first, chance),
            &failure.lasts,
            horizon,
            rng,
            (out, &mut scratch.merged),
        ),
        (_, Some(repair)) => repaired(failure, repair, horizon, rng, out, scratch),
        (_, None) => {
            let mut t = 0.0;
            loop {
                t += up(failure, rng);
                if t >= horizon {
                    break;
                }
                let end = t + failure.lasts.sample(rng);
                out.push((t, end.min(horizon)));
                t = end;
            }
            (out.len() - start) as u32
        }
    };
    let mut history = History {
        events: 0,
        hours: 0.0,
        occurrences,
    };
    for &(a, b) in &out[start..] {
        history.events += if b < horizon { 2 } else { 1 };
        history.hours += b - a;
    }
    history
}

/// An up time: exponential of mean `every`, or a draw from the failure's
/// distribution.
fn up(failure: &Failure, rng: &mut Stream) -> f64 {
    match &failure.arrival {
        Arrival::Renewal(d) => d.sample(rng),
        _ => failure.every * rng.sample::<f64, _>(rand_distr::Exp1),
    }
}

/// Scheduled starts `first + k * every` below the horizon, each happening
/// with probability `chance` (one uniform draw per start when below 1, then
/// a `lasts` draw when it happens); overlapping outages merge (each merge
/// noted in `merged`). Returns the starts that happened.
fn scheduled(
    (every, first, chance): (f64, f64, f64),
    lasts: &Distribution,
    horizon: f64,
    rng: &mut Stream,
    (out, merged): Merging<'_>,
) -> u32 {
    let start = out.len();
    let mut happened = 0u32;
    let mut k = 0u64;
    loop {
        let t = first + k as f64 * every;
        if t >= horizon {
            return happened;
        }
        k += 1;
        if chance < 1.0 && rng.random::<f64>() >= chance {
            continue;
        }
        happened = happened.saturating_add(1);
        let end = (t + lasts.sample(rng)).min(horizon);
        match out[start..].last_mut() {
            Some(last) if t <= last.1 => {
                last.1 = last.1.max(end);
                let k = out.len() - 1 - start;
                match merged.last_mut() {
                    Some((j, extra)) if *j == k => *extra += 1,
                    _ => merged.push((k, 1)),
                }
            }
            _ => out.push((t, end)),
        }
    }
}

/// The occurrences of a target repaired by crews, as seen by the replica
/// of rank `repair.rank`: each occurrence draws one `lasts` per replica of
/// the group, in rank order, and the crews take them in that order, each
/// the first free crew, from the occurrence's start. The target is up
/// again (its next up time starts) once the last replica is back.
fn repaired(
    failure: &Failure,
    repair: Repair,
    horizon: f64,
    rng: &mut Stream,
    out: &mut Vec<(f64, f64)>,
    scratch: &mut Scratch,
) -> u32 {
    let mut t = 0.0;
    let mut occurrences = 0u32;
    let crews = repair.crews.min(repair.size);
    loop {
        t += up(failure, rng);
        if t >= horizon {
            return occurrences;
        }
        occurrences = occurrences.saturating_add(1);
        let durations = (0..repair.size).map(|_| failure.lasts.sample(rng));
        schedule_repairs(t, durations, crews, &mut scratch.free, &mut scratch.ends);
        let mine = scratch.ends.get(repair.rank).copied().unwrap_or(t);
        out.push((t, mine.min(horizon)));
        t = scratch.ends.iter().copied().fold(t, f64::max);
    }
}

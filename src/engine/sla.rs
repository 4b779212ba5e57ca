//! SLA windows and the credits owed when a window's availability falls
//! below a tier.

use std::ops::Range;
use std::sync::atomic::AtomicBool;

use super::stopped;
use super::timeline::Arena;
use crate::model::Sla;

/// SLA windows with a refund owed, and the credits: the horizon is cut into
/// windows from time 0 (the last one may be shorter, its revenue pro rata),
/// each window's availability measured, and the largest refund of the tiers
/// it falls below paid on its revenue. Each window's credit goes to `owed`
/// as (window index, money), for the attribution. `None` when `stop` is set
/// meanwhile (read every [`STOP_EVERY`] windows).
pub(super) fn credits(
    sla: &Sla,
    arena: &Arena,
    range: &Range<usize>,
    horizon: f64,
    owed: &mut Vec<(f64, f64)>,
    stop: &AtomicBool,
) -> Option<(u32, f64)> {
    let mut breaches = 0;
    let mut credits = 0.0;
    let mut settle = |window: f64, lost: f64| {
        let start = window * sla.window;
        let length = sla.window.min(horizon - start);
        let availability = 1.0 - lost / length;
        let refund = sla
            .credits
            .iter()
            .filter(|tier| availability < tier.below)
            .map(|tier| tier.refund)
            .fold(None, |best: Option<f64>, r| {
                Some(best.map_or(r, |b| b.max(r)))
            });
        if let Some(refund) = refund {
            breaches += 1;
            let credit = refund * sla.revenue * length / sla.window;
            credits += credit;
            owed.push((window, credit));
        }
    };
    let mut window = 0.0;
    let mut lost = 0.0;
    let mut visited: u64 = 0;
    for i in range.clone() {
        let step = arena.steps[i];
        let end = arena.step_end(range, i, horizon);
        let mut t = step.t;
        while step.v < 1.0 && t < end {
            visited += 1;
            if visited.is_multiple_of(STOP_EVERY) {
                stopped(stop)?;
            }
            let (w, until) = window_piece(t, end, sla.window);
            if w != window {
                if lost > 0.0 {
                    settle(window, lost);
                }
                (window, lost) = (w, 0.0);
            }
            lost += (1.0 - step.v) * (until - t);
            t = until;
        }
    }
    if lost > 0.0 {
        settle(window, lost);
    }
    Some((breaches, credits))
}

/// SLA windows measured between two reads of the stop flag.
const STOP_EVERY: u64 = 1 << 20;

/// The SLA window (its index from 0) that the time `t` falls in, and the
/// end of the piece of `[t, end)` within it: every window is measured,
/// however small. The credits and their attribution cut time the same way.
pub(super) fn window_piece(t: f64, end: f64, window: f64) -> (f64, f64) {
    let mut w = (t / window).floor();
    if (w + 1.0) * window <= t {
        // rounding put t at the end of window w: it starts the next
        w += 1.0;
    }
    let until = end.min((w + 1.0) * window);
    // a window below the precision of t (only with the limits raised far):
    // finish the stretch here rather than never advance
    (w, if until <= t { end } else { until })
}

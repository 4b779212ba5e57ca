//! Sharing a lost rate among the culprits in effect: a sweep over the
//! culprit intervals of a loss step, the rate split equally among the
//! distinct culprits at every instant, cut at the service's SLA windows.

use super::scratch::Scratch;
use crate::engine::Workspace;
use crate::model::Traffic;

/// Leaves the rate `rates.0` over `[a, b)` unattributed and splits the rate
/// `rates.1` equally among the culprits in effect.
pub(super) fn sweep(
    ws: &mut Workspace,
    s: u32,
    (a, b): (f64, f64),
    rates: (f64, f64),
    price: (f64, Option<&Traffic>),
) {
    let blame = &mut ws.blame;
    blame.entries.clear();
    for &(from, to, k) in &blame.intervals {
        blame.entries.push((from, k, true));
        blame.entries.push((to, k, false));
    }
    blame
        .entries
        .sort_unstable_by(|x, y| x.0.total_cmp(&y.0).then(y.2.cmp(&x.2)).then(x.1.cmp(&y.1)));
    let mut previous = a;
    let entries = std::mem::take(&mut blame.entries);
    for &(t, occurrence, is_start) in &entries {
        // intervals of a whole step swept piece by piece reach outside (a, b)
        blame.spread((previous.max(a), t.min(b)), s, rates, price);
        previous = previous.max(t);
        let o = occurrence as usize;
        if is_start {
            blame.count[o] += 1;
            if blame.count[o] == 1 {
                blame.position[o] = blame.active.len() as u32;
                blame.active.push(occurrence);
            }
        } else {
            blame.count[o] -= 1;
            if blame.count[o] == 0 {
                let p = blame.position[o] as usize;
                blame.active.swap_remove(p);
                if let Some(&moved) = blame.active.get(p) {
                    blame.position[moved as usize] = p as u32;
                }
            }
        }
    }
    blame.spread((previous, b), s, rates, price);
    blame.entries = entries;
}

impl Scratch {
    /// Over `[from, to)`: the rate `rates.0` unattributed, the rate
    /// `rates.1` [shared](Scratch::share) by the culprits; cut at the
    /// service's SLA windows (their credits are shared as each one closes).
    #[inline]
    pub(super) fn spread(
        &mut self,
        (from, to): (f64, f64),
        s: u32,
        rates: (f64, f64),
        price: (f64, Option<&Traffic>),
    ) {
        if to <= from {
            return;
        }
        if self.windows.length == f64::INFINITY {
            self.both(from, to, s, rates, price);
            return;
        }
        let mut t = from;
        while t < to {
            let (index, until) = crate::engine::sla::window_piece(t, to, self.windows.length);
            if index != self.windows.index {
                self.settle_window();
                self.settle_unmatched(index);
                self.windows.index = index;
            }
            self.both(t, until, s, rates, price);
            t = until;
        }
    }

    /// The two rates of [`spread`](Scratch::spread) over `[from, to)`.
    #[inline]
    fn both(
        &mut self,
        from: f64,
        to: f64,
        s: u32,
        rates: (f64, f64),
        price: (f64, Option<&Traffic>),
    ) {
        if rates.0 > 0.0 {
            self.share(from, to, s, rates.0, price, false);
        }
        if rates.1 > 0.0 {
            self.share(from, to, s, rates.1, price, true);
        }
    }

    /// Splits the loss rate `loss` over `[from, to)` equally among the
    /// culprits in effect (or, when none is, those last in effect), or
    /// leaves it unattributed when it is not `claimed` or nobody is to blame.
    fn share(
        &mut self,
        from: f64,
        to: f64,
        s: u32,
        loss: f64,
        price: (f64, Option<&Traffic>),
        claimed: bool,
    ) {
        let lost = (to - from) * loss;
        let (per_hour, traffic) = price;
        let weighted = traffic.map_or(to - from, |t| t.between(from, to)) * loss;
        let culprits = if !claimed {
            &self.active[..0]
        } else if self.active.is_empty() {
            &self.fallback
        } else {
            self.fallback.clone_from(&self.active);
            &self.active
        };
        let windowed = self.windows.length < f64::INFINITY;
        if culprits.is_empty() {
            self.unattributed += lost;
            self.unattributed_cost += weighted * per_hour;
            if windowed {
                self.windows.unclaimed += lost;
            }
            return;
        }
        let n = culprits.len() as f64;
        for &o in culprits {
            let o = o as usize;
            self.lost[o] += lost / n;
            self.cost[o] += weighted / n * per_hour;
            if !self.seen[o] {
                self.seen[o] = true;
                self.touched.push(o as u32);
            }
            if windowed {
                if self.windows.lost[o] == 0.0 {
                    self.windows.hit.push(o as u32);
                }
                self.windows.lost[o] += lost / n;
            }
            if self.last_service[o] != s {
                if self.record {
                    self.hits.push((o as u32, s));
                }
                self.last_service[o] = s;
                self.blast[o] += 1;
            }
        }
    }

    /// Gives occurrence `o` `money` (a data loss or a credit it caused).
    #[inline]
    pub(super) fn charge(&mut self, o: usize, money: f64) {
        self.cost[o] += money;
        if !self.seen[o] {
            self.seen[o] = true;
            self.touched.push(o as u32);
        }
    }
}

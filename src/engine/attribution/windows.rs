//! SLA windows during the attribution: each window's lost service per
//! occurrence, and its credit shared pro rata as the window closes.

use super::scratch::Scratch;

/// The SLA windows of the service being attributed: each window's lost
/// service, per occurrence and unattributed, until its credit is shared.
#[derive(Debug, Default)]
pub(super) struct Windows {
    /// Window length (hours); infinite without an SLA.
    pub(super) length: f64,
    /// Index of the window being filled.
    pub(super) index: f64,
    /// Per occurrence: lost hours in the window.
    pub(super) lost: Vec<f64>,
    /// Occurrences with lost hours in the window.
    pub(super) hit: Vec<u32>,
    /// Lost hours in the window no occurrence caused.
    pub(super) unclaimed: f64,
    /// The service's credits (window index, money), and the next one to share.
    pub(super) credits: Vec<(f64, f64)>,
    pub(super) next: usize,
}

impl Windows {
    /// Starts the windows of a service: of `length` hours (infinite without
    /// an SLA), with their `credits`.
    pub(super) fn open(&mut self, length: f64, credits: &[(f64, f64)]) {
        self.length = length;
        self.index = -1.0;
        self.unclaimed = 0.0;
        self.credits.clear();
        self.credits.extend_from_slice(credits);
        self.next = 0;
    }
}

impl Scratch {
    /// Shares the credit of the window being filled, if it has one, pro rata
    /// to the lost hours in it, and empties the window.
    pub(super) fn settle_window(&mut self) {
        let w = &mut self.windows;
        let credit = match w.credits.get(w.next) {
            Some(&(index, credit)) if index == w.index => {
                w.next += 1;
                credit
            }
            _ => 0.0,
        };
        let total = w.unclaimed + w.hit.iter().map(|&o| w.lost[o as usize]).sum::<f64>();
        if credit > 0.0 && total > 0.0 {
            self.unattributed_cost += credit * w.unclaimed / total;
            for k in 0..self.windows.hit.len() {
                let o = self.windows.hit[k] as usize;
                let part = credit * self.windows.lost[o] / total;
                self.charge(o, part);
            }
        } else {
            self.unattributed_cost += credit;
        }
        let w = &mut self.windows;
        w.hit.iter().for_each(|&o| w.lost[o as usize] = 0.0);
        w.hit.clear();
        w.unclaimed = 0.0;
    }

    /// Leaves unattributed the credits of windows before `index` that no
    /// lost hour was found in (none, unless rounding at a window boundary
    /// put a window's last sliver of loss in the next one).
    pub(super) fn settle_unmatched(&mut self, index: f64) {
        let w = &mut self.windows;
        while let Some(&(i, credit)) = w.credits.get(w.next) {
            if i >= index {
                break;
            }
            w.next += 1;
            self.unattributed_cost += credit;
        }
    }
}

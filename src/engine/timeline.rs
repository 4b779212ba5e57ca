//! Piecewise-constant functions of time (served fractions), stored as steps in
//! one arena per trial so that building them allocates nothing once warm.

use std::ops::Range;

/// One step: from `t` on (until the next step) the value is `v`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Step {
    /// Start time (hours).
    pub t: f64,
    /// Value from `t` on.
    pub v: f64,
    /// For service timelines: the deployments contributing to the loss.
    pub mask: u64,
}

/// An arena of steps; a timeline is a range of it whose first step is at 0.
#[derive(Debug, Default)]
pub struct Arena {
    /// All steps of all timelines of the current trial.
    pub steps: Vec<Step>,
}

impl Arena {
    /// Starts a new timeline at time 0 with value `v`; returns its start index.
    #[inline]
    pub fn begin(&mut self, v: f64, mask: u64) -> usize {
        self.steps.push(Step { t: 0.0, v, mask });
        self.steps.len() - 1
    }

    /// Appends a change at `t` to the timeline that began at `start`, merging
    /// changes at the same instant and dropping changes to the same value.
    #[inline]
    pub fn push(&mut self, start: usize, t: f64, v: f64, mask: u64) {
        let last = self.steps.len() - 1;
        let tail = self.steps[last];
        if tail.t == t && last > start {
            let before = self.steps[last - 1];
            if before.v == v && before.mask == mask {
                self.steps.pop();
            } else {
                self.steps[last] = Step { t, v, mask };
            }
        } else if tail.t == t {
            self.steps[last] = Step { t, v, mask };
        } else if tail.v != v || tail.mask != mask {
            self.steps.push(Step { t, v, mask });
        }
    }

    /// The range of the timeline that began at `start` (ends at the arena's end).
    #[inline]
    pub fn finish(&self, start: usize) -> Range<usize> {
        start..self.steps.len()
    }

    /// The index of the step in effect at time `t` within `range`.
    #[inline]
    pub fn index_at(&self, range: &Range<usize>, t: f64) -> usize {
        let slice = &self.steps[range.clone()];
        let n = slice.partition_point(|s| s.t <= t);
        range.start + n.saturating_sub(1)
    }

    /// The end time of step `i` of `range` (the next step's start, or `horizon`).
    #[inline]
    pub fn step_end(&self, range: &Range<usize>, i: usize, horizon: f64) -> f64 {
        if i + 1 < range.end {
            self.steps[i + 1].t
        } else {
            horizon
        }
    }

    /// Whether the timeline is 1 throughout: a single step at 1.
    #[inline]
    pub fn constant_one(&self, range: &Range<usize>) -> bool {
        range.len() == 1 && self.steps[range.start].v >= 1.0
    }

    /// Whether the timeline is below 1 anywhere in `[a, b)`.
    pub fn degraded_within(&self, range: &Range<usize>, a: f64, b: f64) -> bool {
        let mut i = self.index_at(range, a);
        while i < range.end && self.steps[i].t < b {
            if self.steps[i].v < 1.0 {
                return true;
            }
            i += 1;
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_at_the_same_instant_are_merged() {
        let mut a = Arena::default();
        let s = a.begin(1.0, 0);
        a.push(s, 2.0, 0.0, 0);
        a.push(s, 2.0, 1.0, 0);
        a.push(s, 3.0, 1.0, 0);
        a.push(s, 4.0, 0.5, 0);
        let r = a.finish(s);
        let values: Vec<(f64, f64)> = a.steps[r].iter().map(|x| (x.t, x.v)).collect();
        assert_eq!(values, vec![(0.0, 1.0), (4.0, 0.5)]);
    }
}

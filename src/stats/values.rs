//! The per-trial values of one measure, behind its percentiles: every value
//! (exact percentiles), or, when a run has too many trials for that, a
//! [`Sketch`] of them (percentiles within [`RELATIVE_ERROR`]).
//!
//! [`RELATIVE_ERROR`]: super::sketch::RELATIVE_ERROR

use super::percentile;
use super::sketch::{true_range, Sketch};

/// The values of a measure that keeps none.
pub static NO_VALUES: Values = Values::Exact(Vec::new());

/// One value per trial, kept exactly or sketched.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Values {
    /// Every value: in trial order until [`Values::sort`], then ascending.
    Exact(Vec<f64>),
    /// Bucket counts: memory independent of the number of trials.
    Sketch(Sketch),
}

impl Default for Values {
    fn default() -> Self {
        Values::Exact(Vec::new())
    }
}

impl Values {
    /// Room for `trials` exact values, or an empty sketch when `sketched`.
    pub fn with_capacity(trials: usize, sketched: bool) -> Values {
        if sketched {
            Values::Sketch(Sketch::default())
        } else {
            Values::Exact(Vec::with_capacity(trials))
        }
    }

    /// Adds one trial's value.
    #[inline]
    pub fn push(&mut self, x: f64) {
        match self {
            Values::Exact(v) => v.push(x),
            Values::Sketch(s) => s.push(x),
        }
    }

    /// Adds the values of `other` (after these, for exact values).
    pub fn append(&mut self, other: &Values) {
        match (self, other) {
            (Values::Exact(v), Values::Exact(w)) => v.extend_from_slice(w),
            (Values::Sketch(s), Values::Exact(w)) => w.iter().for_each(|&x| s.push(x)),
            (Values::Sketch(s), Values::Sketch(t)) => s.merge(t),
            (this @ Values::Exact(_), Values::Sketch(t)) => {
                let mut s = Sketch::default();
                if let Values::Exact(v) = this {
                    v.iter().for_each(|&x| s.push(x));
                }
                s.merge(t);
                *this = Values::Sketch(s);
            }
        }
    }

    /// Number of values.
    pub fn len(&self) -> u64 {
        match self {
            Values::Exact(v) => v.len() as u64,
            Values::Sketch(s) => s.len(),
        }
    }

    /// True when there are no values.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Sorts exact values ascending (what the percentiles need).
    pub fn sort(&mut self) {
        if let Values::Exact(v) = self {
            v.sort_unstable_by(f64::total_cmp);
        }
    }

    /// The exact values, if they are kept.
    pub fn exact(&self) -> Option<&[f64]> {
        match self {
            Values::Exact(v) => Some(v),
            Values::Sketch(_) => None,
        }
    }

    /// The nearest-rank `p`-quantile (exact values must be sorted).
    pub fn percentile(&self, p: f64) -> f64 {
        match self {
            Values::Exact(v) => percentile(v, p),
            Values::Sketch(s) => s.percentile(p),
        }
    }

    /// The largest value (exact values must be sorted); 0 without values.
    pub fn max(&self) -> f64 {
        match self {
            Values::Exact(v) => v.last().copied().unwrap_or(0.0),
            Values::Sketch(s) => s.max(),
        }
    }

    /// Bounds on the order statistics of ranks `l` and `u` (1-based,
    /// clamped to `1..=n`; exact values must be sorted): the values
    /// themselves, or for a sketch its estimates widened by the relative
    /// error so that they still bound the true ones.
    pub fn rank_bounds(&self, l: u64, u: u64) -> [f64; 2] {
        let n = self.len();
        match self {
            Values::Exact(v) => {
                let at = |rank: u64| {
                    let index = rank.clamp(1, n.max(1)) as usize - 1;
                    v.get(index).copied().unwrap_or(0.0)
                };
                [at(l), at(u)]
            }
            Values::Sketch(s) if s.is_empty() => [0.0, 0.0],
            Values::Sketch(s) => {
                let (lo, hi) = (s.at_rank(l.max(1)), s.at_rank(u.min(n)));
                let (min, max) = (s.at_rank(1), s.max());
                [
                    true_range(lo)[0].clamp(min, max),
                    true_range(hi)[1].clamp(min, max),
                ]
            }
        }
    }

    /// How many values are at most `target` (`strict`: below it); about
    /// that many for a sketch.
    pub fn count_below(&self, target: f64, strict: bool) -> u64 {
        match self {
            Values::Exact(v) => {
                let below = |x: &&f64| if strict { **x < target } else { **x <= target };
                v.iter().filter(below).count() as u64
            }
            Values::Sketch(s) => s.count_below(target, strict),
        }
    }

    /// Calls `f` with `(value, count)` in ascending order of value (exact
    /// values must be sorted; a sketch gives one pair per bucket).
    pub fn for_each_weighted(&self, mut f: impl FnMut(f64, u64)) {
        match self {
            Values::Exact(v) => v.iter().for_each(|&x| f(x, 1)),
            Values::Sketch(s) => s.for_each_bucket(f),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::sketch::RELATIVE_ERROR;

    #[test]
    fn exact_values_appended_to_a_sketch_count_like_pushed_ones() {
        let xs: Vec<f64> = (0..200).map(|i| f64::from(i % 17) * 0.37).collect();
        let mut pushed = Values::with_capacity(0, true);
        xs.iter().for_each(|&x| pushed.push(x));
        let mut appended = Values::with_capacity(0, true);
        appended.append(&Values::Exact(xs[..50].to_vec()));
        appended.append(&Values::Exact(xs[50..].to_vec()));
        assert_eq!(pushed, appended);
        let mut exact = Values::Exact(xs[..50].to_vec());
        let mut rest = Values::with_capacity(0, true);
        xs[50..].iter().for_each(|&x| rest.push(x));
        exact.append(&rest);
        assert_eq!(exact, pushed);
    }

    #[test]
    fn sketched_rank_bounds_contain_the_exact_order_statistics() {
        let xs: Vec<f64> = (1..=1000).map(|i| f64::from(i).powf(1.7) / 3.0).collect();
        let mut sketched = Values::with_capacity(0, true);
        xs.iter().for_each(|&x| sketched.push(x));
        let exact = Values::Exact(xs.clone());
        for (l, u) in [(1, 1000), (40, 61), (980, 995), (2, 999)] {
            let [lo, hi] = sketched.rank_bounds(l, u);
            let [elo, ehi] = exact.rank_bounds(l, u);
            assert!(lo <= elo && hi >= ehi, "{l} {u}: {lo} {elo} {hi} {ehi}");
            assert!(elo - lo <= 2.1 * RELATIVE_ERROR * elo, "{l}");
            assert!(hi - ehi <= 2.1 * RELATIVE_ERROR * ehi, "{u}");
        }
        assert_eq!(sketched.max(), exact.max());
        let below = sketched.count_below(xs[499], false) as f64;
        assert!((below - 500.0).abs() <= 10.0, "{below}");
    }
}

//! A mergeable quantile sketch with a relative-error bound: the log-bucket
//! sketch of DDSketch (Masson, Rim and Lee, VLDB 2019), reduced to what
//! faultline needs.
//!
//! A value `x > 0` is counted in bucket `i = ceil(log_gamma(x))`, which holds
//! the values in `(gamma^(i-1), gamma^i]`, with `gamma = (1 + a) / (1 - a)`;
//! the bucket stands for `2 gamma^i / (gamma + 1)`, within a relative error
//! `a` ([`RELATIVE_ERROR`]) of every value in it. Negative values are counted
//! the same way by magnitude, zeros exactly, and the count, the smallest and
//! the largest value are exact. Merging adds counts, so a sketch does not
//! depend on the order its values came in: the same document for any number
//! of threads and for shards merged.
//!
//! Memory: one `u64` per bucket between the smallest and the largest
//! magnitude, about 230 per decade (14 KB for values from a second to a year
//! in hours), however many values.

/// The relative error `a` of every quantile a sketch gives: the value it
/// reports is within `a * |x|` of the true nearest-rank value `x`.
pub const RELATIVE_ERROR: f64 = 0.005;

/// `gamma = (1 + a) / (1 - a)`: the ratio of a bucket's upper to its lower bound.
const GAMMA: f64 = (1.0 + RELATIVE_ERROR) / (1.0 - RELATIVE_ERROR);

/// Magnitudes below this are counted as this (in hours: 3.6 microseconds);
/// the bound on the error is then absolute, `SMALLEST * (1 + a)`.
pub const SMALLEST: f64 = 1e-9;

/// Magnitudes above this are counted as this (keeps the bucket range finite).
const LARGEST: f64 = 1e300;

/// Counts of values by bucket, for a mergeable, order-free quantile estimate.
/// Read from a partial result it is untrusted: [`Sketch::check`] it.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sketch {
    /// Values counted.
    n: u64,
    /// Values equal to zero.
    zeros: u64,
    /// Positive values, by bucket of their magnitude.
    positive: Store,
    /// Negative values, by bucket of their magnitude.
    negative: Store,
    /// The smallest value (exact; meaningless while `n == 0`).
    min: f64,
    /// The largest value (exact; meaningless while `n == 0`).
    max: f64,
}

/// Dense counts for the buckets `offset ..= offset + counts.len() - 1`. The
/// range is exactly the one between the smallest and largest bucket used,
/// so equal contents compare equal whatever the order of insertion.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Store {
    offset: i32,
    counts: Vec<u64>,
}

impl Store {
    fn add(&mut self, index: i32, count: u64) {
        if self.counts.is_empty() {
            self.offset = index;
            self.counts.push(count);
            return;
        }
        if index < self.offset {
            let grow = (self.offset - index) as usize;
            self.counts.splice(0..0, std::iter::repeat_n(0, grow));
            self.offset = index;
        }
        let at = (index - self.offset) as usize;
        if at >= self.counts.len() {
            self.counts.resize(at + 1, 0);
        }
        self.counts[at] += count;
    }

    fn merge(&mut self, other: &Store) {
        for (index, count) in other.iter() {
            self.add(index, count);
        }
    }

    /// The non-empty buckets, ascending: `(index, count)`.
    fn iter(&self) -> impl DoubleEndedIterator<Item = (i32, u64)> + '_ {
        (self.counts.iter().enumerate())
            .filter(|(_, &c)| c > 0)
            .map(|(k, &c)| (self.offset + k as i32, c))
    }
}

/// The bucket of a magnitude.
fn index(magnitude: f64) -> i32 {
    (magnitude.clamp(SMALLEST, LARGEST).ln() / GAMMA.ln()).ceil() as i32
}

/// The value a bucket stands for: `2 gamma^i / (gamma + 1)`.
fn value(index: i32) -> f64 {
    2.0 * (f64::from(index) * GAMMA.ln()).exp() / (GAMMA + 1.0)
}

impl Sketch {
    /// Counts one value. A NaN is counted as zero (the engine makes none).
    pub fn push(&mut self, x: f64) {
        let x = if x.is_nan() { 0.0 } else { x };
        if self.n == 0 {
            (self.min, self.max) = (x, x);
        } else {
            self.min = self.min.min(x);
            self.max = self.max.max(x);
        }
        self.n += 1;
        if x > 0.0 {
            self.positive.add(index(x), 1);
        } else if x < 0.0 {
            self.negative.add(index(-x), 1);
        } else {
            self.zeros += 1;
        }
    }

    /// Adds the counts of `other`: the sketch of both sets of values.
    pub fn merge(&mut self, other: &Sketch) {
        if other.n == 0 {
            return;
        }
        if self.n == 0 {
            (self.min, self.max) = (other.min, other.max);
        } else {
            self.min = self.min.min(other.min);
            self.max = self.max.max(other.max);
        }
        self.n += other.n;
        self.zeros += other.zeros;
        self.positive.merge(&other.positive);
        self.negative.merge(&other.negative);
    }

    /// Values counted.
    pub fn len(&self) -> u64 {
        self.n
    }

    /// Checks a sketch read from outside (a partial result): its buckets
    /// within the range any value maps to, the first and last of each store
    /// used, the counts adding up to the number of values, and the smallest
    /// and largest values in order; `Ok` with the values' range
    /// `[min, max]` (`[0, 0]` when empty).
    ///
    /// # Errors
    /// What is wrong, as a sentence.
    pub fn check(&self) -> Result<[f64; 2], String> {
        let mut total = self.zeros;
        for (name, store) in [("positive", &self.positive), ("negative", &self.negative)] {
            if let (Some(&first), Some(&last)) = (store.counts.first(), store.counts.last()) {
                let top = i64::from(store.offset) + store.counts.len() as i64 - 1;
                if store.offset < index(SMALLEST) || top > i64::from(index(LARGEST)) {
                    return Err(format!(
                        "its {name} buckets lie outside the range of any value"
                    ));
                }
                if first == 0 || last == 0 {
                    return Err(format!("its {name} buckets start or end with an empty one"));
                }
            }
            for &c in &store.counts {
                total = total
                    .checked_add(c)
                    .ok_or_else(|| "its counts add up past 2^64".to_string())?;
            }
        }
        if total != self.n {
            return Err(format!(
                "its counts add up to {total}, not its {} values",
                self.n
            ));
        }
        if self.n == 0 {
            return Ok([0.0, 0.0]);
        }
        if !(self.min.is_finite() && self.max.is_finite() && self.min <= self.max) {
            return Err("its smallest and largest values are out of order".into());
        }
        Ok([self.min, self.max])
    }

    /// True when no value was counted.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// The largest value, exact (0 for an empty sketch).
    pub fn max(&self) -> f64 {
        if self.n == 0 {
            0.0
        } else {
            self.max
        }
    }

    /// The `rank`-th smallest value (1-based, clamped to `1..=n`), within
    /// [`RELATIVE_ERROR`] of the true one; the smallest and the largest are
    /// exact. 0 for an empty sketch.
    pub fn at_rank(&self, rank: u64) -> f64 {
        if self.n == 0 {
            return 0.0;
        }
        if rank >= self.n {
            return self.max;
        }
        if rank <= 1 {
            return self.min;
        }
        let mut seen = 0;
        let estimate = self.walk(|(_, count)| {
            seen += count;
            seen >= rank
        });
        // the true value lies in [min, max]: clamping only brings it closer
        estimate.map_or(self.max, |x| x.clamp(self.min, self.max))
    }

    /// The `p`-quantile by the nearest-rank method: the value of rank
    /// `ceil(p n)`, within [`RELATIVE_ERROR`].
    pub fn percentile(&self, p: f64) -> f64 {
        self.at_rank((p * self.n as f64).ceil() as u64)
    }

    /// Calls `f` with `(value, count)` for each non-empty bucket, ascending,
    /// until it returns true; returns that bucket's value.
    fn walk(&self, mut f: impl FnMut((f64, u64)) -> bool) -> Option<f64> {
        let negative = (self.negative.iter().rev()).map(|(i, c)| (-value(i), c));
        let zeros = (self.zeros > 0).then_some((0.0, self.zeros));
        let positive = self.positive.iter().map(|(i, c)| (value(i), c));
        negative
            .chain(zeros)
            .chain(positive)
            .find(|&bucket| f(bucket))
            .map(|(x, _)| x)
    }

    /// Calls `f` with `(value, count)` for every non-empty bucket, ascending
    /// (zeros exact, the others as their bucket's value).
    pub fn for_each_bucket(&self, mut f: impl FnMut(f64, u64)) {
        self.walk(|(x, count)| {
            f(x, count);
            false
        });
    }

    /// About how many values are at most `target` (`strict`: below it),
    /// deciding each bucket by the value it stands for.
    pub fn count_below(&self, target: f64, strict: bool) -> u64 {
        let mut below = 0;
        self.walk(|(x, count)| {
            let inside = if strict { x < target } else { x <= target };
            if inside {
                below += count;
            }
            !inside
        });
        below
    }
}

/// The widest a true value can be, given a sketch's estimate `x` of it:
/// `[x / (1 + a), x / (1 - a)]` for `x >= 0` (mirrored below 0).
pub fn true_range(x: f64) -> [f64; 2] {
    let (shrink, stretch) = (x / (1.0 + RELATIVE_ERROR), x / (1.0 - RELATIVE_ERROR));
    if x >= 0.0 {
        [shrink, stretch]
    } else {
        [stretch, shrink]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::percentile;
    use proptest::prelude::*;

    fn sketch(values: &[f64]) -> Sketch {
        let mut s = Sketch::default();
        values.iter().for_each(|&x| s.push(x));
        s
    }

    /// Within the relative error (plus the absolute floor near zero, and a
    /// hair for the logarithm's rounding at a bucket's edge).
    fn close(estimate: f64, exact: f64) -> bool {
        (estimate - exact).abs() <= RELATIVE_ERROR * (1.0 + 1e-9) * exact.abs() + 2.0 * SMALLEST
    }

    #[test]
    fn the_empty_sketch_gives_zero() {
        let s = Sketch::default();
        assert_eq!((s.len(), s.max(), s.percentile(0.5)), (0, 0.0, 0.0));
        assert!(s.is_empty());
    }

    #[test]
    fn zeros_are_exact_and_the_ends_are_exact() {
        let mut values = vec![0.0; 90];
        values.extend((1..=10).map(|i| f64::from(i) * 1.2345));
        let s = sketch(&values);
        assert_eq!(s.percentile(0.5), 0.0);
        assert_eq!(s.percentile(0.9), 0.0);
        assert_eq!(s.at_rank(1), 0.0);
        assert_eq!(s.max(), 10.0 * 1.2345);
        assert_eq!(s.percentile(1.0), 10.0 * 1.2345);
        assert!(close(s.percentile(0.91), 1.2345));
        assert!(close(s.percentile(0.99), 11.1105));
    }

    #[test]
    fn a_bucket_value_is_within_the_error_of_both_its_edges() {
        for i in [-700, -1, 0, 1, 900] {
            let (lo, hi) = (
                (f64::from(i - 1) * GAMMA.ln()).exp(),
                (f64::from(i) * GAMMA.ln()).exp(),
            );
            let v = value(i);
            assert!((v - lo) / lo <= RELATIVE_ERROR + 1e-12, "{i}");
            assert!((hi - v) / hi <= RELATIVE_ERROR + 1e-12, "{i}");
        }
    }

    #[test]
    fn extreme_values_neither_panic_nor_allocate_without_bound() {
        let s = sketch(&[
            f64::MIN_POSITIVE,
            1e-300,
            f64::MAX,
            f64::INFINITY,
            f64::NAN,
            -5.0,
        ]);
        assert_eq!(s.len(), 6);
        assert_eq!(s.max(), f64::INFINITY);
        assert_eq!(s.at_rank(1), -5.0);
        assert!(s.positive.counts.len() < 200_000);
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, rng_seed: proptest::test_runner::RngSeed::Fixed(6), ..ProptestConfig::default() })]

        #[test]
        fn every_rank_is_within_the_relative_error(
            values in prop::collection::vec(
                prop_oneof![Just(0.0), 1e-6f64..1e-3, 1e-3f64..10.0, 10.0f64..1e7, -1e4f64..-1e-3],
                1..400,
            )
        ) {
            let s = sketch(&values);
            let mut sorted = values.clone();
            sorted.sort_unstable_by(f64::total_cmp);
            for rank in 1..=sorted.len() as u64 {
                let exact = sorted[rank as usize - 1];
                prop_assert!(close(s.at_rank(rank), exact), "rank {} {} {}", rank, s.at_rank(rank), exact);
            }
            for p in [0.5, 0.9, 0.99] {
                prop_assert!(close(s.percentile(p), percentile(&sorted, p)));
            }
            prop_assert_eq!(s.max(), sorted[sorted.len() - 1]);
        }

        #[test]
        fn merging_is_associative_and_commutative(
            a in prop::collection::vec(0.0f64..1e4, 0..50),
            b in prop::collection::vec(-1e2f64..1e4, 0..50),
            c in prop::collection::vec(0.0f64..1e-2, 0..50),
        ) {
            let (sa, sb, sc) = (sketch(&a), sketch(&b), sketch(&c));
            let mut ab_c = sa.clone();
            ab_c.merge(&sb);
            ab_c.merge(&sc);
            let mut bc = sb.clone();
            bc.merge(&sc);
            let mut a_bc = sa.clone();
            a_bc.merge(&bc);
            let mut c_b_a = sc.clone();
            c_b_a.merge(&sb);
            c_b_a.merge(&sa);
            let all: Vec<f64> = a.iter().chain(&b).chain(&c).copied().collect();
            prop_assert_eq!(&ab_c, &a_bc);
            prop_assert_eq!(&ab_c, &c_b_a);
            prop_assert_eq!(&ab_c, &sketch(&all));
        }
    }
}

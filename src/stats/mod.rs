//! Statistics over trials: mergeable moments, confidence intervals,
//! percentiles, and the result document they fill.

mod accumulate;
pub mod control;
pub mod objective;
pub mod paired;
mod quantile;
pub mod rare;
mod result;
pub mod sketch;
mod values;

pub use accumulate::{traffic_carried, Accumulator, TrialValues, RNG_SCHEME};
pub use accumulate::{FailureSummary, Summary, ValueLists, SERVICE_MEASURES};
pub use quantile::quantile_ci_ranks;
pub use rare::Rare;
pub use sketch::Sketch;
pub use values::{Values, NO_VALUES};

pub use result::{
    Availability, BlastRadius, Bound, CauseStats, ConfidenceResult, Distribution, EngineStats,
    Estimate, FailureStats, Mean, ObjectiveResult, PercentileSketch, Provenance, RunResult,
    ServiceStats, Unattributed, VarianceReduction, Verdict,
};

/// The standard normal quantile of 97.5%: a 95% interval is +- this many standard errors.
pub const Z95: f64 = 1.959_963_984_540_054;

/// Count, mean and sum of squared deviations (Welford), mergeable in a fixed
/// order so that results do not depend on how trials were split over threads.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Moments {
    /// Number of values.
    pub n: u64,
    /// Their mean.
    pub mean: f64,
    /// Sum of squared deviations from the mean.
    pub m2: f64,
    /// How many of the values are not zero (for [`rare`] measures).
    pub nonzero: u64,
}

impl Moments {
    /// Adds one value.
    #[inline]
    pub fn push(&mut self, x: f64) {
        self.n += 1;
        let delta = x - self.mean;
        self.mean += delta / self.n as f64;
        self.m2 += delta * (x - self.mean);
        self.nonzero += u64::from(x != 0.0);
    }

    /// Adds one value `x` of a trial of weight `w` (its likelihood ratio
    /// under importance sampling) as `w * x`, counting it nonzero when `x`
    /// is (the raw count [`rare`] reads). With `w = 1` this is [`push`].
    ///
    /// [`push`]: Moments::push
    #[inline(always)]
    pub fn push_scaled(&mut self, x: f64, w: f64) {
        self.n += 1;
        let y = w * x;
        let delta = y - self.mean;
        self.mean += delta / self.n as f64;
        self.m2 += delta * (y - self.mean);
        self.nonzero += u64::from(x != 0.0);
    }

    /// Merges another set of values in (Chan et al.).
    pub fn merge(&mut self, other: &Moments) {
        if other.n == 0 {
            return;
        }
        if self.n == 0 {
            *self = *other;
            return;
        }
        let n = self.n + other.n;
        let delta = other.mean - self.mean;
        let mean = self.mean + delta * other.n as f64 / n as f64;
        self.m2 += other.m2 + delta * delta * (self.n as f64 * other.n as f64) / n as f64;
        self.mean = mean;
        self.n = n;
        self.nonzero += other.nonzero;
    }

    /// Sample standard deviation (0 for fewer than two values).
    pub fn std_dev(&self) -> f64 {
        if self.n < 2 {
            0.0
        } else {
            (self.m2 / (self.n - 1) as f64).max(0.0).sqrt()
        }
    }

    /// Standard error of the mean.
    pub fn std_error(&self) -> f64 {
        if self.n == 0 {
            0.0
        } else {
            self.std_dev() / (self.n as f64).sqrt()
        }
    }

    /// The 95% confidence interval of the mean (normal approximation).
    pub fn ci95(&self) -> [f64; 2] {
        let half = Z95 * self.std_error();
        [self.mean - half, self.mean + half]
    }
}

/// The `p`-quantile of sorted values by the nearest-rank method: the smallest
/// value with at least `p * n` values at or below it. 0 for no values.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = (p * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merged_moments_equal_moments_of_all_values() {
        let xs: Vec<f64> = (0..100).map(|i| f64::from(i).sin() * 10.0).collect();
        let mut all = Moments::default();
        xs.iter().for_each(|&x| all.push(x));
        let mut a = Moments::default();
        let mut b = Moments::default();
        xs[..37].iter().for_each(|&x| a.push(x));
        xs[37..].iter().for_each(|&x| b.push(x));
        a.merge(&b);
        assert_eq!(a.n, all.n);
        assert!((a.mean - all.mean).abs() < 1e-12);
        assert!((a.m2 - all.m2).abs() < 1e-9);
    }

    #[test]
    fn nearest_rank_percentiles() {
        let xs: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&xs, 0.5), 50.0);
        assert_eq!(percentile(&xs, 0.9), 90.0);
        assert_eq!(percentile(&xs, 0.99), 99.0);
        assert_eq!(percentile(&xs, 1.0), 100.0);
        assert_eq!(percentile(&[3.0], 0.5), 3.0);
    }
}

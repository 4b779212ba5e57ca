//! Paired differences between two designs run on common random numbers:
//! trial i of both saw the same failure history, so the per-trial
//! differences vary far less than two independent runs would.

use serde::Serialize;

use super::{Moments, Z95};

/// Which way a measure improves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Better {
    /// Lower is better (lost hours, money).
    Lower,
    /// Higher is better (availability).
    Higher,
}

/// The judgement on one difference at 95% confidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The whole 95% CI of the difference is on the good side of 0.
    Better,
    /// The whole 95% CI of the difference is on the bad side of 0.
    Worse,
    /// The 95% CI contains 0.
    NoSignificantDifference,
}

/// The difference of a per-trial measure, a design minus the baseline.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Difference {
    /// Mean over trials of (design - baseline).
    pub mean: f64,
    /// 95% CI of that mean from the paired per-trial differences.
    pub ci95: [f64; 2],
    /// The 95% CI two independent runs of as many trials would give:
    /// mean +- 1.96 sqrt((var_design + var_baseline) / n).
    pub unpaired_ci95: [f64; 2],
    /// `(var_design + var_baseline) / var_difference`: how many times fewer
    /// trials pairing needs for the same precision (absent when the paired
    /// differences do not vary at all).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variance_reduction: Option<f64>,
    /// Probability that the design is better than the baseline on this
    /// measure's mean: Phi(-mean / standard error), turned for the measure's
    /// direction (1 or 0 when the difference is the same in every trial and
    /// not 0; 0.5 when it is 0 in every trial).
    pub p_better: f64,
    /// Better, worse or no significant difference at 95%.
    pub verdict: Verdict,
}

/// The difference of a run of fewer than two trials: one value says
/// nothing of the spread, so every interval spans every number and nothing
/// is decided.
fn unknown(mean: f64) -> Difference {
    Difference {
        mean,
        ci95: [-f64::MAX, f64::MAX],
        unpaired_ci95: [-f64::MAX, f64::MAX],
        variance_reduction: None,
        p_better: 0.5,
        verdict: Verdict::NoSignificantDifference,
    }
}

/// The difference of two values known exactly (not estimated from trials,
/// such as infrastructure prices): its interval is the value itself.
pub fn exact(baseline: f64, design: f64, better: Better) -> Difference {
    let mean = design - baseline;
    let good = match better {
        Better::Lower => -mean,
        Better::Higher => mean,
    };
    let (p_better, verdict) = if good > 0.0 {
        (1.0, Verdict::Better)
    } else if good < 0.0 {
        (0.0, Verdict::Worse)
    } else {
        (0.5, Verdict::NoSignificantDifference)
    };
    Difference {
        mean,
        ci95: [mean, mean],
        unpaired_ci95: [mean, mean],
        variance_reduction: None,
        p_better,
        verdict,
    }
}

/// The paired difference `design - baseline` of two per-trial series of the
/// same length (trial i of each saw the same failures). From fewer than two
/// trials the difference is unknown: intervals `[-f64::MAX, f64::MAX]`, no
/// significant difference.
pub fn difference(baseline: &[f64], design: &[f64], better: Better) -> Difference {
    let mut paired = Moments::default();
    let (mut a, mut b) = (Moments::default(), Moments::default());
    for (&x, &y) in baseline.iter().zip(design) {
        paired.push(y - x);
        a.push(x);
        b.push(y);
    }
    if paired.n < 2 {
        return unknown(paired.mean);
    }
    let n = paired.n as f64;
    let var = |m: &Moments| m.std_dev() * m.std_dev();
    let unpaired_half = Z95 * ((var(&a) + var(&b)) / n).sqrt();
    let se = paired.std_error();
    let ci95 = [paired.mean - Z95 * se, paired.mean + Z95 * se];
    let sign = match better {
        Better::Lower => -1.0,
        Better::Higher => 1.0,
    };
    let good = sign * paired.mean;
    let p_better = if se > 0.0 {
        normal_cdf(good / se)
    } else if good > 0.0 {
        1.0
    } else if good < 0.0 {
        0.0
    } else {
        0.5
    };
    let (lo, hi) = (sign * ci95[0], sign * ci95[1]);
    let verdict = if lo.min(hi) > 0.0 {
        Verdict::Better
    } else if lo.max(hi) < 0.0 {
        Verdict::Worse
    } else {
        Verdict::NoSignificantDifference
    };
    Difference {
        mean: paired.mean,
        ci95,
        unpaired_ci95: [paired.mean - unpaired_half, paired.mean + unpaired_half],
        variance_reduction: (var(&paired) > 0.0).then(|| (var(&a) + var(&b)) / var(&paired)),
        p_better,
        verdict,
    }
}

/// The standard normal distribution function, from `erfc` (absolute error
/// below 1.2e-7: ample for a probability shown with three decimals).
pub fn normal_cdf(x: f64) -> f64 {
    0.5 * erfc(-x / std::f64::consts::SQRT_2)
}

/// The complementary error function (Numerical Recipes' Chebyshev fit,
/// fractional error below 1.2e-7 everywhere).
fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let r = t * poly.exp();
    if x >= 0.0 {
        r
    } else {
        2.0 - r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_cdf_matches_tabulated_values() {
        assert!((normal_cdf(0.0) - 0.5).abs() < 1e-7);
        assert!((normal_cdf(1.959_963_984_540_054) - 0.975).abs() < 1e-7);
        assert!((normal_cdf(-1.0) - 0.158_655_253_931_457).abs() < 1e-7);
        assert!((normal_cdf(3.0) - 0.998_650_101_968_37).abs() < 1e-7);
    }

    #[test]
    fn one_trial_decides_nothing_whatever_its_difference() {
        for better in [Better::Lower, Better::Higher] {
            let d = difference(&[5.0], &[1.0], better);
            assert_eq!(d.mean, -4.0);
            assert_eq!(d.ci95, [-f64::MAX, f64::MAX]);
            assert_eq!(d.unpaired_ci95, [-f64::MAX, f64::MAX]);
            assert_eq!(d.verdict, Verdict::NoSignificantDifference);
            assert_eq!(d.p_better, 0.5);
            assert!(d.variance_reduction.is_none());
        }
        // two trials are enough to decide a difference that is always there
        let d = difference(&[5.0, 6.0], &[1.0, 1.5], Better::Lower);
        assert_eq!(d.verdict, Verdict::Better);
    }

    #[test]
    fn identical_series_differ_by_exactly_zero() {
        let xs = [1.0, 5.0, 0.0, 2.5];
        let d = difference(&xs, &xs, Better::Lower);
        assert_eq!(d.mean, 0.0);
        assert_eq!(d.ci95, [0.0, 0.0]);
        assert_eq!(d.variance_reduction, None);
        assert_eq!(d.p_better, 0.5);
        assert_eq!(d.verdict, Verdict::NoSignificantDifference);
    }

    #[test]
    fn a_constant_saving_is_better_with_certainty() {
        let a = [10.0, 20.0, 30.0];
        let b = [9.0, 19.0, 29.0];
        let d = difference(&a, &b, Better::Lower);
        assert_eq!(d.mean, -1.0);
        assert_eq!(d.ci95, [-1.0, -1.0]);
        assert_eq!((d.p_better, d.verdict), (1.0, Verdict::Better));
        // unpaired, the spread of the values themselves hides the saving
        assert!(d.unpaired_ci95[0] < -10.0 && d.unpaired_ci95[1] > 10.0);
        let up = difference(&a, &b, Better::Higher);
        assert_eq!((up.p_better, up.verdict), (0.0, Verdict::Worse));
    }

    #[test]
    fn paired_statistics_match_a_hand_computation() {
        let a = [1.0, 2.0, 3.0, 4.0];
        let b = [1.5, 2.0, 4.0, 4.5];
        // differences 0.5, 0, 1, 0.5: mean 0.5, sample variance 1/6
        let d = difference(&a, &b, Better::Lower);
        let se = (1.0f64 / 6.0 / 4.0).sqrt();
        assert!((d.mean - 0.5).abs() < 1e-15);
        assert!((d.ci95[1] - (0.5 + Z95 * se)).abs() < 1e-12);
        // var a = 5/3, var b = 13/6 (mean 3): ratio (5/3 + 13/6) / (1/6) = 23
        let expected = 23.0;
        assert!((d.variance_reduction.unwrap_or(0.0) - expected).abs() < 1e-9);
        assert!((d.p_better - normal_cdf(-0.5 / se)).abs() < 1e-15);
    }
}

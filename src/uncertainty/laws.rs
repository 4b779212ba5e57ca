//! The laws of uncertain inputs and their exact quantiles: `Between(a, b)`
//! on a duration (log-normal with a and b as its 5th and 95th
//! percentiles), `Between(a, b)` on a probability (uniform on [a, b]), and
//! `Observed(events: k, years: y)` on an `every` (the rate per year is
//! Gamma(k + 0.5, y), the Jeffreys posterior, and `every` its inverse).

use crate::stats::rare::ln_gamma;

/// Hours in a year (365 d), the unit of `Observed` rates.
pub const YEAR_HOURS: f64 = 8760.0;

/// The standard normal quantile of 0.95: `Between` on a duration puts its
/// ends this many log-standard deviations from the log-median.
pub const Z95_ONE_SIDED: f64 = 1.644_853_626_951_472_2;

/// The law of one uncertain input.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Law {
    /// A duration (hours), log-normal with 5th percentile `p5` and 95th `p95`.
    LogNormal {
        /// The 5th percentile, hours.
        p5: f64,
        /// The 95th percentile, hours.
        p95: f64,
    },
    /// A probability, uniform on `[low, high]`.
    Uniform {
        /// The lower end.
        low: f64,
        /// The upper end.
        high: f64,
    },
    /// An `every` (hours) whose rate per year is Gamma(`events` + 0.5,
    /// `years`): `every` = 8760 / rate.
    Observed {
        /// Events seen (>= 0).
        events: f64,
        /// Years watched (> 0).
        years: f64,
    },
}

impl Law {
    /// The exact `p`-quantile (0 < p < 1) of the input, in its unit.
    pub fn quantile(&self, p: f64) -> f64 {
        match *self {
            Law::LogNormal { p5, p95 } => {
                let mu = 0.5 * (p5.ln() + p95.ln());
                let sigma = (p95.ln() - p5.ln()) / (2.0 * Z95_ONE_SIDED);
                (mu + sigma * normal_quantile(p)).exp()
            }
            Law::Uniform { low, high } => low + p * (high - low),
            // every falls as the rate grows: its p-quantile is 1 / the
            // rate's (1 - p)-quantile
            Law::Observed { events, years } => {
                YEAR_HOURS / gamma_quantile(events + 0.5, years, 1.0 - p)
            }
        }
    }
}

/// The standard normal quantile (Acklam's rational approximation, relative
/// error below 1.2e-9), `0 < p < 1`.
pub fn normal_quantile(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    let tail = |q: f64| {
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    let low = 0.02425;
    if p < low {
        tail((-2.0 * p.ln()).sqrt())
    } else if p > 1.0 - low {
        -tail((-2.0 * (1.0 - p).ln()).sqrt())
    } else {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    }
}

/// The `p`-quantile of Gamma(`shape`, `rate`), by bisection on the
/// regularised lower incomplete gamma function.
pub fn gamma_quantile(shape: f64, rate: f64, p: f64) -> f64 {
    let mut hi = (shape + 10.0 * shape.sqrt() + 10.0) / rate;
    while lower_gamma(shape, hi * rate) < p {
        hi *= 2.0;
    }
    let mut lo = 0.0f64;
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        if lower_gamma(shape, mid * rate) < p {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// The regularised lower incomplete gamma function `P(s, x)`: its series
/// below `x = s + 1`, one minus the continued fraction of `Q` above.
pub fn lower_gamma(s: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    let ln_front = s * x.ln() - x - ln_gamma(s);
    if x < s + 1.0 {
        let (mut term, mut sum, mut a) = (1.0 / s, 1.0 / s, s);
        for _ in 0..100_000 {
            a += 1.0;
            term *= x / a;
            sum += term;
            if term.abs() < sum.abs() * 1e-16 {
                break;
            }
        }
        return sum * ln_front.exp();
    }
    // Lentz's continued fraction for Q(s, x)
    const TINY: f64 = 1e-300;
    let mut b = x + 1.0 - s;
    let mut c = 1.0 / TINY;
    let mut d = 1.0 / b;
    let mut h = d;
    for i in 1..100_000u32 {
        let an = -f64::from(i) * (f64::from(i) - s);
        b += 2.0;
        d = an * d + b;
        d = if d.abs() < TINY { TINY } else { d };
        c = b + an / c;
        c = if c.abs() < TINY { TINY } else { c };
        d = 1.0 / d;
        let delta = d * c;
        h *= delta;
        if (delta - 1.0).abs() < 1e-16 {
            break;
        }
    }
    1.0 - ln_front.exp() * h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_quantiles_match_known_values() {
        assert!(normal_quantile(0.5).abs() < 1e-12);
        assert!((normal_quantile(0.95) - Z95_ONE_SIDED).abs() < 1e-8);
        assert!((normal_quantile(0.975) - 1.959_963_984_540_054).abs() < 1e-8);
        assert!((normal_quantile(0.001) + 3.090_232_306_167_813).abs() < 1e-8);
    }

    #[test]
    fn a_between_duration_has_its_ends_as_p5_and_p95() {
        let law = Law::LogNormal {
            p5: 8760.0,
            p95: 4.0 * 8760.0,
        };
        assert!((law.quantile(0.05) - 8760.0).abs() < 1e-4);
        assert!((law.quantile(0.95) - 4.0 * 8760.0).abs() < 1e-4);
        // the median is the geometric mean of the ends
        assert!((law.quantile(0.5) - 2.0 * 8760.0).abs() < 1e-6);
    }

    #[test]
    fn incomplete_gamma_matches_closed_forms() {
        // shape 1: 1 - exp(-x); shape 1/2: erf(sqrt x); shape 3: Erlang
        for x in [0.01f64, 0.7, 1.5, 4.0, 30.0] {
            assert!(
                (lower_gamma(1.0, x) - (1.0 - (-x).exp())).abs() < 1e-13,
                "{x}"
            );
            let erlang = 1.0 - (-x).exp() * (1.0 + x + x * x / 2.0);
            assert!((lower_gamma(3.0, x) - erlang).abs() < 1e-13, "{x}");
        }
        // P(1/2, 1.920729...) = 0.95 (chi-square with 1 dof at 3.841459)
        assert!((lower_gamma(0.5, 3.841_458_820_694_124 / 2.0) - 0.95).abs() < 1e-9);
    }

    #[test]
    fn observed_every_is_the_inverse_of_a_gamma_rate() {
        // no events in 10 years: rate ~ Gamma(1/2, 10), so 2 * 10 * rate is
        // chi-square with 1 dof; its 95% point is 3.841459 and the 5th
        // percentile of every is 8760 * 20 / 3.841459 hours
        let law = Law::Observed {
            events: 0.0,
            years: 10.0,
        };
        let p5 = law.quantile(0.05);
        assert!(
            (p5 - 8760.0 * 20.0 / 3.841_458_820_694_124).abs() < 1e-3,
            "{p5}"
        );
        // shape 1 (events 0.5): rate ~ Exp(years); every's median is
        // 8760 * years / ln 2
        let law = Law::Observed {
            events: 0.5,
            years: 2.0,
        };
        let median = law.quantile(0.5);
        assert!((median - 8760.0 * 2.0 / std::f64::consts::LN_2).abs() < 1e-6);
    }
}

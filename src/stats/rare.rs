//! Rare outages: a mean estimated from trials of which fewer than
//! [`RARE_BELOW`] are nonzero is not reported as known. In its place the
//! document gives the nonzero trials and the exact (Clopper-Pearson)
//! one-sided 95% upper bound on the chance that a trial is nonzero.

use serde::Serialize;

use super::Moments;

/// A mean from fewer nonzero trials than this is rare: its normal interval
/// says nothing trustworthy, and the document gives a bound instead.
pub const RARE_BELOW: u64 = 10;

/// What is known of a measure that is nonzero in too few trials.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Rare {
    /// Trials (raw, not weighted) in which the measure was not zero.
    pub nonzero_trials: u64,
    /// The exact one-sided 95% upper bound (Clopper-Pearson) on the chance
    /// that a trial has a nonzero value.
    pub p_nonzero_upper95: f64,
}

/// The rare-outage record of `moments`, when fewer than [`RARE_BELOW`] of
/// its values are nonzero (none for a measure without values).
pub fn rare(moments: &Moments) -> Option<Rare> {
    (moments.n > 0 && moments.nonzero < RARE_BELOW).then(|| Rare {
        nonzero_trials: moments.nonzero,
        p_nonzero_upper95: clopper_pearson_upper(moments.nonzero, moments.n),
    })
}

/// The exact one-sided 95% upper bound on a chance from `k` successes in
/// `n` trials: the `u` with `P(Bin(n, u) <= k) = 0.05`, the 95% quantile of
/// Beta(k + 1, n - k). `1 - 0.05^(1/n)` for `k = 0`; 1 for `k >= n`.
pub fn clopper_pearson_upper(k: u64, n: u64) -> f64 {
    if k >= n {
        return 1.0;
    }
    if k == 0 {
        return 1.0 - 0.05f64.powf(1.0 / n as f64);
    }
    let (a, b) = ((k + 1) as f64, (n - k) as f64);
    // I_u(a, b) grows with u: bisect for 0.95 (60 halvings: to f64 precision)
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        if incomplete_beta(a, b, mid) < 0.95 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// The regularised incomplete beta function `I_x(a, b)` (a, b > 0), by its
/// continued fraction (Lentz), on the side where it converges fast.
pub fn incomplete_beta(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let ln_front = ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln();
    let front = ln_front.exp();
    if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_fraction(a, b, x) / a
    } else {
        1.0 - front * beta_fraction(b, a, 1.0 - x) / b
    }
}

/// The continued fraction of the incomplete beta function (modified Lentz).
fn beta_fraction(a: f64, b: f64, x: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    d = if d.abs() < TINY { TINY } else { d };
    d = 1.0 / d;
    let mut h = d;
    let step = |d: &mut f64, c: &mut f64, coefficient: f64| {
        *d = 1.0 + coefficient * *d;
        *d = if d.abs() < TINY { TINY } else { *d };
        *c = 1.0 + coefficient / *c;
        *c = if c.abs() < TINY { TINY } else { *c };
        *d = 1.0 / *d;
        *d * *c
    };
    for m in 1..100_000u32 {
        let m = f64::from(m);
        let even = m * (b - m) * x / ((qam + 2.0 * m) * (a + 2.0 * m));
        h *= step(&mut d, &mut c, even);
        let odd = -(a + m) * (qab + m) * x / ((a + 2.0 * m) * (qap + 2.0 * m));
        let delta = step(&mut d, &mut c, odd);
        h *= delta;
        if (delta - 1.0).abs() < 1e-15 {
            break;
        }
    }
    h
}

/// `ln Gamma(x)` for `x > 0`: Stirling's series after shifting `x` above 15
/// (error below 1e-14).
pub fn ln_gamma(x: f64) -> f64 {
    let mut shift = 0.0;
    let mut x = x;
    while x < 15.0 {
        shift -= x.ln();
        x += 1.0;
    }
    let inv = 1.0 / x;
    let inv2 = inv * inv;
    let series = inv
        * (1.0 / 12.0
            - inv2 * (1.0 / 360.0 - inv2 * (1.0 / 1260.0 - inv2 * (1.0 / 1680.0 - inv2 / 1188.0))));
    shift + (x - 0.5) * x.ln() - x + 0.5 * (2.0 * std::f64::consts::PI).ln() + series
}

/// A rare record's bound as a percentage with two significant digits
/// beyond the first (`0.0075%`).
pub fn percent(p: f64) -> String {
    let percent = p * 100.0;
    if percent >= 1.0 {
        return format!("{percent:.2}%");
    }
    let digits = (-percent.log10()).ceil().max(0.0) as usize + 1;
    format!("{percent:.digits$}%")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ln_gamma_matches_factorials() {
        let mut factorial = 1.0f64;
        for n in 1..30u32 {
            factorial *= f64::from(n);
            let got = ln_gamma(f64::from(n) + 1.0);
            assert!((got - factorial.ln()).abs() < 1e-12, "{n}: {got}");
        }
        assert!((ln_gamma(0.5) - std::f64::consts::PI.sqrt().ln()).abs() < 1e-13);
    }

    #[test]
    fn incomplete_beta_matches_closed_forms() {
        // I_x(1, b) = 1 - (1 - x)^b, I_x(a, 1) = x^a
        for &(b, x) in &[(3.0, 0.2), (40_000.0, 1e-4), (7.0, 0.9)] {
            let exact = 1.0 - (1.0f64 - x).powf(b);
            assert!((incomplete_beta(1.0, b, x) - exact).abs() < 1e-12);
            assert!((incomplete_beta(b, 1.0, x) - x.powf(b)).abs() < 1e-12);
        }
    }

    #[test]
    fn the_spec_footnote_bound() {
        // no loss in 40,000 trials: P(loss in a year) < 0.0075%
        let u = clopper_pearson_upper(0, 40_000);
        assert_eq!(percent(u), "0.0075%");
        assert_eq!(percent(0.031), "3.10%");
    }
}

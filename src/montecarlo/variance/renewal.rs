//! Exact means of the controls from renewal theory.
//!
//! A failure process is up for Exp(mean = `every`), then down for a draw
//! from `lasts` (mean `m`, known in closed form), starting up at 0. Over a
//! horizon `T`, let `N` be its outages that start within the horizon and
//! `H` their hours clipped at the horizon. Two identities hold exactly:
//! - while up, failures arrive at rate `r = 1 / every`, so `N - r (T - H)`
//!   is a martingale with mean 0: `E[N] = r (T - E[H])`;
//! - by Wald's identity (whether an `i`-th outage starts is decided before
//!   its length is drawn), the unclipped outage hours have mean `m E[N]`,
//!   and `H` is them minus the part of the last outage beyond the horizon,
//!   `X`: `E[H] = m E[N] - E[X]`.
//!
//! Hence `E[H] = (r m T - E[X]) / (1 + r m)` and `E[N] = r (T - E[H])`.
//! Only the boundary term `E[X]` is simulated, by conditional Monte Carlo
//! ([`excess`]): its estimate is thousands of times more precise than a
//! simulation of `N` and `H` themselves, whose error otherwise sets a floor
//! under the controlled interval.

use rand::RngExt;
use rand_distr::Exp1;

use crate::engine::streams::{self, Stream};
use crate::model::{Distribution, Failure};
use crate::stats::paired::normal_cdf;

/// `[E[N], E[H]]` of one process of `failure` over `horizon` hours, with
/// `E[X]` estimated from `samples` histories drawn one after the other from
/// one stream (`seed`, purpose `key`), and the per-history covariance behind that
/// estimate (as [`super::reference::reference_means`] returns it: the caller divides
/// by `samples`). It carries only the variance of `X`.
pub fn exact_means(
    failure: &Failure,
    horizon: f64,
    (seed, key): (u64, u64),
    samples: u64,
) -> ([f64; 2], [[f64; 2]; 2]) {
    let (mut mean, mut m2) = (0.0f64, 0.0f64);
    // one stream for all histories: they follow each other in it, independent
    let mut rng = streams::stream(seed, key, 0);
    for i in 0..samples {
        let x = excess(failure, horizon, &mut rng);
        let d = x - mean;
        mean += d / (i + 1) as f64;
        m2 += d * (x - mean);
    }
    let variance = m2 / (samples.max(2) - 1) as f64;
    let (r, m) = (1.0 / failure.every, failure.lasts.mean());
    let hours = (r * m * horizon - mean) / (1.0 + r * m);
    let outages = r * (horizon - hours);
    // both are linear in E[X]: the gradient carries its variance
    let g = [r / (1.0 + r * m), -1.0 / (1.0 + r * m)];
    let covariance = [
        [g[0] * g[0] * variance, g[0] * g[1] * variance],
        [g[1] * g[0] * variance, g[1] * g[1] * variance],
    ];
    ([outages, hours.max(0.0)], covariance)
}

/// One history's boundary term, by conditional Monte Carlo on the closed-form
/// tail of the outage length ([`beyond`]): every outage that starts at `s`
/// within the horizon adds `E[(D - (T - s))+]`, the expected part of itself
/// beyond the horizon (the sum has the mean of `X`: an outage's length is
/// drawn independently of when it starts). Each term is at most `E[D]`, so
/// the sum has a finite variance whatever the tail, and its sample variance
/// is the error of the mean this module gives; `X` itself, zero or a whole
/// heavy tail, has a mean no number of histories may reach (a Weibull of
/// shape 0.05 carries most of its mean beyond its 1 - 1e-12 quantile).
fn excess(failure: &Failure, horizon: f64, rng: &mut Stream) -> f64 {
    let (mut t, mut sum) = (0.0, 0.0);
    loop {
        t += failure.every * rng.sample::<f64, _>(Exp1);
        if t >= horizon {
            return sum;
        }
        sum += beyond(&failure.lasts, horizon - t);
        t += failure.lasts.sample(rng);
        if t >= horizon {
            return sum;
        }
    }
}

/// `E[(D - a)+]` for a draw `D` of `lasts` and `a >= 0`, in closed form. The
/// log-normal's goes through the normal distribution function (fractional
/// error below 1.2e-7: a bias of that order on a term that is itself a small
/// part of the mean), the Weibull's through the regularized upper incomplete
/// gamma function ([`gamma_q`]): with `x = (a / scale)^shape`, it is
/// `scale * Gamma(1 + 1/shape) * Q(1 + 1/shape, x) - a * exp(-x)`.
fn beyond(lasts: &Distribution, a: f64) -> f64 {
    let tail = match lasts {
        Distribution::Fixed(x) => (x - a).max(0.0),
        Distribution::Exp { mean } => mean * (-a / mean).exp(),
        Distribution::LogNormal { mu, sigma } => {
            if a <= 0.0 {
                lasts.mean()
            } else {
                let z = (mu - a.ln()) / sigma;
                lasts.mean() * normal_cdf(z + sigma) - a * normal_cdf(z)
            }
        }
        Distribution::Uniform { min, max } if a <= *min => (min + max) / 2.0 - a,
        Distribution::Uniform { max, .. } if a >= *max => 0.0,
        Distribution::Uniform { min, max } => (max - a).powi(2) / (2.0 * (max - min)),
        Distribution::Empirical(values) => {
            values.iter().map(|v| (v - a).max(0.0)).sum::<f64>() / values.len() as f64
        }
        Distribution::Weibull { shape, scale } => {
            if a <= 0.0 {
                lasts.mean()
            } else {
                let x = (a / scale).powf(*shape);
                lasts.mean() * gamma_q(1.0 + 1.0 / shape, x) - a * (-x).exp()
            }
        }
    };
    tail.max(0.0)
}

/// The regularized upper incomplete gamma function `Q(s, x) = Gamma(s, x) /
/// Gamma(s)` for `s > 0`, `x >= 0`: by its power series below `x = s + 1`,
/// by its continued fraction (modified Lentz) above, both to 1e-15.
fn gamma_q(s: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    // x^s e^-x / Gamma(s), in logarithms (s is at most 21 here: Gamma is finite)
    let front = (s * x.ln() - x - crate::model::gamma(s).ln()).exp();
    if x < s + 1.0 {
        // P(s, x) = x^s e^-x / Gamma(s + 1) * sum_n x^n / ((s + 1)...(s + n))
        let (mut term, mut sum, mut k) = (1.0 / s, 1.0 / s, s);
        while term > sum * 1e-16 {
            k += 1.0;
            term *= x / k;
            sum += term;
        }
        (1.0 - front * sum).clamp(0.0, 1.0)
    } else {
        let tiny = 1e-300;
        let mut b = x + 1.0 - s;
        let (mut c, mut d) = (1.0 / tiny, 1.0 / b);
        let mut h = d;
        for i in 1..10_000 {
            let an = -f64::from(i) * (f64::from(i) - s);
            b += 2.0;
            d = an * d + b;
            d = if d.abs() < tiny { 1.0 / tiny } else { 1.0 / d };
            c = b + an / c;
            c = if c.abs() < tiny { tiny } else { c };
            let step = c * d;
            h *= step;
            if (step - 1.0).abs() < 1e-15 {
                break;
            }
        }
        (front * h).clamp(0.0, 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Cause;

    fn failure(every: f64, lasts: Distribution) -> Failure {
        Failure {
            name: "f".into(),
            cause: Cause::Other,
            every,
            lasts,
            destroys_data: false,
            once: None,
            effect: crate::model::Effect::Down,
            arrival: crate::model::Arrival::Exp,
            crews: None,
        }
    }

    #[test]
    fn exponential_outages_match_the_two_state_markov_chain() {
        // up Exp(rate a), down Exp(rate b), up at 0: P(down at t) =
        // a / (a + b) (1 - exp(-(a + b) t)), so E[H] is its integral
        let (every, down, horizon): (f64, f64, f64) = (50.0, 10.0, 400.0);
        let (a, b) = (1.0 / every, 1.0 / down);
        let s = a + b;
        let hours = a / s * (horizon - (1.0 - (-s * horizon).exp()) / s);
        let f = failure(every, Distribution::Exp { mean: down });
        let ([n, h], cov) = exact_means(&f, horizon, (1, 2), 100_000);
        let se = (cov[1][1] / 100_000.0).sqrt();
        assert!(
            (h - hours).abs() < 4.0 * se + 1e-9,
            "{h} vs {hours} (se {se})"
        );
        assert!((n - a * (horizon - h)).abs() < 1e-9);
        // the boundary term is all the estimate's error: below its raw
        // variance (~21 h^2 per history), where H varies by over 1,000 h^2
        assert!(cov[1][1] < 40.0, "{}", cov[1][1]);
    }

    #[test]
    fn a_process_that_never_straddles_the_horizon_has_an_exact_mean() {
        // outages of 1 h, horizon far beyond: E[X] ~ 0 and E[H] = r m T / (1 + r m)
        let f = failure(1e9, Distribution::Fixed(1.0));
        let ([n, h], cov) = exact_means(&f, 1000.0, (1, 2), 1000);
        assert!((h - 1e-6 / (1.0 + 1e-9)).abs() < 1e-12, "{h}");
        assert!((n - 1e-6).abs() < 1e-12, "{n}");
        assert_eq!(cov[0][0], 0.0);
    }

    #[test]
    fn heavy_tailed_outages_that_straddle_the_horizon_agree_with_a_plain_simulation() {
        // long lognormal outages: one in twenty histories ends down
        let lasts = Distribution::lognormal(50.0, 400.0).unwrap();
        let f = failure(2000.0, lasts);
        let n = 400_000;
        let ([en, eh], _) = exact_means(&f, 8760.0, (1, 2), 20_000);
        let ([pn, ph], cov) = super::super::reference::reference_means(&f, 8760.0, (3, 4), n);
        let se = |v: f64| (v / n as f64).sqrt();
        assert!((en - pn).abs() < 4.0 * se(cov[0][0]), "{en} vs {pn}");
        assert!((eh - ph).abs() < 4.0 * se(cov[1][1]), "{eh} vs {ph}");
    }

    #[test]
    fn expected_parts_beyond_the_horizon_match_a_numerical_integral_of_the_tail() {
        // E[(D - a)+] is the integral of P(D > x) from a: check by sampling
        let mut rng = streams::stream(5, 6, 0);
        let cases = [
            Distribution::Fixed(3.0),
            Distribution::Exp { mean: 2.0 },
            Distribution::lognormal(1.0, 6.0).unwrap(),
            Distribution::Uniform { min: 1.0, max: 4.0 },
            Distribution::Empirical(vec![0.5, 2.0, 7.0]),
            Distribution::Weibull {
                shape: 0.5,
                scale: 1.0,
            },
            Distribution::Weibull {
                shape: 2.0,
                scale: 3.0,
            },
            Distribution::Weibull {
                shape: 1.3,
                scale: 2.0,
            },
        ];
        for d in &cases {
            let draws: Vec<f64> = (0..200_000).map(|_| d.sample(&mut rng)).collect();
            for a in [0.0, 0.7, 2.5, 5.0] {
                let sampled: Vec<f64> = draws.iter().map(|x| (x - a).max(0.0)).collect();
                let mean = sampled.iter().sum::<f64>() / sampled.len() as f64;
                let var =
                    sampled.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / sampled.len() as f64;
                let exact = beyond(d, a);
                let tolerance = 4.0 * (var / sampled.len() as f64).sqrt() + 1e-9;
                assert!(
                    (exact - mean).abs() < tolerance,
                    "{d:?} at {a}: {exact} vs {mean}"
                );
            }
        }
    }

    #[test]
    fn the_incomplete_gamma_function_matches_its_closed_forms() {
        // Q(1, x) = e^-x; Q(n, x) = e^-x sum_{k<n} x^k / k!; Q(1/2, x) = erfc(sqrt x)
        for x in [0.01, 0.5, 1.0, 3.0, 12.2, 40.0] {
            let q = gamma_q(1.0, x);
            assert!(
                (q - (-x).exp()).abs() < 1e-13 * (-x).exp().max(1e-300),
                "{x}: {q}"
            );
            let (mut term, mut sum) = (1.0, 0.0);
            for k in 0..21 {
                sum += term;
                term *= x / f64::from(k + 1);
            }
            let q21 = (-x).exp() * sum;
            assert!(
                (gamma_q(21.0, x) - q21).abs() < 1e-12 * q21.max(1e-300) + 1e-15,
                "Q(21, {x}) = {} vs {q21}",
                gamma_q(21.0, x)
            );
            let erfc = 2.0 * (1.0 - normal_cdf((2.0 * x).sqrt()));
            assert!((gamma_q(0.5, x) - erfc).abs() < 1e-6, "{x}");
        }
    }

    #[test]
    fn the_heaviest_weibull_outages_agree_with_a_plain_simulation() {
        // shape 0.05: the mean outage is 2.4e18 times the scale, its variance
        // 1e47 times; the clipped hours and their count stay bounded, so a
        // plain simulation of them converges where a draw of the part beyond
        // the horizon never does
        let lasts = Distribution::Weibull {
            shape: 0.05,
            scale: 1.0,
        };
        let f = failure(2000.0, lasts);
        let n = 200_000;
        let ([en, eh], ecov) = exact_means(&f, 8760.0, (1, 2), n);
        let ([pn, ph], cov) = super::super::reference::reference_means(&f, 8760.0, (3, 4), n);
        let se = |a: f64, b: f64| ((a + b) / n as f64).sqrt();
        assert!(
            (en - pn).abs() < 4.0 * se(cov[0][0], ecov[0][0]),
            "{en} vs {pn}"
        );
        assert!(
            (eh - ph).abs() < 4.0 * se(cov[1][1], ecov[1][1]),
            "{eh} vs {ph}"
        );
        assert!(ecov[1][1].is_finite() && ecov[1][1] > 0.0);
    }
}

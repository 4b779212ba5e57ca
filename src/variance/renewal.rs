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
//! Only the boundary term `E[X]` is simulated: it is zero unless an outage
//! straddles the horizon, so its estimate is hundreds to thousands of times
//! more precise than a simulation of `N` and `H` themselves, whose error
//! otherwise sets a floor under the controlled interval.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use rand_distr::Exp1;

use crate::engine::streams;
use crate::model::Failure;

/// `[E[N], E[H]]` of one process of `failure` over `horizon` hours, with
/// `E[X]` estimated from `samples` histories drawn from their own streams
/// (`seed`, purpose `key`), and the per-history covariance behind that
/// estimate (as [`streams::reference_means`] returns it: the caller divides
/// by `samples`). It carries only the variance of `X`.
pub fn exact_means(
    failure: &Failure,
    horizon: f64,
    (seed, key): (u64, u64),
    samples: u64,
) -> ([f64; 2], [[f64; 2]; 2]) {
    let (mut mean, mut m2) = (0.0f64, 0.0f64);
    for i in 0..samples {
        let mut rng = streams::stream(seed, key, i);
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

/// One history's boundary term: the hours of the outage in effect at the
/// horizon that fall beyond it (0 when the process is up at the horizon).
fn excess(failure: &Failure, horizon: f64, rng: &mut ChaCha8Rng) -> f64 {
    let mut t = 0.0;
    loop {
        t += failure.every * rng.sample::<f64, _>(Exp1);
        if t >= horizon {
            return 0.0;
        }
        t += failure.lasts.sample(rng);
        if t >= horizon {
            return t - horizon;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Cause, Distribution};

    fn failure(every: f64, lasts: Distribution) -> Failure {
        Failure {
            name: "f".into(),
            cause: Cause::Other,
            every,
            lasts,
            destroys_data: false,
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
        // the boundary term is all the estimate's error: about 21 h^2 per
        // history, where H itself varies by over 1,000 h^2
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
        let ([pn, ph], cov) = streams::reference_means(&f, 8760.0, (3, 4), n);
        let se = |v: f64| (v / n as f64).sqrt();
        assert!((en - pn).abs() < 4.0 * se(cov[0][0]), "{en} vs {pn}");
        assert!((eh - ph).abs() < 4.0 * se(cov[1][1]), "{eh} vs {ph}");
    }
}

//! The outages of one failure process over the horizon: an alternating
//! renewal process (up for an exponential time, down for a draw from its
//! duration), a single outage for a `Once` failure, and the tilted draw of
//! importance sampling with its likelihood ratio.

use rand::RngExt;
use rand_distr::Exp1;

use super::chacha::Stream;
use super::exp1::{self, exp1, Boxes};
use crate::model::{Distribution, Failure, Once};

/// Appends the outages of one alternating process over `[0, horizon)` to
/// `out`: up for Exp(mean = `every`), then down for a draw from `lasts`,
/// starting up at 0. Outages are clipped at the horizon. Returns the number of
/// state changes (failures and repairs) that fall inside the horizon and the
/// outage hours appended.
#[inline]
pub fn generate_outages(
    failure: &Failure,
    horizon: f64,
    rng: &mut Stream,
    out: &mut Vec<(f64, f64)>,
) -> (u64, f64) {
    if let Some(once) = failure.once {
        return single_outage(once, &failure.lasts, horizon, rng, out);
    }
    // The loop is specialised for exponential outages, the common case: the
    // draw is then inlined (the same numbers as `Distribution::sample`), and
    // so are the common case of both exponential draws ([`exp1`]).
    match failure.lasts {
        Distribution::Exp { mean } => alternate(failure.every, horizon, rng, out, |rng, boxes| {
            finite(mean * exp1(rng, boxes))
        }),
        ref lasts => alternate(failure.every, horizon, rng, out, |rng, _| lasts.sample(rng)),
    }
}

/// The alternating renewal loop of [`generate_outages`], with outage
/// durations from `lasts`.
#[inline(always)]
fn alternate(
    every: f64,
    horizon: f64,
    rng: &mut Stream,
    out: &mut Vec<(f64, f64)>,
    mut lasts: impl FnMut(&mut Stream, &Boxes) -> f64,
) -> (u64, f64) {
    let boxes = exp1::boxes();
    let mut t = 0.0;
    let mut events = 0;
    let mut hours = 0.0;
    loop {
        t += every * exp1(rng, boxes);
        if t >= horizon {
            return (events, hours);
        }
        let end = t + lasts(rng, boxes);
        if end < horizon {
            events += 2;
            out.push((t, end));
            hours += end - t;
        } else {
            events += 1;
            out.push((t, horizon));
            return (events, hours + (horizon - t));
        }
        t = end;
    }
}

/// The one outage of a [`Once`] failure: a `lasts` draw, then (without a
/// fixed start) a uniform start in `[0, horizon - duration]`, both from the
/// process's stream; clipped at the horizon. Returns the state changes
/// within the horizon and the outage hours, as [`generate_outages`].
fn single_outage(
    once: Once,
    lasts: &Distribution,
    horizon: f64,
    rng: &mut Stream,
    out: &mut Vec<(f64, f64)>,
) -> (u64, f64) {
    let duration = lasts.sample(rng);
    let start = match once.at {
        Some(at) => at,
        None => (horizon - duration).max(0.0) * rng.random::<f64>(),
    };
    if start >= horizon {
        return (0, 0.0);
    }
    let end = (start + duration).min(horizon);
    out.push((start, end));
    let events = if end < horizon { 2 } else { 1 };
    (events, end - start)
}

/// A draw clamped like [`Distribution::sample`]: never infinite.
#[inline(always)]
fn finite(x: f64) -> f64 {
    if x.is_finite() {
        x
    } else {
        f64::MAX
    }
}

/// [`generate_outages`] under importance sampling: up times drawn with the
/// failure rate multiplied by `tilt`. Returns the events and the logarithm of
/// the likelihood ratio of the drawn history (true over tilted density):
/// `(tilt - 1) / every * U - n * ln(tilt)` for `n` failures and a total up
/// time `U` within the horizon (the last, censored up time included).
pub fn generate_tilted_outages(
    failure: &Failure,
    horizon: f64,
    tilt: f64,
    rng: &mut Stream,
    out: &mut Vec<(f64, f64)>,
) -> (u64, f64) {
    let every = failure.every / tilt;
    let mut t = 0.0;
    let mut events = 0;
    let mut up = 0.0;
    let mut failures = 0u32;
    loop {
        let next = t + every * rng.sample::<f64, _>(Exp1);
        if next >= horizon {
            up += horizon - t;
            break;
        }
        up += next - t;
        failures += 1;
        let end = next + draw(&failure.lasts, rng);
        if end < horizon {
            events += 2;
            out.push((next, end));
        } else {
            events += 1;
            out.push((next, horizon));
            break;
        }
        t = end;
    }
    let log_lr = (tilt - 1.0) / failure.every * up - f64::from(failures) * tilt.ln();
    (events, log_lr)
}

#[inline]
fn draw(d: &Distribution, rng: &mut Stream) -> f64 {
    d.sample(rng)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::streams::stream;
    use crate::model::Cause;

    #[test]
    fn tilted_histories_weighted_by_their_likelihood_ratio_are_unbiased() {
        let failure = Failure {
            name: "f".into(),
            cause: Cause::Other,
            every: 2000.0,
            lasts: Distribution::Fixed(10.0),
            destroys_data: false,
            once: None,
            effect: crate::model::Effect::Down,
            arrival: crate::model::Arrival::Exp,
            crews: None,
        };
        let (horizon, n) = (1000.0, 100_000u64);
        let mut out = Vec::new();
        let (mut w_sum, mut w_sq, mut x_sum, mut x_sq, mut plain) = (0.0, 0.0, 0.0, 0.0, 0.0);
        for trial in 0..n {
            out.clear();
            let mut rng = stream(1, 2, trial);
            let (_, log_lr) = generate_tilted_outages(&failure, horizon, 4.0, &mut rng, &mut out);
            let w = log_lr.exp();
            let x = w * out.iter().map(|o| o.1 - o.0).sum::<f64>();
            (w_sum, w_sq, x_sum, x_sq) = (w_sum + w, w_sq + w * w, x_sum + x, x_sq + x * x);
            out.clear();
            let mut rng = stream(3, 4, trial);
            generate_outages(&failure, horizon, &mut rng, &mut out);
            plain += out.iter().map(|o| o.1 - o.0).sum::<f64>();
        }
        let n = n as f64;
        let se = |sum: f64, sq: f64| ((sq / n - (sum / n).powi(2)) / n).sqrt();
        let w = w_sum / n;
        assert!((w - 1.0).abs() < 4.0 * se(w_sum, w_sq), "mean weight {w}");
        // the weighted downtime estimates the true one (here ~4.97 h)
        let (weighted, plain) = (x_sum / n, plain / n);
        let tolerance = 4.0 * se(x_sum, x_sq) + 0.02 * plain;
        assert!(
            (weighted - plain).abs() < tolerance,
            "{weighted} vs {plain}"
        );
    }
}

//! `--variance-reduction importance`: importance sampling of rare shared
//! outages.
//!
//! A coincidence of two rare shared outages (two providers down at once) is
//! what a resilient design loses hours to, and plain trials almost never see
//! it. The run tilts the rate of every shared failure process (on a zone,
//! region, provider, service, deployment, `All` or `Tagged` target; up times
//! exponential, no schedule or crews) that expects fewer than [`RARE`]
//! outages per trial up to about [`TILTED`] per trial (at most [`MAX_TILT`]
//! times: [`Plan::with_importance`]), and counts each trial with its weight,
//! the likelihood ratio of its failure history (true over tilted density).
//! Every mean is then the mean of `w x` over the trials (unbiased), its
//! interval from their spread; percentiles are those of the weighted
//! empirical distribution. With nothing to tilt, or with an objective on a
//! percentile (judged on the trials' values, not their weights), the run is
//! plain Monte Carlo and the document says why.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64};

use super::PLAIN;
use crate::engine::plan::{MAX_TILT, RARE, TILTED};
use crate::engine::{Plan, TrialOutcome};
use crate::model::{Model, Statistic};
use crate::montecarlo::strategies::reduced_on;
use crate::montecarlo::{check_work, Precision, RunError, RunSettings, Watch};
use crate::stats::{Distribution, Moments, RunResult, TrialValues, Values, VarianceReduction};

/// The name the result document gives the method.
pub const NAME: &str = "importance sampling";

/// The per-service measures given weighted percentiles, in the order a
/// [`Sample`] holds them: lost hours, downtime hours, cost, data loss,
/// credits.
const PER_SERVICE: usize = 5;

/// What one trial contributes to the weighted percentiles: its weight and,
/// per service, its [`PER_SERVICE`] measures, then the scenario's cost.
struct Sample {
    weight: f64,
    values: Vec<f64>,
}

impl Sample {
    fn of(outcome: &TrialOutcome) -> Sample {
        let mut values = Vec::with_capacity(PER_SERVICE * outcome.services.len() + 1);
        for s in &outcome.services {
            values.extend([
                s.lost_hours,
                s.downtime_hours,
                s.cost,
                s.data_loss_hours,
                s.credits,
            ]);
        }
        values.push(outcome.cost);
        Sample {
            weight: outcome.weight,
            values,
        }
    }
}

/// Runs `model` with importance sampling, or plain when there is nothing to
/// tilt or an objective judges a percentile (the document's
/// `variance_reduction` says so); with a `target`, in batches until the
/// weighted estimates reach it or the settings' trials (the cap) are done,
/// as [`crate::montecarlo::Strategy::Precision`] does.
///
/// # Errors
/// As [`crate::montecarlo::run_until`].
pub fn run(
    model: &Model,
    settings: &RunSettings,
    (stop, target): (&AtomicBool, Option<Precision>),
) -> Result<(RunResult, TrialValues), RunError> {
    check_work(model, settings.trials, &settings.limits)?;
    let plain = Plan::seeded(model, settings.seed);
    let on_percentile = (model.objectives.iter()).find(|o| o.statistic != Statistic::Mean);
    let (plan, tilted) = match on_percentile {
        Some(_) => (plain, 0),
        None => plain.with_importance(),
    };
    let watch = Watch {
        stop,
        progress: &AtomicU64::new(0),
    };
    let mut report = VarianceReduction {
        method: NAME.into(),
        estimator: NAME.into(),
        fallback: None,
        tilted_processes: Some(tilted),
        tilt: Some(format!(
            "the rate of every shared failure process expecting fewer than {RARE} outages per trial, raised to about {TILTED} per trial (at most {MAX_TILT} times); each trial weighted by its likelihood ratio"
        )),
        controls: None,
        pilot_trials: None,
        reference_histories: None,
        factors: BTreeMap::new(),
        floors: BTreeMap::new(),
    };
    if tilted == 0 {
        let (mut result, values, _) = reduced_on(model, &plan, settings, (watch, target), |_| ())?;
        report.estimator = PLAIN.into();
        report.fallback = Some(match on_percentile {
            Some(_) => "an objective judges a percentile, which is judged on unweighted trials".into(),
            None => format!("no shared failure process (on a zone, region, provider, service, deployment, `All` or `Tagged`, up times exponential, no schedule or crews) expects fewer than {RARE} outages per trial: nothing to tilt"),
        });
        result.variance_reduction = Some(report);
        return Ok((result, values));
    }
    let (mut result, _, samples) = reduced_on(model, &plan, settings, (watch, target), Sample::of)?;
    let values = reweigh(model, &mut result, &samples);
    report.factors = factors(model, &samples);
    result.variance_reduction = Some(report);
    Ok((result, values))
}

/// The values of one measure with their trials' weights, sorted by value.
struct Weighted {
    pairs: Vec<(f64, f64)>,
    total: f64,
}

impl Weighted {
    /// Measure `k` of every sample.
    fn new(samples: &[Sample], k: usize) -> Weighted {
        let mut pairs: Vec<(f64, f64)> = (samples.iter())
            .map(|s| (s.values.get(k).copied().unwrap_or(0.0), s.weight))
            .collect();
        pairs.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
        let total = pairs.iter().map(|p| p.1).sum();
        Weighted { pairs, total }
    }

    /// The weighted nearest rank: the smallest value whose weighted
    /// empirical CDF (weights over their sum) reaches `p`; 0 for no values.
    /// With equal weights, [`crate::stats::percentile`].
    fn quantile(&self, p: f64) -> f64 {
        // (less a rounding's worth: equal weights summed in turn give the
        // nearest rank exactly)
        let target = p * self.total * (1.0 - 1e-12);
        let mut below = 0.0;
        for &(x, w) in &self.pairs {
            below += w;
            if below >= target {
                return x;
            }
        }
        self.pairs.last().map_or(0.0, |p| p.0)
    }

    /// As many values as trials, equally weighted, with the weighted
    /// distribution (systematic resampling at the CDF's midpoints), sorted:
    /// what plots of the trials read.
    fn resampled(&self) -> Vec<f64> {
        let n = self.pairs.len();
        let mut out = Vec::with_capacity(n);
        let (mut below, mut k) = (0.0, 0);
        for i in 0..n {
            let target = (i as f64 + 0.5) / n as f64 * self.total;
            while k + 1 < n && below + self.pairs[k].1 < target {
                below += self.pairs[k].1;
                k += 1;
            }
            out.push(self.pairs[k].0);
        }
        out
    }

    /// Sets the percentiles of `d` (its mean, interval and maximum are the
    /// accumulator's: weighted means, raw maximum).
    fn set(&self, d: &mut Distribution) {
        d.p50 = self.quantile(0.5);
        d.p90 = self.quantile(0.9);
        d.p99 = self.quantile(0.99);
    }
}

/// Gives the document's distributions their weighted percentiles and
/// returns the per-trial values resampled to the weighted distribution.
fn reweigh(model: &Model, result: &mut RunResult, samples: &[Sample]) -> TrialValues {
    let mut lost_hours = Vec::with_capacity(model.services.len());
    for (s, service) in model.services.iter().enumerate() {
        let of = |j: usize| Weighted::new(samples, PER_SERVICE * s + j);
        let lost = of(0);
        if let Some(stats) = result.services.get_mut(&service.name) {
            lost.set(&mut stats.lost_hours);
            of(1).set(&mut stats.downtime_hours);
            of(2).set(&mut stats.cost);
            if service.data.is_some() {
                of(3).set(&mut stats.data_loss_hours);
            }
            if service.sla.is_some() {
                of(4).set(&mut stats.credits);
            }
        }
        lost_hours.push(Values::Exact(lost.resampled()));
    }
    let cost = Weighted::new(samples, PER_SERVICE * model.services.len());
    cost.set(&mut result.cost);
    // every percentile is exact now, none sketched
    result.percentile_sketch = None;
    TrialValues {
        cost: Values::Exact(cost.resampled()),
        lost_hours,
    }
}

/// Per measure (each service's lost hours, the scenario's cost): the
/// variance of a plain trial's value over that of a weighted one, both
/// estimated from the weighted trials (the plain second moment as the mean
/// of `w x^2`): how many times fewer trials the same precision needs.
fn factors(model: &Model, samples: &[Sample]) -> BTreeMap<String, f64> {
    let factor = |k: usize| {
        let (mut weighted, mut square) = (Moments::default(), Moments::default());
        for s in samples {
            let x = s.values.get(k).copied().unwrap_or(0.0);
            weighted.push(s.weight * x);
            square.push(s.weight * x * x);
        }
        let plain = square.mean - weighted.mean * weighted.mean;
        let reduced = weighted.std_dev().powi(2);
        (reduced > 0.0 && plain > 0.0).then(|| plain / reduced)
    };
    let mut out = BTreeMap::new();
    for (s, service) in model.services.iter().enumerate() {
        if let Some(f) = factor(PER_SERVICE * s) {
            out.insert(format!("{} lost_hours", service.name), f);
        }
    }
    if let Some(f) = factor(PER_SERVICE * model.services.len()) {
        out.insert("cost".to_string(), f);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn weighted(pairs: &[(f64, f64)]) -> Weighted {
        let samples: Vec<Sample> = (pairs.iter())
            .map(|&(x, weight)| Sample {
                weight,
                values: vec![x],
            })
            .collect();
        Weighted::new(&samples, 0)
    }

    #[test]
    fn equal_weights_give_the_nearest_rank_percentiles() {
        let xs: Vec<f64> = (1..=100).rev().map(f64::from).collect();
        let w = weighted(&xs.iter().map(|&x| (x, 0.37)).collect::<Vec<_>>());
        let mut sorted = xs.clone();
        sorted.sort_unstable_by(f64::total_cmp);
        for p in [0.5, 0.9, 0.99, 1.0] {
            assert_eq!(w.quantile(p), crate::stats::percentile(&sorted, p), "p{p}");
        }
        assert_eq!(w.resampled(), sorted);
    }

    #[test]
    fn weights_move_the_percentiles() {
        // 0 with weight 0.2, 5 with weight 0.3, 10 with weight 0.5
        let w = weighted(&[(10.0, 0.5), (0.0, 0.2), (5.0, 0.3)]);
        assert_eq!(w.quantile(0.2), 0.0);
        assert_eq!(w.quantile(0.21), 5.0);
        assert_eq!(w.quantile(0.5), 5.0);
        assert_eq!(w.quantile(0.51), 10.0);
        // resampled at 1/6, 1/2 and 5/6 of the weight
        assert_eq!(w.resampled(), vec![0.0, 5.0, 10.0]);
    }
}

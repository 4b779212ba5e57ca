//! The per-trial measures of a two-level run whose means carry a CI, and
//! the rescaling of the pooled document's CIs to the trial noise of the
//! overall mean ([`super::run`]).

use crate::engine::TrialOutcome;
use crate::model::{Measure, Model, Statistic};
use crate::stats::objective::{report_mean, MeanView};
use crate::stats::{Estimate, RunResult, Z95};

/// Widens or narrows `ci` about `mean` by `factor`.
fn rescale(ci: &mut Option<[f64; 2]>, mean: f64, factor: f64, clamp: (f64, f64)) {
    if let Some([lo, hi]) = ci {
        *lo = (mean - (mean - *lo) * factor).clamp(clamp.0, clamp.1);
        *hi = (mean + (*hi - mean) * factor).clamp(clamp.0, clamp.1);
    }
}

/// Rescales an attribution's lost hours and cost CIs by their factors
/// `k` (lost, cost), unclamped (an attribution may be negative).
fn rescale_attributed(lost: &mut Estimate, cost: &mut Estimate, k: &[f64]) {
    let any = (f64::NEG_INFINITY, f64::INFINITY);
    rescale(&mut lost.ci95, lost.mean, k[0], any);
    rescale(&mut cost.ci95, cost.mean, k[1], any);
}

/// The per-trial values whose means carry a CI, in a fixed order: per
/// service lost, downtime, cost, data loss, credits and traffic-weighted
/// lost hours; per failure lost hours and cost; per cause the same; the
/// unattributed hours and cost; the scenario's cost.
pub(super) struct Keys {
    services: usize,
    failures: usize,
    /// The cause names in the document's order, and each failure's cause.
    causes: Vec<String>,
    cause_of: Vec<usize>,
    /// How many.
    pub(super) len: usize,
}

const SERVICE_KEYS: usize = 6;

impl Keys {
    pub(super) fn new(model: &Model) -> Keys {
        let names: Vec<String> = (model.failures.iter())
            .map(|f| format!("{:?}", f.cause))
            .collect();
        let mut causes = names.clone();
        causes.sort();
        causes.dedup();
        let cause_of = (names.iter())
            .map(|n| causes.iter().position(|c| c == n).unwrap_or(0))
            .collect();
        let (services, failures) = (model.services.len(), model.failures.len());
        let len = services * SERVICE_KEYS + 2 * failures + 2 * causes.len() + 3;
        Keys {
            services,
            failures,
            causes,
            cause_of,
            len,
        }
    }

    pub(super) fn values(&self, o: &TrialOutcome, out: &mut [f64]) {
        out.fill(0.0);
        for (s, so) in o.services.iter().enumerate().take(self.services) {
            let v = &mut out[s * SERVICE_KEYS..(s + 1) * SERVICE_KEYS];
            v.copy_from_slice(&[
                so.lost_hours,
                so.downtime_hours,
                so.cost,
                so.data_loss_hours,
                so.credits,
                so.weighted_lost_hours,
            ]);
        }
        let failures = self.services * SERVICE_KEYS;
        let causes = failures + 2 * self.failures;
        for (f, fo) in o.failures.iter().enumerate().take(self.failures) {
            out[failures + 2 * f] = fo.lost_hours;
            out[failures + 2 * f + 1] = fo.cost;
            let c = causes + 2 * self.cause_of[f];
            out[c] += fo.lost_hours;
            out[c + 1] += fo.cost;
        }
        let last = causes + 2 * self.causes.len();
        out[last] = o.unattributed_hours;
        out[last + 1] = o.unattributed_cost;
        out[last + 2] = o.cost;
    }

    pub(super) fn rescale(&self, model: &Model, result: &mut RunResult, factors: &[f64]) {
        let any = (f64::NEG_INFINITY, f64::INFINITY);
        let share = (0.0, 1.0);
        for (s, stats) in result.services.values_mut().enumerate() {
            let f = &factors[s * SERVICE_KEYS..(s + 1) * SERVICE_KEYS];
            for (d, k) in [
                (&mut stats.lost_hours, f[0]),
                (&mut stats.downtime_hours, f[1]),
                (&mut stats.cost, f[2]),
                (&mut stats.data_loss_hours, f[3]),
                (&mut stats.credits, f[4]),
            ] {
                rescale(&mut d.ci95, d.mean, k, any);
            }
            let a = &mut stats.availability;
            rescale(&mut a.ci95, a.mean, f[0], share);
            let a = &mut stats.availability_weighted;
            rescale(&mut a.ci95, a.mean, f[5], share);
        }
        let failures = self.services * SERVICE_KEYS;
        for (f, failure) in model.failures.iter().enumerate() {
            if let Some(stats) = result.failures.get_mut(&failure.name) {
                let k = &factors[failures + 2 * f..][..2];
                rescale_attributed(&mut stats.lost_hours, &mut stats.cost, k);
            }
        }
        let causes = failures + 2 * self.failures;
        for (c, name) in self.causes.iter().enumerate() {
            if let Some(stats) = result.causes.get_mut(name) {
                let k = &factors[causes + 2 * c..][..2];
                rescale_attributed(&mut stats.lost_hours, &mut stats.cost, k);
            }
        }
        let last = causes + 2 * self.causes.len();
        let u = &mut result.unattributed;
        rescale(
            &mut u.lost_hours.ci95,
            u.lost_hours.mean,
            factors[last],
            any,
        );
        rescale(&mut u.cost.ci95, u.cost.mean, factors[last + 1], any);
        let c = &mut result.cost;
        rescale(&mut c.ci95, c.mean, factors[last + 2], any);
    }
}

impl Keys {
    /// Judges again every objective on a mean, on its CI as the trial noise
    /// of the overall mean (objectives on a percentile keep the verdict on
    /// all draws' trials: the percentile of the mixture).
    pub(super) fn rejudge(
        &self,
        model: &Model,
        result: &mut RunResult,
        factors: &[f64],
        trials: u64,
    ) {
        let last = self.services * SERVICE_KEYS + 2 * self.failures + 2 * self.causes.len();
        for (objective, judged) in model.objectives.iter().zip(&mut result.objectives) {
            if objective.statistic != Statistic::Mean {
                continue;
            }
            let (key, clamp) = match objective.measure {
                Measure::Availability(s) => (s * SERVICE_KEYS, (0.0, 1.0)),
                Measure::LostHours(s) => (s * SERVICE_KEYS, (f64::NEG_INFINITY, f64::INFINITY)),
                Measure::DataLoss(s) => (s * SERVICE_KEYS + 3, (f64::NEG_INFINITY, f64::INFINITY)),
                Measure::Cost => (last + 2, (f64::NEG_INFINITY, f64::INFINITY)),
            };
            let mut ci95 = judged.ci95;
            rescale(&mut ci95, judged.estimate, factors[key], clamp);
            let error = ci95.map_or(0.0, |[lo, hi]| (hi - lo) / (2.0 * Z95));
            let view = MeanView {
                estimate: judged.estimate,
                ci95,
                rare: judged.rare,
                sd: error * (trials as f64).sqrt(),
                n: trials,
            };
            *judged = report_mean(objective, &view, model);
        }
    }
}

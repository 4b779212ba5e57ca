//! The two-level run of a scenario with uncertain inputs: `draws` Latin
//! hypercube draws, each a concrete model simulated on the same trials
//! through [`montecarlo::run_sampled`]. The document's estimates are those
//! of all draws' trials together (means over draws and trials, percentiles
//! of the mixture); each mean's `ci95` is the trial noise of that overall
//! mean: the draws share their trials (common random numbers), so for each
//! trial the measure is averaged over the draws and the CI comes from the
//! spread of those averages over the independent trials.

use std::collections::BTreeMap;
use std::sync::atomic::AtomicBool;

use serde::Serialize;

use super::{instantiate, latin_hypercube, law_spread, spread, DrawsError, Spread};
use crate::engine::TrialOutcome;
use crate::model::{Measure, Model, Statistic};
use crate::montecarlo::{self, RunOptions, RunSettings};
use crate::stats::objective::{report_mean, MeanView};
use crate::stats::{Accumulator, ConfidenceResult, Moments, RunResult, TrialValues, Verdict, Z95};

/// The `uncertainty` key of the result document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UncertaintyReport {
    /// Draws of the inputs.
    pub draws: u64,
    /// Every input with its law's exact p5, p50 and p95.
    pub inputs: Vec<InputReport>,
    /// Per service, per measure with a mean: the spread of the per-draw means.
    pub services: BTreeMap<String, BTreeMap<String, Spread>>,
    /// The spread of the per-draw means of the scenario's cost.
    pub cost: Spread,
}

/// One input in the `uncertainty` key.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InputReport {
    /// What it is, e.g. `zone every`.
    pub name: String,
    /// Where it is written, `FILE:LINE:COL`.
    pub at: String,
    /// The law's 5th percentile (hours, or a probability).
    pub p5: f64,
    /// Its median.
    pub p50: f64,
    /// Its 95th percentile.
    pub p95: f64,
    /// Whether it is a probability (else hours); not in the document.
    #[serde(skip)]
    pub probability: bool,
}

/// The document of a two-level run, the sorted per-trial values of all
/// draws' trials (for plots), and the per-draw documents.
pub struct TwoLevel {
    /// The document, with its `uncertainty` key.
    pub result: RunResult,
    /// The per-trial values behind its percentiles.
    pub values: TrialValues,
    /// One document per draw, in draw order.
    pub draws: Vec<RunResult>,
}

/// Runs `model` (which has uncertain inputs) in two levels: `draws` draws,
/// each on the same trials and seed.
///
/// # Errors
/// A refused or stopped run, or a draw that makes a distribution invalid.
pub fn run_two_level(
    model: &Model,
    draws: u64,
    options: &RunOptions,
    stop: &AtomicBool,
) -> Result<TwoLevel, DrawsError> {
    let settings = RunSettings::resolve(model, options);
    let (trials, seed) = (settings.trials, settings.seed);
    // the whole run's work: every draw's trials
    let all = trials.saturating_mul(draws);
    montecarlo::check_work(model, all, &settings.limits)?;
    let laws: Vec<_> = model.uncertain.iter().map(|i| i.law).collect();
    let rows = latin_hypercube(seed, draws, &laws);
    let started = std::time::Instant::now();
    let keys = Keys::new(model);
    let sketched = montecarlo::sketches(model, all, &settings.limits);
    let mut pooled = Accumulator::with_values(model, all as usize, sketched);
    let mut pooled_moments = vec![Moments::default(); keys.len];
    let mut sums = vec![0.0; keys.len * trials as usize];
    let mut per_draw = Vec::with_capacity(rows.len());
    let mut row_values = vec![0.0; keys.len];
    for values in &rows {
        let drawn = instantiate(model, &model.uncertain, values)?;
        let (result, outcomes) = montecarlo::run_sampled(&drawn, options, stop, Clone::clone)?;
        for (t, outcome) in outcomes.iter().enumerate() {
            pooled.push(outcome);
            keys.values(outcome, &mut row_values);
            let trial_sums = &mut sums[t * keys.len..(t + 1) * keys.len];
            for ((sum, m), &x) in trial_sums
                .iter_mut()
                .zip(&mut pooled_moments)
                .zip(&row_values)
            {
                *sum += x;
                m.push(x);
            }
        }
        per_draw.push(result);
    }
    let seconds = started.elapsed().as_secs_f64();
    let (mut result, values) = pooled.finish_with_values(model, seed, seconds);
    let factors = noise_factors(&sums, &pooled_moments, keys.len, draws);
    keys.rescale(model, &mut result, &factors);
    keys.rejudge(model, &mut result, &factors, trials);
    judge_confidence(model, &mut result, &per_draw);
    result.trials = trials;
    result.uncertainty = Some(report(model, draws, &per_draw));
    result.sensitivity = Some(super::sensitivity::tornado(model, options, stop)?);
    Ok(TwoLevel {
        result,
        values,
        draws: per_draw,
    })
}

/// Per key: the trial noise of the overall mean (from the per-trial means
/// over the draws) over the noise the pooled trials would show as if
/// independent, by which the pooled document's CIs are widened or narrowed.
fn noise_factors(sums: &[f64], pooled: &[Moments], keys: usize, draws: u64) -> Vec<f64> {
    (0..keys)
        .map(|k| {
            let mut averages = Moments::default();
            for trial in sums.chunks_exact(keys) {
                averages.push(trial[k] / draws as f64);
            }
            let pooled_error = pooled[k].std_error();
            if pooled_error > 0.0 {
                averages.std_error() / pooled_error
            } else {
                1.0
            }
        })
        .collect()
}

/// Widens or narrows `ci` about `mean` by `factor`.
fn rescale(ci: &mut Option<[f64; 2]>, mean: f64, factor: f64, clamp: (f64, f64)) {
    if let Some([lo, hi]) = ci {
        *lo = (mean - (mean - *lo) * factor).clamp(clamp.0, clamp.1);
        *hi = (mean + (*hi - mean) * factor).clamp(clamp.0, clamp.1);
    }
}

/// The per-trial values whose means carry a CI, in a fixed order: per
/// service lost, downtime, cost, data loss, credits and traffic-weighted
/// lost hours; per failure lost hours and cost; per cause the same; the
/// unattributed hours and cost; the scenario's cost.
struct Keys {
    services: usize,
    failures: usize,
    /// The cause names in the document's order, and each failure's cause.
    causes: Vec<String>,
    cause_of: Vec<usize>,
    len: usize,
}

const SERVICE_KEYS: usize = 6;

impl Keys {
    fn new(model: &Model) -> Keys {
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

    fn values(&self, o: &TrialOutcome, out: &mut [f64]) {
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

    fn rescale(&self, model: &Model, result: &mut RunResult, factors: &[f64]) {
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
                let (k_lost, k_cost) = (factors[failures + 2 * f], factors[failures + 2 * f + 1]);
                rescale(
                    &mut stats.lost_hours.ci95,
                    stats.lost_hours.mean,
                    k_lost,
                    any,
                );
                rescale(&mut stats.cost.ci95, stats.cost.mean, k_cost, any);
            }
        }
        let causes = failures + 2 * self.failures;
        for (c, name) in self.causes.iter().enumerate() {
            if let Some(stats) = result.causes.get_mut(name) {
                let (k_lost, k_cost) = (factors[causes + 2 * c], factors[causes + 2 * c + 1]);
                rescale(
                    &mut stats.lost_hours.ci95,
                    stats.lost_hours.mean,
                    k_lost,
                    any,
                );
                rescale(&mut stats.cost.ci95, stats.cost.mean, k_cost, any);
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
    fn rejudge(&self, model: &Model, result: &mut RunResult, factors: &[f64], trials: u64) {
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

/// Judges every objective with `confidence` over the draws: met when the
/// draws whose whole CI meets the target are at least that share, failed
/// when those whose whole CI misses it are more than the rest, undecided
/// otherwise (trial noise cannot tell); `met_share` counts the draws by
/// their means' point estimates.
fn judge_confidence(model: &Model, result: &mut RunResult, per_draw: &[RunResult]) {
    let draws = per_draw.len().max(1) as f64;
    for (i, (objective, judged)) in (model.objectives.iter())
        .zip(&mut result.objectives)
        .enumerate()
    {
        let Some(required) = objective.confidence else {
            continue;
        };
        let higher = objective.measure.higher_is_better();
        let meets = |x: f64| {
            if higher {
                x >= objective.target
            } else {
                x <= objective.target
            }
        };
        let (mut met, mut sure, mut missed) = (0usize, 0usize, 0usize);
        for draw in per_draw.iter().filter_map(|r| r.objectives.get(i)) {
            met += usize::from(meets(draw.estimate));
            if let Some([lo, hi]) = draw.ci95 {
                sure += usize::from(meets(lo) && meets(hi));
                missed += usize::from(!meets(lo) && !meets(hi));
            }
        }
        let share = |k: usize| k as f64 / draws;
        judged.verdict = if share(sure) >= required {
            Verdict::Met
        } else if share(missed) > 1.0 - required {
            Verdict::Failed
        } else {
            Verdict::Undecided
        };
        judged.more_trials = None;
        judged.confidence = Some(ConfidenceResult {
            required,
            met_share: share(met),
            surely_met_share: share(sure),
            surely_failed_share: share(missed),
        });
    }
}

/// The `uncertainty` key: the inputs' laws and the spread of the per-draw
/// means of every measure with a mean.
fn report(model: &Model, draws: u64, per_draw: &[RunResult]) -> UncertaintyReport {
    let inputs = (model.uncertain.iter())
        .map(|i| {
            let s = law_spread(&i.law);
            InputReport {
                name: i.name.clone(),
                at: i.at.clone(),
                p5: s.p5,
                p50: s.p50,
                p95: s.p95,
                probability: matches!(i.law, super::Law::Uniform { .. }),
            }
        })
        .collect();
    let mut means: BTreeMap<String, BTreeMap<String, Vec<f64>>> = BTreeMap::new();
    for result in per_draw {
        for (service, stats) in &result.services {
            let measures = means.entry(service.clone()).or_default();
            if let Ok(serde_json::Value::Object(fields)) = serde_json::to_value(stats) {
                for (measure, value) in fields {
                    if let Some(mean) = value.get("mean").and_then(serde_json::Value::as_f64) {
                        measures.entry(measure).or_default().push(mean);
                    }
                }
            }
        }
    }
    let services = (means.into_iter())
        .map(|(service, measures)| {
            let spreads = (measures.into_iter())
                .map(|(measure, values)| (measure, spread(&values)))
                .collect();
            (service, spreads)
        })
        .collect();
    let costs: Vec<f64> = per_draw.iter().map(|r| r.cost.mean).collect();
    UncertaintyReport {
        draws,
        inputs,
        services,
        cost: spread(&costs),
    }
}

//! The two-level run of a scenario with uncertain inputs: `draws` Latin
//! hypercube draws, each a concrete model simulated on the same trials,
//! and the tornado's runs, all as variants of one run in the one loop
//! ([`montecarlo::variants`]: every block of trials on every variant, the
//! blocks reduced in the segment tree, so threads and shards give the same
//! numbers). The document's estimates are those
//! of all draws' trials together (means over draws and trials, percentiles
//! of the mixture); each mean's `ci95` is the trial noise of that overall
//! mean: the draws share their trials (common random numbers), so for each
//! trial the measure is averaged over the draws and the CI comes from the
//! spread of those averages over the independent trials.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64};

use serde::Serialize;

use super::keys::Keys;
use super::{instantiate, latin_hypercube, law_spread, spread, DrawError, DrawsError, Spread};
use crate::engine::{Plan, TrialOutcome};
use crate::model::Model;
use crate::montecarlo::variants::{run_variants, VariantBlock, Variants, VariantsReduced};
use crate::montecarlo::{self, RunError, RunOptions, RunSettings, Watch};
use crate::stats::{Accumulator, ConfidenceResult, Moments, RunResult, TrialValues, Verdict};

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
/// each on the same trials and seed, and the tornado's runs on them too.
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
    let started = std::time::Instant::now();
    let variants = DrawVariants::new(model, draws, &settings)?;
    let trials = settings.trials;
    let reduced = variants.simulate(&settings, 0..trials, stop)?;
    let total = reduced.reduction.finish();
    montecarlo::in_pool(settings.threads, || {
        let seconds = started.elapsed().as_secs_f64();
        variants.document(&settings, (total, reduced.values), seconds)
    })
    .map_err(DrawsError::Run)
}

/// The variants of a two-level run: the draws, then the tornado's ends
/// (each input at its p5 and at its p95, every other at its p50), each a
/// concrete model.
pub struct DrawVariants<'m> {
    model: &'m Model,
    draws: usize,
    models: Vec<Model>,
    keys: Keys,
}

impl<'m> DrawVariants<'m> {
    /// The draws of `model`'s inputs from the settings' seed and the
    /// tornado's ends, each checked against the work limits.
    ///
    /// # Errors
    /// A refused run, or a draw that makes a distribution invalid.
    pub fn new(
        model: &'m Model,
        draws: u64,
        settings: &RunSettings,
    ) -> Result<DrawVariants<'m>, DrawsError> {
        let variants = DrawVariants::build(model, draws, settings.seed)?;
        variants.check(settings)?;
        Ok(variants)
    }

    /// The draws of `model`'s inputs from `seed` and the tornado's ends,
    /// unchecked (a merge rebuilds the variants its shards ran).
    ///
    /// # Errors
    /// A draw that makes a distribution invalid.
    pub fn build(model: &'m Model, draws: u64, seed: u64) -> Result<DrawVariants<'m>, DrawError> {
        let laws: Vec<_> = model.uncertain.iter().map(|i| i.law).collect();
        let rows = latin_hypercube(seed, draws, &laws);
        let models = (rows.iter().chain(&super::sensitivity::ends(model)))
            .map(|values| instantiate(model, &model.uncertain, values))
            .collect::<Result<_, _>>()?;
        Ok(DrawVariants {
            model,
            draws: draws as usize,
            models,
            keys: Keys::new(model),
        })
    }

    /// Checks the work of the whole run (every draw's trials, the
    /// tornado's runs) and of each variant against the settings' limits.
    fn check(&self, settings: &RunSettings) -> Result<(), RunError> {
        let (model, trials, limits) = (self.model, settings.trials, &settings.limits);
        let draws = self.draws as u64;
        if draws > 0 {
            montecarlo::check_work(model, trials.saturating_mul(draws), limits)?;
        }
        montecarlo::check_runs(model, 2 * model.uncertain.len(), settings)?;
        (self.models.iter()).try_for_each(|m| montecarlo::check_work(m, trials, limits))
    }

    /// The number of draws.
    pub fn draws(&self) -> usize {
        self.draws
    }

    /// The shape of a block: the variants and the per-trial measures.
    pub fn shape(&self) -> (usize, usize) {
        (self.models.len(), self.keys.len)
    }

    /// Simulates the trials `range` of every variant.
    ///
    /// # Errors
    /// As [`montecarlo::variants::run_variants`].
    pub fn simulate(
        &self,
        settings: &RunSettings,
        range: std::ops::Range<u64>,
        stop: &AtomicBool,
    ) -> Result<VariantsReduced, RunError> {
        let plans: Vec<Plan> = (self.models.iter())
            .map(|m| Plan::seeded(m, settings.seed))
            .collect();
        let read = |o: &TrialOutcome, out: &mut [f64]| self.keys.values(o, out);
        let variants = Variants {
            model: self.model,
            plans: &plans,
            kept: self.draws,
            measures: (self.keys.len, &read),
        };
        let watch = Watch {
            stop,
            progress: &AtomicU64::new(0),
        };
        let sketched = montecarlo::sketches(self.model, settings.trials, &settings.limits);
        run_variants(variants, settings, range, (watch, sketched))
    }

    /// An empty block of these variants (what a merge starts from).
    pub fn empty(&self) -> VariantBlock {
        VariantBlock::empty(self.model, (self.models.len(), self.draws), self.keys.len)
    }

    /// The document of the whole run from every trial's moments (`total`)
    /// and the draws' per-trial values, in draw order.
    pub fn document(
        &self,
        settings: &RunSettings,
        (total, values): (VariantBlock, Vec<Accumulator>),
        seconds: f64,
    ) -> TwoLevel {
        let (model, seed, trials) = (self.model, settings.seed, settings.trials);
        let draws = self.draws as u64;
        let all = trials.saturating_mul(draws);
        let sketched = montecarlo::sketches(model, all, &settings.limits);
        let mut pooled_values = Accumulator::with_values(model, all as usize, sketched);
        // the moments of all draws' trials: the draws' in draw order
        let mut pooled = Accumulator::new(model, 0);
        let mut runs = total.runs.into_iter();
        let draw_runs: Vec<Accumulator> = runs.by_ref().take(self.draws).collect();
        for (run, values) in draw_runs.iter().zip(&values) {
            pooled.merge_moments(run);
            pooled_values.merge_values(values);
        }
        pooled.take_values_from(pooled_values);
        let per_draw: Vec<RunResult> = (draw_runs.into_iter().zip(values))
            .zip(&self.models)
            .map(|((mut run, values), drawn)| {
                run.take_values_from(values);
                run.finish(drawn, seed, seconds)
            })
            .collect();
        let (mut result, values) = pooled.finish_with_values(model, seed, seconds);
        let factors = noise_factors(&total.averages, &total.pooled);
        let keys = &self.keys;
        keys.rescale(model, &mut result, &factors);
        keys.rejudge(model, &mut result, &factors, trials);
        judge_confidence(model, &mut result, &per_draw);
        result.trials = trials;
        result.uncertainty = Some(report(model, draws, &per_draw));
        let ends: Vec<Accumulator> = runs.collect();
        result.sensitivity = Some(super::sensitivity::entries(model, &ends, &total.pairs));
        TwoLevel {
            result,
            values,
            draws: per_draw,
        }
    }
}

/// Per key: the trial noise of the overall mean (from the moments of the
/// per-trial means over the draws) over the noise the pooled trials would
/// show as if independent, by which the pooled document's CIs are widened
/// or narrowed.
fn noise_factors(averages: &[Moments], pooled: &[Moments]) -> Vec<f64> {
    (averages.iter().zip(pooled))
        .map(|(averages, pooled)| {
            let pooled_error = pooled.std_error();
            if pooled_error > 0.0 {
                averages.std_error() / pooled_error
            } else {
                1.0
            }
        })
        .collect()
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

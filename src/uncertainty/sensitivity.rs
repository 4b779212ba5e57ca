//! Sensitivity: which assumption drives the answer. For every uncertain
//! input, the scenario's mean cost and each service's mean lost hours with
//! that input at its p5 and at its p95 and every other input at its p50,
//! each run on the same trials and seed: a tornado, sorted by swing.

use std::collections::BTreeMap;
use std::sync::atomic::AtomicBool;

use serde::Serialize;

use super::{law_spread, DrawsError};
use crate::model::{Measure, Model};
use crate::montecarlo::{self, RunOptions};
use crate::stats::objective::known_ci;
use crate::stats::{rare, Accumulator, Moments, Rare, Z95};

/// One bar of the tornado.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SensitivityEntry {
    /// The input's name.
    pub input: String,
    /// Where it is written, `FILE:LINE:COL`.
    pub at: String,
    /// Its p5 (hours, or a probability).
    pub low: f64,
    /// Its p95.
    pub high: f64,
    /// The scenario's mean cost with the input at `low`.
    pub cost_at_low: f64,
    /// Its 95% confidence interval, as the result document gives one: null
    /// when the cost is [rare](crate::stats::rare) (`cost_at_low_rare`
    /// then bounds it).
    pub cost_at_low_ci95: Option<[f64; 2]>,
    /// The rare record of the cost at `low`, when it is rare.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost_at_low_rare: Option<Rare>,
    /// The scenario's mean cost with the input at `high`.
    pub cost_at_high: f64,
    /// Its 95% confidence interval, as `cost_at_low_ci95`.
    pub cost_at_high_ci95: Option<[f64; 2]>,
    /// The rare record of the cost at `high`, when it is rare.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost_at_high_rare: Option<Rare>,
    /// `|cost_at_high - cost_at_low|`.
    pub swing: f64,
    /// The 95% confidence interval of the swing, from the spread of the
    /// per-trial difference of the two ends on the same trials (paired):
    /// the interval of `cost_at_high - cost_at_low`, taken in absolute
    /// value (from 0 when it spans 0); `[0, f64::MAX]` from fewer than two
    /// trials; null when fewer than 10 trials differ (`swing_rare`).
    pub swing_ci95: Option<[f64; 2]>,
    /// The rare record of the per-trial difference, when it is rare: how
    /// many trials differ at all, and the bound on the chance that one does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub swing_rare: Option<Rare>,
    /// Per service, its mean lost hours with the input at `low` and `high`.
    pub lost_hours: BTreeMap<String, LostAtEnds>,
}

/// A service's mean lost hours at an input's two ends.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LostAtEnds {
    /// With the input at its p5.
    pub at_low: f64,
    /// Its 95% confidence interval (null when rare).
    pub at_low_ci95: Option<[f64; 2]>,
    /// Its rare record, when rare.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at_low_rare: Option<Rare>,
    /// With the input at its p95.
    pub at_high: f64,
    /// Its 95% confidence interval (null when rare).
    pub at_high_ci95: Option<[f64; 2]>,
    /// Its rare record, when rare.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at_high_rare: Option<Rare>,
}

/// `faultline sensitivity --format json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SensitivityDocument {
    /// The scenario's name.
    pub scenario: String,
    /// The seed of every run.
    pub seed: u64,
    /// The trials of every run.
    pub trials: u64,
    /// The tornado, largest swing first.
    pub sensitivity: Vec<SensitivityEntry>,
}

/// The tornado of `model`'s uncertain inputs (empty without any): two runs
/// per input on the same trials, largest swing first (ties in file order).
///
/// # Errors
/// A refused or stopped run, or an end that makes a distribution invalid.
pub fn tornado(
    model: &Model,
    options: &RunOptions,
    stop: &AtomicBool,
) -> Result<Vec<SensitivityEntry>, DrawsError> {
    let settings = montecarlo::RunSettings::resolve(model, options);
    let variants = super::run::DrawVariants::new(model, 0, &settings)?;
    let total = variants
        .simulate(&settings, 0..settings.trials, stop)?
        .reduction
        .finish();
    Ok(entries(model, &total.runs, &total.pairs))
}

/// The values of the inputs at the tornado's ends: for each input, every
/// input at its p50 but this one at its p5, then at its p95.
pub fn ends(model: &Model) -> Vec<Vec<f64>> {
    let spreads: Vec<_> = model.uncertain.iter().map(|i| law_spread(&i.law)).collect();
    let medians: Vec<f64> = spreads.iter().map(|s| s.p50).collect();
    let mut rows = Vec::with_capacity(2 * spreads.len());
    for (i, s) in spreads.iter().enumerate() {
        for value in [s.p5, s.p95] {
            let mut row = medians.clone();
            row[i] = value;
            rows.push(row);
        }
    }
    rows
}

/// The tornado from the moments of the runs at the [`ends`], in their
/// order, and of each input's paired cost differences (`pairs`, one an
/// input: high end minus low end on the same trials).
pub fn entries(model: &Model, runs: &[Accumulator], pairs: &[Moments]) -> Vec<SensitivityEntry> {
    let mut entries: Vec<SensitivityEntry> = (model.uncertain.iter())
        .zip(runs.chunks_exact(2))
        .zip(pairs)
        .map(|((input, ends), difference)| {
            let s = law_spread(&input.law);
            let (low, high) = (&ends[0], &ends[1]);
            let lost_hours = (model.services.iter().enumerate())
                .map(|(k, service)| {
                    let (at_low, (at_low_ci95, at_low_rare)) = estimate(low, Measure::LostHours(k));
                    let (at_high, (at_high_ci95, at_high_rare)) =
                        estimate(high, Measure::LostHours(k));
                    let ends = LostAtEnds {
                        at_low,
                        at_low_ci95,
                        at_low_rare,
                        at_high,
                        at_high_ci95,
                        at_high_rare,
                    };
                    (service.name.clone(), ends)
                })
                .collect();
            let (cost_at_low, (cost_at_low_ci95, cost_at_low_rare)) = estimate(low, Measure::Cost);
            let (cost_at_high, (cost_at_high_ci95, cost_at_high_rare)) =
                estimate(high, Measure::Cost);
            let change = cost_at_high - cost_at_low;
            let swing_rare = rare::rare(difference);
            SensitivityEntry {
                input: input.name.clone(),
                at: input.at.clone(),
                low: s.p5,
                high: s.p95,
                cost_at_low,
                cost_at_low_ci95,
                cost_at_low_rare,
                cost_at_high,
                cost_at_high_ci95,
                cost_at_high_rare,
                swing: change.abs(),
                swing_ci95: swing_rare
                    .is_none()
                    .then(|| swing_interval(change, difference)),
                swing_rare,
                lost_hours,
            }
        })
        .collect();
    // stable: equal swings keep file order
    entries.sort_by(|a, b| b.swing.total_cmp(&a.swing));
    entries
}

/// A non-negative measure's mean in a run, with its interval and rare
/// record as the result document gives them.
fn estimate(run: &Accumulator, measure: Measure) -> (f64, (Option<[f64; 2]>, Option<Rare>)) {
    let moments = run.sample(measure).moments;
    (moments.mean, known_ci(moments))
}

/// The interval of `|change|` from the 95% interval of the per-trial
/// `difference`'s mean centred on `change`: its ends in absolute value,
/// from 0 when the interval spans 0; `[0, f64::MAX]` from fewer than two
/// trials (one value says nothing of the spread).
fn swing_interval(change: f64, difference: &Moments) -> [f64; 2] {
    if difference.n < 2 {
        return [0.0, f64::MAX];
    }
    let half = Z95 * difference.std_error();
    let (a, b) = (change - half, change + half);
    if a <= 0.0 && b >= 0.0 {
        [0.0, a.abs().max(b)]
    } else {
        [a.abs().min(b.abs()), a.abs().max(b.abs())]
    }
}

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
use crate::stats::Accumulator;

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
    /// ... and at `high`.
    pub cost_at_high: f64,
    /// `|cost_at_high - cost_at_low|`.
    pub swing: f64,
    /// Per service, its mean lost hours with the input at `low` and `high`.
    pub lost_hours: BTreeMap<String, LostAtEnds>,
}

/// A service's mean lost hours at an input's two ends.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LostAtEnds {
    /// With the input at its p5.
    pub at_low: f64,
    /// With the input at its p95.
    pub at_high: f64,
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
    let reduced = variants.simulate(&settings, 0..settings.trials, stop)?;
    Ok(entries(model, &reduced.reduction.finish().runs))
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
/// order.
pub fn entries(model: &Model, runs: &[Accumulator]) -> Vec<SensitivityEntry> {
    let mean = |run: &Accumulator, measure| run.sample(measure).moments.mean;
    let mut entries: Vec<SensitivityEntry> = (model.uncertain.iter())
        .zip(runs.chunks_exact(2))
        .map(|(input, ends)| {
            let s = law_spread(&input.law);
            let (low, high) = (&ends[0], &ends[1]);
            let lost_hours = (model.services.iter().enumerate())
                .map(|(k, service)| {
                    let ends = LostAtEnds {
                        at_low: mean(low, Measure::LostHours(k)),
                        at_high: mean(high, Measure::LostHours(k)),
                    };
                    (service.name.clone(), ends)
                })
                .collect();
            let (cost_at_low, cost_at_high) = (mean(low, Measure::Cost), mean(high, Measure::Cost));
            SensitivityEntry {
                input: input.name.clone(),
                at: input.at.clone(),
                low: s.p5,
                high: s.p95,
                cost_at_low,
                cost_at_high,
                swing: (cost_at_high - cost_at_low).abs(),
                lost_hours,
            }
        })
        .collect();
    // stable: equal swings keep file order
    entries.sort_by(|a, b| b.swing.total_cmp(&a.swing));
    entries
}

/// The tornado as aligned text lines (a header, then one line per input).
pub fn lines(entries: &[SensitivityEntry]) -> Vec<String> {
    let mut out = vec![format!(
        "{:<40} {:>12} {:>12} {:>14} {:>14} {:>12}",
        "input (p5 .. p95)", "low", "high", "cost at low", "cost at high", "swing"
    )];
    for e in entries {
        out.push(format!(
            "{:<40} {:>12} {:>12} {:>14.0} {:>14.0} {:>12.0}",
            crate::text::one_line(&e.input),
            format!("{:.4}", e.low),
            format!("{:.4}", e.high),
            e.cost_at_low,
            e.cost_at_high,
            e.swing
        ));
    }
    out
}

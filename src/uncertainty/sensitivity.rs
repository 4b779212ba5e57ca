//! Sensitivity: which assumption drives the answer. For every uncertain
//! input, the scenario's mean cost and each service's mean lost hours with
//! that input at its p5 and at its p95 and every other input at its p50,
//! each run on the same trials and seed: a tornado, sorted by swing.

use std::collections::BTreeMap;
use std::sync::atomic::AtomicBool;

use serde::Serialize;

use super::{instantiate, law_spread, DrawsError};
use crate::model::Model;
use crate::montecarlo::{self, RunOptions};
use crate::stats::RunResult;

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
    let inputs = &model.uncertain;
    let settings = montecarlo::RunSettings::resolve(model, options);
    montecarlo::check_runs(model, 2 * inputs.len(), &settings)?;
    let spreads: Vec<_> = inputs.iter().map(|i| law_spread(&i.law)).collect();
    let medians: Vec<f64> = spreads.iter().map(|s| s.p50).collect();
    let run_at = |i: usize, value: f64| -> Result<RunResult, DrawsError> {
        let mut values = medians.clone();
        values[i] = value;
        let drawn = instantiate(model, inputs, &values)?;
        Ok(montecarlo::run_until(&drawn, options, stop)?)
    };
    let mut entries = Vec::with_capacity(inputs.len());
    for (i, (input, s)) in inputs.iter().zip(&spreads).enumerate() {
        let (low, high) = (run_at(i, s.p5)?, run_at(i, s.p95)?);
        let lost_hours = (low.services.iter())
            .filter_map(|(name, l)| {
                let h = high.services.get(name)?;
                let ends = LostAtEnds {
                    at_low: l.lost_hours.mean,
                    at_high: h.lost_hours.mean,
                };
                Some((name.clone(), ends))
            })
            .collect();
        entries.push(SensitivityEntry {
            input: input.name.clone(),
            at: input.at.clone(),
            low: s.p5,
            high: s.p95,
            cost_at_low: low.cost.mean,
            cost_at_high: high.cost.mean,
            swing: (high.cost.mean - low.cost.mean).abs(),
            lost_hours,
        });
    }
    // stable: equal swings keep file order
    entries.sort_by(|a, b| b.swing.total_cmp(&a.swing));
    Ok(entries)
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

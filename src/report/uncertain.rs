//! The lines that give the spread over uncertain inputs, `mean [p5 - p95
//! over inputs]`, shared by the table and Markdown.

use super::rare::MARK;
use super::{hours, money, percent, services_by_loss};
use crate::stats::RunResult;
use crate::uncertainty::sensitivity::SensitivityEntry;
use crate::uncertainty::Spread;

/// `mean [p5 - p95 over inputs]` with each number formatted by `unit`.
fn over_inputs(mean: f64, s: Option<&Spread>, unit: fn(f64) -> String) -> String {
    match s {
        Some(s) => format!(
            "{} [{} - {} over inputs]",
            unit(mean),
            unit(s.p5),
            unit(s.p95)
        ),
        None => unit(mean),
    }
}

/// The lines on uncertain inputs (none without them): the draws, each
/// service's availability, lost hours and cost and the scenario's cost as
/// `mean [p5 - p95 over inputs]`, and each input's law.
pub fn lines(r: &RunResult) -> Vec<String> {
    let Some(u) = &r.uncertainty else {
        return Vec::new();
    };
    let mut out = vec![format!(
        "uncertain inputs: {} draws, each on the same {} trials; [p5 - p95 over inputs] of the per-draw means",
        u.draws, r.trials
    )];
    for (name, s) in services_by_loss(r) {
        let spreads = u.services.get(name.as_str());
        let of = |measure: &str| spreads.and_then(|m| m.get(measure));
        out.push(format!(
            "{name}: availability {}, lost/trial {}, cost/trial {}",
            over_inputs(s.availability.mean, of("availability"), percent),
            over_inputs(s.lost_hours.mean, of("lost_hours"), hours),
            over_inputs(s.cost.mean, of("cost"), money),
        ));
    }
    out.push(format!(
        "cost per trial: {}",
        over_inputs(r.cost.mean, Some(&u.cost), money)
    ));
    for input in &u.inputs {
        let unit: fn(f64) -> String = if input.probability {
            |x| format!("{x:.3}")
        } else {
            hours
        };
        out.push(format!(
            "input {} ({}): p5 {}, p50 {}, p95 {}",
            input.name,
            input.at,
            unit(input.p5),
            unit(input.p50),
            unit(input.p95)
        ));
    }
    if let Some(entries) = r.sensitivity.as_deref().filter(|e| !e.is_empty()) {
        out.push("sensitivity: mean cost with each input at its p5 and p95, the others at their p50 (± the 95% half-width), same trials; the swing's interval paired".into());
        out.extend(tornado_lines(entries));
    }
    out
}

/// The tornado as aligned text lines (a header, then one line per input):
/// each end's mean cost with its 95% half-width, the swing with its
/// interval; a rare value marked `~` with no interval.
pub fn tornado_lines(entries: &[SensitivityEntry]) -> Vec<String> {
    let mut out = vec![format!(
        "{:<40} {:>12} {:>12} {:>22} {:>22} {:>34}",
        "input (p5 .. p95)", "low", "high", "cost at low", "cost at high", "swing [95% CI]"
    )];
    for e in entries {
        out.push(format!(
            "{:<40} {:>12} {:>12} {:>22} {:>22} {:>34}",
            crate::text::one_line(&e.input),
            format!("{:.4}", e.low),
            format!("{:.4}", e.high),
            plus_minus(e.cost_at_low, e.cost_at_low_ci95),
            plus_minus(e.cost_at_high, e.cost_at_high_ci95),
            swing(e),
        ));
    }
    out
}

/// `mean ± half-width` of an estimate and its interval in money, or
/// `~mean rare` without one.
pub fn plus_minus(mean: f64, ci95: Option<[f64; 2]>) -> String {
    match ci95 {
        Some([lo, hi]) => format!("{} ± {}", money(mean), money((hi - lo) / 2.0)),
        None => format!("{MARK}{} rare", money(mean)),
    }
}

/// `swing [low, high]` in money, or `~swing rare` without an interval.
pub fn swing(e: &SensitivityEntry) -> String {
    match e.swing_ci95 {
        Some([a, b]) => format!("{} [{}, {}]", money(e.swing), money(a), money(b)),
        None => format!("{MARK}{} rare", money(e.swing)),
    }
}

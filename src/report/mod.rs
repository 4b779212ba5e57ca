//! Rendering of a [`RunResult`]: one file per output format behind [`Render`]
//! (the HTML report, which also draws the scenario's graph and the per-trial
//! values, is a module of its own).

pub mod compare;
mod html;
mod json;
mod junit;
mod markdown;
pub mod objectives;
pub mod rare;
mod table;
pub mod uncertain;

pub use html::{escape, Html};
pub use json::{json_text, Json};
pub use junit::{escape as xml_escape, junit};
pub use markdown::Markdown;
pub use table::Table;

use std::collections::BTreeMap;

use crate::stats::{CauseStats, Estimate, FailureStats, RunResult, ServiceStats};
pub use crate::text::{hours, money, percent};

/// An output format.
pub trait Render {
    /// Renders the result as text.
    ///
    /// # Errors
    /// [`RenderError`] when the result cannot be represented faithfully.
    fn render(&self, result: &RunResult) -> Result<String, RenderError>;
}

/// Why a result could not be rendered.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RenderError {
    /// A number was NaN or infinite (an engine defect, never written as `null`).
    #[error("the result holds a number that is not finite; this is a bug in faultline")]
    NotFinite,
    /// Serialization failed.
    #[error("could not write the result: {0}")]
    Serialize(String),
}

/// Entries sorted by a loss measure, most first, then by name.
fn by_loss<T>(map: &BTreeMap<String, T>, loss: impl Fn(&T) -> f64) -> Vec<(&String, &T)> {
    let mut entries: Vec<_> = map.iter().collect();
    entries.sort_by(|a, b| loss(b.1).total_cmp(&loss(a.1)).then(a.0.cmp(b.0)));
    entries
}

/// Services sorted by mean lost hours, most first, then by name.
pub fn services_by_loss(result: &RunResult) -> Vec<(&String, &ServiceStats)> {
    by_loss(&result.services, |s| s.lost_hours.mean)
}

/// Failures sorted by mean attributed lost hours, most first, then by name.
pub fn failures_by_loss(result: &RunResult) -> Vec<(&String, &FailureStats)> {
    by_loss(&result.failures, |f| f.lost_hours.mean)
}

/// Causes sorted by mean attributed cost, most first, then by lost hours
/// and name.
pub fn causes_by_cost(result: &RunResult) -> Vec<(&String, &CauseStats)> {
    let mut entries: Vec<_> = result.causes.iter().collect();
    entries.sort_by(|a, b| {
        (b.1.cost.mean.total_cmp(&a.1.cost.mean))
            .then(b.1.lost_hours.mean.total_cmp(&a.1.lost_hours.mean))
            .then(a.0.cmp(b.0))
    });
    entries
}

/// A mean and its 95% CI, each formatted by `unit`: `12.00h [10.10h, 13.90h]`;
/// a rare mean is marked `~12.00h [~ rare]`.
pub fn with_ci(e: &Estimate, unit: fn(f64) -> String) -> String {
    format!(
        "{} {}",
        rare::marked(unit(e.mean), e.rare.as_ref()),
        rare::interval(e.ci95, unit)
    )
}

/// A CI in words, `95% CI LO to HI`, or for a rare measure its footnote.
fn ci_words(
    ci95: Option<[f64; 2]>,
    rare: Option<&crate::stats::Rare>,
    (what, result): (&str, &RunResult),
    unit: fn(f64) -> String,
) -> String {
    match (ci95, rare) {
        (Some([lo, hi]), _) => format!("95% CI {} to {}", unit(lo), unit(hi)),
        (None, Some(r)) => rare::footnote(r, what, result),
        (None, None) => "no CI".into(),
    }
}

/// One line per service whose outage mechanics did anything (shedding,
/// collapses, failovers, data loss, SLA credits, deadlocks, traffic
/// weighting), in the order of `services_by_loss`, then one for the loss no
/// failure caused, if any.
pub fn mechanics_lines(result: &RunResult) -> Vec<String> {
    let mut lines = Vec::new();
    for (name, s) in services_by_loss(result) {
        let parts = mechanics_of(s);
        if !parts.is_empty() {
            lines.push(format!("{name}: {}", parts.join(", ")));
        }
    }
    let u = &result.unattributed;
    if u.lost_hours.mean > 0.0 || u.cost.mean > 0.0 {
        lines.push(format!(
            "not caused by any failure (capacity short of demand): {}/trial lost ({}), {}/trial ({})",
            rare::marked(hours(u.lost_hours.mean), u.lost_hours.rare.as_ref()),
            ci_words(u.lost_hours.ci95, u.lost_hours.rare.as_ref(), ("loss", result), hours),
            rare::marked(money(u.cost.mean), u.cost.rare.as_ref()),
            ci_words(u.cost.ci95, u.cost.rare.as_ref(), ("cost", result), money),
        ));
    }
    lines
}

fn mechanics_of(s: &ServiceStats) -> Vec<String> {
    let mut parts = Vec::new();
    if s.availability_weighted.mean != s.availability.mean {
        parts.push(format!(
            "traffic-weighted availability {}",
            percent(s.availability_weighted.mean)
        ));
    }
    if s.shed_hours.mean > 0.0 {
        parts.push(format!("shed {}/trial", hours(s.shed_hours.mean)));
    }
    if s.collapses.mean > 0.0 {
        parts.push(format!("{:.3} overload collapses/trial", s.collapses.mean));
    }
    if s.failovers.mean > 0.0 {
        parts.push(format!(
            "{:.3} failovers/trial ({:.3} needed a human)",
            s.failovers.mean, s.failed_failovers.mean
        ));
    }
    if s.failbacks.mean > 0.0 {
        parts.push(format!("{:.3} failbacks/trial", s.failbacks.mean));
    }
    let d = &s.data_loss_hours;
    if d.max > 0.0 {
        parts.push(format!(
            "writes lost {}/trial (p99 {}, max {})",
            hours(d.mean),
            hours(d.p99),
            hours(d.max)
        ));
    }
    if s.credits.max > 0.0 {
        parts.push(format!(
            "{:.2} SLA breaches/trial, credits {}/trial (p90 {}, p99 {})",
            s.sla_breaches.mean,
            money(s.credits.mean),
            money(s.credits.p90),
            money(s.credits.p99)
        ));
    }
    if s.recovery_deadlocks.mean > 0.0 {
        parts.push(format!(
            "{:.4} recovery deadlocks/trial",
            s.recovery_deadlocks.mean
        ));
    }
    parts
}

/// The scenario cost per trial in words: mean with its CI (a rare cost:
/// marked `~`, with its footnote), then percentiles.
pub fn cost_summary(result: &RunResult) -> String {
    let c = &result.cost;
    format!(
        "mean {} ({}), p50 {}, p90 {}, p99 {}, max {}",
        rare::marked(money(c.mean), c.rare.as_ref()),
        ci_words(c.ci95, c.rare.as_ref(), ("cost", result), money),
        money(c.p50),
        money(c.p90),
        money(c.p99),
        money(c.max)
    )
}

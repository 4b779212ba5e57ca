//! The blast analysis as a table, Markdown or JSON.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde::Serialize;

use super::{unit_kind, unit_name, Analysis, Blast, Overflow, State, Unit};
use crate::analysis::graph::shared::group_providers;
use crate::model::Model;
use crate::text::{column_width, markdown as cell, money, terminal};

/// Aligned plain text: one row per unit, then the single points of failure.
pub fn table(model: &Model, analysis: &Analysis) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "static blast radius: {}", terminal(&model.name));
    out.push_str("(each domain or service failing alone; now: before any failover, after: once failover completes)\n");
    baseline_line(&mut out, model, &analysis.baseline, terminal);
    let width = column_width(
        (analysis.blasts.iter()).map(|b| terminal(unit_name(model, b.unit)).chars().count()),
        "fails alone".len(),
    );
    let _ = writeln!(
        out,
        "\n{:<width$}  {:<8}  {:>12}  {:>12}  services: now -> after",
        "fails alone", "kind", "cost/h now", "cost/h after"
    );
    for b in &analysis.blasts {
        let _ = writeln!(
            out,
            "{:<width$}  {:<8}  {:>12}  {:>12}  {}",
            terminal(unit_name(model, b.unit)),
            unit_kind(model, b.unit),
            money(b.immediate.cost_per_hour),
            money(b.after_failover.cost_per_hour),
            services_cell(model, b, terminal)
        );
    }
    out.push('\n');
    shared_lines(&mut out, model, analysis, "", terminal);
    spof_lines(&mut out, model, analysis, "", terminal);
    out
}

/// Markdown: the same table, then the single points of failure as a list.
pub fn markdown(model: &Model, analysis: &Analysis) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "## Static blast radius: {}\n", cell(&model.name));
    out.push_str("Each domain or service failing alone; *now*: before any failover, *after*: once failover completes.\n");
    baseline_line(&mut out, model, &analysis.baseline, cell);
    out.push_str("\n| fails alone | kind | cost/h now | cost/h after | services: now -> after |\n");
    out.push_str("| --- | --- | ---: | ---: | --- |\n");
    for b in &analysis.blasts {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            cell(unit_name(model, b.unit)),
            unit_kind(model, b.unit),
            money(b.immediate.cost_per_hour),
            money(b.after_failover.cost_per_hour),
            services_cell(model, b, cell)
        );
    }
    out.push('\n');
    shared_lines(&mut out, model, analysis, "- ", cell);
    spof_lines(&mut out, model, analysis, "- ", cell);
    out
}

/// The analysis as a JSON document (see [`BlastDocument`]).
///
/// # Errors
/// When serialization fails (a number that is not finite).
pub fn json(model: &Model, analysis: &Analysis) -> Result<String, serde_json::Error> {
    let document = BlastDocument::new(model, analysis);
    let mut text = serde_json::to_string_pretty(&document)?;
    text.push('\n');
    Ok(text)
}

/// The JSON document of `faultline blast --format json`.
#[derive(Debug, Serialize)]
pub struct BlastDocument {
    /// The scenario's name.
    pub scenario: String,
    /// Cost per hour with nothing failed (above 0 only when capacity is short
    /// of demand).
    pub baseline_cost_per_hour: f64,
    /// One entry per domain and per service, sorted by cost after failover.
    pub blasts: Vec<BlastEntry>,
    /// Names of the units that alone take a service with a cost to 0 after failover.
    pub single_points_of_failure: Vec<String>,
}

/// One unit failing alone.
#[derive(Debug, Serialize)]
pub struct BlastEntry {
    /// Domain path or service name.
    pub unit: String,
    /// `provider`, `region`, `zone` or `service`.
    pub kind: &'static str,
    /// Before any routing acts.
    pub immediate: PhaseEntry,
    /// Once every shift and failover has completed.
    pub after_failover: PhaseEntry,
    /// Whether it alone takes a service with a cost to 0 after failover.
    pub single_point_of_failure: bool,
    /// For a `shared` row: the providers whose replicas it takes down at
    /// once, in model order (absent for the other rows).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub spans: Vec<String>,
}

/// The state of one phase.
#[derive(Debug, Serialize)]
pub struct PhaseEntry {
    /// `sum of per_hour * (1 - s)` over services.
    pub cost_per_hour: f64,
    /// The services below 1 in either phase, by name.
    pub services: BTreeMap<String, ServiceEntry>,
}

/// One service in one phase.
#[derive(Debug, Serialize)]
pub struct ServiceEntry {
    /// Served fraction.
    pub fraction: f64,
    /// `none`, `shed` (a deployment over capacity sheds the excess) or
    /// `collapse` (overloaded deployments collapsed under `Collapse`).
    pub overflow: &'static str,
}

impl BlastDocument {
    /// Builds the document.
    pub fn new(model: &Model, analysis: &Analysis) -> BlastDocument {
        let blasts = (analysis.blasts.iter())
            .map(|b| {
                let affected = b.affected();
                let phase = |state: &State| PhaseEntry {
                    cost_per_hour: state.cost_per_hour,
                    services: (affected.iter())
                        .map(|&s| {
                            let entry = ServiceEntry {
                                fraction: state.fractions[s],
                                overflow: overflow_name(state.overflow[s]),
                            };
                            (model.services[s].name.clone(), entry)
                        })
                        .collect(),
                };
                BlastEntry {
                    unit: unit_name(model, b.unit).to_string(),
                    kind: unit_kind(model, b.unit),
                    immediate: phase(&b.immediate),
                    after_failover: phase(&b.after_failover),
                    single_point_of_failure: b.single_point_of_failure(model),
                    spans: spans(model, b.unit),
                }
            })
            .collect();
        BlastDocument {
            scenario: model.name.clone(),
            baseline_cost_per_hour: analysis.baseline.cost_per_hour,
            blasts,
            single_points_of_failure: (analysis.single_points_of_failure(model).iter())
                .map(|b| unit_name(model, b.unit).to_string())
                .collect(),
        }
    }
}

fn overflow_name(o: Overflow) -> &'static str {
    match o {
        Overflow::None => "none",
        Overflow::Shed => "shed",
        Overflow::Collapse => "collapse",
    }
}

/// Text escaped for the output's format ([`terminal`] or [`cell`]).
type Escape = fn(&str) -> String;

fn baseline_line(out: &mut String, model: &Model, baseline: &State, escape: Escape) {
    if baseline.cost_per_hour <= 0.0 && baseline.fractions.iter().all(|&s| s >= 1.0) {
        return;
    }
    let short: Vec<String> = (baseline.fractions.iter().enumerate())
        .filter(|(_, &s)| s < 1.0)
        .map(|(s, &f)| format!("{} {}", escape(&model.services[s].name), percent(f)))
        .collect();
    let _ = writeln!(
        out,
        "with nothing failed, capacity is short of demand: {} (cost/h {}); every row includes it",
        short.join(", "),
        money(baseline.cost_per_hour)
    );
}

/// `web 50% -> 100%, db 0%` with `(sheds)` or `(collapses)` after a value,
/// names escaped with `escape`.
fn services_cell(model: &Model, b: &Blast, escape: Escape) -> String {
    let affected = b.affected();
    if affected.is_empty() {
        return "nothing".into();
    }
    let value = |state: &State, s: usize| {
        let mark = match state.overflow[s] {
            Overflow::None => "",
            Overflow::Shed => " (sheds)",
            Overflow::Collapse => " (collapses)",
        };
        format!("{}{mark}", percent(state.fractions[s]))
    };
    (affected.iter())
        .map(|&s| {
            let now = value(&b.immediate, s);
            let after = value(&b.after_failover, s);
            let name = escape(&model.services[s].name);
            if now == after {
                format!("{name} {now}")
            } else {
                format!("{name} {now} -> {after}")
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// For a `shared` unit: the providers whose replicas it takes down at once.
fn spans(model: &Model, unit: Unit) -> Vec<String> {
    match unit {
        Unit::Group(g) => (group_providers(model, g).iter())
            .map(|&p| model.domains[p].path.clone())
            .collect(),
        Unit::Domain(_) | Unit::Service(_) => Vec::new(),
    }
}

/// One line per `shared` row: the providers it spans (nothing when the
/// scenario has no `All` or `Tagged` failure).
fn shared_lines(
    out: &mut String,
    model: &Model,
    analysis: &Analysis,
    bullet: &str,
    escape: Escape,
) {
    let shared: Vec<&Blast> = (analysis.blasts.iter())
        .filter(|b| matches!(b.unit, Unit::Group(_)))
        .collect();
    if shared.is_empty() {
        return;
    }
    out.push_str("shared fate (one occurrence takes all its targets down at once):\n");
    if !bullet.is_empty() {
        out.push('\n');
    }
    for b in shared {
        let _ = writeln!(
            out,
            "{}{}: across {}",
            if bullet.is_empty() { "  " } else { bullet },
            escape(unit_name(model, b.unit)),
            escape(&spans(model, b.unit).join(", "))
        );
    }
    out.push('\n');
}

fn spof_lines(out: &mut String, model: &Model, analysis: &Analysis, bullet: &str, escape: Escape) {
    let spofs = analysis.single_points_of_failure(model);
    if spofs.is_empty() {
        out.push_str("single points of failure: none\n");
        return;
    }
    out.push_str("single points of failure (alone, they take a service with a cost to 0 even after failover):\n");
    if !bullet.is_empty() {
        out.push('\n');
    }
    for b in spofs {
        let victims: Vec<String> = (b.spof_victims(model).iter())
            .map(|&s| escape(&model.services[s].name))
            .collect();
        let _ = writeln!(
            out,
            "{}{} ({}): {}",
            if bullet.is_empty() { "  " } else { bullet },
            escape(unit_name(model, b.unit)),
            unit_kind(model, b.unit),
            victims.join(", ")
        );
    }
}

/// A fraction as a percentage with at most two decimals: `50%`, `99.5%`.
pub fn percent(x: f64) -> String {
    let text = format!("{:.2}", x * 100.0);
    let text = text.trim_end_matches('0').trim_end_matches('.');
    format!("{text}%")
}

#[cfg(test)]
mod tests {
    use super::percent;

    #[test]
    fn percentages_drop_trailing_zeros() {
        assert_eq!(percent(0.5), "50%");
        assert_eq!(percent(0.995), "99.5%");
        assert_eq!(percent(0.0), "0%");
        assert_eq!(percent(1.0), "100%");
    }
}

//! A drill as a table, Markdown or its JSON document.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde::Serialize;

use super::{Outcome, Summary};
use crate::model::Model;
use crate::text::{column_width, markdown as cell, terminal};

/// `{"mean", "ci95", "p50", "p90", "p99"}` of a per-trial difference; a
/// rare one (fewer than 10 trials differ) has a null `ci95` and `rare`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MeasureView {
    /// Mean difference.
    pub mean: f64,
    /// Its 95% CI; null when rare.
    pub ci95: Option<[f64; 2]>,
    /// Median difference.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 99th percentile.
    pub p99: f64,
    /// When fewer than 10 trials differ: how many, and the bound on the
    /// chance that a trial does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rare: Option<RareView>,
}

/// The `rare` object of a measure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RareView {
    /// Trials whose difference is not 0.
    pub nonzero_trials: u64,
    /// Exact one-sided 95% upper bound on the chance of a nonzero trial.
    pub p_nonzero_upper95: f64,
}

impl From<&Summary> for MeasureView {
    fn from(s: &Summary) -> MeasureView {
        MeasureView {
            mean: s.mean,
            ci95: s.ci95,
            p50: s.p50,
            p90: s.p90,
            p99: s.p99,
            rare: s.ci95.is_none().then_some(RareView {
                nonzero_trials: s.nonzero_trials,
                p_nonzero_upper95: s.p_nonzero_upper95,
            }),
        }
    }
}

/// The `drill` object: what was drilled.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DrillView {
    /// The domain's path.
    pub domain: String,
    /// Its outage's duration.
    pub lasts_hours: f64,
    /// Its start; null when random per trial.
    pub at_hours: Option<f64>,
    /// `down` or `control-plane`.
    pub effect: &'static str,
}

/// One service's differences.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServiceView {
    /// Extra lost-service hours.
    pub lost_hours: MeasureView,
    /// Extra hours at 0.
    pub downtime_hours: MeasureView,
    /// Extra money.
    pub cost: MeasureView,
    /// Extra hours of writes lost.
    pub data_loss_hours: MeasureView,
}

/// `drill --format json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DrillDocument {
    /// What was drilled.
    pub drill: DrillView,
    /// Trials run.
    pub trials: u64,
    /// Master seed.
    pub seed: u64,
    /// Per service, by name.
    pub services: BTreeMap<String, ServiceView>,
    /// Extra cost of the scenario.
    pub cost: MeasureView,
    /// Hours from the incident's end until every service is back.
    pub recovery_hours: MeasureView,
}

impl DrillDocument {
    /// The document of `outcome`.
    pub fn new(model: &Model, outcome: &Outcome) -> DrillDocument {
        let services = (model.services.iter().zip(&outcome.services))
            .map(|(s, d)| {
                let view = ServiceView {
                    lost_hours: (&d.lost_hours).into(),
                    downtime_hours: (&d.downtime_hours).into(),
                    cost: (&d.cost).into(),
                    data_loss_hours: (&d.data_loss_hours).into(),
                };
                (s.name.clone(), view)
            })
            .collect();
        DrillDocument {
            drill: DrillView {
                domain: model.domains[outcome.drill.domain].path.clone(),
                lasts_hours: outcome.drill.lasts,
                at_hours: outcome.drill.at,
                effect: outcome.drill.effect.word(),
            },
            trials: outcome.trials,
            seed: outcome.seed,
            services,
            cost: (&outcome.cost).into(),
            recovery_hours: (&outcome.recovery_hours).into(),
        }
    }
}

/// The JSON document.
///
/// # Errors
/// When serialisation fails.
pub fn json(model: &Model, outcome: &Outcome) -> Result<String, serde_json::Error> {
    serde_json::to_string_pretty(&DrillDocument::new(model, outcome)).map(|s| s + "\n")
}

/// `mean [low, high]`; `~mean` when fewer than 10 trials differ; `0`
/// when none does.
fn estimate(s: &Summary, format: fn(f64) -> String) -> String {
    match s.ci95 {
        Some([low, high]) => format!("{} [{}, {}]", format(s.mean), format(low), format(high)),
        None if s.nonzero_trials == 0 => format!("{} (no trial differs)", format(0.0)),
        None => format!("~{}", format(s.mean)),
    }
}

fn hours(x: f64) -> String {
    format!("{x:.2}")
}

fn money(x: f64) -> String {
    format!("{x:.0}")
}

/// One row of the tables.
struct Row<'a> {
    /// A service, `total` or `recovery`.
    name: String,
    /// What is measured.
    measure: &'static str,
    /// Its summary.
    summary: &'a Summary,
    /// How its numbers are written.
    format: fn(f64) -> String,
}

/// The rows of the tables: each service's measures, the totals, recovery.
fn rows<'a>(model: &'a Model, o: &'a Outcome) -> Vec<Row<'a>> {
    let row = |name: &str, measure, summary, format| Row {
        name: name.to_string(),
        measure,
        summary,
        format,
    };
    let mut rows = Vec::new();
    for (s, d) in model.services.iter().zip(&o.services) {
        rows.push(row(
            &s.name,
            "lost hours",
            &d.lost_hours,
            hours as fn(f64) -> String,
        ));
        rows.push(row(&s.name, "downtime hours", &d.downtime_hours, hours));
        rows.push(row(&s.name, "cost", &d.cost, money));
        rows.push(row(&s.name, "data loss hours", &d.data_loss_hours, hours));
    }
    rows.push(row("total", "lost hours", &o.total_lost_hours, hours));
    rows.push(row(
        "total",
        "downtime hours",
        &o.total_downtime_hours,
        hours,
    ));
    rows.push(row("total", "cost", &o.cost, money));
    rows.push(row(
        "total",
        "data loss hours",
        &o.total_data_loss_hours,
        hours,
    ));
    rows.push(row(
        "recovery",
        "hours after its end",
        &o.recovery_hours,
        hours,
    ));
    rows
}

/// The one-line description of the drill.
fn headline(model: &Model, o: &Outcome) -> String {
    let at = o
        .drill
        .at
        .map_or("at a random time".to_string(), |a| format!("at {a} h"));
    format!(
        "drill: `{}` {} for {} h, {}; {} trials, seed {} (with the incident minus without, mean [95% CI])",
        model.domains[o.drill.domain].path,
        o.drill.effect.word(),
        o.drill.lasts,
        at,
        o.trials,
        o.seed
    )
}

/// Aligned text.
pub fn table(model: &Model, o: &Outcome) -> String {
    let mut out = format!(
        "{}\n{}\n\n",
        terminal(&model.name),
        terminal(&headline(model, o))
    );
    let rows = rows(model, o);
    let name_w = column_width(rows.iter().map(|r| terminal(&r.name).chars().count()), 7);
    let cells: Vec<String> = rows.iter().map(|r| estimate(r.summary, r.format)).collect();
    let est_w = column_width(cells.iter().map(|c| c.chars().count()), 4);
    let _ = writeln!(
        out,
        "{:<name_w$}  {:<19}  {:<est_w$}  {:>10}  {:>10}  {:>10}",
        "service", "measure", "mean", "p50", "p90", "p99"
    );
    for (r, c) in rows.iter().zip(&cells) {
        let _ = writeln!(
            out,
            "{:<name_w$}  {:<19}  {:<est_w$}  {:>10}  {:>10}  {:>10}",
            terminal(&r.name),
            r.measure,
            c,
            (r.format)(r.summary.p50),
            (r.format)(r.summary.p90),
            (r.format)(r.summary.p99)
        );
    }
    rare_notes(&mut out, &rows, o.trials, terminal);
    out
}

/// Markdown.
pub fn markdown(model: &Model, o: &Outcome) -> String {
    let mut out = format!(
        "## Drill: {}\n\n{}\n\n",
        cell(&model.name),
        cell(&headline(model, o))
    );
    out.push_str("| service | measure | mean [95% CI] | p50 | p90 | p99 |\n");
    out.push_str("| --- | --- | --- | ---: | ---: | ---: |\n");
    let rows = rows(model, o);
    for r in &rows {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            cell(&r.name),
            r.measure,
            estimate(r.summary, r.format),
            (r.format)(r.summary.p50),
            (r.format)(r.summary.p90),
            (r.format)(r.summary.p99)
        );
    }
    rare_notes(&mut out, &rows, o.trials, cell);
    out
}

/// The footnotes of the measures fewer than 10 trials (or none) moved: a
/// bound on the chance that a trial differs, not a zero.
fn rare_notes(out: &mut String, rows: &[Row<'_>], trials: u64, escape: fn(&str) -> String) {
    let rare: Vec<&Row<'_>> = rows.iter().filter(|r| r.summary.ci95.is_none()).collect();
    if rare.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\nfewer than 10 of {trials} trials differ (no interval; 95% upper bound on the chance a trial differs):"
    );
    for r in rare {
        let _ = writeln!(
            out,
            "  {} {}: {} trials differ, P < {:.4}%",
            escape(&r.name),
            r.measure,
            r.summary.nonzero_trials,
            100.0 * r.summary.p_nonzero_upper95
        );
    }
}

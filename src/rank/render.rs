//! A ranking as a table, Markdown or JSON.

use std::fmt::Write;

use serde::Serialize;

use super::{candidate_kind, candidate_name, net, Change, Estimate, Ranking, Saving};
use crate::model::Model;
use crate::report::{hours, money};
use crate::text::{column_width, markdown as cell, terminal};

/// Aligned plain text: the savings, then the design changes. `top` keeps
/// the first rows of each.
pub fn table(model: &Model, r: &Ranking, top: usize) -> String {
    let doc = RankDocument::new(model, r, top);
    let mut out = String::new();
    let _ = writeln!(out, "rank: {}", terminal(&model.name));
    header(&mut out, &doc, "");
    let width = column_width(
        doc.savings
            .iter()
            .map(|s| terminal(&s.name).chars().count()),
        "never fails".len(),
    );
    let _ = writeln!(
        out,
        "\n{:<width$}  {:<8}  {:>13}  {:>27}  {:>9}  {:>19}",
        "never fails", "kind", "saved/yr", "95% CI", "lost h/yr", "95% CI"
    );
    for s in &doc.savings {
        let _ = writeln!(
            out,
            "{:<width$}  {:<8}  {:>13}  {:>27}  {:>9}  {:>19}",
            terminal(&s.name),
            s.kind,
            money(s.cost.mean),
            interval(&s.cost, money),
            hours(s.lost_hours.mean),
            interval(&s.lost_hours, hours)
        );
    }
    footer(&mut out, &doc, "");
    if !doc.changes.is_empty() {
        let width = column_width(
            doc.changes
                .iter()
                .map(|c| terminal(&c.change).chars().count()),
            0,
        );
        let _ = writeln!(
            out,
            "\n{:<width$}  {:>11}  {:>13}  {:>27}  {:>13}  {:>10}",
            "design change", "infra/yr", "saved/yr", "95% CI", "net/yr", "per infra$"
        );
        for c in &doc.changes {
            let _ = writeln!(
                out,
                "{:<width$}  {:>11}  {:>13}  {:>27}  {:>13}  {:>10}",
                terminal(&c.change),
                money(c.infra_per_year),
                money(c.cost.mean),
                interval(&c.cost, money),
                money(c.net_per_year),
                per_dollar(c.saved_per_infra)
            );
        }
        best(&mut out, &doc, "", terminal);
    }
    out
}

/// Markdown: the same tables for a pull request.
pub fn markdown(model: &Model, r: &Ranking, top: usize) -> String {
    let doc = RankDocument::new(model, r, top);
    let mut out = String::new();
    let _ = writeln!(out, "## What to fix next: {}\n", cell(&model.name));
    header(&mut out, &doc, "- ");
    out.push_str("\n| never fails | kind | saved/yr | 95% CI | lost h/yr | 95% CI |\n");
    out.push_str("| --- | --- | ---: | ---: | ---: | ---: |\n");
    for s in &doc.savings {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            cell(&s.name),
            s.kind,
            money(s.cost.mean),
            interval(&s.cost, money),
            hours(s.lost_hours.mean),
            interval(&s.lost_hours, hours)
        );
    }
    footer(&mut out, &doc, "\n");
    if !doc.changes.is_empty() {
        out.push_str(
            "\n| design change | infra/yr | saved/yr | 95% CI | net/yr | saved per infra $ |\n",
        );
        out.push_str("| --- | ---: | ---: | ---: | ---: | ---: |\n");
        for c in &doc.changes {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                cell(&c.change),
                money(c.infra_per_year),
                money(c.cost.mean),
                interval(&c.cost, money),
                money(c.net_per_year),
                per_dollar(c.saved_per_infra)
            );
        }
        best(&mut out, &doc, "\n", cell);
    }
    out
}

/// The ranking as a JSON document (see [`RankDocument`]).
///
/// # Errors
/// When serialization fails (a number that is not finite).
pub fn json(model: &Model, r: &Ranking, top: usize) -> Result<String, serde_json::Error> {
    let mut text = serde_json::to_string_pretty(&RankDocument::new(model, r, top))?;
    text.push('\n');
    Ok(text)
}

fn header(out: &mut String, doc: &RankDocument, bullet: &str) {
    let _ = writeln!(
        out,
        "{bullet}{} trials, seed {}, each candidate re-run on the same random numbers; money and hours per year",
        doc.trials, doc.seed
    );
    let _ = writeln!(
        out,
        "{bullet}as it stands: cost {} (95% CI {}), lost {} (summed over services)",
        money(doc.baseline.cost.mean),
        interval(&doc.baseline.cost, money),
        hours(doc.baseline.lost_hours.mean)
    );
}

fn footer(out: &mut String, doc: &RankDocument, before: &str) {
    if doc.left_out > 0 {
        let _ = writeln!(out, "{before}({} more below; see `--top`)", doc.left_out);
    }
    if doc.skipped > 0 {
        let _ = writeln!(
            out,
            "{before}({} domain(s) that no failure targets are left out)",
            doc.skipped
        );
    }
}

fn best(out: &mut String, doc: &RankDocument, before: &str, escape: fn(&str) -> String) {
    match &doc.best_per_dollar {
        Some(name) => {
            let name = escape(name);
            let _ = writeln!(out, "{before}most saved per infrastructure dollar: {name}");
        }
        None => {
            let _ = writeln!(out, "{before}no priced change saves money");
        }
    }
}

fn interval(e: &Estimate, f: fn(f64) -> String) -> String {
    format!("[{}, {}]", f(e.ci95[0]), f(e.ci95[1]))
}

fn per_dollar(x: Option<f64>) -> String {
    x.map_or_else(|| "free".to_string(), |x| format!("{x:.2}"))
}

/// The JSON document of `faultline rank --format json`. Money and hours are
/// per year (per-trial values times `8760 h / horizon`).
#[derive(Debug, Serialize)]
pub struct RankDocument {
    /// The scenario's name.
    pub scenario: String,
    /// Seed of every run.
    pub seed: u64,
    /// Trials of every run.
    pub trials: u64,
    /// The scenario as it stands.
    pub baseline: Baseline,
    /// By money saved, most first (the first `--top`).
    pub savings: Vec<SavingEntry>,
    /// Savings beyond `--top`, not listed.
    pub left_out: usize,
    /// Domains no failure targets (nothing to remove), not listed.
    pub skipped: usize,
    /// Built-in design changes by net saving, when the scenario prices
    /// replicas (the first `--top`); empty otherwise.
    pub changes: Vec<ChangeEntry>,
    /// The priced change with the most money saved per infrastructure
    /// dollar, among those that save money (ties: the one listed first).
    pub best_per_dollar: Option<String>,
}

/// The scenario's own figures.
#[derive(Debug, Serialize)]
pub struct Baseline {
    /// Cost per year.
    pub cost: Estimate,
    /// Lost hours per year, summed over services.
    pub lost_hours: Estimate,
}

/// What one candidate's removal saves.
#[derive(Debug, Serialize)]
pub struct SavingEntry {
    /// The failure's name or the domain's path.
    pub name: String,
    /// `failure`, `provider`, `region` or `zone`.
    pub kind: &'static str,
    /// Failure processes removed.
    pub processes: usize,
    /// Money saved per year.
    pub cost: Estimate,
    /// Lost hours saved per year.
    pub lost_hours: Estimate,
}

/// One design change.
#[derive(Debug, Serialize)]
pub struct ChangeEntry {
    /// In words.
    pub change: String,
    /// The `--set` edits that make it (`faultline sweep` takes them).
    pub sets: Vec<String>,
    /// Infrastructure added per year.
    pub infra_per_year: f64,
    /// Money saved per year (downtime, data loss, credits).
    pub cost: Estimate,
    /// Lost hours saved per year.
    pub lost_hours: Estimate,
    /// `cost.mean - infra_per_year`.
    pub net_per_year: f64,
    /// `cost.mean / infra_per_year`; absent for a change that adds no infrastructure.
    pub saved_per_infra: Option<f64>,
}

impl RankDocument {
    /// Builds the document, keeping the first `top` rows of each list.
    pub fn new(model: &Model, r: &Ranking, top: usize) -> RankDocument {
        let savings: Vec<SavingEntry> = (r.savings.iter().take(top))
            .map(|s| saving_entry(model, s))
            .collect();
        let changes: Vec<ChangeEntry> = r.changes.iter().take(top).map(change_entry).collect();
        let best_per_dollar = (r.changes.iter())
            .filter(|(c, s)| c.infra_per_year > 0.0 && s.cost.mean > 0.0)
            .rev() // ties go to the change listed first
            .max_by(|a, b| ratio(a).total_cmp(&ratio(b)))
            .map(|(c, _)| c.label.clone());
        RankDocument {
            scenario: model.name.clone(),
            seed: r.seed,
            trials: r.trials,
            baseline: Baseline {
                cost: r.baseline.0,
                lost_hours: r.baseline.1,
            },
            left_out: r.savings.len() - savings.len(),
            savings,
            skipped: r.skipped,
            changes,
            best_per_dollar,
        }
    }
}

fn ratio((c, s): &(Change, Saving)) -> f64 {
    s.cost.mean / c.infra_per_year
}

fn saving_entry(model: &Model, s: &Saving) -> SavingEntry {
    SavingEntry {
        name: candidate_name(model, s.candidate).to_string(),
        kind: candidate_kind(model, s.candidate),
        processes: s.processes,
        cost: s.cost,
        lost_hours: s.lost_hours,
    }
}

fn change_entry(row: &(Change, Saving)) -> ChangeEntry {
    let (c, s) = row;
    ChangeEntry {
        change: c.label.clone(),
        sets: c.sets.clone(),
        infra_per_year: c.infra_per_year,
        cost: s.cost,
        lost_hours: s.lost_hours,
        net_per_year: net(row),
        saved_per_infra: (c.infra_per_year > 0.0).then(|| ratio(row)),
    }
}

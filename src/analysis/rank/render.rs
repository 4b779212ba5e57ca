//! A ranking as a table, Markdown or JSON.

use std::fmt::Write;

use serde::Serialize;

use super::{
    candidate_kind, candidate_name, net, significant, Change, Estimate, Ranking, RuledOut, Saving,
};
use crate::model::Model;
use crate::text::{column_width, markdown as cell, terminal};
use crate::text::{hours, money};

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
    if doc.tried() {
        changes_intro(&mut out, &doc, "\n");
        if !doc.changes.is_empty() {
            let width = column_width(
                doc.changes
                    .iter()
                    .map(|c| terminal(&c.change).chars().count()),
                0,
            );
            let _ = writeln!(
                out,
                "{:<width$}  {:>11}  {:>13}  {:>27}  {:>13}  {:>27}  {:>10}",
                "design change", "infra/yr", "saved/yr", "95% CI", "net/yr", "95% CI", "per infra$"
            );
            for c in &doc.changes {
                let [infra, saved, saved_ci, net, net_ci, ratio] = change_cells(c);
                let _ = writeln!(
                    out,
                    "{:<width$}  {infra:>11}  {saved:>13}  {saved_ci:>27}  {net:>13}  {net_ci:>27}  {ratio:>10}",
                    terminal(&c.change)
                );
            }
        }
        changes_footer(&mut out, &doc, "", terminal);
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
    if doc.tried() {
        changes_intro(&mut out, &doc, "\n");
        if !doc.changes.is_empty() {
            out.push_str(
                "\n| design change | infra/yr | saved/yr | 95% CI | net/yr | 95% CI | saved per infra $ |\n",
            );
            out.push_str("| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
            for c in &doc.changes {
                let [infra, saved, saved_ci, net, net_ci, ratio] = change_cells(c);
                let _ = writeln!(
                    out,
                    "| {} | {infra} | {saved} | {saved_ci} | {net} | {net_ci} | {ratio} |",
                    cell(&c.change)
                );
            }
        }
        changes_footer(&mut out, &doc, "\n", cell);
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
        let _ = writeln!(out, "{before}{} more not shown (see `--top`)", doc.left_out);
    }
    if doc.skipped > 0 {
        let _ = writeln!(
            out,
            "{before}({} domain(s) that no failure targets are left out)",
            doc.skipped
        );
    }
}

fn changes_intro(out: &mut String, doc: &RankDocument, before: &str) {
    let tried = doc.changes.len() + doc.changes_left_out + doc.not_significant.len();
    let _ = if doc.changes.is_empty() {
        writeln!(
            out,
            "{before}none of the {tried} design change(s) tried saves money significantly (paired 95% CI above 0)"
        )
    } else {
        writeln!(
            out,
            "{before}design changes that save money significantly (paired 95% CI above 0), by net saving:"
        )
    };
}

fn changes_footer(out: &mut String, doc: &RankDocument, before: &str, escape: fn(&str) -> String) {
    if doc.changes_left_out > 0 {
        let _ = writeln!(
            out,
            "{before}{} more not shown (see `--top`)",
            doc.changes_left_out
        );
    }
    if doc.changes.iter().any(|c| c.infra_per_year.is_none()) {
        let _ = writeln!(
            out,
            "{before}unknown: infra cost unknown (no `infra` price for that deployment or its service): its net is not known and it is not ranked per dollar"
        );
    }
    if !doc.changes.is_empty() && !doc.not_significant.is_empty() {
        let _ = writeln!(
            out,
            "{before}{} other change(s) tried: no saving distinguishable from 0 (not suggested; `--format json` lists them)",
            doc.not_significant.len()
        );
    }
    for r in &doc.ruled_out {
        let _ = writeln!(
            out,
            "{before}not tried: {}, as {}",
            escape(&r.change),
            r.reason
        );
    }
    if !doc.changes.is_empty() {
        best(out, doc, before, escape);
    }
}

fn best(out: &mut String, doc: &RankDocument, before: &str, escape: fn(&str) -> String) {
    match &doc.best_per_dollar {
        Some(name) => {
            let name = escape(name);
            let _ = writeln!(out, "{before}most saved per infrastructure dollar: {name}");
        }
        None => {
            let _ = writeln!(
                out,
                "{before}no priced change saves significantly more than it costs"
            );
        }
    }
}

/// A change's cells after its name: infra, saved, its CI, net, its CI, per dollar.
fn change_cells(c: &ChangeEntry) -> [String; 6] {
    let unknown = || "unknown".to_string();
    [
        c.infra_per_year.map_or_else(unknown, money),
        money(c.cost.mean),
        interval(&c.cost, money),
        c.net_per_year.map_or_else(unknown, |n| money(n.mean)),
        c.net_per_year.map_or_else(unknown, |n| interval(&n, money)),
        c.saved_per_infra
            .map_or_else(|| "-".to_string(), |x| format!("{x:.2}")),
    ]
}

fn interval(e: &Estimate, f: fn(f64) -> String) -> String {
    format!("[{}, {}]", f(e.ci95[0]), f(e.ci95[1]))
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
    /// The suggested design changes: those whose money saving is
    /// significantly positive (paired 95% CI above 0), when the scenario
    /// prices replicas (the first `--top`); those of known infrastructure
    /// cost first by net saving, then those of unknown cost by saving.
    pub changes: Vec<ChangeEntry>,
    /// Suggested changes beyond `--top`, not listed.
    pub changes_left_out: usize,
    /// The changes tried whose saving is not significantly positive (not
    /// suggested), all of them, in the same order.
    pub not_significant: Vec<ChangeEntry>,
    /// The routing changes not tried because the service's data model rules
    /// them out.
    pub ruled_out: Vec<RuledOutEntry>,
    /// The suggested change of known, positive infrastructure cost with the
    /// most money saved per infrastructure dollar, among those whose net
    /// saving is significantly positive (the saving's 95% CI above the
    /// cost; ties: the one listed first); `null` when there is none.
    pub best_per_dollar: Option<String>,
}

/// A change not tried, and why.
#[derive(Debug, Serialize)]
pub struct RuledOutEntry {
    /// In words, e.g. `db: ActiveActive`.
    pub change: String,
    /// Why the service's data model rules it out.
    pub reason: String,
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
    /// Infrastructure added per year; `null` when no `infra` price is
    /// given for the deployment (unknown, not free).
    pub infra_per_year: Option<f64>,
    /// Money saved per year (downtime, data loss, credits).
    pub cost: Estimate,
    /// Lost hours saved per year.
    pub lost_hours: Estimate,
    /// `cost - infra_per_year`, its CI the saving's shifted by that fixed
    /// cost; `null` when the infrastructure cost is unknown.
    pub net_per_year: Option<Estimate>,
    /// `cost.mean / infra_per_year`; `null` for a change that adds no
    /// infrastructure or whose infrastructure cost is unknown.
    pub saved_per_infra: Option<f64>,
}

impl RankDocument {
    /// Builds the document, keeping the first `top` rows of the savings
    /// and of the suggested changes.
    pub fn new(model: &Model, r: &Ranking, top: usize) -> RankDocument {
        let savings: Vec<SavingEntry> = (r.savings.iter().take(top))
            .map(|s| saving_entry(model, s))
            .collect();
        let (suggested, not_significant): (Vec<_>, Vec<_>) =
            r.changes.iter().partition(|(_, s)| significant(s));
        let changes: Vec<ChangeEntry> = suggested
            .iter()
            .take(top)
            .map(|c| change_entry(c))
            .collect();
        let best_per_dollar = (suggested.iter())
            .filter(|row| row.0.infra_per_year.is_some_and(|i| i > 0.0))
            .filter(|row| net(row).is_some_and(|n| n.ci95[0] > 0.0))
            .rev() // ties go to the change listed first
            .max_by(|a, b| ratio(a).unwrap_or(0.0).total_cmp(&ratio(b).unwrap_or(0.0)))
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
            changes_left_out: suggested.len() - changes.len(),
            changes,
            not_significant: not_significant.iter().map(|c| change_entry(c)).collect(),
            ruled_out: r.ruled_out.iter().map(ruled_out_entry).collect(),
            best_per_dollar,
        }
    }

    /// Whether design changes were tried (or ruled out): the scenario prices replicas.
    fn tried(&self) -> bool {
        !(self.changes.is_empty() && self.not_significant.is_empty() && self.ruled_out.is_empty())
    }
}

/// Money saved per infrastructure dollar (`None` for an unknown or zero cost).
fn ratio((c, s): &(Change, Saving)) -> Option<f64> {
    c.infra_per_year
        .filter(|&i| i > 0.0)
        .map(|i| s.cost.mean / i)
}

fn ruled_out_entry(r: &RuledOut) -> RuledOutEntry {
    RuledOutEntry {
        change: r.label.clone(),
        reason: r.reason.clone(),
    }
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
        saved_per_infra: ratio(row),
    }
}

//! `--format markdown`: tables for a pull-request comment or a CI summary.

use std::fmt::Write;

use super::{
    causes_by_cost, cost_summary, failures_by_loss, hours, mechanics_lines, money, percent,
    services_by_loss, with_ci, Render, RenderError,
};
use crate::stats::RunResult;
use crate::text::markdown;

/// GitHub-flavoured Markdown.
pub struct Markdown;

impl Render for Markdown {
    fn render(&self, r: &RunResult) -> Result<String, RenderError> {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "### {}\n\n{} trials of {}, seed {}\n",
            markdown(&r.scenario),
            r.trials,
            hours(r.horizon_hours),
            r.seed
        );
        super::objectives::markdown(&mut out, r);
        services_table(&mut out, r);
        notes(&mut out, r);
        let _ = writeln!(out, "\n**Cost per trial:** {}\n", cost_summary(r));
        failures_table(&mut out, r);
        causes_table(&mut out, r);
        Ok(out)
    }
}

/// The services, by lost hours: availability with its interval, losses and cost.
fn services_table(out: &mut String, r: &RunResult) {
    out.push_str("| service | availability | 95% CI | lost / trial | downtime / trial | p99 downtime | outages | cost / trial |\n");
    out.push_str("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (name, s) in services_by_loss(r) {
        let _ = writeln!(
            out,
            "| <code>{}</code> | {} | {} | {} | {} | {} | {:.2} | {} |",
            markdown(name),
            super::rare::marked(percent(s.availability.mean), s.availability.rare.as_ref()),
            super::rare::interval(s.availability.ci95, percent),
            hours(s.lost_hours.mean),
            hours(s.downtime_hours.mean),
            hours(s.downtime_hours.p99),
            s.outages.mean,
            money(s.cost.mean)
        );
    }
}

/// The footnotes of rare measures, the uncertain inputs and the mechanics at work.
fn notes(out: &mut String, r: &RunResult) {
    let notes = super::rare::footnotes(r);
    if !notes.is_empty() {
        out.push('\n');
        for note in notes {
            let _ = writeln!(out, "{}  ", markdown(&note));
        }
    }
    let uncertain = super::uncertain::lines(r);
    if !uncertain.is_empty() {
        out.push('\n');
    }
    for line in uncertain {
        let _ = writeln!(out, "- {}", markdown(&line));
    }
    let mechanics = mechanics_lines(r);
    if !mechanics.is_empty() {
        out.push('\n');
        for line in mechanics {
            let _ = writeln!(out, "- {}", markdown(&line));
        }
    }
}

/// The failures, by lost hours: occurrences, blast radius, losses and cost.
fn failures_table(out: &mut String, r: &RunResult) {
    out.push_str(
        "| failure | cause | occurrences | blast radius (max) | lost / trial | cost / trial |\n",
    );
    out.push_str("| --- | --- | ---: | ---: | ---: | ---: |\n");
    for (name, f) in failures_by_loss(r) {
        let _ = writeln!(
            out,
            "| {} | {:?} | {:.3} | {:.2} ({}) | {} | {} |",
            markdown(name),
            f.cause,
            f.occurrences.mean,
            f.blast_radius.services_mean,
            f.blast_radius.services_max,
            hours(f.lost_hours.mean),
            money(f.cost.mean)
        );
    }
}

/// The causes, by cost, with the intervals of their losses and cost.
fn causes_table(out: &mut String, r: &RunResult) {
    out.push_str("\n| cause | failures | occurrences | blast radius (max) | lost / trial [95% CI] | cost / trial [95% CI] |\n");
    out.push_str("| --- | ---: | ---: | ---: | ---: | ---: |\n");
    for (name, c) in causes_by_cost(r) {
        let _ = writeln!(
            out,
            "| {} | {} | {:.3} | {:.2} ({}) | {} | {} |",
            name,
            c.failures.len(),
            c.occurrences.mean,
            c.blast_radius.services_mean,
            c.blast_radius.services_max,
            with_ci(&c.lost_hours, hours),
            with_ci(&c.cost, money)
        );
    }
}

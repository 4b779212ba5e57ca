//! The default human-readable table.

use std::fmt::Write;

use super::{
    causes_by_cost, cost_summary, failures_by_loss, hours, mechanics_lines, money, percent,
    services_by_loss, with_ci, Render, RenderError,
};
use crate::stats::RunResult;
use crate::text::one_line;

/// Aligned plain-text tables.
pub struct Table;

impl Render for Table {
    fn render(&self, r: &RunResult) -> Result<String, RenderError> {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{}\n{} trials of {}, seed {}\n",
            one_line(&r.scenario),
            r.trials,
            hours(r.horizon_hours),
            r.seed
        );
        super::objectives::table(&mut out, r);
        services(&mut out, r);
        let mechanics = mechanics_lines(r);
        if !mechanics.is_empty() {
            let _ = writeln!(out);
            for line in mechanics {
                let _ = writeln!(out, "{}", one_line(&line));
            }
        }
        cost(&mut out, r);
        failures(&mut out, r);
        causes(&mut out, r);
        let e = &r.engine;
        let seconds = e.seconds.max(1e-9);
        let _ = writeln!(
            out,
            "\nengine: {} events in {:.2}s ({:.3e} events/s, {:.0} trials/s)",
            e.events,
            e.seconds,
            e.events as f64 / seconds,
            r.trials as f64 / seconds
        );
        Ok(out)
    }
}

fn services(out: &mut String, r: &RunResult) {
    let _ = writeln!(
        out,
        "{:<18} {:>12} {:>27} {:>10} {:>10} {:>10} {:>8} {:>13}",
        "service",
        "avail",
        "95% CI",
        "lost/trial",
        "down/trial",
        "p99 down",
        "outages",
        "cost/trial"
    );
    for (name, s) in services_by_loss(r) {
        let rare = s.availability.rare.as_ref();
        let _ = writeln!(
            out,
            "{:<18} {:>12} {:>27} {:>10} {:>10} {:>10} {:>8.2} {:>13}",
            one_line(name),
            super::rare::marked(percent(s.availability.mean), rare),
            super::rare::interval(s.availability.ci95, percent),
            hours(s.lost_hours.mean),
            hours(s.downtime_hours.mean),
            hours(s.downtime_hours.p99),
            s.outages.mean,
            money(s.cost.mean)
        );
    }
    for note in super::rare::footnotes(r) {
        let _ = writeln!(out, "{}", one_line(&note));
    }
    let uncertain = super::uncertain::lines(r);
    if !uncertain.is_empty() {
        let _ = writeln!(out);
    }
    for line in uncertain {
        let _ = writeln!(out, "{}", one_line(&line));
    }
}

fn cost(out: &mut String, r: &RunResult) {
    let _ = writeln!(out, "\ncost per trial: {}\n", cost_summary(r));
}

fn failures(out: &mut String, r: &RunResult) {
    let _ = writeln!(
        out,
        "{:<28} {:<11} {:>11} {:>12} {:>10} {:>13}",
        "failure", "cause", "occurrences", "blast (max)", "lost/trial", "cost/trial"
    );
    for (name, f) in failures_by_loss(r) {
        let blast = format!(
            "{:.2} ({})",
            f.blast_radius.services_mean, f.blast_radius.services_max
        );
        let _ = writeln!(
            out,
            "{:<28} {:<11} {:>11.3} {:>12} {:>10} {:>13}",
            one_line(name),
            format!("{:?}", f.cause),
            f.occurrences.mean,
            blast,
            hours(f.lost_hours.mean),
            money(f.cost.mean)
        );
    }
}

fn causes(out: &mut String, r: &RunResult) {
    let _ = writeln!(
        out,
        "\n{:<11} {:>8} {:>11} {:>12} {:>30} {:>34}",
        "cause",
        "failures",
        "occurrences",
        "blast (max)",
        "lost/trial [95% CI]",
        "cost/trial [95% CI]"
    );
    for (name, c) in causes_by_cost(r) {
        let blast = format!(
            "{:.2} ({})",
            c.blast_radius.services_mean, c.blast_radius.services_max
        );
        let _ = writeln!(
            out,
            "{:<11} {:>8} {:>11.3} {:>12} {:>30} {:>34}",
            name,
            c.failures.len(),
            c.occurrences.mean,
            blast,
            with_ci(&c.lost_hours, hours),
            with_ci(&c.cost, money)
        );
    }
}

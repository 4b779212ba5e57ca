//! `faultline report` and `run --format html`: one self-contained HTML file
//! (inline CSS and SVG, no script, no font or image from the network) with
//! the summary per service, the tornado of the uncertain inputs (if any),
//! the loss exceedance curve, the lost hours per
//! service as histograms, the failure modes as frequency x duration x scope,
//! and the dependency graph coloured by lost hours; and the page of a
//! `compare` (the designs side by side with their paired differences).
//!
//! Every string that came from the scenario goes through [`escape`]. The
//! output is deterministic: numbers are written with fixed decimals.

mod chart;
mod compare;
mod graph;
mod tornado;

pub(super) use compare::page as comparison;

use std::fmt::Write;

use super::{hours, mechanics_lines, money, percent, rare, services_by_loss, Render, RenderError};
use crate::model::Model;
use crate::stats::{RunResult, TrialValues, Values};

/// The HTML report. It needs the model (for the graph and the failure
/// durations) and the per-trial values (for the plots) beside the result.
pub struct Html<'a> {
    /// The scenario that was run.
    pub model: &'a Model,
    /// Its per-trial values, from [`crate::montecarlo::run_watched`].
    pub values: &'a TrialValues,
}

const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;margin:2em auto;max-width:1100px;color:#1f2328;padding:0 1em}\
h1{font-size:1.6em;margin-bottom:.2em}h2{margin-top:1.6em;border-bottom:1px solid #d0d7de;padding-bottom:.2em}\
.meta{color:#59636e}table{border-collapse:collapse;margin:.6em 0}th,td{padding:.3em .7em;border-bottom:1px solid #d0d7de;text-align:right}\
th:first-child,td:first-child{text-align:left}th{background:#f6f8fa}svg{display:block;margin:.6em 0}\
.hists{display:flex;flex-wrap:wrap;gap:1em}.hists figure{margin:0}figcaption{font-weight:600}\
.note{color:#59636e;font-size:.9em}";

impl Render for Html<'_> {
    fn render(&self, r: &RunResult) -> Result<String, RenderError> {
        if !all_finite(self.values) {
            return Err(RenderError::NotFinite);
        }
        let mut out = head(&r.scenario, "");
        let _ = writeln!(out, "<h1>{}</h1>", escape(&r.scenario));
        let _ = writeln!(
            out,
            "<p class=\"meta\">{} trials of {}, seed {}; faultline {}; scenario FNV-1a {}</p>",
            r.trials,
            hours(r.horizon_hours),
            r.seed,
            escape(&r.faultline.version),
            escape(&r.faultline.scenario_fnv1a)
        );
        summary(&mut out, r);
        out.push_str(&tornado::section(r));
        out.push_str("<h2>Loss exceedance curve</h2>\n");
        let _ = writeln!(
            out,
            "<p class=\"note\">The probability that the cost of one {} exceeds x (both axes logarithmic).</p>",
            period(r)
        );
        if let Values::Sketch(_) = self.values.cost {
            let _ = writeln!(
                out,
                "<p class=\"note\">Drawn from the run's quantile sketch of the costs (too many trials to keep each): one step per bucket, at a cost within {}% of every cost it stands for; the probabilities count the trials exactly.</p>",
                crate::stats::sketch::RELATIVE_ERROR * 100.0
            );
        }
        out.push_str(&chart::exceedance(&self.values.cost, r.cost.mean));
        let _ = writeln!(out, "<h2>Lost hours per {}, per service</h2>", period(r));
        histograms(&mut out, self.model, self.values);
        failure_modes(&mut out, self.model, r);
        out.push_str("<h2>Dependency graph</h2>\n");
        out.push_str("<p class=\"note\">Left to right from the entry points; colour: mean lost hours (green none, red the most); edges: hard solid, soft dashed, recovery dotted.</p>\n");
        out.push_str(&graph::svg(self.model, r));
        out.push_str("</body>\n</html>\n");
        Ok(out)
    }
}

/// The page up to `<body>`: the escaped title and the inline style (plus
/// `extra` rules).
fn head(title: &str, extra: &str) -> String {
    let mut out = String::new();
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    let _ = writeln!(out, "<title>faultline: {}</title>", escape(title));
    let _ = writeln!(out, "<style>{STYLE}{extra}</style>\n</head>\n<body>");
    out
}

fn all_finite(values: &TrialValues) -> bool {
    (std::iter::once(&values.cost).chain(&values.lost_hours)).all(|v| {
        let mut finite = true;
        v.for_each_weighted(|x, _| finite &= x.is_finite());
        finite
    })
}

/// `year` for a one-year horizon, else `trial`.
fn period(r: &RunResult) -> &'static str {
    if r.horizon_hours == 8760.0 {
        "year"
    } else {
        "trial"
    }
}

/// The summary: a row per service, the cost's distribution, the rare
/// measures' footnotes.
fn summary(out: &mut String, r: &RunResult) {
    let p = period(r);
    out.push_str("<h2>Summary</h2>\n<table>\n");
    let _ = writeln!(
        out,
        "<tr><th>service</th><th>availability</th><th>95% CI</th><th>lost hours / {p}</th>\
         <th>expected loss / {p}</th><th>p99 loss / {p}</th></tr>"
    );
    for (name, s) in services_by_loss(r) {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(name),
            escape(&rare::marked(
                percent(s.availability.mean),
                s.availability.rare.as_ref()
            )),
            escape(&rare::interval(s.availability.ci95, percent)),
            hours(s.lost_hours.mean),
            money(s.cost.mean),
            money(s.cost.p99)
        );
    }
    let c = &r.cost;
    let _ = writeln!(
        out,
        "<tr><th>all services</th><th></th><th></th><th></th><th>{}</th><th>{}</th></tr>\n</table>",
        money(c.mean),
        money(c.p99)
    );
    for note in rare::footnotes(r) {
        let _ = writeln!(out, "<p class=\"note\">{}</p>", escape(&note));
    }
    let ci = match (c.ci95, &c.rare) {
        (Some([lo, hi]), _) => format!("95% CI {} to {}", money(lo), money(hi)),
        (None, Some(rare)) => rare::footnote(rare, "cost", r),
        (None, None) => "no CI".into(),
    };
    let _ = writeln!(
        out,
        "<p>Cost per {p}: mean {} ({}), median {}, p90 {}, p99 {}, worst {}.</p>",
        escape(&rare::marked(money(c.mean), c.rare.as_ref())),
        escape(&ci),
        money(c.p50),
        money(c.p90),
        money(c.p99),
        money(c.max)
    );
    uncertainty_and_mechanics(out, r);
}

/// The spread over uncertain inputs, and the mechanics' lines, under the
/// summary.
fn uncertainty_and_mechanics(out: &mut String, r: &RunResult) {
    let uncertain = super::uncertain::lines(r);
    if !uncertain.is_empty() {
        out.push_str("<pre>");
        for line in uncertain {
            let _ = writeln!(out, "{}", escape(&line));
        }
        out.push_str("</pre>\n");
    }
    let mechanics = mechanics_lines(r);
    if !mechanics.is_empty() {
        out.push_str("<ul>\n");
        for line in mechanics {
            let _ = writeln!(out, "<li>{}</li>", escape(&line));
        }
        out.push_str("</ul>\n");
    }
}

fn histograms(out: &mut String, model: &Model, values: &TrialValues) {
    out.push_str("<div class=\"hists\">\n");
    for (s, lost) in values.lost_hours.iter().enumerate() {
        let name = model.services.get(s).map_or("", |x| x.name.as_str());
        let _ = writeln!(
            out,
            "<figure><figcaption>{}</figcaption>\n{}</figure>",
            escape(name),
            chart::histogram(lost)
        );
    }
    out.push_str("</div>\n");
}

/// The failure modes as the calculus of availability reads them: frequency
/// x duration x scope = contribution, most costly first.
fn failure_modes(out: &mut String, model: &Model, r: &RunResult) {
    let p = period(r);
    out.push_str("<h2>Failure modes</h2>\n");
    out.push_str("<p class=\"note\">Frequency: occurrences (over all its targets); duration: the mean of <code>lasts</code>; scope: services hit per occurrence (mean, max); contribution: the lost hours and cost attributed to it.</p>\n<table>\n");
    let _ = writeln!(
        out,
        "<tr><th>failure</th><th>cause</th><th>frequency / {p}</th><th>mean duration</th>\
         <th>scope</th><th>lost hours / {p}</th><th>cost / {p}</th><th>share of cost</th></tr>"
    );
    let mut rows: Vec<_> = r.failures.iter().collect();
    rows.sort_by(|a, b| {
        (b.1.cost.mean.total_cmp(&a.1.cost.mean))
            .then(b.1.lost_hours.mean.total_cmp(&a.1.lost_hours.mean))
            .then(a.0.cmp(b.0))
    });
    let total: f64 = rows.iter().map(|(_, f)| f.cost.mean).sum();
    let shared = crate::analysis::graph::Shared::new(model);
    for (name, f) in rows {
        let duration = (model.failures.iter())
            .find(|x| &x.name == name)
            .map_or_else(String::new, |x| hours(x.lasts.mean()));
        let share = if total > 0.0 {
            format!("{:.1}%", 100.0 * f.cost.mean / total)
        } else {
            "–".into()
        };
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{:?}</td><td>{:.3}</td><td>{}</td><td>{:.2} (max {})</td>\
             <td>{}</td><td>{}</td><td>{}</td></tr>",
            failure_name(model, &shared, name),
            f.cause,
            f.occurrences.mean,
            duration,
            f.blast_radius.services_mean,
            f.blast_radius.services_max,
            hours(f.lost_hours.mean),
            money(f.cost.mean),
            share
        );
    }
    out.push_str("</table>\n");
    causes(out, r);
}

/// A failure's name, with a note when it is a shared failure (the providers
/// it spans) or a control-plane failure (it takes nothing down, it holds).
fn failure_name(model: &Model, shared: &crate::analysis::graph::Shared, name: &str) -> String {
    let mut out = escape(name);
    let Some(f) = model.failures.iter().position(|x| x.name == name) else {
        return out;
    };
    if model.failures[f].effect == crate::model::Effect::ControlPlane {
        out.push_str(
            " <span class=\"note\">(control plane: holds recovery, takes nothing down)</span>",
        );
    }
    if let Some(s) = shared.failures.iter().find(|s| s.failure == f) {
        let _ = write!(
            out,
            " <span class=\"note\">(shared fate across {})</span>",
            escape(&crate::analysis::graph::shared::provider_names(
                model, &s.reach
            ))
        );
    }
    out
}

/// The failure modes added up by cause, most costly first.
fn causes(out: &mut String, r: &RunResult) {
    let p = period(r);
    out.push_str("<h3>By cause</h3>\n<table>\n");
    let _ = writeln!(
        out,
        "<tr><th>cause</th><th>failures</th><th>frequency / {p}</th><th>scope</th>\
         <th>lost hours / {p} [95% CI]</th><th>cost / {p} [95% CI]</th></tr>"
    );
    for (name, c) in super::causes_by_cost(r) {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{:.3}</td><td>{:.2} (max {})</td><td>{}</td><td>{}</td></tr>",
            escape(name),
            escape(&c.failures.join(", ")),
            c.occurrences.mean,
            c.blast_radius.services_mean,
            c.blast_radius.services_max,
            super::with_ci(&c.lost_hours, hours),
            super::with_ci(&c.cost, money)
        );
    }
    out.push_str("</table>\n");
}

/// Text safe inside HTML elements and quoted attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn markup_in_names_is_escaped() {
        assert_eq!(
            escape(r#"<script>alert("x&y's")</script>"#),
            "&lt;script&gt;alert(&quot;x&amp;y&#39;s&quot;)&lt;/script&gt;"
        );
    }
}

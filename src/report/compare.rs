//! Rendering of a [`Comparison`]: a table, the JSON document, Markdown.

use std::fmt::Write;

use super::{hours, json_text, money, percent, RenderError};
use crate::analysis::compare::{Comparison, DesignDifference};
use crate::analysis::sweep::{Choice, Sweep};
use crate::stats::paired::{Difference, Verdict};
use crate::text::{column_width, markdown as markdown_text, terminal};

/// The formats a comparison renders to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareFormat {
    /// Aligned text.
    Table,
    /// The comparison document.
    Json,
    /// GitHub-flavoured Markdown.
    Markdown,
}

/// Renders a comparison.
///
/// # Errors
/// [`RenderError`] when a number is not finite.
pub fn render(c: &Comparison, format: CompareFormat) -> Result<String, RenderError> {
    match format {
        CompareFormat::Json => json_text(c),
        CompareFormat::Table => Ok(text(c, false)),
        CompareFormat::Markdown => Ok(text(c, true)),
    }
}

/// Renders a comparison as a self-contained HTML page: the designs side by
/// side, their paired differences and a chart of the TCO per design.
///
/// # Errors
/// [`RenderError`] when a number is not finite.
pub fn render_html(c: &Comparison) -> Result<String, RenderError> {
    // refuse what the comparison document refuses
    json_text(c)?;
    Ok(super::html::comparison(c))
}

/// Renders a sweep: one row per variant with its paired TCO difference
/// against the first, the cheapest marked with `*` where the evidence
/// supports it.
///
/// # Errors
/// [`RenderError`] when a number is not finite.
pub fn render_sweep(sweep: &Sweep, format: CompareFormat) -> Result<String, RenderError> {
    if format == CompareFormat::Json {
        return json_text(sweep);
    }
    let markdown = format == CompareFormat::Markdown;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}sweep: {} variants, {} trials of {}, seed {}, common random numbers\n",
        if markdown { "### " } else { "" },
        sweep.variants.len(),
        sweep.trials,
        hours(sweep.horizon_hours),
        sweep.seed
    );
    out.push_str(&table(&sweep_rows(sweep), markdown));
    out.push('\n');
    let escape = if markdown { markdown_text } else { terminal };
    out.push_str(&sweep_verdict(sweep, escape));
    Ok(out)
}

/// The sweep's table: a header, then one row per variant.
fn sweep_rows(sweep: &Sweep) -> Vec<Row> {
    let services: Vec<&String> = sweep
        .variants
        .first()
        .map_or(Vec::new(), |v| v.services.keys().collect());
    let mut header: Row = vec!["".into(), "variant".into()];
    for s in &services {
        header.push(format!("{s} avail"));
        header.push(format!("{s} lost/trial"));
    }
    header.extend(
        [
            "loss/yr",
            "infra/yr",
            "total/yr",
            "total vs first",
            "95% CI (paired)",
            "objectives",
        ]
        .map(String::from),
    );
    let mut rows = vec![header];
    for (i, v) in sweep.variants.iter().enumerate() {
        let mark = if sweep.cheapest == Some(i) { "*" } else { "" };
        let mut row: Row = vec![mark.into(), v.set.clone()];
        for s in &services {
            let m = shared(&v.services, s);
            row.push(percent(m.availability));
            row.push(hours(m.lost_hours));
        }
        row.extend([v.annual_loss, v.infra_cost, v.tco].map(money));
        match i.checked_sub(1).and_then(|d| sweep.differences.get(d)) {
            Some(d) => {
                row.push(signed_money(d.tco.mean));
                row.push(signed_interval(&d.tco));
            }
            None => row.extend(["-", "-"].map(String::from)),
        }
        let objectives = match v.meets_objectives {
            None => "none",
            Some(true) => "met",
            Some(false) => "failed",
        };
        row.push(objectives.into());
        rows.push(row);
    }
    rows
}

/// The lines under the sweep's table: the objectives, and the cheapest
/// variant or why none is marked.
fn sweep_verdict(sweep: &Sweep, escape: fn(&str) -> String) -> String {
    let mut out = String::new();
    let none = sweep.variants.iter().all(|v| v.meets_objectives.is_none());
    if none {
        out.push_str("no objectives: every variant qualifies\n");
    }
    let label = |i: usize| {
        sweep
            .variants
            .get(i)
            .map_or(String::new(), |v| escape(&v.set))
    };
    let among = if none { "" } else { " meeting the objectives" };
    let _ = match (sweep.verdict, sweep.lowest_tco) {
        (Choice::Cheapest, Some(i)) => writeln!(
            out,
            "* cheapest{among} (total = infra + expected loss), lower than every other's by paired 95% CI: {}",
            label(i)
        ),
        (Choice::NotDistinguishable, Some(i)) => {
            let _ = writeln!(
                out,
                "no variant is distinguishably cheapest{among}: the lowest total, {}, is not significantly lower than",
                label(i)
            );
            for r in sweep.against_lowest.iter().filter(|r| r.tco.verdict != Verdict::Better) {
                let _ = writeln!(
                    out,
                    "  - {}: difference {} {}",
                    label(r.variant),
                    signed_money(r.tco.mean),
                    signed_interval(&r.tco)
                );
            }
            Ok(())
        }
        _ => writeln!(out, "no variant meets the objectives"),
    };
    out
}

/// The paired 95% CI of a money difference, signed.
fn signed_interval(d: &Difference) -> String {
    format!("[{}, {}]", signed_money(d.ci95[0]), signed_money(d.ci95[1]))
}

/// One row of a table: cells, the first left-aligned.
pub(super) type Row = Vec<String>;

fn text(c: &Comparison, markdown: bool) -> String {
    let mut out = String::new();
    let heading = if markdown { "### " } else { "" };
    let escape = if markdown { markdown_text } else { terminal };
    let _ = writeln!(
        out,
        "{heading}compare: {} designs, {} trials of {}, seed {}, common random numbers\n",
        c.designs.len(),
        c.trials,
        hours(c.horizon_hours),
        c.seed
    );
    out.push_str(&table(&designs(c), markdown));
    for d in &c.differences {
        let _ = writeln!(
            out,
            "\n{heading}{} against {}: {}\n",
            escape(&d.design),
            escape(&d.baseline),
            verdict_words(d.verdict)
        );
        out.push_str(&table(&differences(d), markdown));
        let _ = writeln!(out, "\n{}", reduction_line(d));
        if let Some(line) = over_inputs_line(d) {
            let _ = writeln!(out, "\n{}", escape(&line));
        }
    }
    out
}

/// With uncertain inputs: the share of draws in which the design's mean
/// TCO is lower than the baseline's, with its exact 95% interval, and the
/// spread of the TCO difference over the draws.
pub(super) fn over_inputs_line(d: &DesignDifference) -> Option<String> {
    let o = d.over_inputs.as_ref()?;
    let shared = if o.shared_inputs.is_empty() {
        "none".to_string()
    } else {
        o.shared_inputs.join(", ")
    };
    let t = &o.tco_difference;
    Some(format!(
        "over the inputs: TCO/yr lower than the baseline's in {} of {} draws (paired draw by draw): \
         P(better) {:.3} [95% CI {:.3}, {:.3}]; TCO difference over the draws p5 {}, p50 {}, p95 {}; \
         inputs drawn alike in both: {shared}",
        o.better_draws,
        o.draws,
        o.p_better,
        o.ci95[0],
        o.ci95[1],
        signed_money(t.p5),
        signed_money(t.p50),
        signed_money(t.p95)
    ))
}

/// The per-design table: a header, then one row per design.
pub(super) fn designs(c: &Comparison) -> Vec<Row> {
    let services: Vec<&String> = c
        .designs
        .first()
        .map_or(Vec::new(), |d| d.services.keys().collect());
    let mut header: Row = vec!["design".into()];
    for s in &services {
        header.push(format!("{s} avail"));
        header.push(format!("{s} lost/trial"));
    }
    header.extend(["loss/yr", "p99 loss/yr", "infra/yr", "TCO/yr"].map(String::from));
    let mut rows = vec![header];
    for d in &c.designs {
        let mut row: Row = vec![d.file.clone()];
        for s in &services {
            let m = shared(&d.services, s);
            row.push(percent(m.availability));
            row.push(hours(m.lost_hours));
        }
        row.extend([d.annual_loss, d.p99_annual_loss, d.infra_cost, d.tco].map(money));
        rows.push(row);
    }
    rows
}

/// The paired differences of one design: a header, then one row per measure.
pub(super) fn differences(d: &DesignDifference) -> Vec<Row> {
    let mut rows: Vec<Row> = vec![[
        "measure",
        "difference",
        "95% CI (paired)",
        "95% CI (unpaired)",
        "P(better)",
        "verdict",
    ]
    .map(String::from)
    .to_vec()];
    for (name, s) in &d.services {
        rows.push(row(
            &format!("{name} availability"),
            &s.availability,
            &signed_percent,
        ));
        rows.push(row(
            &format!("{name} lost hours"),
            &s.lost_hours,
            &signed_hours,
        ));
    }
    rows.push(row("loss/yr", &d.annual_loss, &signed_money));
    rows.push(vec![
        "p99 loss/yr".into(),
        signed_money(d.p99_annual_loss),
        "-".into(),
        "-".into(),
        "-".into(),
        "-".into(),
    ]);
    rows.push(row("infra/yr", &d.infra_cost, &signed_money));
    rows.push(row("TCO/yr", &d.tco, &signed_money));
    rows
}

fn row(name: &str, d: &Difference, f: &dyn Fn(f64) -> String) -> Row {
    vec![
        name.to_string(),
        f(d.mean),
        format!("[{}, {}]", f(d.ci95[0]), f(d.ci95[1])),
        format!("[{}, {}]", f(d.unpaired_ci95[0]), f(d.unpaired_ci95[1])),
        format!("{:.3}", d.p_better),
        verdict_words(d.verdict).to_string(),
    ]
}

/// How much pairing gained on the total cost of ownership.
pub(super) fn reduction_line(d: &DesignDifference) -> String {
    match d.tco.variance_reduction {
        Some(r) => format!(
            "common random numbers: the variance of the TCO difference is {r:.1}x smaller than two independent runs' (CI {:.1}x narrower)",
            r.sqrt()
        ),
        None => "common random numbers: the TCO difference is the same in every trial".to_string(),
    }
}

/// A verdict in words.
pub(super) fn verdict_words(v: Verdict) -> &'static str {
    match v {
        Verdict::Better => "better",
        Verdict::Worse => "worse",
        Verdict::NoSignificantDifference => "no significant difference",
    }
}

fn sign(x: f64, text: String) -> String {
    if x > 0.0 {
        format!("+{text}")
    } else {
        text
    }
}

/// Money with a `+` on positive values.
pub(super) fn signed_money(x: f64) -> String {
    sign(x, money(x))
}

fn signed_hours(x: f64) -> String {
    let text = if x < 0.0 {
        format!("-{}", hours(-x))
    } else {
        hours(x)
    };
    sign(x, text)
}

/// Percentage points with four decimals.
fn signed_percent(x: f64) -> String {
    if x == 0.0 {
        return "0".into();
    }
    sign(x, format!("{:.4}pp", x * 100.0))
}

/// Aligns rows as text, or writes a Markdown table; every cell escaped
/// for its format (names come from untrusted files).
fn table(rows: &[Row], markdown: bool) -> String {
    let mut out = String::new();
    let escape = if markdown { markdown_text } else { terminal };
    let rows: Vec<Row> = rows
        .iter()
        .map(|r| r.iter().map(|cell| escape(cell)).collect())
        .collect();
    if markdown {
        for (i, r) in rows.iter().enumerate() {
            let _ = writeln!(out, "| {} |", r.join(" | "));
            if i == 0 {
                let align: Vec<&str> = (0..r.len())
                    .map(|c| if c == 0 { "---" } else { "---:" })
                    .collect();
                let _ = writeln!(out, "| {} |", align.join(" | "));
            }
        }
        return out;
    }
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            column_width(
                rows.iter()
                    .filter_map(|r| r.get(c))
                    .map(|s| s.chars().count()),
                0,
            )
        })
        .collect();
    for r in &rows {
        let cells: Vec<String> = r
            .iter()
            .enumerate()
            .map(|(c, s)| {
                if c == 0 {
                    format!("{s:<w$}", w = widths[c])
                } else {
                    format!("{s:>w$}", w = widths[c])
                }
            })
            .collect();
        let _ = writeln!(out, "{}", cells.join("  ").trim_end());
    }
    out
}

/// A shared service's measures in one design (zeros if it is missing, which
/// `compare` never lets happen: shared services exist in every design).
fn shared(
    services: &std::collections::BTreeMap<String, crate::analysis::compare::SharedService>,
    name: &str,
) -> crate::analysis::compare::SharedService {
    services
        .get(name)
        .copied()
        .unwrap_or(crate::analysis::compare::SharedService {
            availability: 0.0,
            lost_hours: 0.0,
        })
}

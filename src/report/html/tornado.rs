//! The tornado chart of a two-level run: for every uncertain input, the
//! mean cost with it at its p5 and at its p95 (every other input at its
//! p50, on the same trials) as two horizontal bars from the median over
//! the draws of the mean cost, one row per input, the largest swing on
//! top. Every input name goes through [`escape`].

use std::fmt::Write;

use super::escape;
use crate::report::{hours, money};
use crate::stats::RunResult;
use crate::uncertainty::run::InputReport;
use crate::uncertainty::sensitivity::SensitivityEntry;

/// Geometry, pixels: label column, top, plot width, row height.
const TORNADO: (f64, f64, f64, f64) = (300.0, 24.0, 480.0, 30.0);

/// Label characters shown before an ellipsis (the whole name is in the
/// row's tooltip).
const LABEL_CHARS: usize = 44;

/// The section of the report (empty without sensitivity entries): a note
/// and the chart.
pub fn section(r: &RunResult) -> String {
    let Some(entries) = r.sensitivity.as_deref().filter(|e| !e.is_empty()) else {
        return String::new();
    };
    let centre = r.uncertainty.as_ref().map_or(r.cost.mean, |u| u.cost.p50);
    let inputs = r.uncertainty.as_ref().map_or(&[][..], |u| &u.inputs[..]);
    let mut out = String::from("<h2>Sensitivity</h2>\n");
    let _ = writeln!(
        out,
        "<p class=\"note\">Mean cost per {} with each input at its p5 (blue) and at its p95 (red), every other input at its p50, on the same trials; bars start at the median over the draws of the mean cost ({}, dashed); largest swing first.</p>",
        super::period(r),
        money(centre)
    );
    out.push_str(&svg(entries, inputs, centre));
    out
}

/// The chart: one row (a `<g class="tornado-bar">`) per entry, in order.
fn svg(entries: &[SensitivityEntry], inputs: &[InputReport], centre: f64) -> String {
    let (left, top, width, row) = TORNADO;
    let (lo, hi) = (entries.iter())
        .flat_map(|e| [e.cost_at_low, e.cost_at_high])
        .fold((centre, centre), |(a, b), x| (a.min(x), b.max(x)));
    let span = if hi > lo { hi - lo } else { 1.0 };
    let x = |v: f64| left + (v - lo) / span * width;
    let bottom = top + row * entries.len() as f64;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{:.0}\" height=\"{:.0}\" role=\"img\" aria-label=\"tornado: mean cost at each input's p5 and p95\" font-size=\"12\">\n",
        left + width + 280.0,
        bottom + 24.0
    );
    for (i, e) in entries.iter().enumerate() {
        bar(&mut svg, e, inputs, top + row * i as f64, centre, &x);
    }
    let c = x(centre);
    let _ = writeln!(
        svg,
        "<line x1=\"{c:.1}\" y1=\"{:.1}\" x2=\"{c:.1}\" y2=\"{bottom:.1}\" stroke=\"#1f2328\" stroke-dasharray=\"4 3\"/>\
         <line x1=\"{left:.1}\" y1=\"{bottom:.1}\" x2=\"{:.1}\" y2=\"{bottom:.1}\" stroke=\"#59636e\"/>\
         <text x=\"{left:.1}\" y=\"{:.1}\">{}</text><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>\
         <text x=\"{c:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
        top - 16.0,
        left + width,
        bottom + 16.0,
        money(lo),
        left + width,
        bottom + 16.0,
        money(hi),
        top - 6.0,
        money(centre)
    );
    svg.push_str("</svg>\n");
    svg
}

/// One entry's row at height `y`: its label and tooltip, its two bars from
/// `centre` (placed by `x`), and its swing.
fn bar(
    svg: &mut String,
    e: &SensitivityEntry,
    inputs: &[InputReport],
    y: f64,
    centre: f64,
    x: &impl Fn(f64) -> f64,
) {
    let (left, _, width, _) = TORNADO;
    let name = crate::text::one_line(&e.input);
    let range = ends(e, inputs);
    let _ = writeln!(
        svg,
        "<g class=\"tornado-bar\"><title>{}: {range}; mean cost {} at p5, {} at p95, swing {}</title>\
         <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
        escape(&name),
        estimate(e.cost_at_low, e.cost_at_low_ci95),
        estimate(e.cost_at_high, e.cost_at_high_ci95),
        estimate(e.swing, e.swing_ci95),
        left - 8.0,
        y + 14.0,
        escape(&label(&name)),
    );
    // the longer bar first, so that a shorter one on the same side shows
    let mut bars = [(e.cost_at_low, "#0969da"), (e.cost_at_high, "#cf222e")];
    bars.sort_by(|a, b| (b.0 - centre).abs().total_cmp(&(a.0 - centre).abs()));
    for (cost, colour) in bars {
        let (a, b) = (x(cost.min(centre)), x(cost.max(centre)));
        let _ = writeln!(
            svg,
            "<rect x=\"{a:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"18\" fill=\"{colour}\"/>",
            y + 2.0,
            (b - a).max(1.0)
        );
    }
    let _ = writeln!(
        svg,
        "<text x=\"{:.1}\" y=\"{:.1}\">swing {}</text></g>",
        left + width + 10.0,
        y + 14.0,
        estimate(e.swing, e.swing_ci95)
    );
}

/// A mean in money with its interval, `mean [lo - hi]`, or `~mean rare`
/// without one.
fn estimate(mean: f64, ci95: Option<[f64; 2]>) -> String {
    match ci95 {
        Some([lo, hi]) => format!("{} [{} - {}]", money(mean), money(lo), money(hi)),
        None => format!("{}{} rare", crate::report::rare::MARK, money(mean)),
    }
}

/// The input's p5 and p95 in its unit: hours, or a probability.
fn ends(e: &SensitivityEntry, inputs: &[InputReport]) -> String {
    let probability = (inputs.iter()).any(|i| i.at == e.at && i.probability);
    if probability {
        format!("{:.3} .. {:.3}", e.low, e.high)
    } else {
        format!("{} .. {}", hours(e.low), hours(e.high))
    }
}

/// A name cut to [`LABEL_CHARS`] characters, with an ellipsis if cut.
fn label(name: &str) -> String {
    if name.chars().count() <= LABEL_CHARS {
        return name.to_string();
    }
    let mut cut: String = name.chars().take(LABEL_CHARS - 1).collect();
    cut.push('…');
    cut
}

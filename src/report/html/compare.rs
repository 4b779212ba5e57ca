//! The HTML page of a `compare`: the designs side by side (the same rows as
//! the table), each later design's paired differences against the first,
//! and the TCO per design as bars with the paired 95% CI of the difference
//! as whiskers. Every cell and name goes through [`escape`].

use std::fmt::Write;

use super::{escape, head};
use crate::analysis::compare::Comparison;
use crate::report::compare::{
    designs, differences, over_inputs_line, reduction_line, signed_money, verdict_words, Row,
};
use crate::report::{hours, money};

/// Rules beside the report's: intervals on one line.
const STYLE: &str = "td{white-space:nowrap}";

/// The whole page of a comparison.
pub fn page(c: &Comparison) -> String {
    let names: Vec<&str> = c.designs.iter().map(|d| d.file.as_str()).collect();
    let mut out = head(&format!("compare {}", names.join(" / ")), STYLE);
    out.push_str("<h1>Comparison of designs</h1>\n");
    let _ = writeln!(
        out,
        "<p class=\"meta\">{} designs, {} trials of {}, seed {}, common random numbers; money per year</p>",
        c.designs.len(),
        c.trials,
        hours(c.horizon_hours),
        c.seed
    );
    out.push_str("<h2>Designs</h2>\n<ul>\n");
    for d in &c.designs {
        let _ = writeln!(
            out,
            "<li><code>{}</code>: {}</li>",
            escape(&d.file),
            escape(&d.scenario)
        );
    }
    out.push_str("</ul>\n");
    out.push_str("<p class=\"note\">One column per design. Availability and lost hours per trial of the services every design has (their 95% CIs are those of the paired differences below); loss: expected downtime cost; TCO = infra + expected loss.</p>\n");
    out.push_str(&table(&transpose(&designs(c))));
    out.push_str("<h2>Total cost of ownership</h2>\n");
    out.push_str("<p class=\"note\">Bars: infrastructure (grey) plus expected loss (red). Whiskers: the paired 95% CI of each design's TCO difference, placed at the first design's TCO plus the difference; dashed: the first design's TCO.</p>\n");
    out.push_str(&tco_chart(c));
    out.push_str("<h2>Paired differences</h2>\n");
    for d in &c.differences {
        let _ = writeln!(
            out,
            "<h3><code>{}</code> against <code>{}</code>: {}</h3>",
            escape(&d.design),
            escape(&d.baseline),
            verdict_words(d.verdict)
        );
        out.push_str(&table(&differences(d)));
        let _ = writeln!(out, "<p>{}</p>", escape(&reduction_line(d)));
        if let Some(line) = over_inputs_line(d) {
            let _ = writeln!(out, "<p>{}</p>", escape(&line));
        }
    }
    out.push_str("</body>\n</html>\n");
    out
}

/// Columns as rows: the designs side by side, one measure a row.
fn transpose(rows: &[Row]) -> Vec<Row> {
    let columns = rows.first().map_or(0, Vec::len);
    (0..columns)
        .map(|c| {
            let mut row: Row = rows.iter().filter_map(|r| r.get(c).cloned()).collect();
            if c == 0 {
                // the header of the first column names the rows now
                if let Some(first) = row.first_mut() {
                    "measure".clone_into(first);
                }
            }
            row
        })
        .collect()
}

/// Rows as an HTML table, the first row as its header.
fn table(rows: &[Row]) -> String {
    let mut out = String::from("<table>\n");
    for (i, row) in rows.iter().enumerate() {
        let cell = if i == 0 { "th" } else { "td" };
        out.push_str("<tr>");
        for text in row {
            let _ = write!(out, "<{cell}>{}</{cell}>", escape(text));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n");
    out
}

/// Chart geometry, pixels: left, top, bar width at the largest value, row height.
const CHART: (f64, f64, f64, f64) = (10.0, 10.0, 640.0, 46.0);

/// One bar per design: infrastructure plus expected loss; for each design
/// after the first, a whisker over the first's TCO plus the paired 95% CI
/// of the TCO difference.
fn tco_chart(c: &Comparison) -> String {
    let Some(base) = c.designs.first() else {
        return "<p class=\"note\">No design.</p>\n".into();
    };
    let whiskers: Vec<[f64; 2]> = (c.differences.iter())
        .map(|d| d.tco.ci95.map(|x| base.tco + x))
        .collect();
    let most = (c.designs.iter().map(|d| d.tco))
        .chain(whiskers.iter().map(|w| w[1]))
        .fold(0.0, f64::max);
    if most <= 0.0 {
        return "<p class=\"note\">Every design costs nothing.</p>\n".into();
    }
    let (left, top, width, row) = CHART;
    let x = |v: f64| left + v.max(0.0) / most * width;
    let bottom = top + row * c.designs.len() as f64;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{:.0}\" height=\"{:.0}\" role=\"img\" aria-label=\"TCO per design\" font-size=\"12\">\n",
        left + width + 250.0,
        bottom + 24.0
    );
    for (i, d) in c.designs.iter().enumerate() {
        let y = top + row * i as f64;
        let whisker = i.checked_sub(1).and_then(|k| whiskers.get(k));
        let _ = writeln!(
            svg,
            "<text x=\"{left:.1}\" y=\"{:.1}\">{}</text>\
             <rect x=\"{left:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"18\" fill=\"#8c959f\"><title>infra {}</title></rect>\
             <rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"18\" fill=\"#cf222e\"><title>expected loss {}</title></rect>",
            y + 12.0,
            escape(&d.file),
            y + 18.0,
            x(d.infra_cost) - left,
            money(d.infra_cost),
            x(d.infra_cost),
            y + 18.0,
            x(d.tco) - x(d.infra_cost),
            money(d.annual_loss)
        );
        let mut end = x(d.tco);
        if let Some(&[lo, hi]) = whisker {
            end = end.max(draw_whisker(&mut svg, [lo, hi], base.tco, y, &x));
        }
        let _ = writeln!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\">TCO {}</text>",
            end + 6.0,
            y + 31.0,
            money(d.tco)
        );
    }
    draw_axis(&mut svg, x(base.tco), most, bottom);
    svg.push_str("</svg>\n");
    svg
}

/// The dashed line at the first design's TCO (`b`, in pixels) and the axis
/// from 0 to `most` under rows ending at `bottom`.
fn draw_axis(svg: &mut String, b: f64, most: f64, bottom: f64) {
    let (left, top, width, _) = CHART;
    let _ = writeln!(
        svg,
        "<line x1=\"{b:.1}\" y1=\"{top:.1}\" x2=\"{b:.1}\" y2=\"{bottom:.1}\" stroke=\"#0969da\" stroke-dasharray=\"4 3\"/>\
         <line x1=\"{left:.1}\" y1=\"{bottom:.1}\" x2=\"{:.1}\" y2=\"{bottom:.1}\" stroke=\"#59636e\"/>\
         <text x=\"{left:.1}\" y=\"{:.1}\">0</text><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
        left + width,
        bottom + 16.0,
        left + width,
        bottom + 16.0,
        money(most)
    );
}

/// The paired 95% CI `[lo, hi]` of a design's TCO (the first design's TCO
/// `base` plus the difference's CI) as a whisker in the row at `y`; the
/// whisker's right end.
fn draw_whisker(
    svg: &mut String,
    [lo, hi]: [f64; 2],
    base: f64,
    y: f64,
    x: &impl Fn(f64) -> f64,
) -> f64 {
    let (a, b, mid) = (x(lo), x(hi), y + 27.0);
    let _ = writeln!(
        svg,
        "<g stroke=\"#1f2328\" stroke-width=\"2\"><title>paired 95% CI of the TCO difference: [{}, {}]</title>\
         <line x1=\"{a:.1}\" y1=\"{mid:.1}\" x2=\"{b:.1}\" y2=\"{mid:.1}\"/>\
         <line x1=\"{a:.1}\" y1=\"{:.1}\" x2=\"{a:.1}\" y2=\"{:.1}\"/>\
         <line x1=\"{b:.1}\" y1=\"{:.1}\" x2=\"{b:.1}\" y2=\"{:.1}\"/></g>",
        signed_money(lo - base),
        signed_money(hi - base),
        mid - 7.0,
        mid + 7.0,
        mid - 7.0,
        mid + 7.0
    );
    b
}

//! The dependency graph as inline SVG: services in layers by dependency
//! depth, left to right ([`crate::analysis::graph::layers`]), ordered within a layer by
//! the mean position of their dependents (one barycentre pass, which removes
//! most crossings of small graphs), filled by mean lost hours. A shared
//! third party has a thick purple border; the shared failures and third
//! parties are listed under the picture ([`shared_notes`]).

use std::fmt::Write;

use super::escape;
use crate::analysis::graph::shared::{
    failure_edge_label, manual_note, provider_names, third_party_line,
};
use crate::analysis::graph::{edges, label_lines, layers, routing_name, Shared};
use crate::model::{DependencyKind, Model};
use crate::report::hours;
use crate::stats::RunResult;

const NODE_W: f64 = 220.0;
const NODE_H: f64 = 58.0;
const COLUMN: f64 = 290.0;
const ROW: f64 = 80.0;
const MARGIN: f64 = 20.0;

/// The SVG of the graph, with a legend line under it.
pub fn svg(model: &Model, r: &RunResult) -> String {
    let lost: Vec<f64> = (model.services.iter())
        .map(|s| r.services.get(&s.name).map_or(0.0, |x| x.lost_hours.mean))
        .collect();
    let most = lost.iter().copied().fold(0.0, f64::max);
    let position = positions(model);
    let columns = position.iter().map(|p| p.0).max().map_or(1, |c| c + 1);
    let rows = position.iter().map(|p| p.1).max().map_or(1, |c| c + 1);
    let at = |s: usize| {
        (
            MARGIN + position[s].0 as f64 * COLUMN,
            MARGIN + position[s].1 as f64 * ROW,
        )
    };
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{:.0}\" height=\"{:.0}\" role=\"img\" aria-label=\"dependency graph\" font-size=\"12\">\n",
        2.0 * MARGIN + (columns - 1) as f64 * COLUMN + NODE_W,
        2.0 * MARGIN + (rows - 1) as f64 * ROW + NODE_H
    );
    for (from, to, kind) in edges(model) {
        let manual = manual_note(model, from, to).is_some();
        edge(&mut out, (at(from), at(to)), kind, manual);
    }
    let shared = Shared::new(model);
    for (s, &l) in lost.iter().enumerate() {
        node(&mut out, model, (&shared, s), at(s), (l, most));
    }
    out.push_str("</svg>\n");
    out.push_str(&shared_notes(model, &shared));
    out
}

/// Under the graph, one line per shared failure (what it takes down or
/// holds, and the providers it spans) and per shared third party; nothing
/// when there are none.
pub fn shared_notes(model: &Model, shared: &Shared) -> String {
    if shared.is_empty() {
        return String::new();
    }
    let mut out = String::from("<ul class=\"note\">\n");
    for f in &shared.failures {
        let services: Vec<&str> = (f.services.iter())
            .map(|&s| model.services[s].name.as_str())
            .collect();
        let _ = writeln!(
            out,
            "<li>Shared fate: <b>{}</b> {} {} at once, across providers {}.</li>",
            escape(&model.failures[f.failure].name),
            failure_edge_label(f),
            escape(&services.join(", ")),
            escape(&provider_names(model, &f.reach))
        );
    }
    for t in &shared.third_parties {
        let _ = writeln!(
            out,
            "<li>Common point of failure: <b>{}</b> is a {}.</li>",
            escape(&model.services[t.service].name),
            escape(&third_party_line(model, t))
        );
    }
    out.push_str("</ul>\n");
    out
}

/// (layer, row) of each service.
fn positions(model: &Model) -> Vec<(usize, usize)> {
    let layer = layers(model);
    let depth = layer.iter().copied().max().unwrap_or(0);
    let mut row = vec![0.0f64; model.services.len()];
    let mut out = vec![(0, 0); model.services.len()];
    for l in 0..=depth {
        let mut members: Vec<usize> = (0..model.services.len())
            .filter(|&s| layer[s] == l)
            .collect();
        // barycentre of the dependents already placed (file order on ties)
        let key = |s: usize| {
            let placed: Vec<f64> = (model.services.iter().enumerate())
                .filter(|(d, x)| layer[*d] < l && x.depends_on.iter().any(|e| e.service == s))
                .map(|(d, _)| row[d])
                .collect();
            if placed.is_empty() {
                f64::INFINITY
            } else {
                placed.iter().sum::<f64>() / placed.len() as f64
            }
        };
        let keys: Vec<f64> = (0..model.services.len()).map(key).collect();
        members.sort_by(|&a, &b| keys[a].total_cmp(&keys[b]).then(a.cmp(&b)));
        for (i, &s) in members.iter().enumerate() {
            row[s] = i as f64;
            out[s] = (l, i);
        }
    }
    out
}

/// One dependency edge; `manual`: a recovery edge of a cycle that people
/// break by hand.
fn edge(out: &mut String, ends: ((f64, f64), (f64, f64)), kind: DependencyKind, manual: bool) {
    let ((x0, y0), (x1, y1)) = ends;
    let (dash, colour) = match kind {
        DependencyKind::Hard => ("", "#1f2328"),
        DependencyKind::Soft { .. } => (" stroke-dasharray=\"7 4\"", "#59636e"),
        DependencyKind::Recovery { .. } => (" stroke-dasharray=\"2 3\"", "#8250df"),
    };
    let (ax, ay) = (x0 + NODE_W, y0 + NODE_H / 2.0);
    let (bx, by) = (x1, y1 + NODE_H / 2.0);
    let bend = ((bx - ax).abs() / 2.0).max(40.0);
    let _ = writeln!(
        out,
        "<path d=\"M{ax:.1},{ay:.1} C{:.1},{ay:.1} {:.1},{by:.1} {bx:.1},{by:.1}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"1.5\"{dash}/>\
         <circle cx=\"{bx:.1}\" cy=\"{by:.1}\" r=\"3\" fill=\"{colour}\"/>",
        ax + bend,
        bx - bend
    );
    let label = match kind {
        DependencyKind::Hard => return,
        DependencyKind::Soft { impact } => format!("soft {impact}"),
        DependencyKind::Recovery { .. } if manual => "recovery, manual".to_string(),
        DependencyKind::Recovery { .. } => "recovery".to_string(),
    };
    let _ = writeln!(
        out,
        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"{colour}\">{}</text>",
        (ax + bx) / 2.0,
        (ay + by) / 2.0 - 4.0,
        escape(&label)
    );
}

fn node(
    out: &mut String,
    model: &Model,
    (shared, s): (&Shared, usize),
    (x, y): (f64, f64),
    (lost, most): (f64, f64),
) {
    let service = &model.services[s];
    let mut title = label_lines(model, s).join("\n");
    let third = shared.third_party(s);
    let border = if third.is_some() {
        " stroke=\"#8250df\" stroke-width=\"3\""
    } else {
        " stroke=\"#59636e\""
    };
    let detail = if let Some(t) = third {
        title.push('\n');
        title.push_str(&third_party_line(model, t));
        format!("third party ({})", model.domains[t.provider].path)
    } else if service.deployments.len() > 1 {
        format!(
            "{} deployments, {}",
            service.deployments.len(),
            routing_name(&service.routing)
        )
    } else {
        "1 deployment".to_string()
    };
    let _ = writeln!(
        out,
        "<g><title>{}</title><rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{NODE_W:.0}\" height=\"{NODE_H:.0}\" rx=\"6\" fill=\"{}\"{border}/>\
         <text x=\"{:.1}\" y=\"{:.1}\" font-weight=\"bold\">{}</text>\
         <text x=\"{:.1}\" y=\"{:.1}\">{} lost (mean)</text>\
         <text x=\"{:.1}\" y=\"{:.1}\">{}</text></g>",
        escape(&title),
        colour(lost, most),
        x + 8.0,
        y + 18.0,
        escape(&service.name),
        x + 8.0,
        y + 34.0,
        hours(lost),
        x + 8.0,
        y + 50.0,
        escape(&detail)
    );
}

/// Green (no loss) through yellow to red (the most lost hours), on a log
/// scale so that small losses still show.
pub fn colour(lost: f64, most: f64) -> String {
    let t = if most > 0.0 && lost > 0.0 {
        (lost.ln_1p() / most.ln_1p()).clamp(0.0, 1.0)
    } else {
        0.0
    };
    format!("hsl({:.0},75%,78%)", 120.0 * (1.0 - t))
}

#[cfg(test)]
mod tests {
    use super::colour;

    #[test]
    fn colours_run_from_green_to_red() {
        assert_eq!(colour(0.0, 5.0), "hsl(120,75%,78%)");
        assert_eq!(colour(5.0, 5.0), "hsl(0,75%,78%)");
        assert_eq!(colour(0.0, 0.0), "hsl(120,75%,78%)");
    }
}

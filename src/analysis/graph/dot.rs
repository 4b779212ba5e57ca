//! Graphviz DOT: `faultline graph SCENARIO --format dot | dot -Tsvg`.

use std::fmt::Write;

use super::shared::{failure_edge_label, failure_lines, third_party_line};
use super::{dependency_label, edges, label_lines, Clusters, Shared};
use crate::model::{DependencyKind, DomainId, Model};
use crate::text::{breaks_display, one_line, push_visible};

/// The dependency graph in DOT, left to right, domains as nested clusters;
/// shared third parties bold, shared failures as red octagons with bold
/// edges to what they take down.
pub fn dot(model: &Model) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "digraph {} {{", quote(&model.name));
    out.push_str("  rankdir=LR;\n");
    out.push_str("  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n");
    out.push_str("  edge [fontname=\"Helvetica\", fontsize=10];\n");
    let clusters = Clusters::new(model);
    let shared = Shared::new(model);
    let drawn = Drawn {
        clusters: &clusters,
        shared: &shared,
    };
    for &root in &clusters.roots {
        cluster(&mut out, model, &drawn, root, 1);
    }
    for &s in &clusters.unhomed {
        node(&mut out, model, &shared, s, 1);
    }
    let failure_ids = failure_nodes(&mut out, model, &shared);
    for (from, to, kind) in edges(model) {
        let style = match kind {
            DependencyKind::Hard => "solid",
            DependencyKind::Soft { .. } => "dashed",
            DependencyKind::Recovery { .. } => "dotted",
        };
        let label = dependency_label(model, from, to, kind)
            .map_or_else(String::new, |l| format!(", label={}", quote(&l)));
        let _ = writeln!(
            out,
            "  {} -> {} [style={style}{label}];",
            quote(&model.services[from].name),
            quote(&model.services[to].name)
        );
    }
    for (f, id) in shared.failures.iter().zip(&failure_ids) {
        for &s in &f.services {
            let _ = writeln!(
                out,
                "  {} -> {} [style=bold, color=\"{FAILURE_COLOUR}\", label={}];",
                quote(id),
                quote(&model.services[s].name),
                quote(failure_edge_label(f))
            );
        }
    }
    out.push_str("}\n");
    out
}

const FAILURE_COLOUR: &str = "#cf222e";
const THIRD_PARTY_COLOUR: &str = "#8250df";

/// What the clusters draw: the services by home, and what is shared.
struct Drawn<'a> {
    clusters: &'a Clusters,
    shared: &'a Shared,
}

/// Writes one node per shared failure; returns their ids (`failure: NAME`,
/// primed until no service has that name).
fn failure_nodes(out: &mut String, model: &Model, shared: &Shared) -> Vec<String> {
    let mut ids = Vec::new();
    for f in &shared.failures {
        let mut id = format!("failure: {}", model.failures[f.failure].name);
        while model.service_by_name(&id).is_some() || ids.contains(&id) {
            id.push('\'');
        }
        let lines: Vec<String> = (failure_lines(model, f).iter())
            .map(|l| one_line(l).into_owned())
            .collect();
        let _ = writeln!(
            out,
            "  {} [shape=octagon, style=bold, color=\"{FAILURE_COLOUR}\", label={}];",
            quote(&id),
            quote(&lines.join("\n"))
        );
        ids.push(id);
    }
    ids
}

fn cluster(out: &mut String, model: &Model, drawn: &Drawn, d: DomainId, depth: usize) {
    let clusters = drawn.clusters;
    let pad = "  ".repeat(depth);
    let _ = writeln!(out, "{pad}subgraph \"cluster_{d}\" {{");
    let _ = writeln!(out, "{pad}  label={};", quote(&model.domains[d].path));
    for &child in &clusters.children[d] {
        cluster(out, model, drawn, child, depth + 1);
    }
    for &s in &clusters.homed[d] {
        node(out, model, drawn.shared, s, depth + 1);
    }
    let _ = writeln!(out, "{pad}}}");
}

fn node(out: &mut String, model: &Model, shared: &Shared, s: usize, depth: usize) {
    let pad = "  ".repeat(depth);
    let mut lines: Vec<String> = (label_lines(model, s).iter())
        .map(|l| one_line(l).into_owned())
        .collect();
    let mut style = String::new();
    if let Some(t) = shared.third_party(s) {
        lines.push(one_line(&third_party_line(model, t)).into_owned());
        style = format!(", style=\"rounded,bold\", color=\"{THIRD_PARTY_COLOUR}\"");
    }
    let _ = writeln!(
        out,
        "{pad}{} [label={}{style}];",
        quote(&model.services[s].name),
        quote(&lines.join("\n"))
    );
}

/// A DOT quoted string: backslashes and quotes escaped, newlines as DOT's
/// `\n` line break, every other control character written visibly escaped
/// (`\r` as the two characters `\` `r`), so two names that differ only
/// there stay two nodes.
fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if breaks_display(c) => push_visible(&mut out, c),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::quote;

    #[test]
    fn quotes_escape_what_would_end_the_string() {
        assert_eq!(quote(r#"a"b\c"#), r#""a\"b\\c""#);
        assert_eq!(quote("x\ny"), r#""x\ny""#);
    }

    #[test]
    fn a_carriage_return_is_kept_visible_so_two_names_stay_two_nodes() {
        assert_eq!(quote("web\r"), r#""web\\r""#);
        assert_ne!(quote("web\r"), quote("web"));
    }
}

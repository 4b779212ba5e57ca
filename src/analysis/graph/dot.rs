//! Graphviz DOT: `faultline graph SCENARIO --format dot | dot -Tsvg`.

use std::fmt::Write;

use super::{edge_label, edges, label_lines, Clusters};
use crate::model::{DependencyKind, DomainId, Model};
use crate::text::{breaks_display, one_line};

/// The dependency graph in DOT, left to right, domains as nested clusters.
pub fn dot(model: &Model) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "digraph {} {{", quote(&model.name));
    out.push_str("  rankdir=LR;\n");
    out.push_str("  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n");
    out.push_str("  edge [fontname=\"Helvetica\", fontsize=10];\n");
    let clusters = Clusters::new(model);
    for &root in &clusters.roots {
        cluster(&mut out, model, &clusters, root, 1);
    }
    for &s in &clusters.unhomed {
        node(&mut out, model, s, 1);
    }
    for (from, to, kind) in edges(model) {
        let style = match kind {
            DependencyKind::Hard => "solid",
            DependencyKind::Soft { .. } => "dashed",
            DependencyKind::Recovery { .. } => "dotted",
        };
        let label = edge_label(kind).map_or_else(String::new, |l| format!(", label={}", quote(&l)));
        let _ = writeln!(
            out,
            "  {} -> {} [style={style}{label}];",
            quote(&model.services[from].name),
            quote(&model.services[to].name)
        );
    }
    out.push_str("}\n");
    out
}

fn cluster(out: &mut String, model: &Model, clusters: &Clusters, d: DomainId, depth: usize) {
    let pad = "  ".repeat(depth);
    let _ = writeln!(out, "{pad}subgraph \"cluster_{d}\" {{");
    let _ = writeln!(out, "{pad}  label={};", quote(&model.domains[d].path));
    for &child in &clusters.children[d] {
        cluster(out, model, clusters, child, depth + 1);
    }
    for &s in &clusters.homed[d] {
        node(out, model, s, depth + 1);
    }
    let _ = writeln!(out, "{pad}}}");
}

fn node(out: &mut String, model: &Model, s: usize, depth: usize) {
    let pad = "  ".repeat(depth);
    let lines: Vec<String> = (label_lines(model, s).iter())
        .map(|l| one_line(l).into_owned())
        .collect();
    let _ = writeln!(
        out,
        "{pad}{} [label={}];",
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
            c if breaks_display(c) => {
                for e in c.escape_default() {
                    if e == '\\' {
                        out.push('\\');
                    }
                    out.push(e);
                }
            }
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

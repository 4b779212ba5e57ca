//! Mermaid flowcharts, which GitHub renders in pull requests and READMEs.
//!
//! Nodes and subgraphs get generated ids (`s0`, `d3`) so that no service or
//! domain name can break the syntax; names appear only in quoted labels, with
//! Mermaid's entity codes for the characters that would end them. Mermaid has
//! no dashed arrow distinct from its dotted one, so edge styles are set with
//! `linkStyle` by edge index: soft dashed, recovery dotted. Shared third
//! parties get the class `thirdParty`; shared failures are hexagons `f0`,
//! `f1`, ... of class `sharedFailure`, with thick red links to what they
//! take down.

use std::fmt::Write;

use super::shared::{failure_edge_label, failure_lines, third_party_line};
use super::{dependency_label, edges, label_lines, Clusters, Shared};
use crate::model::{DependencyKind, DomainId, Model};
use crate::text::one_line;

/// The dependency graph as a Mermaid `flowchart LR`, domains as subgraphs.
pub fn mermaid(model: &Model) -> String {
    let mut out = String::from("flowchart LR\n");
    let clusters = Clusters::new(model);
    let shared = Shared::new(model);
    for &root in &clusters.roots {
        subgraph(&mut out, model, (&clusters, &shared), root, 1);
    }
    for &s in &clusters.unhomed {
        node(&mut out, model, &shared, s, 1);
    }
    for (i, f) in shared.failures.iter().enumerate() {
        let lines: Vec<String> = (failure_lines(model, f).iter())
            .map(|l| escape(l))
            .collect();
        let _ = writeln!(out, "  f{i}{{{{\"{}\"}}}}", lines.join("<br/>"));
    }
    let mut styles = Vec::new();
    let dependencies = edges(model);
    for (i, &(from, to, kind)) in dependencies.iter().enumerate() {
        let label = dependency_label(model, from, to, kind)
            .map_or_else(String::new, |l| format!("|\"{}\"|", escape(&l)));
        let _ = writeln!(out, "  s{from} -->{label} s{to}");
        match kind {
            DependencyKind::Hard => {}
            DependencyKind::Soft { .. } => styles.push((i, "stroke-dasharray: 6 4")),
            DependencyKind::Recovery { .. } => styles.push((i, "stroke-dasharray: 2 3")),
        }
    }
    let mut link = dependencies.len();
    for (i, f) in shared.failures.iter().enumerate() {
        for &s in &f.services {
            let _ = writeln!(out, "  f{i} ==>|\"{}\"| s{s}", failure_edge_label(f));
            styles.push((link, "stroke: #cf222e"));
            link += 1;
        }
    }
    for (i, style) in styles {
        let _ = writeln!(out, "  linkStyle {i} {style}");
    }
    classes(&mut out, &shared);
    out
}

/// The classes of shared third parties and shared failures (nothing when
/// there are none).
fn classes(out: &mut String, shared: &Shared) {
    if !shared.third_parties.is_empty() {
        out.push_str("  classDef thirdParty stroke:#8250df,stroke-width:3px\n");
        let ids: Vec<String> = (shared.third_parties.iter())
            .map(|t| format!("s{}", t.service))
            .collect();
        let _ = writeln!(out, "  class {} thirdParty", ids.join(","));
    }
    if !shared.failures.is_empty() {
        out.push_str("  classDef sharedFailure fill:#ffebe9,stroke:#cf222e,stroke-width:2px\n");
        let ids: Vec<String> = (0..shared.failures.len())
            .map(|i| format!("f{i}"))
            .collect();
        let _ = writeln!(out, "  class {} sharedFailure", ids.join(","));
    }
}

fn subgraph(
    out: &mut String,
    model: &Model,
    (clusters, shared): (&Clusters, &Shared),
    d: DomainId,
    depth: usize,
) {
    let pad = "  ".repeat(depth);
    let _ = writeln!(
        out,
        "{pad}subgraph d{d}[\"{}\"]",
        escape(&model.domains[d].path)
    );
    for &child in &clusters.children[d] {
        subgraph(out, model, (clusters, shared), child, depth + 1);
    }
    for &s in &clusters.homed[d] {
        node(out, model, shared, s, depth + 1);
    }
    let _ = writeln!(out, "{pad}end");
}

fn node(out: &mut String, model: &Model, shared: &Shared, s: usize, depth: usize) {
    let pad = "  ".repeat(depth);
    let mut lines: Vec<String> = label_lines(model, s).iter().map(|l| escape(l)).collect();
    if let Some(t) = shared.third_party(s) {
        lines.push(escape(&third_party_line(model, t)));
    }
    let _ = writeln!(out, "{pad}s{s}[\"{}\"]", lines.join("<br/>"));
}

/// Text for inside a quoted Mermaid label: the characters that would end the
/// label, be read as markup or start a directive (`%%{init}%%`) become
/// entity codes; line breaks and other controls are written escaped, as
/// [`one_line`] writes them.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in one_line(text).chars() {
        match c {
            '%' => out.push_str("#37;"),
            '{' => out.push_str("#123;"),
            '}' => out.push_str("#125;"),
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '&' => out.push_str("#amp;"),
            '|' => out.push_str("#124;"),
            '`' => out.push_str("#96;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn labels_cannot_be_closed_or_marked_up_from_a_name() {
        assert_eq!(escape(r#"a"]<b>#&|"#), "a#quot;]#lt;b#gt;#35;#amp;#124;");
    }

    #[test]
    fn no_name_starts_a_directive_or_a_line() {
        assert_eq!(
            escape("%%{init: {'theme':'dark'}}%%"),
            "#37;#37;#123;init: #123;'theme':'dark'#125;#125;#37;#37;"
        );
        assert_eq!(escape("a\nb\r"), "a\\nb\\r");
    }
}

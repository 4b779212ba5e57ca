//! `faultline graph`: snapshots of DOT and Mermaid on the example scenarios,
//! and names that would break either syntax.

use super::support::faultline;

#[test]
fn mermaid_of_the_two_region_shop() {
    let out = faultline(&["graph", "scenarios/shop-two-regions.ron"]);
    insta::assert_snapshot!("graph_shop_two_regions_mermaid", out);
}

#[test]
fn dot_of_the_one_zone_shop_nests_the_zone_in_its_region_and_provider() {
    let out = faultline(&["graph", "scenarios/shop-one-zone.ron", "--format", "dot"]);
    insta::assert_snapshot!("graph_shop_one_zone_dot", out);
}

#[test]
fn dot_of_the_two_provider_shop() {
    let out = faultline(&[
        "graph",
        "scenarios/shop-two-providers.ron",
        "--format",
        "dot",
    ]);
    insta::assert_snapshot!("graph_shop_two_providers_dot", out);
}

#[test]
fn mermaid_of_the_control_plane_styles_recovery_edges_dotted() {
    let out = faultline(&["graph", "scenarios/control-plane-recovery.ron"]);
    assert!(out.contains("stroke-dasharray: 2 3"), "{out}");
    insta::assert_snapshot!("graph_control_plane_recovery_mermaid", out);
}

#[test]
fn hostile_names_stay_inside_their_labels() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("graph-names");
    std::fs::create_dir_all(&dir).expect("scratch folder");
    let path = dir.join("names.ron");
    let text = r#"Scenario(name: "a \"quoted\" name", domains: ["aws/r/a"],
        services: {
            "web\"]; x -> y; [\"": (deployments: [(in: "aws/r")], depends_on: {"db|<b>": Hard}),
            "db|<b>": (deployments: [(in: "aws/r")]),
        })"#;
    std::fs::write(&path, text).expect("write");
    let file = path.to_str().expect("utf-8 path");
    let dot = faultline(&["graph", file, "--format", "dot"]);
    assert!(
        dot.contains(r#""web\"]; x -> y; [\"" -> "db|<b>" [style=solid];"#),
        "{dot}"
    );
    assert!(dot.starts_with(r#"digraph "a \"quoted\" name" {"#), "{dot}");
    let mermaid = faultline(&["graph", file]);
    assert!(
        mermaid.contains("s0[\"web#quot;]; x -#gt; y; [#quot;"),
        "{mermaid}"
    );
    assert!(mermaid.contains("s1[\"db#124;#lt;b#gt;"), "{mermaid}");
    assert!(mermaid.contains("  s0 --> s1\n"), "{mermaid}");
}

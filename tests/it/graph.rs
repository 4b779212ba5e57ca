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

/// The lines of `text` that contain every one of `parts`.
fn lines_with<'a>(text: &'a str, parts: &[&str]) -> Vec<&'a str> {
    (text.lines())
        .filter(|l| parts.iter().all(|p| l.contains(p)))
        .collect()
}

#[test]
fn the_shared_dns_is_drawn_as_a_third_party_with_the_failure_that_takes_it_down() {
    let file = "scenarios/shop-two-providers-shared-dns.ron";
    let dot = faultline(&["graph", file, "--format", "dot"]);
    // the third party: its own provider's cluster, a bold node naming who shares it
    let dns = lines_with(
        &dot,
        &["\"dns\" [label=", "third party (dnsco), shared by aws, gcp"],
    );
    assert_eq!(dns.len(), 1, "{dot}");
    assert!(dns[0].contains("style=\"rounded,bold\""), "{dot}");
    assert!(dot.contains("label=\"dnsco/global\";"), "{dot}");
    // the shared failure: one node, linked to the third party only
    let node = "\"failure: dns/cdn provider outage\"";
    let declared = lines_with(
        &dot,
        &[node, "shape=octagon", "shared fate across aws, gcp"],
    );
    assert_eq!(declared.len(), 1, "{dot}");
    let links = lines_with(&dot, &[&format!("{node} -> ")]);
    assert_eq!(links.len(), 1, "{dot}");
    assert!(links[0].contains("-> \"dns\" [style=bold") && links[0].contains("takes down"));
    // the web depends on it as before
    assert!(
        dot.contains("  \"web\" -> \"dns\" [style=solid];\n"),
        "{dot}"
    );

    let mermaid = faultline(&["graph", file]);
    assert_eq!(
        lines_with(
            &mermaid,
            &[
                "s4[\"dns<br/>",
                "<br/>third party (dnsco), shared by aws, gcp\"]"
            ]
        )
        .len(),
        1,
        "{mermaid}"
    );
    assert!(
        mermaid.contains("  f0{{\"dns/cdn provider outage<br/>shared fate across aws, gcp\"}}\n")
    );
    assert!(
        mermaid.contains("  f0 ==>|\"takes down\"| s4\n"),
        "{mermaid}"
    );
    assert!(mermaid.contains("  class s4 thirdParty\n"), "{mermaid}");
    assert!(mermaid.contains("  class f0 sharedFailure\n"), "{mermaid}");
    // four dependency edges (0-3), then the failure's link (4), drawn red
    assert!(
        mermaid.contains("  linkStyle 4 stroke: #cf222e\n"),
        "{mermaid}"
    );
}

#[test]
fn a_tagged_failure_links_to_every_service_it_takes_down_across_providers() {
    let file = "scenarios/security-agent-update.ron";
    let dot = faultline(&["graph", file, "--format", "dot"]);
    let node = "\"failure: security agent update\"";
    assert_eq!(
        lines_with(
            &dot,
            &[node, "shape=octagon", "shared fate across aws, azure"]
        )
        .len(),
        1,
        "{dot}"
    );
    // the agent runs on web and api (tagged), not on the database hosts
    let targets: Vec<&str> = lines_with(&dot, &[&format!("{node} -> ")])
        .iter()
        .filter_map(|l| l.split(" -> ").nth(1)?.split(' ').next())
        .collect();
    assert_eq!(targets, ["\"web\"", "\"api\""], "{dot}");
    // no third party here: every service spans both providers
    assert!(!dot.contains("third party"), "{dot}");
    let mermaid = faultline(&["graph", file]);
    assert!(mermaid.contains("  f0 ==>|\"takes down\"| s0\n  f0 ==>|\"takes down\"| s1\n"));
}

#[test]
fn recovery_edges_broken_by_hand_say_manual_with_the_mean_time() {
    let mermaid = faultline(&["graph", "scenarios/aws-us-east-1-2025.ron"]);
    // manual: LogNormal(median 3h, p90 8h): mean = median exp(sigma^2 / 2),
    // sigma = ln(p90 / median) / z90
    let sigma = (8.0f64 / 3.0).ln() / 1.2815515655446004;
    let mean = 3.0 * (sigma * sigma / 2.0).exp();
    let manual = format!("manual {}h", (mean * 1000.0).round() / 1000.0);
    assert_eq!(manual, "manual 4.021h");
    // the cycle dynamodb <-> fleet-manager, and not shop's own recovery edge
    assert!(
        mermaid.contains(&format!("s1 -->|\"recovery 30m, {manual}\"| s2")),
        "{mermaid}"
    );
    assert!(
        mermaid.contains(&format!("s2 -->|\"recovery 1h, {manual}\"| s1")),
        "{mermaid}"
    );
    assert!(mermaid.contains("s0 -->|\"recovery 30m\"| s2"), "{mermaid}");
    let dot = faultline(&[
        "graph",
        "scenarios/aws-us-east-1-2025.ron",
        "--format",
        "dot",
    ]);
    assert!(
        dot.contains(&format!(
            "\"fleet-manager\" -> \"dynamodb\" [style=dotted, label=\"recovery 1h, {manual}\"];"
        )),
        "{dot}"
    );
}

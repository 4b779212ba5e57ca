//! `faultline blast`: exact answers on hand-checkable designs (single points
//! of failure, ActiveActive and ActivePassive before and after failover,
//! quorum, hard and soft dependencies, locality, capacity), and snapshots of
//! the table, Markdown and JSON on the example scenarios.

use faultline::analysis::blast::{self, Blast, Overflow, Unit};
use faultline::model::Model;

use super::support::{faultline, model, repo};

/// The blast of the domain at `path` (which must exist).
fn domain(m: &Model, path: &str) -> Blast {
    let d = m.domain_by_path(path).expect("a domain of the scenario");
    blast::blast(m, Unit::Domain(d))
}

/// The blast of the service `name` failing as a whole.
fn service(m: &Model, name: &str) -> Blast {
    let s = m.service_by_name(name).expect("a service of the scenario");
    blast::blast(m, Unit::Service(s))
}

/// (immediately, after failover) fractions of service `name`.
fn fractions(m: &Model, b: &Blast, name: &str) -> (f64, f64) {
    let s = m.service_by_name(name).expect("a service of the scenario");
    (b.immediate.fractions[s], b.after_failover.fractions[s])
}

fn spof_names(m: &Model) -> Vec<String> {
    let analysis = blast::analyse(m);
    (analysis.single_points_of_failure(m).iter())
        .map(|b| blast::unit_name(m, b.unit).to_string())
        .collect()
}

#[test]
fn a_single_zone_service_is_a_single_point_of_failure() {
    let m = model(
        r#"Scenario(domains: ["aws/r/a", "aws/r/b"],
        services: { "web": (deployments: [(in: "aws/r", zones: ["a"], replicas: 3, need: 1)],
                            cost: (per_hour: 1000)) })"#,
    );
    let zone = domain(&m, "aws/r/a");
    assert_eq!(fractions(&m, &zone, "web"), (0.0, 0.0));
    assert_eq!(zone.immediate.cost_per_hour, 1000.0);
    assert_eq!(zone.after_failover.cost_per_hour, 1000.0);
    assert_eq!(fractions(&m, &domain(&m, "aws/r/b"), "web"), (1.0, 1.0));
    // the zone, everything above it, and the service itself; never zone b
    assert_eq!(spof_names(&m), ["aws", "aws/r", "aws/r/a", "web"]);
}

#[test]
fn a_two_region_active_active_service_is_not_a_single_point_of_failure_of_a_region() {
    let m = model(
        r#"Scenario(domains: ["aws/r1/a", "aws/r2/a"],
        services: { "web": (deployments: [(in: "aws/r1"), (in: "aws/r2")],
                            routing: ActiveActive(shift: "3m"), cost: (per_hour: 1000)) })"#,
    );
    let region = domain(&m, "aws/r1");
    // r1 keeps its half of the traffic until drained, then r2 serves it all
    assert_eq!(fractions(&m, &region, "web"), (0.5, 1.0));
    assert_eq!(region.immediate.cost_per_hour, 500.0);
    assert_eq!(region.after_failover.cost_per_hour, 0.0);
    assert!(!region.single_point_of_failure(&m));
    // only the provider holding both regions, and the service itself, are
    assert_eq!(spof_names(&m), ["aws", "web"]);
}

#[test]
fn active_passive_is_down_until_the_failover_then_serves_from_the_next_deployment() {
    let m = model(
        r#"Scenario(domains: ["aws/r1/a", "aws/r2/a", "aws/r3/a"],
        services: { "db": (deployments: [(in: "aws/r1"), (in: "aws/r2"), (in: "aws/r3")],
            routing: ActivePassive(detect: Fixed("1m"), switch: Fixed("1m")),
            cost: (per_hour: 100)) })"#,
    );
    assert_eq!(fractions(&m, &domain(&m, "aws/r1"), "db"), (0.0, 1.0));
    // a passive deployment failing changes nothing, before or after
    assert_eq!(fractions(&m, &domain(&m, "aws/r2"), "db"), (1.0, 1.0));
    assert!(domain(&m, "aws/r2").affected().is_empty());
}

#[test]
fn a_quorum_holds_while_enough_replicas_sit_outside_the_failed_zone() {
    let m = model(
        r#"Scenario(domains: ["aws/r/a", "aws/r/b", "aws/r/c"],
        services: {
            "two-of-three": (deployments: [(in: "aws/r", zones: ["a", "b", "c"], replicas: 3, need: 2)]),
            "three-of-three": (deployments: [(in: "aws/r", zones: ["a", "b", "c"], replicas: 3, need: 3)]),
        })"#,
    );
    let zone = domain(&m, "aws/r/b");
    assert_eq!(fractions(&m, &zone, "two-of-three"), (1.0, 1.0));
    assert_eq!(fractions(&m, &zone, "three-of-three"), (0.0, 0.0));
}

#[test]
fn a_hard_dependency_propagates_and_a_soft_one_degrades_by_its_impact() {
    let m = model(
        r#"Scenario(domains: ["aws/r1/a", "aws/r2/a"],
        services: {
            "web": (deployments: [(in: "aws/r1"), (in: "aws/r2")],
                    depends_on: { "db": Hard, "recs": Soft(impact: 0.25) },
                    cost: (per_hour: 1000)),
            "db": (deployments: [(in: "aws/r2")]),
            "recs": (deployments: [(in: "aws/r1")]),
        })"#,
    );
    // db sits in r2 only: web goes down everywhere with it
    let r2 = domain(&m, "aws/r2");
    assert_eq!(fractions(&m, &r2, "db"), (0.0, 0.0));
    assert_eq!(fractions(&m, &r2, "web"), (0.0, 0.0));
    assert!(r2.single_point_of_failure(&m));
    // recs sits in r1: web's r1 deployment is down; once drained, r2 serves at 1 - 0.25
    let r1 = domain(&m, "aws/r1");
    assert_eq!(fractions(&m, &r1, "web"), (0.375, 0.75));
    assert_eq!(r1.immediate.cost_per_hour, 625.0);
    assert_eq!(r1.after_failover.cost_per_hour, 250.0);
    // the soft dependency failing alone degrades web by exactly its impact
    let recs = service(&m, "recs");
    assert_eq!(fractions(&m, &recs, "web"), (0.75, 0.75));
    assert_eq!(recs.after_failover.cost_per_hour, 250.0);
    assert!(!recs.single_point_of_failure(&m));
}

#[test]
fn a_deployment_reads_its_same_region_dependency_until_it_is_drained() {
    // web-r1 needs api-r1 (locality); a zone outage takes api-r1 down while
    // web-r1 keeps its quorum in zone b
    let m = model(
        r#"Scenario(domains: ["aws/r1/a", "aws/r1/b", "aws/r2/a"],
        services: {
            "web": (deployments: [(in: "aws/r1", zones: ["a", "b"], replicas: 2), (in: "aws/r2")],
                    depends_on: { "api": Hard }, cost: (per_hour: 1000)),
            "api": (deployments: [(in: "aws/r1", zones: ["a"]), (in: "aws/r2")]),
        })"#,
    );
    let zone = domain(&m, "aws/r1/a");
    assert_eq!(fractions(&m, &zone, "api"), (0.5, 1.0));
    assert_eq!(fractions(&m, &zone, "web"), (0.5, 1.0));
}

#[test]
fn recovery_edges_leave_the_served_fraction_alone() {
    let m = model(
        r#"Scenario(domains: ["aws/r/a"],
        services: {
            "api": (deployments: [(in: "aws/r")], depends_on: { "cp": Recovery(catch_up: "30m") },
                    cost: (per_hour: 1000)),
            "cp": (deployments: [(in: "aws/r")]),
        })"#,
    );
    let cp = service(&m, "cp");
    assert_eq!(fractions(&m, &cp, "api"), (1.0, 1.0));
    assert_eq!(cp.after_failover.cost_per_hour, 0.0);
}

#[test]
fn survivors_below_the_shifted_demand_shed_and_under_collapse_fall_over() {
    let text = |overload: &str| {
        format!(
            r#"Scenario(domains: ["aws/r1/a", "aws/r2/a", "aws/r3/a"],
            services: {{ "web": (deployments: [(in: "aws/r1", capacity: 0.6), (in: "aws/r2", capacity: 1.0),
                                              (in: "aws/r3", capacity: 0.3)],
                                routing: ActiveActive(shift: "3m"), overload: {overload},
                                cost: (per_hour: 1000)) }})"#
        )
    };
    let shed = model(&text("Shed"));
    let analysis = blast::analyse(&shed);
    // with everything up each gets a third: r3 serves 0.9 of its share
    let baseline = analysis.baseline.fractions[0];
    assert!(
        (baseline - (1.0 + 1.0 + 0.9) / 3.0).abs() < 1e-12,
        "{baseline}"
    );
    let r1 = domain(&shed, "aws/r1");
    // r1 holds its third (lost); after the drain r2 and r3 get halves: 1 and 0.6 of them
    let (now, after) = fractions(&shed, &r1, "web");
    assert!((now - (0.0 + 1.0 + 0.9) / 3.0).abs() < 1e-12, "{now}");
    assert!((after - 0.8).abs() < 1e-12, "{after}");
    assert_eq!(r1.after_failover.overflow[0], Overflow::Shed);
    // under Collapse the overloaded r3 collapses and r2, able to carry it all, serves everything
    let collapse = model(&text(r#"Collapse(after: "10m", recover: Fixed("1h"))"#));
    let r1 = domain(&collapse, "aws/r1");
    assert_eq!(fractions(&collapse, &r1, "web").1, 1.0);
    assert_eq!(r1.after_failover.overflow[0], Overflow::Collapse);
}

#[test]
fn rows_are_sorted_by_cost_after_failover_then_immediately() {
    let m = model(&std::fs::read_to_string(repo("scenarios/shop-two-regions.ron")).expect("read"));
    let analysis = blast::analyse(&m);
    let keys: Vec<(f64, f64)> = (analysis.blasts.iter())
        .map(|b| (b.after_failover.cost_per_hour, b.immediate.cost_per_hour))
        .collect();
    assert!(keys
        .windows(2)
        .all(|w| w[0].0 > w[1].0 || (w[0].0 == w[1].0 && w[0].1 >= w[1].1)));
    // every domain and every service once
    assert_eq!(analysis.blasts.len(), m.domains.len() + m.services.len());
}

#[test]
fn blast_table_of_the_two_region_shop() {
    let out = faultline(&["blast", "scenarios/shop-two-regions.ron"]);
    insta::assert_snapshot!("blast_shop_two_regions", out);
}

#[test]
fn blast_table_of_the_one_zone_shop() {
    let out = faultline(&["blast", "scenarios/shop-one-zone.ron"]);
    insta::assert_snapshot!("blast_shop_one_zone", out);
}

#[test]
fn blast_markdown_of_the_overload_cascade() {
    let out = faultline(&[
        "blast",
        "scenarios/overload-cascade.ron",
        "--format",
        "markdown",
    ]);
    insta::assert_snapshot!("blast_overload_cascade_markdown", out);
}

#[test]
fn blast_json_lists_units_fractions_and_single_points_of_failure() {
    let out = faultline(&[
        "blast",
        "scenarios/shop-two-regions.ron",
        "--format",
        "json",
    ]);
    let doc: serde_json::Value = serde_json::from_str(&out).expect("json");
    let region = (doc["blasts"].as_array().expect("blasts").iter())
        .find(|b| b["unit"] == "aws/us-east-1")
        .expect("the region");
    assert_eq!(region["kind"], "region");
    assert_eq!(region["immediate"]["cost_per_hour"], 300000.0);
    assert_eq!(region["after_failover"]["cost_per_hour"], 0.0);
    assert_eq!(region["immediate"]["services"]["db"]["fraction"], 0.0);
    assert_eq!(region["after_failover"]["services"]["db"]["fraction"], 1.0);
    assert_eq!(region["single_point_of_failure"], false);
    assert_eq!(
        doc["single_points_of_failure"],
        serde_json::json!(["aws", "web", "api", "db"])
    );
    insta::assert_snapshot!("blast_shop_two_regions_json", out);
}

#[test]
fn a_tagged_row_names_the_providers_it_spans() {
    let file = "scenarios/security-agent-update.ron";
    let table = faultline(&["blast", file]);
    assert!(
        table.contains("shared fate (one occurrence takes all its targets down at once):\n  security agent update: across aws, azure\n"),
        "{table}"
    );
    let doc: serde_json::Value =
        serde_json::from_str(&faultline(&["blast", file, "--format", "json"])).expect("JSON");
    for row in doc["blasts"].as_array().expect("rows") {
        let spans = &row["spans"];
        if row["kind"] == "shared" {
            assert_eq!(spans, &serde_json::json!(["aws", "azure"]), "{row}");
        } else {
            assert!(spans.is_null(), "{row}");
        }
    }
    // a scenario without All or Tagged prints no such list
    assert!(!faultline(&["blast", "scenarios/shop-two-providers.ron"]).contains("shared fate"));
}

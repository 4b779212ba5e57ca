//! `sweep`: a grid of variants on common random numbers, each against the
//! first by paired differences, the cheapest marked only where the paired
//! evidence singles it out, on a case whose answer is known in closed form.

use assert_cmd::Command;
use serde_json::Value;

use super::support::repo;

/// One database deployment of `replicas` hosts (any one serves), each down
/// 10% of the time (up Exp(90 h), down Exp(10 h)); an hour of outage costs
/// 1,000 and a host 20,000 a month. Expected lost hours with n hosts:
/// `integral of p(t)^n` over the year, `p(t) = 0.1 (1 - exp(-t / 9 h))`:
/// about 876, 87.6 and 8.76 h, so totals of about 1.116M, 0.568M and 0.729M:
/// two hosts are cheapest.
const DB: &str = r#"Scenario(
    name: "db replicas", horizon: "1y", trials: 400, seed: 5,
    domains: ["aws/r/a"],
    failures: [(name: "host", on: EachReplica(), every: "90h", lasts: Exp(mean: "10h"), cause: Hardware)],
    services: {
        "db": (deployments: [(in: "aws/r/a", replicas: 1)],
               cost: (per_hour: 1000), infra: (per_replica_month: 20000)),
    },
)"#;

/// Expected lost hours of `n` independent Exp/Exp replicas all down, by Simpson's rule.
fn exact_lost_hours(n: i32) -> f64 {
    let p = |t: f64| (0.1 * (1.0 - (-t / 9.0).exp())).powi(n);
    let (steps, horizon) = (20_000, 8760.0);
    let h = horizon / f64::from(steps);
    let mut sum = p(0.0) + p(horizon);
    for i in 1..steps {
        sum += p(f64::from(i) * h) * if i % 2 == 1 { 4.0 } else { 2.0 };
    }
    sum * h / 3.0
}

fn sweep_json(args: &[&str]) -> Value {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("sweep");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("db.ron");
    std::fs::write(&file, DB).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_faultline"))
        .current_dir(repo(""))
        .arg("sweep")
        .arg(&file)
        .args(args)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    serde_json::from_str(&String::from_utf8(output).unwrap()).unwrap()
}

#[test]
fn sweep_marks_the_replica_count_with_the_lowest_total_cost() {
    let doc = sweep_json(&[
        "--set",
        "services.db.deployments.0.replicas=1,2,3",
        "--format",
        "json",
    ]);
    assert_eq!(doc["cheapest"], 1);
    assert_eq!(doc["verdict"], "cheapest");
    let variants = doc["variants"].as_array().unwrap();
    assert_eq!(variants.len(), 3);
    for (i, v) in variants.iter().enumerate() {
        let n = i as i32 + 1;
        assert_eq!(v["set"], format!("services.db.deployments.0.replicas={n}"));
        assert_eq!(v["infra_cost"], f64::from(n) * 20_000.0 * 12.0);
        let lost = v["services"]["db"]["lost_hours"].as_f64().unwrap();
        let exact = exact_lost_hours(n);
        assert!(
            (lost - exact).abs() < 0.05 * exact,
            "{n} replicas: {lost} h vs exact {exact} h"
        );
        let total = v["tco"].as_f64().unwrap();
        assert_eq!(
            total,
            v["infra_cost"].as_f64().unwrap() + v["annual_loss"].as_f64().unwrap()
        );
        assert!(v.get("meets_objectives").is_none(), "no objectives: {v}");
    }
    // the analytic totals agree on the choice, by a wide margin
    let totals: Vec<f64> = (1..=3)
        .map(|n| f64::from(n) * 240_000.0 + 1000.0 * exact_lost_hours(n))
        .collect();
    assert!(totals[1] < 0.8 * totals[0].min(totals[2]), "{totals:?}");
}

#[test]
fn a_sweep_grid_runs_every_combination_on_the_same_failures() {
    let doc = sweep_json(&[
        "--set",
        "services.db.deployments.0.replicas=1,2",
        "--set",
        "services.db.infra.per_replica_month=1,100000",
        "--format",
        "json",
        "--trials",
        "100",
    ]);
    let variants = doc["variants"].as_array().unwrap();
    let sets: Vec<&str> = variants
        .iter()
        .map(|v| v["set"].as_str().unwrap())
        .collect();
    assert_eq!(
        sets[1],
        "services.db.deployments.0.replicas=1 services.db.infra.per_replica_month=100000"
    );
    assert_eq!(sets.len(), 4);
    // the price changes no failure: the same losses, trial for trial
    assert_eq!(variants[0]["annual_loss"], variants[1]["annual_loss"]);
    assert_eq!(variants[2]["annual_loss"], variants[3]["annual_loss"]);
    // cheap hosts: two are cheapest
    assert_eq!(doc["cheapest"], 2);
}

#[test]
fn each_variant_differs_from_the_first_by_the_closed_form_within_its_paired_ci() {
    let doc = sweep_json(&[
        "--set",
        "services.db.deployments.0.replicas=1,2,3",
        "--format",
        "json",
    ]);
    let differences = doc["differences"].as_array().unwrap();
    assert_eq!(differences.len(), 2);
    for (i, d) in differences.iter().enumerate() {
        let n = i as i32 + 2;
        // infra: 240,000 a year a host; loss: 1,000 an hour lost
        let exact =
            f64::from(n - 1) * 240_000.0 + 1000.0 * (exact_lost_hours(n) - exact_lost_hours(1));
        let ci = &d["tco"]["ci95"];
        let (lo, hi) = (ci[0].as_f64().unwrap(), ci[1].as_f64().unwrap());
        assert!(
            lo <= exact && exact <= hi,
            "{n} hosts: {exact} outside [{lo}, {hi}]"
        );
        assert_eq!(d["tco"]["verdict"], "better");
        assert_eq!(d["verdict"], "better");
    }
    // the cheapest against each other variant: significantly lower
    let rivals = doc["against_lowest"].as_array().unwrap();
    assert_eq!(rivals.len(), 2);
    for r in rivals {
        assert!(r["tco"]["ci95"][1].as_f64().unwrap() < 0.0, "{r}");
    }
}

#[test]
fn variants_that_cost_the_same_in_every_trial_leave_no_cheapest() {
    // the price of lost writes changes nothing without a `data` block: the
    // first two variants' totals are equal trial by trial
    let doc = sweep_json(&[
        "--set",
        "services.db.deployments.0.replicas=2,3",
        "--set",
        "services.db.cost.per_data_loss_hour=0,5",
        "--format",
        "json",
        "--trials",
        "100",
    ]);
    assert_eq!(doc["lowest_tco"], 0);
    assert!(doc.get("cheapest").is_none(), "{doc}");
    assert_eq!(doc["verdict"], "not_distinguishable");
    let tie = &doc["against_lowest"][0];
    assert_eq!(tie["variant"], 1);
    assert_eq!(tie["tco"]["mean"], 0.0);
    assert_eq!(tie["tco"]["ci95"], serde_json::json!([0.0, 0.0]));
    assert_eq!(tie["tco"]["verdict"], "no_significant_difference");
    let text = sweep_text(&[
        "--set",
        "services.db.deployments.0.replicas=2,3",
        "--set",
        "services.db.cost.per_data_loss_hour=0,5",
        "--trials",
        "100",
    ]);
    assert!(!text.lines().any(|l| l.starts_with('*')), "{text}");
    assert!(
        text.contains("no variant is distinguishably cheapest"),
        "{text}"
    );
}

#[test]
fn a_sweep_without_objectives_says_so() {
    let text = sweep_text(&[
        "--set",
        "services.db.deployments.0.replicas=1,2",
        "--trials",
        "100",
    ]);
    assert!(text.contains("no objectives"), "{text}");
    assert!(!text.contains("met"), "{text}");
    assert!(text.contains("total vs first"), "{text}");
}

/// The table of `sweep` of [`DB`] with more arguments.
fn sweep_text(args: &[&str]) -> String {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("sweep-text");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("db.ron");
    std::fs::write(&file, DB).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_faultline"))
        .arg("sweep")
        .arg(&file)
        .args(args)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    String::from_utf8(output).unwrap()
}

#[test]
fn sweep_table_marks_the_cheapest_row() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("sweep-table");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("db.ron");
    std::fs::write(&file, DB).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_faultline"))
        .arg("sweep")
        .arg(&file)
        .args([
            "--set",
            "services.db.deployments.0.replicas=1,2,3",
            "--trials",
            "100",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(output).unwrap();
    let marked: Vec<&str> = text.lines().filter(|l| l.starts_with('*')).collect();
    assert_eq!(marked.len(), 2, "{text}");
    assert!(marked[0].contains("replicas=2"), "{text}");
}

#[test]
fn sweep_marks_the_cheapest_variant_that_meets_the_objectives() {
    // at least 99.5% (at most 43.8 h lost): only three hosts (8.76 h) qualify,
    // although two are cheaper in total
    let text = DB.replace(
        "services: {",
        r#"objectives: [Availability(service: "db", at_least: 0.995)],
    services: {"#,
    );
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("sweep-objectives");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("db.ron");
    std::fs::write(&file, &text).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_faultline"))
        .current_dir(repo(""))
        .arg("sweep")
        .arg(&file)
        .args([
            "--set",
            "services.db.deployments.0.replicas=1,2,3",
            "--format",
            "json",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let doc: Value = serde_json::from_str(&String::from_utf8(output).unwrap()).unwrap();
    let meets: Vec<bool> = doc["variants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["meets_objectives"].as_bool().unwrap())
        .collect();
    assert_eq!(meets, vec![false, false, true]);
    assert_eq!(doc["cheapest"], 2);
    // the only variant that qualifies has no rival
    assert_eq!(doc["against_lowest"], serde_json::json!([]));
    assert_eq!(doc["verdict"], "cheapest");
    // an objective no variant meets: the document says so (no `cheapest`)
    let strict = file.with_file_name("strict.ron");
    std::fs::write(&strict, text.replace("0.995", "0.99999")).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_faultline"))
        .arg("sweep")
        .arg(&strict)
        .args([
            "--set",
            "services.db.deployments.0.replicas=1,2",
            "--format",
            "json",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let doc: Value = serde_json::from_slice(&output).unwrap();
    assert_eq!(doc["verdict"], "none_qualifies");
    assert!(doc.get("cheapest").is_none() && doc.get("lowest_tco").is_none());
}

//! `sweep`: a grid of variants on common random numbers, the cheapest marked,
//! on a case whose answer is known in closed form.

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
        assert_eq!(v["meets_objectives"], true);
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
    std::fs::write(&file, text).unwrap();
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
}

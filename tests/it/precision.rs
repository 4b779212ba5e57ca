//! `--precision 10%`: a run stops at the first batch whose 95% CI
//! half-width is at most that share of the mean, plain or with a
//! variance-reduction method, and its answer agrees with the exact value.

use std::path::PathBuf;

use serde_json::Value;

use crate::exact::{integrate, p_down};
use crate::support::{faultline, run, without_key};

/// One replica, Exp(200h) up and Exp(8h) down: the exact mean lost hours
/// are the integral of `p_down` over the year.
const ONE_REPLICA: &str = r#"Scenario(name: "one replica", horizon: "8760h", trials: 1000, seed: 7,
    domains: ["aws/r/a"],
    failures: [(name: "host", on: EachReplica(), every: "200h", lasts: Exp(mean: "8h"), cause: Hardware)],
    services: { "web": (deployments: [(in: "aws/r/a")], cost: (per_hour: 100)) },
OBJECTIVES)"#;

/// Writes the scenario with `objectives` and returns its path.
fn scenario(test: &str, objectives: &str) -> (PathBuf, String) {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("precision")
        .join(format!("{test}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch folder");
    let text = ONE_REPLICA.replace("OBJECTIVES", objectives);
    let path = dir.join("one-replica.ron");
    std::fs::write(&path, &text).expect("write scenario");
    (path, text)
}

/// `faultline run PATH --format json --seed 7 ARGS`: the text and the document.
fn precise(path: &std::path::Path, args: &[&str]) -> (String, Value) {
    let path = path.to_str().expect("UTF-8 path");
    let mut all = vec!["run", path, "--format", "json", "--seed", "7"];
    all.extend_from_slice(args);
    let json = faultline(&all);
    let doc = serde_json::from_str(&json).expect("JSON");
    (json, doc)
}

/// The mean and the larger half of the CI of `measure` in a document.
fn mean_and_half(measure: &Value) -> (f64, f64) {
    let mean = measure["mean"].as_f64().expect("mean");
    let lo = measure["ci95"][0].as_f64().expect("ci95");
    let hi = measure["ci95"][1].as_f64().expect("ci95");
    (mean, (hi - mean).max(mean - lo))
}

#[test]
fn a_relative_precision_stops_at_the_first_batch_that_reaches_it() {
    let (path, text) = scenario("plain", "");
    let (one, doc) = precise(&path, &["--precision", "0.5%", "--threads", "1"]);
    let (two, _) = precise(&path, &["--precision", "0.5%", "--threads", "2"]);
    assert_eq!(without_key("seconds", &one), without_key("seconds", &two));
    let trials = doc["trials"].as_u64().expect("trials");
    assert!(trials % 1024 == 0 && trials >= 2048, "{trials}");
    let (mean, half) = mean_and_half(&doc["services"]["web"]["lost_hours"]);
    assert!(half <= 0.005 * mean, "{half} > 0.5% of {mean}");
    // the batch before did not reach it
    let before = run(&text, trials - 1024, 7);
    let b = before.services["web"].lost_hours;
    let before_half = b.ci95.unwrap()[1] - b.mean;
    assert!(before_half > 0.005 * b.mean, "{before_half} {}", b.mean);
    // and the answer is the exact one, within its interval
    let exact = integrate(|t| p_down(200.0, 8.0, t));
    assert!(
        (mean - exact).abs() <= 2.0 * half,
        "{mean} vs exact {exact}"
    );
}

#[test]
fn a_relative_precision_judges_the_objectives_measures() {
    // the cost objective is the judged measure: its own CI must reach 1%
    let (path, _) = scenario(
        "objective",
        "objectives: [AnnualCost(mean_at_most: 1000000)],",
    );
    let (_, doc) = precise(&path, &["--precision", "1%"]);
    let (mean, half) = mean_and_half(&doc["cost"]);
    assert!(half <= 0.01 * mean, "{half} > 1% of {mean}");
    let exact = 100.0 * integrate(|t| p_down(200.0, 8.0, t));
    assert!(
        (mean - exact).abs() <= 2.0 * half,
        "{mean} vs exact {exact}"
    );
}

#[test]
fn a_relative_precision_works_with_variance_reduction() {
    let (path, _) = scenario("reduced", "");
    let args = [
        "--precision",
        "0.5%",
        "--variance-reduction",
        "exact-controls",
    ];
    let (_, doc) = precise(&path, &args);
    let trials = doc["trials"].as_u64().expect("trials");
    assert!(
        (trials / 1024).is_power_of_two() && trials % 1024 == 0,
        "{trials}"
    );
    assert_eq!(
        doc["variance_reduction"]["estimator"],
        "control variates with exact means"
    );
    let (mean, half) = mean_and_half(&doc["services"]["web"]["lost_hours"]);
    assert!(half <= 0.005 * mean, "{half} > 0.5% of {mean}");
    let exact = integrate(|t| p_down(200.0, 8.0, t));
    assert!(
        (mean - exact).abs() <= 2.0 * half,
        "{mean} vs exact {exact}"
    );
    // the document is that of a plain --variance-reduction run of as many trials
    let count = trials.to_string();
    let (fixed, _) = precise(
        &path,
        &["--trials", &count, "--variance-reduction", "exact-controls"],
    );
    let (again, _) = precise(&path, &args);
    assert_eq!(
        without_key("seconds", &fixed),
        without_key("seconds", &again)
    );
}

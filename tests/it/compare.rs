//! `compare` and infrastructure cost: common random numbers, paired
//! differences, verdicts, and the cost of the replicas.

use std::sync::atomic::AtomicBool;

use faultline::analysis::compare::{compare, CompareError, Comparison};
use faultline::montecarlo::RunOptions;
use faultline::stats::paired::Verdict;

use super::support::{model, repo, run};

/// The two-regions example, and the same design with an automated database
/// failover (detection in minutes instead of an on-call decision).
fn two_regions_and_faster_failover() -> (String, String) {
    let base = std::fs::read_to_string(repo("scenarios/shop-two-regions.ron")).unwrap();
    let slow = r#"detect: LogNormal(median: "10m", p90: "30m")"#;
    assert!(base.contains(slow));
    let fast = base.replace(slow, r#"detect: LogNormal(median: "1m", p90: "3m")"#);
    (base, fast)
}

fn compare_texts(texts: &[&str], trials: u64) -> Result<Comparison, CompareError> {
    let designs: Vec<(String, faultline::model::Model)> = texts
        .iter()
        .enumerate()
        .map(|(i, t)| (format!("design{i}.ron"), model(t)))
        .collect();
    let options = RunOptions {
        trials: Some(trials),
        ..RunOptions::default()
    };
    compare(&designs, &options, &AtomicBool::new(false))
}

fn width(ci: [f64; 2]) -> f64 {
    ci[1] - ci[0]
}

#[test]
fn paired_ci_of_a_small_design_change_is_far_narrower_than_two_independent_runs() {
    let (base, fast) = two_regions_and_faster_failover();
    // few trials: the saving (about 0.35 h of web a year) is small against
    // the year-to-year spread of the loss
    let c = compare_texts(&[&base, &fast], 100).unwrap();
    let d = &c.differences[0];
    // faster detection saves db hours in trials with a failover and changes
    // nothing else: pairing removes the spread the designs share
    let loss = &d.annual_loss;
    let ratio = width(loss.unpaired_ci95) / width(loss.ci95);
    assert!(ratio > 6.0, "paired CI only {ratio}x narrower");
    let reduction = loss.variance_reduction.unwrap();
    assert!((reduction - ratio * ratio).abs() < 1e-9 * reduction);
    // unpaired, these trials could not tell the designs apart; paired, they can
    assert!(loss.unpaired_ci95[0] < 0.0 && loss.unpaired_ci95[1] > 0.0);
    assert_eq!(loss.verdict, Verdict::Better);
    assert!(loss.p_better > 0.999);
    let db = &d.services["db"].lost_hours;
    assert!(width(db.unpaired_ci95) / width(db.ci95) > 3.0);
    assert_eq!(db.verdict, Verdict::Better);
    // recommendations do not read the db: the same hours in every trial
    let recommendations = &d.services["recommendations"].lost_hours;
    assert_eq!(recommendations.ci95, [0.0, 0.0]);
    assert_eq!(d.verdict, d.tco.verdict);
}

#[test]
fn the_unpaired_ci_matches_the_spread_of_independent_runs() {
    // the unpaired CI is what running the second design on another seed gives:
    // its half-width is 1.96 sqrt(var_a/n + var_b/n), from the same variances
    let (base, fast) = two_regions_and_faster_failover();
    let n = 2000;
    let c = compare_texts(&[&base, &fast], n).unwrap();
    let a = run(&base, n, 42);
    let b = run(&fast, n, 42);
    let se =
        |d: &faultline::stats::Distribution| width(d.ci95.unwrap()) / (2.0 * 1.959_963_984_540_054);
    let (sa, sb) = (
        se(&a.services["db"].lost_hours),
        se(&b.services["db"].lost_hours),
    );
    let expected = 2.0 * 1.959_963_984_540_054 * (sa * sa + sb * sb).sqrt();
    let got = width(c.differences[0].services["db"].lost_hours.unpaired_ci95);
    assert!(
        (got - expected).abs() < 1e-9 * expected,
        "{got} vs {expected}"
    );
}

#[test]
fn identical_designs_compare_as_no_difference_with_exactly_zero_difference() {
    let (base, _) = two_regions_and_faster_failover();
    let c = compare_texts(&[&base, &base], 500).unwrap();
    let d = &c.differences[0];
    for measure in [&d.annual_loss, &d.tco, &d.infra_cost].into_iter().chain(
        d.services
            .values()
            .flat_map(|s| [&s.availability, &s.lost_hours]),
    ) {
        assert_eq!(measure.mean, 0.0);
        assert_eq!(measure.ci95, [0.0, 0.0]);
        assert_eq!(measure.verdict, Verdict::NoSignificantDifference);
        assert_eq!(measure.p_better, 0.5);
    }
    assert_eq!(d.p99_annual_loss, 0.0);
    assert_eq!(d.verdict, Verdict::NoSignificantDifference);
    assert_eq!(c.designs[0], {
        let mut second = c.designs[1].clone();
        second.file = c.designs[0].file.clone();
        second
    });
}

#[test]
fn each_design_in_a_comparison_gives_the_numbers_of_its_own_run() {
    let (base, fast) = two_regions_and_faster_failover();
    let c = compare_texts(&[&base, &fast], 300).unwrap();
    for (text, summary) in [&base, &fast].into_iter().zip(&c.designs) {
        let r = run(text, 300, 42);
        assert_eq!(summary.annual_loss, r.cost.mean);
        assert_eq!(summary.p99_annual_loss, r.cost.p99);
        assert_eq!(
            summary.services["web"].availability,
            r.services["web"].availability.mean
        );
    }
    let paired = c.differences[0].annual_loss.mean;
    let of_means = c.designs[1].annual_loss - c.designs[0].annual_loss;
    assert!((paired - of_means).abs() < 1e-9 * of_means.abs().max(1.0));
    assert_eq!((c.trials, c.seed), (300, 42));
}

const ONE_ZONE: &str = r#"Scenario(name: "z", horizon: "HORIZON", trials: 100, seed: 3,
    domains: ["aws/r/a", "aws/r/b"],
    failures: [(name: "host", on: EachReplica(), every: "30d", lasts: Exp(mean: "5h"))],
    services: {
        "web": (deployments: [(in: "aws/r", zones: ["a", "b"], replicas: 3),
                              (in: "aws/r/b", replicas: 2, infra: (per_replica_month: 50))],
                infra: (per_replica_month: 100), cost: (per_hour: 1000)),
        "db": (deployments: [(in: "aws/r/a", replicas: 2)]),
    })"#;

#[test]
fn infra_cost_is_replicas_times_the_monthly_price_times_twelve_over_the_horizon() {
    let year = run(&ONE_ZONE.replace("HORIZON", "1y"), 50, 1);
    // 3 replicas at the service's 100 and 2 at the deployment's own 50, 12 months
    assert_eq!(
        year.services["web"].infra_cost,
        (3.0 * 100.0 + 2.0 * 50.0) * 12.0
    );
    assert_eq!(year.services["db"].infra_cost, 0.0);
    assert_eq!(year.infra_cost, 4800.0);
    let half = run(&ONE_ZONE.replace("HORIZON", "4380h"), 50, 1);
    assert_eq!(half.infra_cost, 2400.0);
}

#[test]
fn compare_adds_infra_to_the_expected_loss_and_annualises_both() {
    let half = ONE_ZONE.replace("HORIZON", "4380h");
    let cheaper = half.replace("per_replica_month: 100", "per_replica_month: 40");
    let c = compare_texts(&[&half, &cheaper], 200).unwrap();
    let (a, b) = (&c.designs[0], &c.designs[1]);
    assert_eq!(a.infra_cost, 4800.0);
    assert_eq!(b.infra_cost, (3.0 * 40.0 + 2.0 * 50.0) * 12.0);
    assert_eq!(a.tco, a.infra_cost + a.annual_loss);
    let r = run(&half, 200, 3);
    assert_eq!(a.annual_loss, r.cost.mean * 2.0);
    let d = &c.differences[0];
    assert_eq!(d.infra_cost.mean, -2160.0);
    assert_eq!(d.infra_cost.verdict, Verdict::Better);
    // same replicas, same failures: only the price differs
    assert_eq!(d.annual_loss.mean, 0.0);
    assert_eq!(d.tco.mean, -2160.0);
    assert_eq!(d.verdict, Verdict::Better);
}

#[test]
fn designs_with_different_horizons_are_refused() {
    let a = ONE_ZONE.replace("HORIZON", "1y");
    let b = ONE_ZONE.replace("HORIZON", "2y");
    let e = compare_texts(&[&a, &b], 10).unwrap_err();
    assert!(matches!(e, CompareError::Horizon { .. }));
    assert!(e.to_string().contains("17520 h"), "{e}");
}

#[test]
fn a_negative_infra_price_is_located() {
    let text = ONE_ZONE
        .replace("HORIZON", "1y")
        .replace("per_replica_month: 50", "per_replica_month: -5");
    let e = faultline::scenario::load("t.ron", text.as_bytes()).unwrap_err();
    let shown = e.to_string();
    assert!(
        shown.starts_with("t.ron:6:68: error: `per_replica_month` of `web` is `-5`"),
        "{shown}"
    );
}

/// `faultline compare ARGS...` from the repository root.
fn faultline_compare(args: &[&str]) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::new(env!("CARGO_BIN_EXE_faultline"));
    cmd.current_dir(repo("")).arg("compare").args(args);
    cmd
}

fn stdout(cmd: &mut assert_cmd::Command) -> String {
    String::from_utf8(cmd.assert().success().get_output().stdout.clone()).unwrap()
}

#[test]
fn compare_json_has_the_documented_keys_and_does_not_depend_on_threads() {
    let designs = [
        "scenarios/shop-three-zones.ron",
        "scenarios/shop-two-regions.ron",
    ];
    let args = |threads| {
        let mut a = designs.to_vec();
        a.extend(["--trials", "150", "--format", "json", "--threads", threads]);
        a
    };
    let one = stdout(&mut faultline_compare(&args("1")));
    let two = stdout(&mut faultline_compare(&args("2")));
    assert_eq!(one, two);
    let doc: serde_json::Value = serde_json::from_str(&one).unwrap();
    assert_eq!(doc["trials"], 150);
    assert_eq!(doc["seed"], 42);
    assert_eq!(doc["designs"][1]["file"], designs[1]);
    for key in ["annual_loss", "p99_annual_loss", "infra_cost", "tco"] {
        assert!(doc["designs"][0][key].is_number(), "{key}");
    }
    let d = &doc["differences"][0];
    assert_eq!(d["baseline"], designs[0]);
    assert_eq!(d["verdict"], "better");
    for key in [
        "mean",
        "ci95",
        "unpaired_ci95",
        "variance_reduction",
        "p_better",
        "verdict",
    ] {
        assert!(!d["tco"][key].is_null(), "{key}");
    }
    assert!(
        d["services"]["web"]["availability"]["mean"]
            .as_f64()
            .unwrap()
            > 0.0
    );
}

#[test]
fn compare_prints_a_table_or_markdown_with_the_verdict() {
    let designs = [
        "scenarios/shop-three-zones.ron",
        "scenarios/shop-two-regions.ron",
    ];
    let mut args = designs.to_vec();
    args.extend(["--trials", "100", "--seed", "5"]);
    let table = stdout(&mut faultline_compare(&args));
    assert!(table.starts_with("compare: 2 designs, 100 trials of 8760.00h, seed 5"));
    assert!(table
        .contains("scenarios/shop-two-regions.ron against scenarios/shop-three-zones.ron: better"));
    assert!(table.contains("variance of the TCO difference is"));
    args.extend(["--format", "markdown"]);
    let markdown = stdout(&mut faultline_compare(&args));
    assert!(markdown.contains("| measure | difference | 95% CI (paired) |"));
}

#[test]
fn compare_refuses_designs_of_different_horizons_with_exit_code_1() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("compare-horizon");
    std::fs::create_dir_all(&dir).unwrap();
    let (a, b) = (dir.join("a.ron"), dir.join("b.ron"));
    std::fs::write(&a, ONE_ZONE.replace("HORIZON", "1y")).unwrap();
    std::fs::write(&b, ONE_ZONE.replace("HORIZON", "30d")).unwrap();
    let output = faultline_compare(&[a.to_str().unwrap(), b.to_str().unwrap()])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("simulates a horizon of 720 h but"),
        "{stderr}"
    );
    assert!(
        stderr.contains("hint: give every design the same `horizon`"),
        "{stderr}"
    );
    assert!(output.stdout.is_empty());
    faultline_compare(&[a.to_str().unwrap()]).assert().code(2);
}

#[test]
fn one_trial_decides_nothing_in_compare_sweep_or_rank() {
    // One value says nothing of the spread: no verdict, no cheapest
    // variant, no suggested change, whatever the one trial showed.
    let compare = super::support::faultline(&[
        "compare",
        "scenarios/shop-one-zone.ron",
        "scenarios/shop-two-regions.ron",
        "--trials",
        "1",
        "--format",
        "json",
    ]);
    let doc: serde_json::Value = serde_json::from_str(&compare).expect("json");
    let verdicts: Vec<&str> = doc["differences"][0]
        .as_object()
        .expect("differences")
        .values()
        .filter_map(|d| d.get("verdict").and_then(|v| v.as_str()))
        .collect();
    assert!(!verdicts.is_empty());
    assert!(
        verdicts.iter().all(|v| *v == "no_significant_difference"),
        "{verdicts:?}"
    );
    let sweep = super::support::faultline(&[
        "sweep",
        "scenarios/shop-two-regions.ron",
        "--set",
        "services.db.deployments.1.replicas=2,3",
        "--trials",
        "1",
        "--format",
        "json",
    ]);
    let doc: serde_json::Value = serde_json::from_str(&sweep).expect("json");
    assert_ne!(doc["verdict"], "cheapest", "{sweep}");
    let rank = super::support::faultline(&[
        "rank",
        "scenarios/shop-two-regions-auto-failover.ron",
        "--trials",
        "1",
        "--format",
        "json",
    ]);
    let doc: serde_json::Value = serde_json::from_str(&rank).expect("json");
    assert_eq!(doc["changes"].as_array().map(Vec::len), Some(0), "{rank}");
    assert!(doc["best_per_dollar"].is_null(), "{rank}");
}

//! Two-level runs of uncertain inputs: the overall mean of all draws and
//! trials against the exact per-draw values, its CI as the trial noise of
//! that mean, the `uncertainty` key, and the same bytes for any thread count.

use std::sync::atomic::AtomicBool;

use faultline::montecarlo::RunOptions;
use faultline::uncertainty::{self, run::run_two_level};

use crate::exact::{integrate, p_down, std_error};
use crate::support::{faultline, model};

const ONE_REPLICA: &str = r#"Scenario(name: "one replica", horizon: "8760h", trials: 2000, seed: 11,
    domains: ["aws/r/a"],
    failures: [(name: "host", on: EachReplica(), every: Between("100h", "400h"), lasts: Exp(mean: "8h"), cause: Hardware)],
    services: { "web": (deployments: [(in: "aws/r/a")], cost: (per_hour: 100.0)) })"#;

#[test]
fn the_overall_mean_is_the_mean_over_the_draws_within_trial_noise() {
    let model = model(ONE_REPLICA);
    let options = RunOptions {
        trials: Some(2000),
        ..RunOptions::default()
    };
    let two = run_two_level(&model, 32, &options, &AtomicBool::new(false)).unwrap();
    // the exact mean lost hours of each draw (Exp up and down times), and
    // their average: what the overall mean estimates
    let laws: Vec<_> = model.uncertain.iter().map(|i| i.law).collect();
    let rows = uncertainty::latin_hypercube(11, 32, &laws);
    let exact: Vec<f64> = (rows.iter())
        .map(|row| integrate(|t| p_down(row[0], 8.0, t)))
        .collect();
    let overall = exact.iter().sum::<f64>() / exact.len() as f64;
    let lost = two.result.services["web"].lost_hours;
    let z = (lost.mean - overall).abs() / std_error(&lost);
    assert!(
        z < 4.0,
        "overall mean {} vs exact {overall}: z = {z}",
        lost.mean
    );
    // the cost is 100 per lost hour, with the same relative interval
    let cost = two.result.cost;
    assert!((cost.mean - 100.0 * lost.mean).abs() < 1e-6 * cost.mean);
    assert!((std_error(&cost) - 100.0 * std_error(&lost)).abs() < 1e-6 * std_error(&cost));
    // the trial noise of a mean of correlated draws is at most the mean of
    // their own noises (and, as the draws move together on common random
    // numbers, not far below it)
    let noises: Vec<f64> = (two.draws.iter())
        .map(|r| std_error(&r.services["web"].lost_hours))
        .collect();
    let average_noise = noises.iter().sum::<f64>() / noises.len() as f64;
    let noise = std_error(&lost);
    assert!(
        noise <= average_noise * (1.0 + 1e-9),
        "{noise} > {average_noise}"
    );
    assert!(noise >= 0.5 * average_noise, "{noise} << {average_noise}");
    // the spread of the per-draw means: nearest rank over the draws of the
    // exact per-draw values, within trial noise
    let u = two.result.uncertainty.as_ref().unwrap();
    assert_eq!(u.draws, 32);
    let want = uncertainty::spread(&exact);
    let got = u.services["web"]["lost_hours"];
    let tolerance = 4.0 * noises.iter().cloned().fold(0.0, f64::max);
    for (g, w) in [(got.p5, want.p5), (got.p50, want.p50), (got.p95, want.p95)] {
        assert!((g - w).abs() < tolerance, "{g} vs exact {w}");
    }
    // availability has its spread too; the input its exact quantiles
    assert!(u.services["web"].contains_key("availability"));
    let input = &u.inputs[0];
    assert_eq!(
        (input.name.as_str(), input.at.as_str()),
        ("host every", "test.ron:3:57")
    );
    assert!((input.p5 - 100.0).abs() < 1e-6 && (input.p95 - 400.0).abs() < 1e-6);
    assert!((input.p50 - 200.0).abs() < 1e-6);
    assert_eq!(two.result.trials, 2000);
}

#[test]
fn a_two_level_run_gives_the_same_bytes_for_any_thread_count() {
    let dir = std::env::temp_dir().join(format!("faultline-draws-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("uncertain.ron");
    std::fs::write(&file, ONE_REPLICA).unwrap();
    let path = file.to_str().unwrap();
    let run = |threads: &str| {
        let args = [
            "run",
            path,
            "--format",
            "json",
            "--trials",
            "500",
            "--draws",
            "8",
            "--threads",
            threads,
        ];
        faultline(&args)
    };
    let one = run("1");
    let without = |doc: &str| crate::support::without_key("seconds", doc);
    assert_eq!(without(&one), without(&run("2")));
    let doc: serde_json::Value = serde_json::from_str(&one).unwrap();
    assert_eq!(doc["uncertainty"]["draws"], 8);
    assert_eq!(doc["trials"], 500);
    // the table, Markdown and HTML show the spread over inputs and the input
    for format in ["table", "markdown", "html"] {
        let args = [
            "run", path, "--format", format, "--trials", "200", "--draws", "4",
        ];
        let text = faultline(&args);
        assert!(text.contains("over inputs"), "{format}: {text}");
        assert!(text.contains("host every"), "{format}: {text}");
    }
    // `--shard auto` runs every draw on its shard's trials: the shards
    // merged give the single run's document
    let mut parts = Vec::new();
    for i in 0..2 {
        let part = dir.join(format!("part-{i}.json"));
        let status = std::process::Command::new(env!("CARGO_BIN_EXE_faultline"))
            .args([
                "run", path, "--trials", "500", "--draws", "8", "--shard", "auto",
            ])
            .arg("--output")
            .arg(&part)
            .env("FAULTLINE_SHARD", format!("{i}/2"))
            .status()
            .unwrap();
        assert!(status.success());
        parts.push(part.to_str().unwrap().to_string());
    }
    let merged = faultline(&["merge", &parts[0], &parts[1], "--format", "json"]);
    assert_eq!(without(&merged), without(&one));
    // --precision does not combine with draws: a usage error located at
    // the first uncertain input
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_faultline"))
        .args(["run", path, "--precision", "10%"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--precision"), "{stderr}");
    assert!(stderr.contains(&format!("{path}:3:57")), "{stderr}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn an_objective_with_confidence_counts_the_draws_that_meet_it() {
    // mean lost hours of one draw: exact, and falling as `every` grows
    let lost = |every: f64| integrate(|t| p_down(every, 8.0, t));
    let judged = |bound: f64| {
        let text = ONE_REPLICA.replace(
            "services:",
            &format!(
                "objectives: [LostHours(service: \"web\", mean_at_most: \"{bound}h\", confidence: 0.9)],\n    services:"
            ),
        );
        let options = RunOptions {
            trials: Some(2000),
            ..RunOptions::default()
        };
        let two = run_two_level(&model(&text), 32, &options, &AtomicBool::new(false)).unwrap();
        two.result.objectives[0].clone()
    };
    let laws = [faultline::uncertainty::Law::LogNormal {
        p5: 100.0,
        p95: 400.0,
    }];
    let rows = uncertainty::latin_hypercube(11, 32, &laws);
    let exact_share =
        |bound: f64| rows.iter().filter(|r| lost(r[0]) <= bound).count() as f64 / 32.0;
    // 10% above the loss at the input's p5: every draw but the lowest few
    // meets it, far from the bound: met
    let generous = 1.1 * lost(100.0);
    let o = judged(generous);
    let c = o.confidence.unwrap();
    assert_eq!(o.verdict, faultline::stats::Verdict::Met, "{c:?}");
    assert!(
        (c.met_share - exact_share(generous)).abs() <= 1.0 / 32.0,
        "{c:?}"
    );
    assert!(c.surely_met_share >= 0.9);
    // the loss at the input's median: about half the draws miss it: failed
    let median = lost(200.0);
    let o = judged(median);
    let c = o.confidence.unwrap();
    assert_eq!(o.verdict, faultline::stats::Verdict::Failed, "{c:?}");
    assert!(
        (c.met_share - exact_share(median)).abs() <= 2.0 / 32.0,
        "{c:?}"
    );
    assert!(c.surely_failed_share > 0.1);
    assert_eq!(c.required, 0.9);
}

#[test]
fn a_confidence_outside_zero_to_one_is_a_located_error() {
    let text = ONE_REPLICA.replace(
        "services:",
        "objectives: [AnnualCost(mean_at_most: 1000.0, confidence: 1.5)],\n    services:",
    );
    let error = match faultline::scenario::load("test.ron", text.as_bytes()) {
        Ok(_) => panic!("accepted"),
        Err(e) => e.to_string(),
    };
    assert!(error.starts_with("test.ron:4:"), "{error}");
    assert!(error.contains("`confidence` is `1.5`"), "{error}");
}

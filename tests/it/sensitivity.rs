//! The tornado of uncertain inputs: each input at its p5 and p95, the
//! others at their p50, on the same trials. One replica under two
//! independent failures with exponential up and down times is down with
//! probability `1 - (1 - p1(t)) (1 - p2(t))`, so every end has an exact
//! mean.

use std::sync::atomic::AtomicBool;

use faultline::montecarlo::RunOptions;
use faultline::uncertainty::sensitivity::tornado;

use crate::exact::{integrate, p_down};
use crate::support::{faultline, model};

const TWO_FAILURES: &str = r#"Scenario(name: "tornado", trials: 4000, seed: 3,
    domains: ["aws/r/a"],
    failures: [
        (name: "small", on: EachReplica(), every: Between("1000h", "2000h"), lasts: Exp(mean: "8h")),
        (name: "big", on: EachReplica(), every: Between("100h", "400h"), lasts: Exp(mean: "8h")),
    ],
    services: { "web": (deployments: [(in: "aws/r/a")], cost: (per_hour: 100.0)) })"#;

/// Exact mean lost hours with the two failures' `every`.
fn exact(every_small: f64, every_big: f64) -> f64 {
    integrate(|t| 1.0 - (1.0 - p_down(every_small, 8.0, t)) * (1.0 - p_down(every_big, 8.0, t)))
}

#[test]
fn each_end_of_the_tornado_has_its_exact_mean() {
    let m = model(TWO_FAILURES);
    let options = RunOptions {
        trials: Some(4000),
        ..RunOptions::default()
    };
    let entries = tornado(&m, &options, &AtomicBool::new(false)).unwrap();
    // the big failure's range moves the cost most: it comes first
    let names: Vec<&str> = entries.iter().map(|e| e.input.as_str()).collect();
    assert_eq!(names, ["big every", "small every"]);
    let median = |a: f64, b: f64| (a * b).sqrt();
    let (small, big) = (median(1000.0, 2000.0), median(100.0, 400.0));
    let ends = [
        (&entries[0], exact(small, 100.0), exact(small, 400.0)),
        (&entries[1], exact(1000.0, big), exact(2000.0, big)),
    ];
    for (e, at_low, at_high) in ends {
        // the trial noise of a mean of this size: well below 2% of it at
        // 4000 trials (the per-trial standard deviation of the lost hours
        // is below their mean here)
        for (got, want) in [
            (e.lost_hours["web"].at_low, at_low),
            (e.lost_hours["web"].at_high, at_high),
            (e.cost_at_low / 100.0, at_low),
            (e.cost_at_high / 100.0, at_high),
        ] {
            let noise = 4.0 * want / (4000f64).sqrt();
            assert!(
                (got - want).abs() < noise,
                "{}: {got} vs exact {want}",
                e.input
            );
        }
        assert!((e.swing - (e.cost_at_high - e.cost_at_low).abs()).abs() < 1e-9);
    }
    assert!((entries[0].low - 100.0).abs() < 1e-6 && (entries[0].high - 400.0).abs() < 1e-6);
    assert_eq!(entries[0].at, "test.ron:5:49");
}

/// Whether `[a, b]` holds `x`.
fn holds([a, b]: [f64; 2], x: f64) -> bool {
    a <= x && x <= b
}

#[test]
fn the_intervals_of_the_ends_and_of_the_paired_swing_cover_the_exact_values() {
    let m = model(TWO_FAILURES);
    let median = |a: f64, b: f64| (a * b).sqrt();
    let (small, big) = (median(1000.0, 2000.0), median(100.0, 400.0));
    // per input, in tornado order: the exact mean cost at its p5 and p95
    let exact_ends = [
        (100.0 * exact(small, 100.0), 100.0 * exact(small, 400.0)),
        (100.0 * exact(1000.0, big), 100.0 * exact(2000.0, big)),
    ];
    let (runs, mut covered, mut ends_covered, mut narrower) = (60u64, 0, 0, 0);
    for seed in 0..runs {
        let options = RunOptions {
            trials: Some(1000),
            seed: Some(seed),
            ..RunOptions::default()
        };
        let entries = tornado(&m, &options, &AtomicBool::new(false)).unwrap();
        let e = entries.iter().find(|e| e.input == "big every").unwrap();
        let (low, high) = exact_ends[0];
        covered += u32::from(holds(e.swing_ci95.unwrap(), (high - low).abs()));
        ends_covered += u32::from(holds(e.cost_at_low_ci95.unwrap(), low));
        ends_covered += u32::from(holds(e.cost_at_high_ci95.unwrap(), high));
        // the same trials at both ends: the paired interval is narrower
        // than one that treats the ends as independent runs
        let half = |[a, b]: [f64; 2]| (b - a) / 2.0;
        let unpaired = half(e.cost_at_low_ci95.unwrap()).hypot(half(e.cost_at_high_ci95.unwrap()));
        narrower += u32::from(half(e.swing_ci95.unwrap()) < unpaired);
        assert!(holds(e.swing_ci95.unwrap(), e.swing), "{:?}", e.swing_ci95);
        let s = entries.iter().find(|e| e.input == "small every").unwrap();
        let (low, high) = exact_ends[1];
        covered += u32::from(holds(s.swing_ci95.unwrap(), (high - low).abs()));
    }
    // 95% intervals over 120 swings and 120 ends (115 and 112 covered at
    // these seeds): a binomial(120, 0.95) count is below 106 with
    // probability under 0.5%
    assert!(covered >= 106, "swing covered in {covered} of 120");
    assert!(ends_covered >= 106, "ends covered in {ends_covered} of 120");
    assert!(narrower >= 55, "paired narrower in {narrower} of {runs}");
}

#[test]
fn an_input_that_changes_no_trial_has_a_rare_swing_with_its_exact_bound() {
    // the "idle" failure strikes a zone where nothing runs: at either end
    // of its range every trial is the same, so no trial differs
    let m = model(
        r#"Scenario(name: "idle", trials: 1000, seed: 5,
    domains: ["aws/r/a", "aws/r/b"],
    failures: [
        (name: "idle", on: Domain("aws/r/b"), every: Between("100h", "400h"), lasts: Exp(mean: "8h")),
        (name: "host", on: EachReplica(), every: Between("100h", "400h"), lasts: Exp(mean: "8h")),
    ],
    services: { "web": (deployments: [(in: "aws/r/a")], cost: (per_hour: 100.0)) })"#,
    );
    let options = RunOptions {
        trials: Some(1000),
        ..RunOptions::default()
    };
    let entries = tornado(&m, &options, &AtomicBool::new(false)).unwrap();
    let idle = entries.iter().find(|e| e.input == "idle every").unwrap();
    assert_eq!(idle.swing, 0.0);
    assert_eq!(idle.swing_ci95, None, "no interval from no differing trial");
    let rare = idle.swing_rare.expect("a rare record");
    assert_eq!(rare.nonzero_trials, 0);
    // Clopper-Pearson with no success in n trials: 1 - 0.05^(1/n)
    let exact = 1.0 - 0.05f64.powf(1.0 / 1000.0);
    assert!((rare.p_nonzero_upper95 - exact).abs() < 1e-12, "{rare:?}");
    // the ends themselves are measured: the host failures cost something
    assert!(idle.cost_at_low_ci95.is_some() && idle.cost_at_low_rare.is_none());
}

#[test]
fn the_command_prints_the_tornado_alone() {
    let dir = std::env::temp_dir().join(format!("faultline-tornado-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("tornado.ron");
    std::fs::write(&file, TWO_FAILURES).unwrap();
    let path = file.to_str().unwrap();
    let json = faultline(&["sensitivity", path, "--format", "json", "--trials", "300"]);
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(doc["trials"], 300);
    assert_eq!(doc["seed"], 3);
    assert_eq!(doc["sensitivity"][0]["input"], "big every");
    for key in [
        "input",
        "at",
        "low",
        "high",
        "cost_at_low",
        "cost_at_high",
        "swing",
        "cost_at_low_ci95",
        "cost_at_high_ci95",
        "swing_ci95",
    ] {
        assert!(doc["sensitivity"][0].get(key).is_some(), "{key}");
    }
    let table = faultline(&["sensitivity", path, "--trials", "300"]);
    assert!(table.contains("big every"), "{table}");
    std::fs::remove_dir_all(&dir).ok();
}

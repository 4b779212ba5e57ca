//! Variance reduction: control variates keep the estimate unbiased
//! (a rare-event case with a closed form lands within its interval) and cut
//! the trials needed for a given precision; with exact means
//! (`exact-controls`) the cut is no longer capped by a reference simulation.

use std::sync::atomic::AtomicBool;

use super::exact::{integrate, p_down, std_error};
use super::support::model;
use faultline::montecarlo::RunOptions;
use faultline::stats::RunResult;
use faultline::variance::{run_controlled, run_reduced, Method};

fn controlled(text: &str, trials: u64, seed: u64) -> RunResult {
    let options = RunOptions {
        trials: Some(trials),
        seed: Some(seed),
        ..RunOptions::default()
    };
    run_controlled(&model(text), &options, &AtomicBool::new(false))
        .unwrap()
        .0
}

fn exact_controls(text: &str, trials: u64, seed: u64, threads: Option<usize>) -> RunResult {
    let options = RunOptions {
        trials: Some(trials),
        seed: Some(seed),
        threads,
        ..RunOptions::default()
    };
    let stop = AtomicBool::new(false);
    run_reduced(&model(text), &options, Method::ExactControls, &stop)
        .unwrap()
        .0
}

fn plain(text: &str, trials: u64, seed: u64) -> RunResult {
    super::support::run(text, trials, seed)
}

/// A rare zone outage (every 100 years, Exp 10 h) under a two-zone
/// ActivePassive service that fails over in 30 min, plus frequent host
/// failures of its replicas.
const RARE: &str = r#"Scenario(name: "rare", horizon: "8760h", trials: 4000, seed: 5,
    domains: ["aws/r/a"],
    failures: [(name: "zone", on: EachZone(), every: "876000h", lasts: Exp(mean: "10h")),
               (name: "host", on: EachReplica(), every: "2000h", lasts: Exp(mean: "1h"))],
    services: { "web": (deployments: [(in: "aws/r/a")], cost: (per_hour: 1000)) })"#;

#[test]
fn a_rare_outage_with_a_closed_form_lands_within_the_controlled_interval() {
    let r = controlled(RARE, 4000, 5);
    // down when the zone or the host is down: 1 - (1 - p_zone)(1 - p_host)
    let exact =
        integrate(|t| 1.0 - (1.0 - p_down(876_000.0, 10.0, t)) * (1.0 - p_down(2000.0, 1.0, t)));
    let web = &r.services["web"];
    let se = std_error(&web.lost_hours);
    assert!(
        (web.lost_hours.mean - exact).abs() < 4.0 * se,
        "controlled {} vs exact {exact} (se {se})",
        web.lost_hours.mean
    );
    assert!(se > 0.0);
    let vr = r.variance_reduction.as_ref().unwrap();
    assert_eq!(vr.method, "control variates");
    // the plain estimate of the same trials needs over 10x the trials for
    // the same precision
    let p = plain(RARE, 4000, 5);
    let plain_se = std_error(&p.services["web"].lost_hours);
    let ratio = (plain_se / se).powi(2);
    assert!(ratio > 10.0, "variance ratio {ratio}");
}

#[test]
fn controlled_means_agree_with_plain_means_on_an_example_design() {
    let text =
        std::fs::read_to_string(super::support::repo("scenarios/shop-two-regions.ron")).unwrap();
    let c = controlled(&text, 2000, 9);
    let p = plain(&text, 2000, 9);
    for (name, s) in &c.services {
        let (a, b) = (s.lost_hours, p.services[name].lost_hours);
        let tolerance = 4.0 * (std_error(&a).powi(2) + std_error(&b).powi(2)).sqrt() + 1e-12;
        assert!(
            (a.mean - b.mean).abs() <= tolerance,
            "{name}: {} vs {}",
            a.mean,
            b.mean
        );
        assert!(
            std_error(&a) <= std_error(&b) * 1.05,
            "{name}: controls never hurt much"
        );
    }
}

#[test]
fn run_says_which_method_produced_the_numbers() {
    let mut cmd = assert_cmd::Command::cargo_bin("faultline").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR")).args([
        "run",
        "scenarios/shop-two-regions.ron",
        "--trials",
        "300",
        "--variance-reduction",
        "control-variates",
        "--format",
        "json",
    ]);
    let out = cmd.output().unwrap();
    assert!(out.status.success());
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["variance_reduction"]["method"], "control variates");
    assert!(
        doc["variance_reduction"]["factors"]["web lost_hours"]
            .as_f64()
            .unwrap()
            > 1.0
    );
    let mut cmd = assert_cmd::Command::cargo_bin("faultline").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR")).args([
        "run",
        "scenarios/shop-two-providers-staged.ron",
        "--trials",
        "300",
        "--variance-reduction",
        "exact-controls",
        "--format",
        "json",
    ]);
    let out = cmd.output().unwrap();
    assert!(out.status.success());
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let vr = &doc["variance_reduction"];
    assert_eq!(vr["method"], "control variates with exact means");
    assert!(vr["factors"]["web lost_hours"].as_f64().unwrap() > 5.0);
    // the floor no run of the method gets below: far under 1 min/yr (0.0085 h)
    let floor = vr["floors"]["web lost_hours"].as_f64().unwrap();
    assert!((0.0..0.001).contains(&floor), "{floor}");
    // plain runs say nothing: the key is absent
    let mut cmd = assert_cmd::Command::cargo_bin("faultline").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR")).args([
        "run",
        "scenarios/shop-two-regions.ron",
        "--trials",
        "100",
        "--format",
        "json",
    ]);
    let doc: serde_json::Value = serde_json::from_slice(&cmd.output().unwrap().stdout).unwrap();
    assert!(doc.get("variance_reduction").is_none());
}

/// Down when the zone or the host is down: `1 - (1 - p_zone)(1 - p_host)`.
fn rare_exact() -> f64 {
    integrate(|t| 1.0 - (1.0 - p_down(876_000.0, 10.0, t)) * (1.0 - p_down(2000.0, 1.0, t)))
}

#[test]
fn a_rare_outage_with_a_closed_form_lands_within_the_exact_controls_interval() {
    let r = exact_controls(RARE, 4000, 5, None);
    let exact = rare_exact();
    let web = &r.services["web"];
    let [lo, hi] = web.lost_hours.ci95;
    assert!(
        lo <= exact && exact <= hi,
        "exact {exact} outside the 95% interval [{lo}, {hi}] of {}",
        web.lost_hours.mean
    );
    let se = std_error(&web.lost_hours);
    assert!(se > 0.0);
    let vr = r.variance_reduction.as_ref().unwrap();
    assert_eq!(vr.method, "control variates with exact means");
    // the same trials without controls need hundreds of times more trials
    let plain_se = std_error(&plain(RARE, 4000, 5).services["web"].lost_hours);
    let ratio = (plain_se / se).powi(2);
    assert!(ratio > 200.0, "variance ratio {ratio}");
    assert!((vr.factors["web lost_hours"] / ratio - 1.0).abs() < 0.5);
}

#[test]
fn exact_controls_land_within_their_interval_over_many_seeds() {
    // 20 independent runs: the closed form falls outside a 95% interval in
    // about 1 of 20; more than 4 misses would say the interval is too narrow
    let exact = rare_exact();
    let misses = (0..20)
        .filter(|&seed| {
            let r = exact_controls(RARE, 1000, 100 + seed, None);
            let [lo, hi] = r.services["web"].lost_hours.ci95;
            !(lo <= exact && exact <= hi)
        })
        .count();
    assert!(misses <= 4, "{misses} of 20 intervals miss {exact}");
}

#[test]
fn exact_means_lift_the_floor_of_the_reference_simulation_on_the_two_provider_shop() {
    let text =
        std::fs::read_to_string(super::support::repo("scenarios/shop-two-providers.ron")).unwrap();
    let (e, c, p) = (
        exact_controls(&text, 4000, 9, None),
        controlled(&text, 4000, 9),
        plain(&text, 4000, 9),
    );
    let se = |r: &RunResult| std_error(&r.services["web"].lost_hours);
    // the reference means' error is most of what control variates leave
    assert!((se(&c) / se(&e)).powi(2) > 4.0, "{} vs {}", se(&c), se(&e));
    assert!((se(&p) / se(&e)).powi(2) > 30.0, "{} vs {}", se(&p), se(&e));
    for (name, s) in &e.services {
        let (a, b) = (s.lost_hours, p.services[name].lost_hours);
        let tolerance = 4.0 * (std_error(&a).powi(2) + std_error(&b).powi(2)).sqrt();
        assert!(
            (a.mean - b.mean).abs() <= tolerance,
            "{name}: {} vs {}",
            a.mean,
            b.mean
        );
    }
}

#[test]
fn exact_controls_give_the_same_document_for_any_thread_count() {
    let text =
        std::fs::read_to_string(super::support::repo("scenarios/shop-two-providers.ron")).unwrap();
    let json = |threads| {
        let mut r = exact_controls(&text, 700, 3, Some(threads));
        r.engine.seconds = 0.0;
        serde_json::to_string(&r).unwrap()
    };
    let one = json(1);
    assert!(one.contains("control variates with exact means"));
    assert_eq!(one, json(2));
    assert_eq!(one, json(3));
}

//! Variance reduction: control variates keep the estimate unbiased
//! (a rare-event case with a closed form lands within its interval) and cut
//! the trials needed for a given precision; with exact means
//! (`exact-controls`) the cut is no longer capped by a reference simulation.

use std::sync::atomic::AtomicBool;

use super::exact::{integrate, p_down, std_error};
use super::support::model;
use faultline::montecarlo::variance::{run_controlled, run_reduced, Method};
use faultline::montecarlo::RunOptions;
use faultline::stats::RunResult;

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
    let [lo, hi] = web.lost_hours.ci95.unwrap();
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
            let [lo, hi] = r.services["web"].lost_hours.ci95.unwrap();
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

/// Every `{mean, ci95}` of a result document (services, cost, objectives'
/// `estimate`): the mean must lie within its interval.
fn assert_means_within_intervals(what: &str, doc: &serde_json::Value) {
    match doc {
        serde_json::Value::Object(map) => {
            let mean = map.get("mean").or_else(|| map.get("estimate"));
            let ci = map.get("ci95").filter(|ci| !ci.is_null());
            if let (Some(mean), Some(ci)) = (mean.and_then(|m| m.as_f64()), ci) {
                let (lo, hi) = (ci[0].as_f64().unwrap(), ci[1].as_f64().unwrap());
                assert!(
                    lo <= mean && mean <= hi,
                    "{what}: {mean} outside [{lo}, {hi}] in {map:?}"
                );
            }
            for (key, value) in map {
                assert_means_within_intervals(&format!("{what}.{key}"), value);
            }
        }
        serde_json::Value::Array(items) => items
            .iter()
            .for_each(|v| assert_means_within_intervals(what, v)),
        _ => {}
    }
}

#[test]
fn every_estimate_of_an_exact_controls_run_is_the_centre_of_its_own_interval() {
    let mut examples: Vec<_> = std::fs::read_dir(super::support::repo("scenarios"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "ron"))
        .collect();
    examples.sort();
    assert!(examples.len() >= 10);
    for path in examples {
        let name = path.display().to_string();
        let read = |p: &std::path::Path| std::fs::read(p);
        let model = faultline::scenario::load_path(&path, &name, &read, &[])
            .unwrap_or_else(|e| panic!("{e:?}"))
            .model;
        let options = RunOptions {
            trials: Some(300),
            seed: Some(11),
            ..RunOptions::default()
        };
        let stop = AtomicBool::new(false);
        let r = run_reduced(&model, &options, Method::ExactControls, &stop)
            .unwrap()
            .0;
        let vr = r.variance_reduction.as_ref().unwrap();
        if model.failures.iter().all(|f| f.is_plain()) {
            assert_eq!(vr.fallback, None, "{name}");
        } else {
            // scheduled starts, other up times or crews: the controls' means
            // do not model them, and the run says so
            let reason = vr.fallback.as_deref().unwrap_or_default();
            assert!(
                reason.contains("controls' means do not model"),
                "{name}: {reason}"
            );
        }
        assert_means_within_intervals(&name, &serde_json::to_value(&r).unwrap());
        // a service whose plain trials weigh no hour by traffic (no traffic
        // curve) has one availability, estimated once: the weighted one is
        // the same number with the same interval, not the plain trials' mean
        let p = faultline::montecarlo::run(&model, &options).unwrap();
        for (service, s) in &r.services {
            let q = &p.services[service];
            if q.availability_weighted == q.availability {
                assert_eq!(s.availability_weighted, s.availability, "{name} {service}");
            }
        }
    }
}

/// One replica whose outages start every `every` hours (Exp) and last a
/// Weibull of shape 0.05 and scale 1 h: a mean outage of 2.4e18 h, most of
/// it beyond any horizon.
fn heavy(every: &str) -> String {
    format!(
        r#"Scenario(name: "heavy", horizon: "8760h", trials: 4000, seed: 5,
    domains: ["aws/r/a"],
    failures: [(name: "odd", on: EachReplica(), every: "{every}", lasts: Weibull(shape: 0.05, scale: "1h"))],
    services: {{ "web": (deployments: [(in: "aws/r/a")], cost: (per_hour: 1000)) }})"#
    )
}

/// Mean and standard error of the hours down within `horizon` of a process
/// up for Exp(`every`), then down for Weibull(`shape`, `scale`), from
/// `histories` histories simulated from the scenario's definition (its own
/// generator: splitmix64).
fn down_hours(every: f64, (shape, scale): (f64, f64), horizon: f64, histories: u64) -> (f64, f64) {
    let mut state: u64 = 0x5eed;
    let mut uniform = || {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64 + 0.5 / (1u64 << 53) as f64
    };
    let (mut sum, mut sum2) = (0.0, 0.0);
    for _ in 0..histories {
        let (mut t, mut down) = (0.0, 0.0);
        while t < horizon {
            t += -every * uniform().ln();
            if t >= horizon {
                break;
            }
            let length = scale * (-uniform().ln()).powf(1.0 / shape);
            down += length.min(horizon - t);
            t += length;
        }
        sum += down;
        sum2 += down * down;
    }
    let n = histories as f64;
    let mean = sum / n;
    (mean, ((sum2 / n - mean * mean) / n).sqrt())
}

#[test]
fn heavy_tailed_outages_under_exact_controls_agree_with_a_simulation_of_the_definition() {
    for every in [2000.0, 100_000.0] {
        let text = heavy(&format!("{every}h"));
        let (exact, exact_se) = down_hours(every, (0.05, 1.0), 8760.0, 400_000);
        for seed in [1, 2] {
            let r = exact_controls(&text, 4000, seed, None);
            let web = &r.services["web"].lost_hours;
            let se = std_error(web);
            let tolerance = 4.0 * (se * se + exact_se * exact_se).sqrt();
            assert!(
                (web.mean - exact).abs() < tolerance,
                "every {every} h, seed {seed}: {} vs {exact} (se {se}, {exact_se})",
                web.mean
            );
            let vr = r.variance_reduction.as_ref().unwrap();
            let p = plain(&text, 4000, seed);
            match &vr.fallback {
                // the plain run's numbers, and a method that says so
                Some(reason) => {
                    assert_eq!(vr.estimator, "plain Monte Carlo");
                    assert!(reason.contains("web lost_hours"), "{reason}");
                    assert_eq!(r.services, p.services);
                    assert_eq!(r.objectives, p.objectives);
                }
                None => {
                    assert_eq!(vr.estimator, vr.method);
                    assert!(se <= std_error(&p.services["web"].lost_hours));
                }
            }
        }
    }
    // outages every 100,000 h: the boundary term's error (its floor) is far
    // above the trials' spread, so the method falls back rather than widen
    let r = exact_controls(&heavy("100000h"), 4000, 1, None);
    assert!(r.variance_reduction.unwrap().fallback.is_some());
}

#[test]
fn a_run_of_one_trial_falls_back_to_plain_and_says_why() {
    let r = exact_controls(RARE, 1, 5, None);
    let vr = r.variance_reduction.as_ref().unwrap();
    assert_eq!(vr.estimator, "plain Monte Carlo");
    assert!(vr
        .fallback
        .as_ref()
        .unwrap()
        .contains("fewer than two trials"));
    // one trial is never ten nonzero ones: no interval, a bound
    assert_eq!(r.services["web"].availability.ci95, None);
    assert!(r.services["web"].availability.rare.is_some());
}

#[test]
fn a_fallback_is_said_on_stderr_and_in_the_document() {
    let dir = std::env::temp_dir().join(format!("faultline-heavy-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("heavy.ron");
    std::fs::write(&path, heavy("100000h")).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_faultline"))
        .args([
            "run",
            path.to_str().unwrap(),
            "--trials",
            "2000",
            "--format",
            "json",
        ])
        .args(["--variance-reduction", "exact-controls"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let vr = &doc["variance_reduction"];
    assert_eq!(vr["estimator"], "plain Monte Carlo");
    assert_eq!(vr["method"], "control variates with exact means");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("not used, plain Monte Carlo instead")
            && stderr.contains(vr["fallback"].as_str().unwrap()),
        "{stderr}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

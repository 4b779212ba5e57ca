//! Importance sampling (`--variance-reduction importance`): a coincidence
//! of two rare provider outages, whose exact mean is known, lands within
//! the weighted interval, which is far narrower than plain trials give; the
//! same bytes on any number of threads; `--precision` works with it; a
//! design with nothing to tilt falls back to plain trials.

use std::sync::atomic::{AtomicBool, AtomicU64};

use faultline::montecarlo::variance::{run_reduced, Method};
use faultline::montecarlo::{self, Precision, RunOptions, RunSettings, Strategy, Watch};
use faultline::report::{Json, Render};
use faultline::stats::RunResult;

use super::exact::{integrate, p_down, std_error};
use super::support::{model, without_key};

/// Web active-active over two providers (no shift: it loses only while
/// both are down), each provider down every 20 years (8760 h each) for an
/// exponential day: expecting 0.05 outages a year, each is tilted.
const COINCIDENCE: &str = r#"Scenario(name: "coincidence", horizon: "8760h", trials: 4000, seed: 7,
    domains: ["aws/r/a", "gcp/r/a"],
    failures: [(name: "provider", on: EachProvider(), every: "20y", lasts: Exp(mean: "24h"), cause: Power)],
    services: { "web": (deployments: [(in: "aws/r/a"), (in: "gcp/r/a")], routing: ActiveActive(shift: "0s")) })"#;

/// The exact mean lost hours of [`COINCIDENCE`]: the two providers are
/// independent exponential alternating processes started up at 0, web is
/// down exactly when both are: the integral of the product of their
/// transient unavailabilities over the year.
fn exact_coincidence() -> f64 {
    integrate(|t| p_down(20.0 * 8760.0, 24.0, t).powi(2))
}

/// [`COINCIDENCE`] with providers down every 11 years for an exponential
/// fortnight: about 99.999% available, web losing in about 6 trials of
/// 10,000 (too few for plain trials to give an interval).
const FIVE_NINES: &str = r#"Scenario(name: "five-nines", horizon: "8760h", trials: 10000, seed: 7,
    domains: ["aws/r/a", "gcp/r/a"],
    failures: [(name: "provider", on: EachProvider(), every: "11y", lasts: Exp(mean: "14d"), cause: Power)],
    services: { "web": (deployments: [(in: "aws/r/a"), (in: "gcp/r/a")], routing: ActiveActive(shift: "0s")) })"#;

fn importance(text: &str, trials: u64, threads: Option<usize>) -> RunResult {
    let options = RunOptions {
        trials: Some(trials),
        seed: Some(11),
        threads,
        ..RunOptions::default()
    };
    let stop = AtomicBool::new(false);
    run_reduced(&model(text), &options, Method::Importance, &stop)
        .unwrap()
        .0
}

#[test]
fn a_coincidence_of_provider_outages_lands_within_the_weighted_interval() {
    let r = importance(COINCIDENCE, 100_000, None);
    let exact = exact_coincidence();
    let web = &r.services["web"];
    let se = std_error(&web.lost_hours);
    assert!(
        (web.lost_hours.mean - exact).abs() < 4.0 * se,
        "importance {} vs exact {exact} (se {se})",
        web.lost_hours.mean
    );
    // availability follows the weighted lost hours
    let a = web.availability.mean;
    assert!((a - (1.0 - web.lost_hours.mean / 8760.0)).abs() < 1e-15);
    let vr = r.variance_reduction.as_ref().unwrap();
    assert_eq!(
        (vr.method.as_str(), vr.estimator.as_str()),
        ("importance sampling", "importance sampling")
    );
    assert_eq!(vr.tilted_processes, Some(2));
    // the failure's attribution adds up to the service's lost hours
    let attributed = r.failures["provider"].lost_hours.mean + r.unattributed.lost_hours.mean;
    assert!((attributed - web.lost_hours.mean).abs() <= 1e-9 * web.lost_hours.mean);
}

#[test]
fn the_weighted_interval_is_far_narrower_than_plain_trials_give() {
    // plain trials see a coincidence about once in 70,000 trials: their
    // standard error on 100,000 trials is estimated from 1,000,000
    let plain = super::support::run(COINCIDENCE, 1_000_000, 11);
    let plain_se = std_error(&plain.services["web"].lost_hours) * 10f64.sqrt();
    let weighted = importance(COINCIDENCE, 100_000, None);
    let se = std_error(&weighted.services["web"].lost_hours);
    let ratio = (plain_se / se).powi(2);
    assert!(ratio > 10.0, "variance ratio {ratio}");
}

#[test]
fn importance_gives_the_same_bytes_on_one_and_two_threads() {
    let render = |threads| {
        let r = importance(COINCIDENCE, 3000, Some(threads));
        without_key("seconds", &Json.render(&r).unwrap())
    };
    assert_eq!(render(1), render(2));
}

#[test]
fn a_relative_precision_is_reached_with_importance() {
    let m = model(FIVE_NINES);
    let options = RunOptions {
        seed: Some(3),
        ..RunOptions::default()
    };
    let strategy = Strategy::ReducedToPrecision(Method::Importance, Precision::Relative(0.1));
    let settings = RunSettings::resolve_for(&m, &options, strategy.default_trials());
    let (stop, progress) = (&AtomicBool::new(false), &AtomicU64::new(0));
    let (r, _) = montecarlo::execute(&m, &settings, strategy, Watch { stop, progress }).unwrap();
    let lost = &r.services["web"].lost_hours;
    let [lo, hi] = lost.ci95.unwrap();
    assert!(
        (hi - lo) / 2.0 <= 0.1 * lost.mean,
        "{lost:?} {} of {}",
        r.trials,
        settings.trials
    );
    assert!(
        r.trials < settings.trials,
        "stopped at the cap: {}",
        r.trials
    );
    let exact = integrate(|t| p_down(11.0 * 8760.0, 336.0, t).powi(2));
    assert!(
        (lost.mean - exact).abs() < 4.0 * std_error(lost),
        "{lost:?} vs {exact}"
    );
    // plain trials of the scenario give no interval at all
    let plain = super::support::run(FIVE_NINES, 10_000, 3);
    assert!(plain.services["web"].lost_hours.ci95.is_none());
}

#[test]
fn a_design_with_nothing_to_tilt_falls_back_to_plain_trials() {
    // only replica failures, frequent: nothing shared and rare to tilt
    let text = r#"Scenario(name: "hosts", horizon: "8760h", trials: 1000, seed: 7,
        domains: ["aws/r/a"],
        failures: [(name: "host", on: EachReplica(), every: "200h", lasts: Exp(mean: "8h"), cause: Hardware)],
        services: { "web": (deployments: [(in: "aws/r/a")]) })"#;
    let r = importance(text, 1000, None);
    let vr = r.variance_reduction.clone().unwrap();
    assert_eq!(vr.estimator, "plain Monte Carlo");
    assert!(vr.fallback.unwrap().contains("nothing to tilt"));
    assert_eq!(vr.tilted_processes, Some(0));
    // the numbers are those of the plain run of the same trials
    let plain = super::support::run(text, 1000, 11);
    assert_eq!(r.services, plain.services);
    assert_eq!(r.failures, plain.failures);
}

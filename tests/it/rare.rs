//! Rare outages: a mean from fewer than ten nonzero trials has no CI in
//! the document, only the exact (Clopper-Pearson) bound on the chance of a
//! nonzero trial; an objective on it stays undecided.

use std::sync::atomic::AtomicBool;

use faultline::montecarlo::{self, RunOptions};
use faultline::report::{Render, Table};
use faultline::stats::rare::clopper_pearson_upper;
use faultline::stats::Verdict;

use crate::support::{model, run};

/// `P(Bin(n, u) <= k)`, summed term by term from the binomial law.
fn binomial_cdf(k: u64, n: u64, u: f64) -> f64 {
    let mut ln_choose = 0.0f64;
    let mut sum = 0.0;
    for i in 0..=k {
        if i > 0 {
            ln_choose += ((n - i + 1) as f64).ln() - (i as f64).ln();
        }
        let ln_term = ln_choose + i as f64 * u.ln() + (n - i) as f64 * (1.0 - u).ln();
        sum += ln_term.exp();
    }
    sum
}

/// The `u` with `P(Bin(n, u) <= k) = 0.05`, by bisection on the CDF (which
/// falls as `u` grows).
fn upper_by_bisection(k: u64, n: u64) -> f64 {
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    for _ in 0..100 {
        let mid = 0.5 * (lo + hi);
        if binomial_cdf(k, n, mid) > 0.05 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

#[test]
fn clopper_pearson_bounds_are_exact() {
    for n in [1u64, 20, 1000, 2000, 40_000, 1_000_000] {
        let closed = 1.0 - 0.05f64.powf(1.0 / n as f64);
        assert!((clopper_pearson_upper(0, n) - closed).abs() < 1e-15, "{n}");
    }
    // the spec's example: no loss in 40,000 trials gives < 0.0075%
    assert!((clopper_pearson_upper(0, 40_000) - 7.489e-5).abs() < 1e-8);
    for n in [50u64, 1000, 40_000, 1_000_000] {
        for k in 1..=9u64 {
            let exact = upper_by_bisection(k, n);
            let got = clopper_pearson_upper(k, n);
            assert!(
                (got - exact).abs() <= 1e-9 * exact,
                "k {k} n {n}: {got} vs {exact}"
            );
        }
    }
    assert_eq!(clopper_pearson_upper(5, 5), 1.0);
}

/// Three regions active-active with an instant shift: the service loses only
/// while all three are down at once, which 2,000 years do not see.
const THREE_REGIONS: &str = r#"Scenario(
    name: "three regions, active-active", horizon: "1y", trials: 2000, seed: 7,
    domains: ["aws/us-east-1/a", "aws/us-west-2/a", "aws/eu-west-1/a"],
    failures: [(name: "region outage", on: EachRegion(), every: "5y", lasts: Fixed("2h"), cause: Software)],
    services: { "web": (
        deployments: [(in: "aws/us-east-1"), (in: "aws/us-west-2"), (in: "aws/eu-west-1")],
        routing: ActiveActive(shift: "0s"),
        cost: (per_hour: 1000),
    ) },
    objectives: [Availability(service: "web", at_least: 0.999)],
)"#;

#[test]
fn a_design_that_never_loses_reports_a_bound_not_an_interval() {
    let result = run(THREE_REGIONS, 2000, 7);
    let web = &result.services["web"];
    assert_eq!(web.lost_hours.mean, 0.0);
    let bound = 1.0 - 0.05f64.powf(1.0 / 2000.0);
    for (what, ci95, rare) in [
        ("lost_hours", web.lost_hours.ci95, web.lost_hours.rare),
        ("availability", web.availability.ci95, web.availability.rare),
        ("cost", result.cost.ci95, result.cost.rare),
    ] {
        assert_eq!(ci95, None, "{what}");
        let rare = rare.expect(what);
        assert_eq!(rare.nonzero_trials, 0, "{what}");
        assert!((rare.p_nonzero_upper95 - bound).abs() < 1e-15, "{what}");
    }
    // the objective would be met on a [1, 1] interval: rare, it is undecided
    assert_eq!(result.objectives[0].verdict, Verdict::Undecided);
    assert_eq!(result.objectives[0].ci95, None);
    let json = faultline::report::Json.render(&result).expect("json");
    let doc: serde_json::Value = serde_json::from_str(&json).expect("parse");
    let lost = &doc["services"]["web"]["lost_hours"];
    assert!(lost["ci95"].is_null());
    assert_eq!(lost["rare"]["nonzero_trials"], 0);
    assert_eq!(lost["rare"]["p_nonzero_upper95"].as_f64(), Some(bound));
    let table = Table.render(&result).expect("table");
    assert!(table.contains("~100.0000%"), "{table}");
    assert!(
        table.contains("web: no loss in 2,000 trials: P(loss in a year) < 0.15%"),
        "{table}"
    );
}

#[test]
fn a_few_nonzero_trials_are_counted_and_bounded_exactly() {
    // one box failing about once in 500 years: a handful of 2,000 years lose
    let text = r#"Scenario(name: "rare box", horizon: "1y", trials: 2000, seed: 3,
        domains: ["aws/r/a"],
        failures: [(name: "host", on: EachReplica(), every: "500y", lasts: Fixed("1h"), cause: Hardware)],
        services: { "web": (deployments: [(in: "aws/r/a")]) })"#;
    let options = RunOptions {
        trials: Some(2000),
        ..RunOptions::default()
    };
    let stop = AtomicBool::new(false);
    let sample = |o: &faultline::engine::TrialOutcome| o.services[0].lost_hours;
    let (result, lost) = montecarlo::run_sampled(&model(text), &options, &stop, sample).unwrap();
    let k = lost.iter().filter(|&&x| x != 0.0).count() as u64;
    assert!(
        (1..10).contains(&k),
        "{k} nonzero trials: pick another seed"
    );
    let web = &result.services["web"];
    let rare = web.lost_hours.rare.expect("rare");
    assert_eq!(rare.nonzero_trials, k);
    let exact = upper_by_bisection(k, 2000);
    assert!((rare.p_nonzero_upper95 - exact).abs() < 1e-9 * exact);
    assert_eq!(web.availability.rare, Some(rare));
    assert_eq!(web.availability.ci95, None);
    // the mean itself is still reported
    let mean = lost.iter().sum::<f64>() / 2000.0;
    assert!((web.lost_hours.mean - mean).abs() < 1e-12);
}

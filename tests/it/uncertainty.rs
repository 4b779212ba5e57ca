//! Uncertain inputs run in two levels: Latin hypercube draws of the inputs,
//! each draw simulated on the same trials. Checked against closed forms:
//! one replica with Exp up and down times has exact mean lost hours for any
//! `every`, so every draw's mean, and the spread of the per-draw means,
//! have exact values.

use std::sync::atomic::AtomicBool;

use faultline::montecarlo::RunOptions;
use faultline::uncertainty::{self, Input, Law, Target};

use crate::exact::{integrate, p_down, std_error};
use crate::support::{faultline_stderr, model};

const ONE_REPLICA: &str = r#"Scenario(name: "one replica", horizon: "8760h", trials: 2000, seed: 7,
    domains: ["aws/r/a"],
    failures: [(name: "host", on: EachReplica(), every: "200h", lasts: Exp(mean: "8h"), cause: Hardware)],
    services: { "web": (deployments: [(in: "aws/r/a")]) })"#;

#[test]
fn every_draw_of_an_uncertain_every_has_its_exact_mean() {
    let model = model(ONE_REPLICA);
    let law = Law::LogNormal {
        p5: 100.0,
        p95: 400.0,
    };
    let inputs = [Input {
        name: "host every".into(),
        at: "test.ron:4:61".into(),
        law,
        target: Target::FailureEvery(0),
    }];
    // the law's exact quantiles: the ends, and their geometric mean
    let s = uncertainty::law_spread(&law);
    assert!((s.p5 - 100.0).abs() < 1e-6 && (s.p95 - 400.0).abs() < 1e-6);
    assert!((s.p50 - 200.0).abs() < 1e-6);
    let draws = uncertainty::latin_hypercube(7, 16, &[law]);
    let options = RunOptions {
        trials: Some(2000),
        ..RunOptions::default()
    };
    let stop = AtomicBool::new(false);
    let results = uncertainty::run_draws(&model, &inputs, &draws, &options, &stop).unwrap();
    let exact: Vec<f64> = (draws.iter())
        .map(|row| integrate(|t| p_down(row[0], 8.0, t)))
        .collect();
    let mut worst = 0.0f64;
    for (r, &e) in results.iter().zip(&exact) {
        let lost = r.services["web"].lost_hours;
        let z = (lost.mean - e).abs() / std_error(&lost);
        worst = worst.max(z);
        assert_eq!(r.trials, 2000);
    }
    assert!(worst < 4.0, "a draw's mean is {worst} standard errors off");
    // the spread of the per-draw means: the nearest-rank quantiles of the
    // exact per-draw means (the mean lost hours fall as `every` grows),
    // within trial noise
    let means: Vec<f64> = results
        .iter()
        .map(|r| r.services["web"].lost_hours.mean)
        .collect();
    let (got, want) = (uncertainty::spread(&means), uncertainty::spread(&exact));
    let noise = 4.0 * std_error(&results[0].services["web"].lost_hours) + 1.0;
    for (g, w) in [(got.p5, want.p5), (got.p50, want.p50), (got.p95, want.p95)] {
        assert!((g - w).abs() < noise, "{g} vs exact {w}");
    }
    // and the draws cover the input: one in each sixteenth of its law
    let mut strata: Vec<usize> = (draws.iter())
        .map(|row| {
            let z = ((row[0] / 200.0).ln() / ((400.0f64 / 200.0).ln() / 1.644_853_626_951_472))
                .clamp(-8.0, 8.0);
            let p = faultline::stats::paired::normal_cdf(z);
            (p * 16.0).floor() as usize
        })
        .collect();
    strata.sort_unstable();
    assert_eq!(strata, (0..16).collect::<Vec<_>>());
}

#[test]
fn draws_share_their_trials() {
    // common random numbers: two draws of one model differ only by the
    // input, so their per-trial lost hours move together
    let model = model(ONE_REPLICA);
    let inputs = [Input {
        name: "host every".into(),
        at: "test.ron:4:61".into(),
        law: Law::Uniform {
            low: 0.0,
            high: 1.0,
        },
        target: Target::FailureEvery(0),
    }];
    let options = RunOptions {
        trials: Some(500),
        ..RunOptions::default()
    };
    let stop = AtomicBool::new(false);
    let draws = [vec![200.0], vec![200.0]];
    let twice = uncertainty::run_draws(&model, &inputs, &draws, &options, &stop).unwrap();
    assert_eq!(twice[0].services, twice[1].services);
    let plain = faultline::montecarlo::run(&model, &options).unwrap();
    assert_eq!(twice[0].services, plain.services);
}

#[test]
fn the_analyses_that_do_not_draw_say_they_run_the_inputs_at_their_medians() {
    let uncertain = "scenarios/shop-uncertain.ron";
    let commands: [&[&str]; 5] = [
        &["rank", uncertain, "--trials", "64"],
        &["explain", uncertain, "--trial", "1", "--trials", "64"],
        &["blast", uncertain],
        &[
            "drill",
            uncertain,
            "--domain",
            "aws/us-east-1",
            "--lasts",
            "4h",
            "--trials",
            "64",
        ],
        &[
            "sweep",
            uncertain,
            "--set",
            "services.web.cost.per_hour=100,200",
            "--trials",
            "64",
        ],
    ];
    for args in commands {
        let stderr = faultline_stderr(args);
        let command = args[0];
        // at the first uncertain input, as a located warning with a hint
        // (sweep's in the file: its variants are read from edited text)
        let at = if command == "sweep" { "" } else { ":30:20" };
        let first = format!(
            "{uncertain}{at}: warning: {command} runs the scenario with its 9 uncertain inputs at their medians"
        );
        assert!(stderr.starts_with(&first), "{command}: {stderr}");
        assert!(
            stderr.contains("hint: `faultline run` draws the inputs"),
            "{stderr}"
        );
        assert_eq!(stderr.matches("warning:").count(), 1, "{stderr}");
    }
    // a scenario without uncertain inputs has nothing to say
    let plain = faultline_stderr(&["rank", "scenarios/shop-two-regions.ron", "--trials", "64"]);
    assert!(!plain.contains("median"), "{plain}");
}

//! `faultline explain`: snapshots of the story on example scenarios, its
//! agreement with the run (the trial picked at a percentile has the result
//! document's percentile cost; the traced trial's measures are the run's),
//! exact attributions on a case with one failure process, and bad flags.

use std::sync::atomic::AtomicBool;

use assert_cmd::Command;
use faultline::analysis::explain::{self, Event, Pick};
use faultline::montecarlo::{self, RunOptions};

use super::support::{model, repo};

fn faultline(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_faultline"))
        .current_dir(repo(""))
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .expect("run faultline")
}

fn stdout(args: &[&str]) -> String {
    let output = faultline(args);
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout).expect("utf-8")
}

fn json(args: &[&str]) -> serde_json::Value {
    serde_json::from_str(&stdout(args)).expect("a JSON document")
}

fn options(trials: u64, seed: u64) -> RunOptions {
    RunOptions {
        trials: Some(trials),
        seed: Some(seed),
        ..RunOptions::default()
    }
}

#[test]
fn explain_of_the_worst_year_of_the_failover_that_fails() {
    let out = stdout(&[
        "explain",
        "scenarios/failover-that-fails.ron",
        "--worst",
        "--trials",
        "200",
    ]);
    insta::assert_snapshot!("explain_failover_that_fails_worst", out);
}

#[test]
fn explain_of_a_two_region_shop_year_in_markdown() {
    let out = stdout(&[
        "explain",
        "scenarios/shop-two-regions.ron",
        "--trial",
        "2",
        "--trials",
        "100",
        "--format",
        "markdown",
    ]);
    insta::assert_snapshot!("explain_shop_two_regions_trial_2_markdown", out);
}

#[test]
fn the_worst_and_p99_trials_cost_what_the_result_document_says() {
    let scenario = "scenarios/shop-two-regions.ron";
    let run = json(&["run", scenario, "--trials", "300", "--format", "json"]);
    for (flags, key) in [
        (vec!["--worst"], "max"),
        (vec!["--percentile", "99"], "p99"),
        (vec!["--percentile", "50"], "p50"),
    ] {
        let mut args = vec!["explain", scenario, "--trials", "300", "--format", "json"];
        args.extend(flags);
        let story = json(&args);
        assert_eq!(story["cost"], run["cost"][key], "{key}");
        let web: f64 = story["services"][0]["cost"].as_f64().unwrap();
        assert_eq!(story["cost"].as_f64().unwrap(), web, "only web has a cost");
    }
}

#[test]
fn the_pick_does_not_depend_on_the_threads() {
    let args = |threads: &'static str| {
        stdout(&[
            "explain",
            "scenarios/data-loss.ron",
            "--percentile",
            "90",
            "--trials",
            "200",
            "--threads",
            threads,
            "--format",
            "json",
        ])
    };
    assert_eq!(args("1"), args("2"));
}

#[test]
fn an_explained_trial_has_the_measures_the_run_gave_that_trial() {
    let text = std::fs::read_to_string(repo("scenarios/shop-two-regions.ron")).unwrap();
    let m = model(&text);
    let opts = options(128, 9);
    let stop = AtomicBool::new(false);
    let (_, per_trial) = montecarlo::run_sampled(&m, &opts, &stop, |o| o.clone()).unwrap();
    for trial in [0, 17, 64, 127] {
        let e = explain::explain(&m, &opts, Pick::Trial(trial), &stop).unwrap();
        let outcome = &e.trace.outcome;
        assert_eq!(outcome, &per_trial[trial as usize], "trial {trial}");
        // every lost hour is attributed to an occurrence or reported unattributed
        let attributed: f64 = e.trace.occurrences.iter().map(|o| o.lost_hours).sum();
        let lost: f64 = outcome.services.iter().map(|s| s.lost_hours).sum();
        assert!((attributed + outcome.unattributed_hours - lost).abs() < 1e-9);
        let cost: f64 = e.trace.occurrences.iter().map(|o| o.cost).sum();
        assert!(
            (cost + outcome.unattributed_cost - outcome.cost).abs() < 1e-6 * outcome.cost.max(1.0)
        );
    }
}

#[test]
fn one_whole_service_failure_is_attributed_exactly_its_duration() {
    let m = model(
        r#"Scenario(horizon: "1y", trials: 50, seed: 5, domains: ["aws/r/a"],
        failures: [(name: "push", on: Service("web"), every: "20d", lasts: Exp(mean: "6h"), cause: Config)],
        services: { "web": (deployments: [(in: "aws/r/a")], cost: (per_hour: 1000)) })"#,
    );
    let stop = AtomicBool::new(false);
    let e = explain::explain(&m, &options(50, 5), Pick::Percentile(100.0), &stop).unwrap();
    assert!(e.trace.occurrences.len() > 5, "a year of 20-day failures");
    for o in &e.trace.occurrences {
        let duration = o.end - o.start;
        assert!((o.lost_hours - duration).abs() < 1e-9, "{o:?}");
        assert!((o.cost - 1000.0 * duration).abs() < 1e-6, "{o:?}");
        assert_eq!(o.services, [0]);
    }
    // each occurrence starts and ends one outage of the service, at its times
    let story = explain::story(&m, &e.trace);
    for (k, o) in e.trace.occurrences.iter().enumerate() {
        let at = |t: f64, to: f64| {
            story.entries.iter().any(|x| {
                x.t == t && matches!(x.event, Event::Service { service: 0, to: v, .. } if v == to)
            })
        };
        assert!(at(o.start, 0.0), "occurrence {k} starts an outage");
        assert!(
            o.end >= m.horizon || at(o.end, 1.0),
            "occurrence {k} ends it"
        );
    }
    assert!(story.quiet.is_empty());
}

#[test]
fn a_trial_beyond_the_run_is_refused_with_a_hint() {
    let out = faultline(&[
        "explain",
        "scenarios/data-loss.ron",
        "--trial",
        "100",
        "--trials",
        "100",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("error: trial `100` is not among the 100 trials"),
        "{err}"
    );
    assert!(
        err.contains("hint: trials are numbered from 0 to 99"),
        "{err}"
    );
}

#[test]
fn explain_needs_exactly_one_way_to_pick_a_trial() {
    for args in [
        vec!["explain", "scenarios/data-loss.ron"],
        vec![
            "explain",
            "scenarios/data-loss.ron",
            "--worst",
            "--trial",
            "3",
        ],
        vec!["explain", "scenarios/data-loss.ron", "--percentile", "0"],
        vec!["explain", "scenarios/data-loss.ron", "--percentile", "101"],
    ] {
        assert_eq!(faultline(&args).status.code(), Some(2), "{args:?}");
    }
}

#[test]
fn control_plane_occurrences_are_told_as_holds_not_failures() {
    let text = std::fs::read_to_string(repo("scenarios/aws-us-east-1-2025.ron")).unwrap();
    let m = model(&text);
    let holds = (m.failures.iter())
        .position(|f| f.name == "us-east-1 control plane")
        .expect("the control-plane failure");
    let opts = options(400, 42);
    let stop = AtomicBool::new(false);
    // the first trial in which a hold cost something
    let e = (0..400)
        .map(|t| explain::explain(&m, &opts, Pick::Trial(t), &stop).unwrap())
        .find(|e| {
            (e.trace.occurrences.iter())
                .any(|o| m.processes[o.process].failure == holds && o.lost_hours > 0.0)
        })
        .expect("a trial with a control-plane occurrence that lost service");
    let table = explain::table(&m, &e);
    let starts = |tag: &str| {
        (table.lines())
            .filter(|l| {
                l.contains(&format!(
                    "  {tag}  us-east-1 control plane on aws/us-east-1"
                ))
            })
            .count()
    };
    assert!(starts("HOLD") >= 1, "{table}");
    assert_eq!(starts("FAIL"), 0, "{table}");
    // no other failure holds
    let any_hold = table.lines().filter(|l| l.contains("  HOLD  ")).count();
    assert_eq!(any_hold, starts("HOLD"), "{table}");
    let doc: serde_json::Value = serde_json::from_str(&explain::json(&m, &e).unwrap()).unwrap();
    for o in doc["occurrences"].as_array().unwrap() {
        let control_plane = o["failure"] == "us-east-1 control plane";
        assert_eq!(o.get("control_plane").is_some(), control_plane, "{o}");
    }
}

//! `faultline drill`: each trial with and without one extra outage of a
//! domain, on the same random numbers, against exact answers.
//!
//! A replica with failures of its own alternates up for Exp(mean `every`)
//! and down for Exp(mean `m`), starting up: it is down at time t with
//! probability `p(t)` (`exact::p_down`), independently of the domain. So:
//! - one replica, the region drilled over `[a, a + L]`: the service is down
//!   there whatever the replica does, so the extra lost hours are the time
//!   it would have been up, `integral over [a, a + L] of 1 - p(t)`;
//! - two replicas in two zones, need 1, zone a drilled: the service is
//!   down there when replica b is (it was down before only when both were),
//!   so the extra is `integral of p(t) - p(t)^2`;
//! - without failures of its own, the first is exactly L in every trial and
//!   the second exactly 0 (a bound, not a zero: no interval).

use std::sync::atomic::AtomicBool;

use faultline::analysis::drill::{self, Drill, Outcome, Summary};
use faultline::catalog::Effect;
use faultline::montecarlo::RunOptions;

use super::exact::p_down;
use super::support::{faultline, model, repo};

const HORIZON: f64 = 8760.0;
const EVERY: f64 = 200.0;
const DOWN: f64 = 20.0;
const PER_HOUR: f64 = 1000.0;

/// One service of `replicas` replicas over zones a and b, need 1, with
/// `failures`.
fn design(replicas: u32, failures: &str) -> String {
    format!(
        r#"Scenario(name: "drilled", horizon: "{HORIZON}h", trials: 4000, seed: 5,
            domains: ["aws/r/a", "aws/r/b", "gcp/x/a"],
            failures: [{failures}],
            services: {{ "web": (deployments: [(in: "aws/r", zones: ["a", "b"], replicas: {replicas})],
                                cost: (per_hour: {PER_HOUR})) }})"#
    )
}

fn own_failures() -> String {
    format!(
        r#"(name: "host", on: EachReplica(), every: "{EVERY}h", lasts: Exp(mean: "{DOWN}h"), cause: Hardware)"#
    )
}

fn drill_of(text: &str, domain: &str, lasts: f64, at: Option<f64>, trials: u64) -> Outcome {
    drill_with(text, domain, (lasts, at, Effect::Down), trials)
}

/// The drill of `domain` for `lasts` hours at `at` with `effect`.
fn drill_with(
    text: &str,
    domain: &str,
    (lasts, at, effect): (f64, Option<f64>, Effect),
    trials: u64,
) -> Outcome {
    let model = model(text);
    let drill = Drill {
        domain: model
            .domain_by_path(domain)
            .expect("a domain of the scenario"),
        lasts,
        at,
        effect,
    };
    let options = RunOptions {
        trials: Some(trials),
        ..RunOptions::default()
    };
    drill::drill(&model, &drill, &options, &AtomicBool::new(false)).expect("drill")
}

/// Simpson's rule over [a, b].
fn integral(f: &dyn Fn(f64) -> f64, a: f64, b: f64) -> f64 {
    let n = 2000;
    let h = (b - a) / n as f64;
    let inner: f64 = (1..n)
        .map(|i| f(a + i as f64 * h) * if i % 2 == 1 { 4.0 } else { 2.0 })
        .sum();
    (f(a) + f(b) + inner) * h / 3.0
}

/// Asserts the mean is within 4 standard errors of `exact` (and has an interval).
fn assert_near(what: &str, s: &Summary, exact: f64) {
    let [low, high] = s.ci95.expect("enough trials differ for an interval");
    let se = (high - low) / (2.0 * 1.959_963_984_540_054);
    assert!(se > 0.0, "{what}: no spread, the test is too weak");
    assert!(
        (s.mean - exact).abs() <= 4.0 * se,
        "{what}: {} vs exact {exact} (se {se})",
        s.mean
    );
}

#[test]
fn a_region_drill_of_a_replica_without_failures_costs_exactly_its_hours() {
    let o = drill_of(&design(1, ""), "aws/r", 10.0, Some(100.0), 200);
    let web = &o.services[0];
    for s in [&web.lost_hours, &web.downtime_hours, &o.total_lost_hours] {
        assert_eq!((s.mean, s.p50, s.p90, s.p99), (10.0, 10.0, 10.0, 10.0));
        assert_eq!(s.ci95, Some([10.0, 10.0]));
    }
    assert_eq!(web.cost.mean, 10.0 * PER_HOUR);
    assert_eq!(o.cost.p99, 10.0 * PER_HOUR);
    assert_eq!(o.recovery_hours.mean, 0.0);
    assert_eq!(web.data_loss_hours.nonzero_trials, 0);
}

#[test]
fn a_region_drill_costs_the_hours_the_replica_would_have_been_up() {
    let (at, lasts) = (300.0, 30.0);
    let text = design(1, &own_failures());
    let o = drill_of(&text, "aws/r", lasts, Some(at), 4000);
    let up = |t: f64| 1.0 - p_down(EVERY, DOWN, t);
    let exact = integral(&up, at, at + lasts);
    assert_near("lost hours, fixed start", &o.services[0].lost_hours, exact);
    assert_near("cost, fixed start", &o.cost, PER_HOUR * exact);
    // a random start, uniform in [0, horizon - lasts]: the mean over starts
    let o = drill_of(&text, "aws/r", lasts, None, 4000);
    let span = HORIZON - lasts;
    let by_start = |a: f64| integral(&up, a, a + lasts) / span;
    let exact = integral(&by_start, 0.0, span);
    assert_near("lost hours, random start", &o.services[0].lost_hours, exact);
}

#[test]
fn a_zone_drill_costs_what_the_other_zone_loses_meanwhile() {
    let (at, lasts) = (50.0, 100.0);
    let o = drill_of(
        &design(2, &own_failures()),
        "aws/r/a",
        lasts,
        Some(at),
        4000,
    );
    let p = |t: f64| p_down(EVERY, DOWN, t);
    let exact = integral(&|t| p(t) * (1.0 - p(t)), at, at + lasts);
    assert_near("lost hours", &o.services[0].lost_hours, exact);
    // without failures of its own, the other zone carries it: never a loss,
    // reported as a bound on the chance of one, not as a zero
    let o = drill_of(&design(2, ""), "aws/r/a", lasts, Some(at), 400);
    let lost = &o.services[0].lost_hours;
    assert_eq!((lost.mean, lost.ci95, lost.nonzero_trials), (0.0, None, 0));
    let bound = 1.0 - 0.05f64.powf(1.0 / 400.0);
    assert!((lost.p_nonzero_upper95 - bound).abs() < 1e-12);
}

#[test]
fn a_drill_of_a_domain_nothing_uses_changes_no_number_of_any_trial() {
    // the drill draws its start from its own stream: the scenario's
    // processes see exactly their numbers, so every difference is 0
    let o = drill_of(&design(2, &own_failures()), "gcp/x/a", 500.0, None, 500);
    for s in [&o.total_lost_hours, &o.cost, &o.recovery_hours] {
        assert_eq!((s.nonzero_trials, s.mean, s.p99), (0, 0.0, 0.0));
    }
}

/// Writes `text` as a scenario file for the command-line tests.
fn scenario_file(name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("faultline-drill-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn command(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_faultline"))
        .current_dir(repo(""))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn a_drill_gives_the_same_bytes_on_one_and_two_threads() {
    let path = scenario_file("threads.ron", &design(2, &own_failures()));
    let path = path.to_str().unwrap();
    let args = |threads: &'static str| {
        let mut a = vec![
            path, "--domain", "aws/r/a", "--lasts", "2d", "--trials", "300",
        ];
        a.extend(["--format", "json", "--threads", threads]);
        a
    };
    let one = faultline(&[&["drill"], &args("1")[..]].concat());
    let two = faultline(&[&["drill"], &args("2")[..]].concat());
    assert_eq!(one, two);
    let document: serde_json::Value = serde_json::from_str(&one).unwrap();
    assert_eq!(document["drill"]["domain"], "aws/r/a");
    assert_eq!(document["drill"]["lasts_hours"], 48.0);
    assert!(document["drill"]["at_hours"].is_null());
    assert_eq!(document["drill"]["effect"], "down");
    for key in ["mean", "ci95", "p50", "p90", "p99"] {
        assert!(
            document["services"]["web"]["lost_hours"].get(key).is_some(),
            "{key}"
        );
        assert!(document["cost"].get(key).is_some(), "{key}");
    }
}

#[test]
fn a_domain_the_scenario_does_not_list_is_a_located_error_with_a_hint() {
    let path = scenario_file("unknown.ron", &design(1, ""));
    let out = command(&[
        "drill",
        path.to_str().unwrap(),
        "--domain",
        "aws/s",
        "--lasts",
        "1h",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("unknown.ron:2:13: error: the scenario has no domain `aws/s`"),
        "{stderr}"
    );
    assert!(stderr.contains("hint: did you mean `aws/r`?"), "{stderr}");
    let out = command(&[
        "drill",
        path.to_str().unwrap(),
        "--domain",
        "aws/r",
        "--lasts",
        "1h",
    ]);
    assert!(out.status.success());
}

#[test]
fn an_incident_takes_its_scope_and_duration_from_the_catalog() {
    let list = faultline(&["drill", "--list"]);
    let line = list
        .lines()
        .find(|l| l.trim_start().starts_with("aws-us-east-1-2017-02-28 "))
        .expect("the S3 outage is listed");
    assert!(
        line.contains("https://aws.amazon.com/message/41926/"),
        "{line}"
    );
    let text = design(1, "").replace("aws/r/a\", \"aws/r/b", "aws/us-east-1/a\", \"aws/r/b");
    let text = text.replace(
        "in: \"aws/r\", zones: [\"a\", \"b\"]",
        "in: \"aws/us-east-1/a\"",
    );
    let path = scenario_file("incident.ron", &text);
    let args = [
        "--incident",
        "aws-us-east-1-2017-02-28",
        "--trials",
        "50",
        "--format",
        "json",
    ];
    let json = faultline(&[&["drill", path.to_str().unwrap()], &args[..]].concat());
    let document: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(document["drill"]["domain"], "aws/us-east-1");
    assert_eq!(document["drill"]["lasts_hours"], 4.28);
    // a bare replica under the region loses the incident's hours (up to
    // the rounding of end - start)
    let near = |v: &serde_json::Value, x: f64| (v.as_f64().unwrap() - x).abs() < 1e-9 * x;
    assert!(near(
        &document["services"]["web"]["lost_hours"]["p50"],
        4.28
    ));
    assert!(near(&document["cost"]["mean"], 4280.0));
    // a zone incident whose reports name no zone takes the scenario's first zone
    let args = [
        "--incident",
        "aws-us-east-1-2021-09-26",
        "--trials",
        "5",
        "--format",
        "json",
    ];
    let json = faultline(&[&["drill", path.to_str().unwrap()], &args[..]].concat());
    let document: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(document["drill"]["domain"], "aws/us-east-1/a");
    assert_eq!(document["drill"]["lasts_hours"], 8.2);
}

#[test]
fn a_control_plane_drill_takes_nothing_down_and_holds_only_what_would_have_ended() {
    // static stability: with no outage of its own to hold, the replica
    // loses nothing, in every trial; the same window as `down` costs it all
    let quiet = design(1, "");
    let held = drill_with(
        &quiet,
        "aws/r",
        (10.0, Some(100.0), Effect::ControlPlane),
        200,
    );
    assert_eq!(held.services[0].lost_hours.mean, 0.0);
    assert_eq!(held.services[0].lost_hours.nonzero_trials, 0);
    let down = drill_with(&quiet, "aws/r", (10.0, Some(100.0), Effect::Down), 200);
    assert_eq!(down.services[0].lost_hours.mean, 10.0);
    // with outages of its own, a control-plane outage only ever adds to the
    // loss, never more than a `down` outage of the same window would
    let busy = design(1, &own_failures());
    let window = (48.0, Some(1000.0), Effect::ControlPlane);
    let held = drill_with(&busy, "aws/r", window, 2000);
    let down = drill_with(&busy, "aws/r", (48.0, Some(1000.0), Effect::Down), 2000);
    let (h, d) = (&held.services[0].lost_hours, &down.services[0].lost_hours);
    assert!(h.p50 >= 0.0 && h.mean >= 0.0, "{h:?}");
    assert!(h.nonzero_trials > 0, "some outage is held: {h:?}");
    assert!(h.mean < d.mean, "held {h:?} down {d:?}");
}

//! Partials no run can have written: `merge` refuses each class of
//! impossible value (out of its range, at odds with the values it is
//! computed from, counts that overflow, unknown keys, entries the scenario
//! does not have) naming the file and the value's JSON path, with exit code
//! 1, and writes nothing.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use super::support;
use assert_cmd::Command;
use faultline::montecarlo::RunOptions;
use faultline::shard::{self, Shard};
use serde_json::{json, Value};

/// One service in one zone, failing about every month for a day: lost
/// hours in most trials.
const SCENARIO: &str = r#"Scenario(
    name: "tiny",
    horizon: "1y",
    trials: 4,
    seed: 7,
    domains: ["aws/us-east-1/a"],
    failures: [
        (name: "zone outage", on: EachZone(), every: "30d", lasts: Fixed("1d")),
    ],
    services: {
        "web": (deployments: [(in: "aws/us-east-1/a")], cost: (per_hour: 100)),
    },
)
"#;

/// The two partials of a 4-trial run, as JSON values.
fn partials() -> Vec<Value> {
    let model = faultline::scenario::load("tiny.ron", SCENARIO.as_bytes()).expect("valid");
    let options = RunOptions {
        trials: Some(4),
        ..RunOptions::default()
    };
    (0..2)
        .map(|index| {
            let shard = Shard { index, count: 2 };
            let stop = AtomicBool::new(false);
            let p = shard::run_shard(&model, ("tiny.ron", SCENARIO), &options, shard, &stop)
                .expect("run");
            serde_json::from_slice(&shard::to_json(&p).expect("json")).expect("parse")
        })
        .collect()
}

/// A fresh scratch folder for test `test`.
fn scratch(test: &str) -> PathBuf {
    support::scratch("partials", test)
}

/// Writes `parts` as `part-I.json` in `dir` and merges them to
/// `merged.json`: exit code and stderr.
fn merge(dir: &Path, parts: &[Value]) -> (Option<i32>, String) {
    let mut args = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        let name = format!("part-{i}.json");
        std::fs::write(dir.join(&name), part.to_string()).expect("write partial");
        args.push(name);
    }
    let _ = std::fs::remove_file(dir.join("merged.json"));
    let output = Command::new(env!("CARGO_BIN_EXE_faultline"))
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .arg("merge")
        .args(&args)
        .args(["--format", "json", "--output", "merged.json"])
        .timeout(Duration::from_secs(60))
        .output()
        .expect("faultline runs");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    (output.status.code(), stderr)
}

/// The first trial of partial 1 whose service lost hours.
fn trial_with_loss(parts: &[Value]) -> usize {
    let outcomes = parts[1]["outcomes"].as_array().expect("outcomes");
    outcomes
        .iter()
        .position(|o| o["services"][0]["lost_hours"].as_f64() > Some(0.0))
        .expect("a trial with lost hours")
}

/// What is wrong, an edit of partial 1 (given a trial with lost hours,
/// `{t}` in pointers and messages) and the start of the message that must
/// refuse it.
type Case = (&'static str, Edit, String);

/// An edit of a partial, given a trial with lost hours.
type Edit = Box<dyn Fn(&mut Value, usize)>;

fn cases() -> Vec<Case> {
    let service = |field: &str| format!("/outcomes/{{t}}/services/0/{field}");
    let set = |pointer: String, value: Value| -> Edit {
        Box::new(move |p: &mut Value, t: usize| {
            let pointer = pointer.replace("{t}", &t.to_string());
            *p.pointer_mut(&pointer).expect(&pointer) = value.clone();
        })
    };
    let at = |path: &str, reason: &str| {
        format!("part-1.json: error: impossible value at `{path}`: {reason}")
    };
    let web = "services[0] (service `web`)";
    vec![
        (
            "negative lost hours (availability above 1)",
            set(service("lost_hours"), json!(-1.0)),
            at(&format!("outcomes[{{t}}].{web}.lost_hours"), "-1 is negative"),
        ),
        (
            "lost hours above the horizon",
            set(service("lost_hours"), json!(9000.0)),
            at(&format!("outcomes[{{t}}].{web}.lost_hours"), "9000 is above 8760"),
        ),
        (
            "a negative cost",
            set("/outcomes/{t}/cost".into(), json!(-5.0)),
            at("outcomes[{t}].cost", "-5 is negative"),
        ),
        (
            "a cost that is not the sum of the services' costs",
            Box::new(|p: &mut Value, t: usize| {
                let cost = p["outcomes"][t]["cost"].as_f64().expect("cost");
                p["outcomes"][t]["cost"] = json!(cost + 1000.0);
            }),
            at("outcomes[{t}].cost", ""),
        ),
        (
            "downtime above lost hours",
            Box::new(|p: &mut Value, t: usize| {
                let s = &mut p["outcomes"][t]["services"][0];
                s["downtime_hours"] = json!(s["lost_hours"].as_f64().expect("hours") + 5.0);
            }),
            at(&format!("outcomes[{{t}}].{web}.downtime_hours"), ""),
        ),
        (
            "1e300 lost hours weighted by traffic",
            set(
                service("weighted_lost_hours"),
                json!(1e300),
            ),
            at(
                &format!("outcomes[{{t}}].{web}.weighted_lost_hours"),
                "1e300 is above 1e100",
            ),
        ),
        (
            "1e300 seconds",
            set("/seconds".into(), json!(1e300)),
            at("seconds", "1e300 is above 1e100"),
        ),
        (
            "a bound on exact values below zero",
            Box::new(|p: &mut Value, _| p["max_exact_values"] = json!(-1.0)),
            at("max_exact_values", "-1 is not a number greater than zero"),
        ),
        (
            "events that wrap past 2^64",
            Box::new(|p: &mut Value, _| {
                for o in p["outcomes"].as_array_mut().expect("outcomes") {
                    o["events"] = json!(u64::MAX);
                }
            }),
            // part-0 simulated events: the first trial of part-1 passes 2^64
            at("outcomes[0].events", "the run's events add up past 2^64"),
        ),
        (
            "a blast radius above the scenario's services",
            set("/outcomes/{t}/failures/0/blast_max".into(), json!(2)),
            at(
                "outcomes[{t}].failures[0] (failure `zone outage`).blast_max",
                "2 is above the scenario's 1 service(s)",
            ),
        ),
        (
            "lost hours no failure or `unattributed_hours` accounts for",
            set("/outcomes/{t}/failures/0/lost_hours".into(), json!(0.0)),
            at(
                "outcomes[{t}].unattributed_hours",
                "with the failures' lost hours it makes 0 hours, not the services' ",
            ),
        ),
        (
            "money no failure or `unattributed_cost` accounts for",
            set("/outcomes/{t}/failures/0/cost".into(), json!(12345.0)),
            at(
                "outcomes[{t}].unattributed_cost",
                "with the failures' costs it makes ",
            ),
        ),
        (
            "a process's negative hours",
            set("/outcomes/{t}/processes/0/1".into(), json!(-1.0)),
            at("outcomes[{t}].processes[0][1]", "-1 is negative"),
        ),
        (
            "an extra failure process entry",
            Box::new(|p: &mut Value, t: usize| {
                let processes = p["outcomes"][t]["processes"].as_array_mut().expect("list");
                processes.push(json!([1, 2.0]));
            }),
            "part-1.json: error: the partial is inconsistent: outcome {t} does not measure the scenario's 1 service(s), 1 failure(s) and 1 failure process(es)".into(),
        ),
        (
            "an unknown key in an outcome",
            Box::new(|p: &mut Value, t: usize| p["outcomes"][t]["surprise"] = json!(1)),
            "part-1.json: error: not a faultline partial result (unknown field `surprise`".into(),
        ),
        (
            "an unknown key in a service's outcome",
            Box::new(|p: &mut Value, t: usize| {
                p["outcomes"][t]["services"][0]["surprise"] = json!(1);
            }),
            "part-1.json: error: not a faultline partial result (unknown field `surprise`".into(),
        ),
    ]
}

#[test]
fn merge_refuses_each_class_of_impossible_partial_and_writes_nothing() {
    let dir = scratch("impossible");
    let good = partials();
    let (code, stderr) = merge(&dir, &good);
    assert_eq!(code, Some(0), "the untouched partials merge: {stderr}");
    assert!(dir.join("merged.json").exists());
    let t = trial_with_loss(&good);
    for (what, edit, expected) in cases() {
        let mut parts = good.clone();
        edit(&mut parts[1], t);
        let (code, stderr) = merge(&dir, &parts);
        let expected = expected.replace("{t}", &t.to_string());
        assert_eq!(code, Some(1), "{what}: {stderr}");
        assert!(
            stderr.starts_with(&expected),
            "{what}:\n{stderr}\nexpected: {expected}"
        );
        assert!(
            stderr.contains("\n  hint: ") || expected.contains("not a faultline"),
            "{what}: {stderr}"
        );
        assert!(
            !dir.join("merged.json").exists(),
            "{what}: a document was written"
        );
    }
}

#[test]
fn the_in_memory_merge_refuses_the_same_partials() {
    let good = partials();
    let t = trial_with_loss(&good);
    for (what, edit, expected) in cases() {
        let mut parts = good.clone();
        edit(&mut parts[1], t);
        let expected = expected.replace("{t}", &t.to_string());
        let parsed: Result<Vec<_>, _> = parts
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let name = format!("part-{i}.json");
                shard::parse(&name, p.to_string().as_bytes()).map(|p| (name, p))
            })
            .collect();
        let refused = parsed.and_then(shard::merge).map(|_| ());
        let e = refused.expect_err(what);
        assert!(
            e.to_string().starts_with(&expected),
            "{what}: {e}\nexpected: {expected}"
        );
    }
}

//! Partials no run can have written: `merge` refuses each class of
//! impossible value (out of its range, at odds with the values it is
//! computed from, pieces that do not fit, unknown keys, entries the
//! scenario does not have) naming the file and the value's JSON path, with
//! exit code 1, and writes nothing.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use super::support;
use assert_cmd::Command;
use faultline::montecarlo::RunOptions;
use faultline::shard::{self, Shard};
use faultline::uncertainty::DEFAULT_DRAWS;
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

/// The two partials of a 4-trial run, as JSON values: the run is one
/// segment, simulated by partial 1 (one tree node, four values a list).
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
            let p = shard::run_shard(
                &model,
                ("tiny.ron", SCENARIO),
                &options,
                (shard, DEFAULT_DRAWS),
                &stop,
            )
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

/// What is wrong, an edit of partial 1 and the start of the message that
/// must refuse it.
type Case = (&'static str, Edit, String);

/// An edit of a partial.
type Edit = Box<dyn Fn(&mut Value)>;

fn cases() -> Vec<Case> {
    let set = |pointer: &str, value: Value| -> Edit {
        let pointer = pointer.to_string();
        Box::new(move |p: &mut Value| {
            *p.pointer_mut(&pointer).expect(&pointer) = value.clone();
        })
    };
    let node = "reduced.nodes[0].summary";
    let at = |path: &str, reason: &str| {
        format!("part-1.json: error: impossible value at `{path}`: {reason}")
    };
    let web = "services[0] (service `web`)";
    let summary = "/reduced/nodes/0/summary";
    vec![
        (
            "negative mean lost hours (availability above 1)",
            set(&format!("{summary}/services/0/0/0"), json!(-1.0)),
            at(&format!("{node}.{web}.lost_hours"), "-1 is negative"),
        ),
        (
            "mean lost hours above the horizon",
            set(&format!("{summary}/services/0/0/0"), json!(9000.0)),
            at(&format!("{node}.{web}.lost_hours"), "9000 is above 8760"),
        ),
        (
            "a negative sum of squared deviations",
            set(&format!("{summary}/cost/1"), json!(-3.0)),
            at(&format!("{node}.cost"), "-3 is negative"),
        ),
        (
            "a cost that is not the sum of the services'",
            Box::new(move |p: &mut Value| {
                let cost = &mut p.pointer_mut(&format!("{summary}/cost/0")).expect("cost");
                **cost = json!(cost.as_f64().expect("a number") + 1000.0);
            }),
            at(&format!("{node}.cost"), ""),
        ),
        (
            "lost hours no failure or `unattributed_hours` accounts for",
            set(&format!("{summary}/failures/0/lost_hours/0"), json!(0.0)),
            at(&format!("{node}.unattributed_hours"), ""),
        ),
        (
            "money no failure or `unattributed_cost` accounts for",
            set(&format!("{summary}/failures/0/cost/0"), json!(12345.0)),
            at(&format!("{node}.unattributed_cost"), ""),
        ),
        (
            "a blast radius above the scenario's services",
            set(&format!("{summary}/failures/0/blast_max"), json!(2)),
            at(
                &format!("{node}.failures[0].blast_max"),
                "2 is above the scenario's 1 service(s)",
            ),
        ),
        (
            "a bound on exact values below zero",
            Box::new(|p: &mut Value| p["max_exact_values"] = json!(-1.0)),
            at("max_exact_values", "-1 is not a number greater than zero"),
        ),
        (
            "a node of the wrong size",
            set(&format!("{summary}/trials"), json!(3)),
            "part-1.json: error: the partial is inconsistent: a node of 3 trial(s) at trial 0, where 4 are due".into(),
        ),
        (
            "a value missing",
            set("/reduced/values/cost/Exact", json!([1.0])),
            at("reduced.values.cost", "it holds 1 value(s) for 4 trial(s)"),
        ),
        (
            "a value out of range",
            set("/reduced/values/services/0/0/Exact/1", json!(9000.0)),
            at(
                &format!("reduced.values.{web}.lost_hours[1]"),
                "9000 is above 8760",
            ),
        ),
        (
            "an extra service",
            Box::new(move |p: &mut Value| {
                let services = p.pointer_mut(&format!("{summary}/services")).expect("list");
                let first = services[0].clone();
                services.as_array_mut().expect("list").push(first);
            }),
            at(
                &format!("{node}.services"),
                "it does not sum trials of the scenario's 1 service(s), 1 failure(s) and 1 cause(s)",
            ),
        ),
        (
            "an unknown key in a summary",
            Box::new(move |p: &mut Value| {
                p.pointer_mut(summary).expect("summary")["surprise"] = json!(1);
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
    for (what, edit, expected) in cases() {
        let mut parts = good.clone();
        edit(&mut parts[1]);
        let (code, stderr) = merge(&dir, &parts);
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
    for (what, edit, expected) in cases() {
        let mut parts = good.clone();
        edit(&mut parts[1]);
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

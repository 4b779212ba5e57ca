//! Objectives: met, failed and undecided verdicts placed by where the 95% CI
//! lies, the trials an undecided one needs, exit codes, `--strict`, JUnit XML
//! read back, and `--precision`.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use faultline::stats::{RunResult, Verdict};
use quick_xml::events::Event;
use serde_json::Value;

use super::support::{self, run, without_key};

/// One replica that fails every 30 days (exponential) for exactly 10 hours:
/// availability about 720 / 730, 120 lost hours a year.
fn one_box(objectives: &str) -> String {
    format!(
        r#"Scenario(
    name: "one box",
    horizon: "1y",
    domains: ["aws/us-east-1/a"],
    failures: [(name: "host", on: EachReplica(), every: "30d", lasts: Fixed("10h"), cause: Hardware)],
    services: {{ "web": (deployments: [(in: "aws/us-east-1/a")], cost: (per_hour: 1000)) }},
    objectives: [{objectives}],
)"#
    )
}

const TRIALS: u64 = 2000;
const SEED: u64 = 7;

/// The run of [`one_box`] with these objectives.
fn judged(objectives: &str, trials: u64) -> RunResult {
    run(&one_box(objectives), trials, SEED)
}

#[test]
fn availability_verdicts_follow_where_the_confidence_interval_lies() {
    let plain = judged("", TRIALS);
    let a = plain.services["web"].availability;
    let [lo, hi] = a.ci95.unwrap();
    let half = hi - a.mean;
    let objectives = format!(
        "Availability(service: \"web\", at_least: {}),
         Availability(service: \"web\", at_least: {}),
         Availability(service: \"web\", at_least: {}),
         Availability(service: \"web\", at_least: {})",
        lo - 1e-4,
        hi + 1e-4,
        a.mean,
        a.mean + half / 2.0
    );
    let r = judged(&objectives, TRIALS);
    assert_eq!(r.services, plain.services, "objectives change no number");
    let verdicts: Vec<Verdict> = r.objectives.iter().map(|o| o.verdict).collect();
    use Verdict::{Failed, Met, Undecided};
    assert_eq!(verdicts, [Met, Failed, Undecided, Undecided]);
    for o in &r.objectives {
        assert_eq!((o.estimate, o.ci95), (a.mean, a.ci95), "{}", o.name);
    }
    // on the target: no number of trials decides it
    assert_eq!(r.objectives[2].more_trials, None);
    // half the CI away: the CI must shrink by half, so 4x the trials, 3x more
    let more = r.objectives[3].more_trials.expect("an estimate") as i64;
    assert!((more - 3 * TRIALS as i64).abs() <= 2, "{more}");
    assert_eq!(
        r.objectives[0].more_trials, None,
        "only undecided ones need more"
    );
}

#[test]
fn the_exact_availability_lies_inside_an_undecided_interval() {
    // alternating renewal: MTTF / (MTTF + MTTR) = 720 / 730 (a year starting
    // up is a little better; the difference is far inside the CI)
    let exact = 720.0 / 730.0;
    let r = judged(
        &format!("Availability(service: \"web\", at_least: {exact})"),
        TRIALS,
    );
    let o = &r.objectives[0];
    assert!(
        o.ci95.unwrap()[0] < exact && exact < o.ci95.unwrap()[1],
        "{:?}",
        o.ci95.unwrap()
    );
    assert_eq!(o.verdict, Verdict::Undecided);
}

#[test]
fn a_p99_objective_cannot_be_met_before_368_trials() {
    // every trial loses less than a year, so only the CI's width decides;
    // 0.99^368 <= 2.5% < 0.99^367
    let objective = r#"LostHours(service: "web", p99_at_most: "1y")"#;
    let few = judged(objective, 100);
    let o = &few.objectives[0];
    assert_eq!(o.verdict, Verdict::Undecided);
    assert_eq!(o.ci95_open.as_deref(), Some("above"));
    assert_eq!(o.more_trials, Some(268));
    assert_eq!(o.estimate, few.services["web"].lost_hours.p99);
    assert_eq!(
        judged(objective, 367).objectives[0].verdict,
        Verdict::Undecided
    );
    assert_eq!(judged(objective, 368).objectives[0].verdict, Verdict::Met);
}

#[test]
fn a_p99_objective_fails_when_its_interval_is_above_the_target() {
    let r = judged(
        r#"LostHours(service: "web", p99_at_most: "10h"), LostHours(service: "web", p99_at_most: "2000h")"#,
        TRIALS,
    );
    let [low, high] = [&r.objectives[0], &r.objectives[1]];
    assert_eq!(low.verdict, Verdict::Failed);
    assert!(low.ci95.unwrap()[0] > 10.0, "{:?}", low.ci95.unwrap());
    assert_eq!(high.verdict, Verdict::Met);
    assert!(high.ci95.unwrap()[1] <= 2000.0, "{:?}", high.ci95.unwrap());
    // outages last exactly 10h, so lost hours are multiples of 10 but for the
    // last outage of a year, cut at the horizon
    let p99 = r.services["web"].lost_hours.p99;
    assert!(low.ci95.unwrap()[0] <= p99 && p99 <= low.ci95.unwrap()[1]);
}

#[test]
fn cost_and_mean_lost_hours_objectives_use_the_document_numbers() {
    let plain = judged("", TRIALS);
    let cost = plain.cost;
    let lost = plain.services["web"].lost_hours;
    let r = judged(
        &format!(
            "AnnualCost(mean_at_most: {}), LostHours(service: \"web\", mean_at_most: \"{}h\")",
            cost.ci95.unwrap()[1] + 1.0,
            lost.ci95.unwrap()[0] - 0.5
        ),
        TRIALS,
    );
    let [c, l] = [&r.objectives[0], &r.objectives[1]];
    assert_eq!(
        (c.verdict, c.estimate, c.ci95),
        (Verdict::Met, cost.mean, cost.ci95)
    );
    assert_eq!(
        (l.verdict, l.estimate, l.ci95),
        (Verdict::Failed, lost.mean, lost.ci95)
    );
    assert_eq!(c.service, None);
    assert_eq!(l.service.as_deref(), Some("web"));
}

/// A fresh scratch folder for test `test`.
fn scratch(test: &str) -> PathBuf {
    support::scratch("objectives", test)
}

/// Writes [`one_box`] with `objectives` to `dir/one-box.ron`.
fn scenario_file(dir: &Path, objectives: &str) -> PathBuf {
    let path = dir.join("one-box.ron");
    std::fs::write(&path, one_box(objectives)).expect("write scenario");
    path
}

/// `faultline run SCENARIO --trials 2000 --seed 7 ARGS` in `dir`: exit code, stdout, stderr.
fn faultline_run(dir: &Path, scenario: &Path, args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_faultline"))
        .current_dir(dir)
        .arg("run")
        .arg(scenario)
        .args(["--trials", "2000", "--seed", "7"])
        .args(args)
        .output()
        .expect("faultline runs");
    let text = |b: Vec<u8>| String::from_utf8(b).expect("UTF-8");
    (
        output.status.code().expect("an exit code"),
        text(output.stdout),
        text(output.stderr),
    )
}

/// Met (far below), failed (far above) and undecided (on the estimate) objectives.
fn three_verdicts() -> String {
    let a = judged("", TRIALS).services["web"].availability;
    format!(
        "Availability(service: \"web\", at_least: 0.9),
         Availability(service: \"web\", at_least: 0.999),
         Availability(service: \"web\", at_least: {})",
        a.mean
    )
}

#[test]
fn exit_code_is_one_when_an_objective_fails_and_with_strict_when_one_is_undecided() {
    let dir = scratch("exit_codes");
    let cases = [
        ("Availability(service: \"web\", at_least: 0.9)", &[][..], 0, "1 met, 0 failed, 0 undecided"),
        ("Availability(service: \"web\", at_least: 0.999)", &[][..], 1, "0 met, 1 failed, 0 undecided"),
        (&*three_verdicts(), &[][..], 1, "1 met, 1 failed, 1 undecided"),
        ("Availability(service: \"web\", at_least: 0.9), Availability(service: \"web\", at_least: 0.98630137)", &[][..], 0, "1 met, 0 failed, 1 undecided"),
        ("Availability(service: \"web\", at_least: 0.9), Availability(service: \"web\", at_least: 0.98630137)", &["--strict"][..], 1, "1 met, 0 failed, 1 undecided"),
        ("", &["--strict"][..], 0, ""),
    ];
    for (objectives, args, code, summary) in cases {
        let scenario = scenario_file(&dir, objectives);
        let (got, _, stderr) = faultline_run(&dir, &scenario, args);
        assert_eq!(got, code, "{objectives} {args:?}\n{stderr}");
        if summary.is_empty() {
            assert!(!stderr.contains("objectives:"), "{stderr}");
        } else {
            assert!(
                stderr.contains(&format!("objectives: {summary}")),
                "{stderr}"
            );
        }
    }
}

/// A parsed `<testcase>`: its name and the child elements (`failure`, `skipped`).
#[derive(Debug, PartialEq)]
struct TestCase {
    name: String,
    outcome: Option<String>,
    message: Option<String>,
}

/// The root's attributes and the test cases of a JUnit file.
fn parse_junit(xml: &str) -> (Vec<(String, String)>, Vec<TestCase>) {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut root = Vec::new();
    let mut cases: Vec<TestCase> = Vec::new();
    loop {
        let event = reader.read_event().expect("well-formed XML");
        let element = match &event {
            Event::Start(e) | Event::Empty(e) => e.clone(),
            Event::Eof => break,
            _ => continue,
        };
        let attributes: Vec<(String, String)> = element
            .attributes()
            .map(|a| {
                let a = a.expect("attribute");
                let key = a.key.as_ref().to_string();
                let value = a
                    .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                    .expect("value");
                (key, value.into_owned())
            })
            .collect();
        let get = |k: &str| {
            attributes
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.clone())
        };
        match element.name().as_ref() {
            "testsuites" => root = attributes.clone(),
            "testcase" => cases.push(TestCase {
                name: get("name").expect("a name"),
                outcome: None,
                message: None,
            }),
            tag @ ("failure" | "skipped") => {
                let case = cases.last_mut().expect("inside a test case");
                case.outcome = Some(tag.to_string());
                case.message = get("message");
            }
            _ => {}
        }
    }
    (root, cases)
}

#[test]
fn junit_has_one_test_case_per_objective_and_parses_back() {
    let dir = scratch("junit");
    let scenario = scenario_file(&dir, &three_verdicts());
    let (code, json, _) = faultline_run(
        &dir,
        &scenario,
        &["--format", "json", "--junit", "plain.xml"],
    );
    assert_eq!(code, 1);
    let doc: Value = serde_json::from_str(&json).expect("JSON");
    let names: Vec<&str> = doc["objectives"]
        .as_array()
        .expect("objectives")
        .iter()
        .map(|o| o["name"].as_str().expect("a name"))
        .collect();
    let (root, cases) =
        parse_junit(&std::fs::read_to_string(dir.join("plain.xml")).expect("junit"));
    let attribute = |k: &str| {
        root.iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(
        (
            attribute("tests"),
            attribute("failures"),
            attribute("skipped")
        ),
        (Some("3"), Some("1"), Some("1"))
    );
    assert_eq!(
        cases.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
        names
    );
    assert!(
        names[0].contains(">= 0.9"),
        "names keep `>=` through escaping: {names:?}"
    );
    let outcomes: Vec<Option<&str>> = cases.iter().map(|c| c.outcome.as_deref()).collect();
    assert_eq!(outcomes, [None, Some("failure"), Some("skipped")]);
    let message = cases[1].message.as_deref().expect("a message");
    assert!(message.starts_with("failed: estimate 98.6"), "{message}");

    let (code, _, _) = faultline_run(&dir, &scenario, &["--strict", "--junit", "strict.xml"]);
    assert_eq!(code, 1);
    let (root, cases) =
        parse_junit(&std::fs::read_to_string(dir.join("strict.xml")).expect("junit"));
    let outcomes: Vec<Option<&str>> = cases.iter().map(|c| c.outcome.as_deref()).collect();
    assert_eq!(outcomes, [None, Some("failure"), Some("failure")]);
    assert!(root.contains(&("failures".into(), "2".into())), "{root:?}");
}

#[test]
fn markdown_shows_each_objective_with_its_verdict() {
    let dir = scratch("markdown");
    let scenario = scenario_file(&dir, &three_verdicts());
    let (_, markdown, _) = faultline_run(&dir, &scenario, &["--format", "markdown"]);
    assert!(
        markdown.contains("**Objectives:** 1 met, 1 failed, 1 undecided"),
        "{markdown}"
    );
    let rows: Vec<&str> = markdown
        .lines()
        .filter(|l| l.contains("<code>web availability"))
        .collect();
    assert_eq!(rows.len(), 3, "{markdown}");
    assert!(
        rows[0].starts_with("| ✅ |") && rows[0].ends_with("| met |"),
        "{}",
        rows[0]
    );
    assert!(
        rows[1].starts_with("| ❌ |") && rows[1].ends_with("| failed |"),
        "{}",
        rows[1]
    );
    assert!(
        rows[2].starts_with("| ❔ |") && rows[2].contains("undecided"),
        "{}",
        rows[2]
    );
}

#[test]
fn table_shows_each_objective_with_its_mark_and_target_as_markdown_does() {
    let dir = scratch("table");
    let scenario = scenario_file(&dir, &three_verdicts());
    let (_, table, _) = faultline_run(&dir, &scenario, &[]);
    assert!(
        table.contains("objectives: 1 met, 1 failed, 1 undecided"),
        "{table}"
    );
    let rows: Vec<&str> = table
        .lines()
        .filter(|l| l.contains("web availability"))
        .collect();
    assert_eq!(rows.len(), 3, "{table}");
    let expected = [
        ("✅", "target    >= 90.0000%", "met"),
        ("❌", "target    >= 99.9000%", "failed"),
        ("❔", "target ", "undecided"),
    ];
    for (row, (mark, target, verdict)) in rows.iter().zip(expected) {
        assert!(row.trim_start().starts_with(mark), "{row}");
        assert!(row.contains(target), "{row}");
        assert!(row.contains(verdict), "{row}");
    }
}

/// `run --precision X` with `args`, as a parsed document.
fn precise(dir: &Path, scenario: &Path, precision: &str, args: &[&str]) -> (String, Value) {
    let output = Command::new(env!("CARGO_BIN_EXE_faultline"))
        .current_dir(dir)
        .arg("run")
        .arg(scenario)
        .args(["--seed", "7", "--format", "json", "--precision", precision])
        .args(args)
        .output()
        .expect("faultline runs");
    let json = String::from_utf8(output.stdout).expect("UTF-8");
    let doc = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {json}"));
    (json, doc)
}

#[test]
fn precision_stops_at_the_first_batch_whose_interval_is_narrow_enough() {
    let dir = scratch("precision");
    // no objectives: the interval of every service decides where the run stops
    let scenario = scenario_file(&dir, "");
    let (one_thread, doc) = precise(&dir, &scenario, "1h", &["--threads", "1"]);
    let (two_threads, _) = precise(&dir, &scenario, "1h", &["--threads", "2"]);
    assert_eq!(
        without_key("seconds", &one_thread),
        without_key("seconds", &two_threads)
    );
    let trials = doc["trials"].as_u64().expect("trials");
    assert_eq!(trials % 1024, 0, "whole batches: {trials}");
    let half = |r: &RunResult| {
        let ci = r.services["web"].lost_hours.ci95.unwrap();
        (ci[1] - ci[0]) / 2.0
    };
    let text = one_box("");
    let last = run(&text, trials, SEED);
    let before = run(&text, trials - 1024, SEED);
    assert!(
        half(&last) < 1.0 && half(&before) >= 1.0,
        "{} {}",
        half(&last),
        half(&before)
    );
    // and the document is that of a plain run of as many trials
    let plain = Command::new(env!("CARGO_BIN_EXE_faultline"))
        .current_dir(&dir)
        .arg("run")
        .arg(&scenario)
        .args([
            "--seed",
            "7",
            "--format",
            "json",
            "--trials",
            &trials.to_string(),
        ])
        .output()
        .expect("faultline runs");
    let plain = String::from_utf8(plain.stdout).expect("UTF-8");
    assert_eq!(
        without_key("seconds", &one_thread),
        without_key("seconds", &plain)
    );
}

#[test]
fn precision_stops_as_soon_as_every_objective_is_decided_or_at_the_cap() {
    let dir = scratch("precision_decided");
    let scenario = scenario_file(&dir, "Availability(service: \"web\", at_least: 0.9)");
    let (_, doc) = precise(&dir, &scenario, "1s", &[]);
    assert_eq!(doc["trials"], 1024, "decided by the first batch");
    assert_eq!(doc["objectives"][0]["verdict"], "met");
    let (_, capped) = precise(&dir, &scenario_file(&dir, ""), "1s", &["--trials", "1500"]);
    assert_eq!(capped["trials"], 1500, "stopped by the cap, mid-batch");
}

#[test]
fn data_loss_objectives_judge_the_documented_data_loss() {
    let text = std::fs::read_to_string(super::support::repo("scenarios/data-loss.ron"))
        .expect("the example")
        .replacen(
            "    services: {",
            "    objectives: [DataLoss(service: \"orders\", p99_at_most: \"1m\"),
                  DataLoss(service: \"orders\", mean_at_most: \"1y\")],
    services: {",
            1,
        );
    let r = run(&text, 1000, 42);
    let loss = r.services["orders"].data_loss_hours;
    let [p99, mean] = [&r.objectives[0], &r.objectives[1]];
    assert_eq!(
        (p99.name.as_str(), p99.estimate),
        ("orders data_loss_hours p99 <= 1m", loss.p99)
    );
    assert_eq!(p99.verdict, Verdict::Failed, "{p99:?}");
    assert!(p99.ci95.unwrap()[0] > 1.0 / 60.0, "{p99:?}");
    assert_eq!((mean.estimate, mean.ci95), (loss.mean, loss.ci95));
    assert_eq!(mean.verdict, Verdict::Met);
}

#[test]
fn the_ci_example_meets_its_objectives() {
    let path = super::support::repo("examples/ci/shop-gated.ron");
    let text = std::fs::read_to_string(&path).expect("the CI example");
    let r = run(&text, 1000, 42);
    let names: Vec<&str> = r.objectives.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "web availability mean >= 0.9995",
            "web lost_hours p99 <= 24h",
            "cost mean <= 1500000"
        ]
    );
    assert!(
        r.objectives.iter().all(|o| o.verdict == Verdict::Met),
        "{:?}",
        r.objectives
    );
}

#[test]
fn one_trial_decides_no_objective_and_bounds_no_mean() {
    let r = judged(
        r#"Availability(service: "web", at_least: 0.5),
           LostHours(service: "web", mean_at_most: "8760h"),
           AnnualCost(mean_at_most: 1000000000000)"#,
        1,
    );
    let web = &r.services["web"];
    // one value says nothing of the spread: fewer than ten nonzero trials,
    // no interval, only the bound on a nonzero trial's chance (0.95 from a
    // zero trial, 1 from a nonzero one)
    for (ci95, rare) in [
        (web.availability.ci95, web.availability.rare),
        (web.lost_hours.ci95, web.lost_hours.rare),
        (r.cost.ci95, r.cost.rare),
    ] {
        assert_eq!(ci95, None);
        let rare = rare.expect("rare");
        let bound = if rare.nonzero_trials == 0 { 0.95 } else { 1.0 };
        assert!((rare.p_nonzero_upper95 - bound).abs() < 1e-12);
    }
    for o in &r.objectives {
        assert_eq!(o.verdict, Verdict::Undecided, "{}", o.name);
        assert_eq!(o.ci95_open.as_deref(), Some("both"), "{}", o.name);
        assert_eq!(o.more_trials, None, "{}", o.name);
        assert_eq!(o.ci95, None, "{}", o.name);
    }
    // two trials give a spread, an interval and verdicts again
    let r = judged(r#"Availability(service: "web", at_least: 0.5)"#, 2);
    assert!(r.objectives[0].ci95_open.is_none());
}
